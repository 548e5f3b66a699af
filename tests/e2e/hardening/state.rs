//! (tests added here)

#[allow(unused_imports)]
use crate::harness::*;
