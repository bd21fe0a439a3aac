//! `ngp output`: the environment's outputs, by module, with secrets hidden unless asked for.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use ngp_modules::Catalog;
use serde_json::Value;

use crate::pipeline::outputs::{print_headline, read, Shown, ShownOutputs};
use crate::project::Project;

pub fn output(project: &Project, env: &str, name: Option<&str>, json: bool, show_secrets: bool) -> Result<()> {
    let outputs = read(project, env)?;
    if let Some(name) = name {
        any_outputs(env, &outputs)?;
        return print_one(&outputs, env, name, show_secrets);
    }
    if json {
        any_outputs(env, &outputs)?;
        println!("{}", serde_json::to_string_pretty(&as_json(&outputs, show_secrets))?);
        say_hidden(&outputs, show_secrets);
        return Ok(());
    }
    print_listing(env, &project.catalog()?, &outputs, show_secrets)
}

/// Every output by module, then the headline block; secrets hidden unless `show_secrets`.
pub fn print_listing(env: &str, catalog: &Catalog, outputs: &ShownOutputs, show_secrets: bool) -> Result<()> {
    any_outputs(env, outputs)?;
    for (module, outs) in outputs {
        println!("{module}:");
        let width = outs.keys().map(String::len).max().unwrap_or(0);
        for (key, shown) in outs {
            println!("  {key:<width$} = {}", shown.brief(module, key, show_secrets));
        }
    }
    print_headline(catalog, outputs);
    say_hidden(outputs, show_secrets);
    Ok(())
}

fn any_outputs(env: &str, outputs: &ShownOutputs) -> Result<()> {
    if outputs.is_empty() {
        bail!("environment {env} has no outputs yet: run `ngp apply --env {env}`");
    }
    Ok(())
}

/// How many secrets were left out, on stderr.
fn say_hidden(outputs: &ShownOutputs, show_secrets: bool) {
    let hidden = outputs
        .values()
        .flat_map(|m| m.values())
        .filter(|s| s.sensitive && !show_secrets)
        .count();
    if hidden > 0 {
        let hidden = ngp_apps::counted(hidden, "sensitive output", "sensitive outputs");
        eprintln!("{hidden} hidden; pass --show-secrets to print them.");
    }
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
