//! `ngp module list | new`.

use anyhow::{bail, Context, Result};
use ngp_modules::Catalog;

use crate::project::Project;

pub fn list(project: &Project, json: bool) -> Result<()> {
    let catalog = Catalog::discover(&project.modules_dir())?;
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
    crate::table::print(&["module", "default", "description"], &[], rows);
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
    let files = [
        (
            format!("{name}.tf"),
            format!(
                "# {name}: what this module builds.\n\n\
                 # ngp reads this block; Terraform ignores it.\n\
                 locals {{\n  ngp_module = {{\n    description     = \"TODO: one line for ngp init\"\n    default_enabled = false\n    \
                 # The outputs shown after apply, under \"Where things are\".\n    headline = []\n    \
                 # input name => module that provides it, for inputs that several enabled modules output.\n    inputs_from = {{}}\n    \
                 # Values ngp uses in local mode only, below the user's tfvars.\n    local_mode_inputs = {{}}\n  }}\n}}\n\n\
                 locals {{\n  name = \"${{var.pre_tag}}-{name}-${{var.post_tag}}\"\n}}\n"
            ),
        ),
        (
            format!("{name}-variables.tf"),
            "# Inputs. An input named like another enabled module's output (vpc_id, ...) is wired to it; the rest\n\
             # come from ngp.tfvars.\n\n\
             variable \"pre_tag\" {\n  description = \"First part of every resource name.\"\n  type        = string\n}\n\n\
             variable \"post_tag\" {\n  description = \"Last part of every resource name, usually the environment.\"\n  type        = string\n}\n\n\
             variable \"vpc_id\" {\n  description = \"ID of the platform VPC (from the manager module).\"\n  type        = string\n}\n"
                .to_owned(),
        ),
        (
            format!("{name}-output.tf"),
            "# Outputs: other modules' inputs of the same name are wired to them.\n\n\
             output \"name_prefix\" {\n  description = \"Prefix of this module's resource names.\"\n  value       = local.name\n}\n"
                .to_owned(),
        ),
        (
            format!("{name}.dummy"),
            format!("# {name}: example values `ngp init` copies into ngp.tfvars. Comment each one.\n"),
        ),
    ];
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (file, text) in &files {
        let path = dir.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!("created modules/{name}/ with {name}.tf, {name}.dummy, {name}-variables.tf and {name}-output.tf");
    println!("next: add resources to {name}.tf, then `ngp init --modules <...>,{name}`");
    Ok(())
}
