//! The JSON contract: every document appmux prints with `--json` or answers on the control
//! API, as typed serde structures, each carrying `"schema": SCHEMA`, and the JSON Schema of
//! them all that `appmux schema` prints. The server and the commands build these types; the
//! keys are the documented, stable ones (keys are only ever added; a change that would break a
//! reader bumps `SCHEMA`). It owns no behaviour beyond shapes and their schema.
//!
//! The line-oriented outputs (`logs --json`, `events --json`, the control API's lines) carry
//! `schema` on every line, so each line can be read on its own; `action list --json` is a bare
//! array (as it always was), so each of its entries carries it.

mod control;
mod reports;
mod schema;

pub use control::*;
pub use reports::*;
pub use schema::{document_names, schema_json};

/// The version of the JSON contract, as every document's `schema` key gives it.
pub const SCHEMA: u32 = 1;
