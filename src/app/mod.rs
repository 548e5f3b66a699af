//! Apps as the supervisor sees them: the lifecycle state machine and the restart policy. Pure
//! logic with time passed in; the server applies the effects.

pub mod deps;
pub mod lifecycle;
pub mod policy;
pub mod probe;
