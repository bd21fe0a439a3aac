//! `ngp module list | new | docs`.

use anyhow::{bail, Result};

use crate::project::Project;

pub fn list(project: &Project, json: bool) -> Result<()> {
    let catalog = project.catalog()?;
    if json {
        let modules: Vec<serde_json::Value> = catalog
            .modules
            .values()
            .map(|m| {
                serde_json::json!({
                    "name": m.name,
                    "description": m.meta.description,
                    "default_enabled": m.meta.default_enabled,
                    "inputs": m.inputs.iter().map(|i| &i.name).collect::<Vec<_>>(),
                    "outputs": m.outputs.iter().map(|o| &o.name).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&modules)?);
        return Ok(());
    }
    let rows = catalog
        .modules
        .values()
        .map(|m| {
            let default = if m.meta.default_enabled { "yes" } else { "no" };
            vec![m.name.clone(), default.to_owned(), m.meta.description.clone()]
        })
        .collect();
    crate::terminal::print(&["module", "default", "description"], &[], rows);
    Ok(())
}

/// Scaffolds `modules/<name>/` with the four files, ready for `terraform validate`.
pub fn new(project: &Project, name: &str) -> Result<()> {
    if !ngp_modules::valid_module_name(name) {
        bail!("module name {name:?} is not valid: use lower-case letters, digits, '-' and '_', starting with a letter");
    }
    let dir = project.modules_dir().join(name);
    if dir.exists() {
        bail!("{} already exists: pick another name", dir.display());
    }
    let files = scaffold(name);
    for (file, text) in &files {
        crate::project::write_shared(&dir.join(file), text.as_bytes())?;
    }
    println!("created modules/{name}/ with {name}.tf, {name}.dummy, {name}-variables.tf and {name}-output.tf");
    println!("next: add resources to {name}.tf, then `ngp init --modules <...>,{name}`");
    Ok(())
}

/// Writes every module's README.md from its HCL; with `check`, only names the stale ones (and fails).
pub fn docs(project: &Project, check: bool) -> Result<()> {
    let catalog = project.catalog()?;
    let mut stale = Vec::new();
    for module in catalog.modules.values() {
        let path = module.dir.join(ngp_modules::docs::README);
        let text = ngp_modules::docs::readme(module);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if !check {
            crate::project::write_shared(&path, text.as_bytes())?;
            println!("wrote {}", path.display());
        }
        stale.push(module.name.clone());
    }
    match (check, stale.is_empty()) {
        (_, true) => println!("Every module's README.md is current."),
        (true, false) => bail!("stale README.md in {}: run `ngp module docs`", stale.join(", ")),
        (false, false) => {}
    }
    Ok(())
}

/// The four files of a new module: the metadata block, the shared `context` variable and the label it feeds,
/// one output. It plans as it is.
fn scaffold(name: &str) -> [(String, String); 4] {
    let context = include_str!("../../../../modules/.shared/label/context.tf.example");
    let context = &context[context.find("variable \"context\"").unwrap_or(0)..];
    [
        (
            format!("{name}.tf"),
            format!(
                "# {name}: what this module builds. docs/modules.md is the contract with ngp.\n\n\
                 # ngp reads this block; Terraform ignores it.\n\
                 locals {{\n  ngp_module = {{\n    description     = \"TODO: one line for ngp init\"\n    default_enabled = false\n    \
                 # The outputs shown after apply, under \"Where things are\".\n    headline = []\n    \
                 # input name => module that provides it, for inputs that several enabled modules output.\n    inputs_from = {{}}\n    \
                 # Values ngp uses in local mode only, below the user's tfvars.\n    local_mode_inputs = {{}}\n  }}\n}}\n\n\
                 module \"label\" {{\n  source  = \"../.shared/label\"\n  context = var.context\n}}\n"
            ),
        ),
        (
            format!("{name}-variables.tf"),
            format!(
                "# Inputs. An input named like another enabled module's output is wired to it; the rest come from\n\
                 # ngp.tfvars.\n\n{context}"
            ),
        ),
        (
            format!("{name}-output.tf"),
            format!(
                "# Outputs: other modules' inputs of the same name are wired to them.\n\n\
                 output \"{}_name\" {{\n  description = \"This module's resource name pattern.\"\n  value       = format(module.label.name_format, \"{name}\")\n}}\n",
                name.replace('-', "_")
            ),
        ),
        (
            format!("{name}.dummy"),
            format!("# {name}: example values `ngp init` copies into ngp.tfvars. Comment each one.\n"),
        ),
    ]
}
