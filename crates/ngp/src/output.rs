//! `ngp output`: the environment's outputs, by module, with secrets hidden unless asked for.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

use ngp_modules::contract::Outputs;

use crate::project::Project;
use crate::workspace::{terraform_for, Workspace};

#[derive(Deserialize)]
struct TfOutput {
    #[serde(default)]
    sensitive: bool,
    value: Value,
}

/// One module output's value and whether it is a secret.
pub struct Shown {
    value: Value,
    sensitive: bool,
}

/// Every output, by module, with whether it is a secret.
pub type ShownOutputs = BTreeMap<String, BTreeMap<String, Shown>>;

fn read(project: &Project, env: &str) -> Result<ShownOutputs> {
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

pub fn output(project: &Project, env: &str, name: Option<&str>, json: bool, show_secrets: bool) -> Result<()> {
    let outputs = read(project, env)?;
    if outputs.is_empty() {
        bail!("environment {env} has no outputs yet: run `ngp apply --env {env}`");
    }
    if let Some(name) = name {
        return print_one(&outputs, env, name, show_secrets);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&as_json(&outputs, show_secrets))?);
    } else {
        for (module, outs) in &outputs {
            println!("{module}:");
            let width = outs.keys().map(String::len).max().unwrap_or(0);
            for (key, shown) in outs {
                println!("  {key:<width$} = {}", shown.brief(module, key, show_secrets));
            }
        }
        print_headline(&project.catalog()?, &outputs);
    }
    let hidden = outputs
        .values()
        .flat_map(|m| m.values())
        .filter(|s| s.sensitive && !show_secrets)
        .count();
    if hidden > 0 {
        let hidden = ngp_apps::counted(hidden, "sensitive output", "sensitive outputs");
        eprintln!("{hidden} hidden; pass --show-secrets to print them.");
    }
    Ok(())
}

/// One output, whole: `NAME` when one module has it, or `MODULE.NAME`.
fn print_one(outputs: &ShownOutputs, env: &str, name: &str, show_secrets: bool) -> Result<()> {
    let found: Vec<(&String, &Shown)> = match name.split_once('.') {
        Some((module, output)) => outputs
            .get_key_value(module)
            .and_then(|(m, outs)| outs.get(output).map(|s| (m, s)))
            .into_iter()
            .collect(),
        None => outputs
            .iter()
            .filter_map(|(m, outs)| outs.get(name).map(|s| (m, s)))
            .collect(),
    };
    let shown = match found.as_slice() {
        [] => bail!("environment {env} has no output {name:?}; `ngp output --env {env}` lists them"),
        [(_, shown)] => shown,
        several => bail!(
            "{name:?} is an output of several modules ({}): ask for <module>.{name}",
            several.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    if shown.sensitive && !show_secrets {
        bail!("{name} is sensitive: pass --show-secrets to print it");
    }
    match &shown.value {
        Value::String(s) => println!("{s}"),
        other => println!("{other}"),
    }
    Ok(())
}

/// `{module: {output: value}}`, a secret as null unless `show_secrets`.
fn as_json(outputs: &ShownOutputs, show_secrets: bool) -> BTreeMap<&String, BTreeMap<&String, &Value>> {
    fn shown(s: &Shown, show_secrets: bool) -> &Value {
        if s.sensitive && !show_secrets {
            &Value::Null
        } else {
            &s.value
        }
    }
    outputs
        .iter()
        .map(|(m, outs)| (m, outs.iter().map(|(k, s)| (k, shown(s, show_secrets))).collect()))
        .collect()
}

/// A value longer than this, or of several lines, is shown only when asked for by name or with --json.
const BULKY: usize = 100;

impl Shown {
    /// The value for a listing: a secret hidden, a bulky value summed up with the command that prints it.
    fn brief(&self, module: &str, key: &str, show_secrets: bool) -> String {
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
