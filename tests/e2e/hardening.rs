//! The hardened server: values `check` accepts never crash or freeze it, every queue and
//! connection is bounded, saved state is private and never silently lost, names are checked
//! where they enter. Each test has bounded time and memory; RSS figures are read from `/proc`.

mod bounds;
mod limits;
mod state;
