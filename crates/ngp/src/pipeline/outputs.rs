//! The outputs step of the pipeline: terraform's outputs, by module, each with whether it is a secret; read
//! once after apply and handed down. The headline block (what a user came for) is printed from them.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

use ngp_modules::contract::Outputs;

use crate::pipeline::workspace::{terraform_for, Workspace};
use crate::project::Project;

#[derive(Deserialize)]
struct TfOutput {
    #[serde(default)]
    sensitive: bool,
    value: Value,
}

/// One module output's value and whether it is a secret.
pub struct Shown {
    pub value: Value,
    pub sensitive: bool,
}

/// Every output, by module, with whether it is a secret.
pub type ShownOutputs = BTreeMap<String, BTreeMap<String, Shown>>;

pub fn read(project: &Project, env: &str) -> Result<ShownOutputs> {
    let dir = project.workspace(env);
    if !dir.join(".terraform").is_dir() {
        bail!("environment {env} has no workspace yet: run `ngp apply --env {env}` first");
    }
    read_with(&terraform_for(project, &dir)?, &dir)
}

/// The outputs of the workspace in `dir`, read by `terraform`.
pub fn read_with(terraform: &ngp_terraform::Terraform, dir: &std::path::Path) -> Result<ShownOutputs> {
    let text = terraform.output(&["output", "-json"])?;
    let outputs: BTreeMap<String, TfOutput> = serde_json::from_str(&text).context("cannot read terraform's outputs")?;
    let mut by_module: BTreeMap<String, BTreeMap<String, Shown>> = BTreeMap::new();
    for root in Workspace::root_outputs(dir)? {
        if let Some(out) = outputs.get(&root.name) {
            let sensitive = out.sensitive || root.sensitive;
            by_module.entry(root.module).or_default().insert(
                root.output,
                Shown {
                    value: out.value.clone(),
                    sensitive,
                },
            );
        }
    }
    Ok(by_module)
}

/// The environment's outputs as `{module: {output: value}}`, secrets included: for ngp's own use, never printed.
pub fn values(project: &Project, env: &str) -> Result<Outputs> {
    Ok(plain(&read(project, env)?))
}

/// The values alone, secrets included.
pub fn plain(shown: &ShownOutputs) -> Outputs {
    shown
        .iter()
        .map(|(module, outs)| {
            (
                module.clone(),
                outs.iter().map(|(k, s)| (k.clone(), s.value.clone())).collect(),
            )
        })
        .collect()
}

/// A value longer than this, or of several lines, is shown only when asked for by name or with --json.
const BULKY: usize = 100;

impl Shown {
    /// The value for a listing: a secret hidden, a bulky value summed up with the command that prints it.
    pub fn brief(&self, module: &str, key: &str, show_secrets: bool) -> String {
        if self.sensitive && !show_secrets {
            return "(sensitive)".to_owned();
        }
        let text = match &self.value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if text.len() <= BULKY && !text.contains('\n') {
            return self.value.to_string();
        }
        let size = match text.lines().count() {
            n if n > 1 => format!("{n} lines"),
            _ => format!("{} characters", text.len()),
        };
        format!("({size}: `ngp output {module}.{key}`)")
    }
}

/// The few things a user came for, as the modules declare them (`headline` in their metadata).
pub fn print_headline(catalog: &ngp_modules::Catalog, outputs: &ShownOutputs) {
    let lines: Vec<(String, String)> = outputs
        .iter()
        .filter_map(|(module, outs)| catalog.modules.get(module).map(|m| (m, outs)))
        .flat_map(|(m, outs)| {
            m.meta.headline.iter().filter_map(move |key| {
                let shown = outs.get(key).filter(|s| !s.value.is_null())?;
                Some((key.clone(), shown.brief(&m.name, key, false)))
            })
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    println!("\nWhere things are:");
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in lines {
        println!("  {key:<width$}  {}", value.trim_matches('"'));
    }
}
