//! `ngp output`: the environment's outputs, by module, with secrets hidden unless asked for.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

use crate::project::Project;
use crate::workspace::{terraform_for, Workspace};

#[derive(Deserialize)]
struct TfOutput {
    #[serde(default)]
    sensitive: bool,
    value: Value,
}

/// One module output's value and whether it is a secret.
struct Shown {
    value: Value,
    sensitive: bool,
}

fn read(project: &Project, env: &str) -> Result<BTreeMap<String, BTreeMap<String, Shown>>> {
    let dir = project.workspace(env);
    if !dir.join(".terraform").is_dir() {
        bail!("environment {env} has no workspace yet: run `ngp apply --env {env}` first");
    }
    let terraform = terraform_for(project, &dir)?;
    let text = terraform.output(&["output", "-json"])?;
    let outputs: BTreeMap<String, TfOutput> = serde_json::from_str(&text).context("cannot read terraform's outputs")?;
    let mut by_module: BTreeMap<String, BTreeMap<String, Shown>> = BTreeMap::new();
    for root in Workspace::root_outputs(&dir)? {
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
pub fn values(project: &Project, env: &str) -> Result<BTreeMap<String, BTreeMap<String, Value>>> {
    Ok(read(project, env)?
        .into_iter()
        .map(|(module, outs)| (module, outs.into_iter().map(|(k, s)| (k, s.value)).collect()))
        .collect())
}

pub fn output(project: &Project, env: &str, name: Option<&str>, json: bool, show_secrets: bool) -> Result<()> {
    let outputs = read(project, env)?;
    if outputs.is_empty() {
        bail!("environment {env} has no outputs yet: run `ngp apply --env {env}`");
    }
    if let Some(name) = name {
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
        return Ok(());
    }

    let hidden = outputs
        .values()
        .flat_map(|m| m.values())
        .filter(|s| s.sensitive && !show_secrets)
        .count();
    if json {
        let doc: BTreeMap<&String, BTreeMap<&String, &Value>> = outputs
            .iter()
            .map(|(m, outs)| {
                (
                    m,
                    outs.iter()
                        .map(|(k, s)| {
                            (
                                k,
                                if s.sensitive && !show_secrets {
                                    &Value::Null
                                } else {
                                    &s.value
                                },
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for (module, outs) in &outputs {
            println!("{module}:");
            let width = outs.keys().map(String::len).max().unwrap_or(0);
            for (key, shown) in outs {
                println!("  {key:<width$} = {}", shown.brief(module, key, show_secrets));
            }
        }
        print_headline(project, &outputs)?;
    }
    if hidden > 0 {
        let hidden = ngp_apps::counted(hidden, "sensitive output", "sensitive outputs");
        eprintln!("{hidden} hidden; pass --show-secrets to print them.");
    }
    Ok(())
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
fn print_headline(project: &Project, outputs: &BTreeMap<String, BTreeMap<String, Shown>>) -> Result<()> {
    let catalog = project.catalog()?;
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
        return Ok(());
    }
    println!("\nWhere things are:");
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in lines {
        println!("  {key:<width$}  {}", value.trim_matches('"'));
    }
    Ok(())
}

/// After an apply: the headline block alone.
pub fn headline(project: &Project, env: &str) -> Result<()> {
    print_headline(project, &read(project, env)?)
}
