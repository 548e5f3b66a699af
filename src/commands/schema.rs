//! `appmux schema [NAME]`: prints the JSON Schema of the JSON contract (every `--json` output
//! and control API message), or of one document of it.

use std::io::Write;

use anyhow::{Result, bail};

use crate::contract::{document_names, schema_json};

pub fn schema(name: Option<&str>) -> Result<()> {
    let Some(schema) = schema_json(name) else {
        let names = document_names();
        let given = name.unwrap_or_default();
        let hint = crate::suggest::closest(given, names.iter().copied())
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        bail!(
            "no document called `{given}`; {hint}documents are {}",
            names.join(", ")
        );
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&schema)?)?;
    Ok(())
}
