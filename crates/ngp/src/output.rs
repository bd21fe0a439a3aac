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
                let value = if shown.sensitive && !show_secrets {
                    "(sensitive)".to_owned()
                } else {
                    shown.value.to_string()
                };
                println!("  {key:<width$} = {value}");
            }
        }
    }
    if hidden > 0 {
        eprintln!("{hidden} sensitive output(s) hidden; pass --show-secrets to print them.");
    }
    Ok(())
}
