//! A module's README, written from its HCL: what it is, its inputs, its outputs, its apps and the parts of the
//! contract (`docs/modules.md`) it takes part in. `ngp module docs` writes it; a test fails when one is stale.

use std::fmt::Write;

use crate::contract::NAMES;
use crate::Module;

/// The file the README goes to, in the module's folder.
pub const README: &str = "README.md";

/// The README of `module`, as `ngp module docs` writes it.
pub fn readme(module: &Module) -> String {
    let mut text = format!(
        "<!-- Written by `ngp module docs` from the module's .tf files: edit those, then run it again. -->\n\n\
         # {}\n\n{}\n",
        module.name,
        if module.meta.description.is_empty() {
            "(no description)"
        } else {
            &module.meta.description
        }
    );
    if !module.about.is_empty() {
        let _ = writeln!(text, "\n{}", module.about);
    }
    let enabled = if module.meta.default_enabled { "yes" } else { "no" };
    let _ = writeln!(text, "\n- Enabled by `ngp init` unless told otherwise: {enabled}.");
    if !module.meta.headline.is_empty() {
        let _ = writeln!(text, "- Shown after apply: {}.", ticked(&module.meta.headline));
    }
    for download in &module.meta.downloads {
        let _ = writeln!(
            text,
            "- `ngp doctor` checks the {} at `{}` against `{}`.",
            download.check, download.url, download.sha256
        );
    }
    let mut roles: Vec<String> = Vec::new();
    for name in module
        .inputs
        .iter()
        .map(|i| &i.name)
        .chain(module.outputs.iter().map(|o| &o.name))
    {
        // A name it both takes and gives (snapshot_prefix) is listed once.
        if NAMES.contains(&name.as_str()) && !roles.contains(name) {
            roles.push(name.clone());
        }
    }
    if !roles.is_empty() {
        let _ = writeln!(text, "- Contract names it uses (docs/modules.md): {}.", ticked(&roles));
    }
    text.push_str(&inputs(module));
    text.push_str(&outputs(module));
    if !module.app_ids.is_empty() {
        let _ = writeln!(
            text,
            "\n## Apps\n\nDeployed into `/ngp/{}`: {}.",
            module.name,
            ticked(&module.app_ids)
        );
    }
    text
}

fn inputs(module: &Module) -> String {
    let rows = module.inputs.iter().map(|input| {
        let default = match &input.default {
            None => "required".to_owned(),
            Some(value) => format!("`{}`", cell(&value.to_string())),
        };
        let kind = input
            .type_expr
            .as_ref()
            .map_or("any".to_owned(), |t| cell(&t.to_string()));
        let secret = if input.sensitive { " (sensitive)" } else { "" };
        let description = cell(input.description.as_deref().unwrap_or(""));
        vec![
            format!("`{}`", input.name),
            format!("`{kind}`"),
            default,
            format!("{description}{secret}"),
        ]
    });
    table("Inputs", &["name", "type", "default", "description"], rows)
}

fn outputs(module: &Module) -> String {
    let rows = module.outputs.iter().map(|output| {
        let secret = if output.sensitive { " (sensitive)" } else { "" };
        let description = cell(output.description.as_deref().unwrap_or(""));
        vec![format!("`{}`", output.name), format!("{description}{secret}")]
    });
    table("Outputs", &["name", "description"], rows)
}

/// A section with a Markdown table.
fn table(title: &str, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut text = format!("\n## {title}\n\n");
    text.push_str(&line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()));
    text.push_str(&line(&vec!["---".to_owned(); header.len()]).replace(' ', ""));
    for row in rows {
        text.push_str(&line(&row));
    }
    text
}

/// Text for one table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn ticked(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_one_line_without_bare_pipes() {
        assert_eq!(cell("object({\n  a = string\n})"), "object({ a = string })");
        assert_eq!(cell("a | b"), "a \\| b");
    }
}
