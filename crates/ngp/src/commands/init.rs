//! `ngp init`: choose modules and merge their example values into the user's tfvars file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ngp_config::{env_overlay_file, merge_examples, validate_env_name, Example, Settings, TfvarsFile, BASE_FILE};
use ngp_modules::{Catalog, REGION_VARIABLE};

use crate::project::{write_atomic, Project};

/// The region `ngp init` writes when the file has none.
const DEFAULT_REGION: &str = "us-east-1";

/// Runs `ngp init`. `modules` is the full selection when given; otherwise a terminal is asked module by
/// module, and anything else takes the current selection or the modules' defaults.
/// ngp's own setting first (the region everything is built in), then each chosen module's `.dummy`.
fn examples(project: &Project, catalog: &ngp_modules::Catalog, chosen: &[String]) -> Result<Vec<Example>> {
    let mut examples = vec![Example {
        module: "ngp".into(),
        path: PathBuf::from("(ngp)"),
        text: format!("# The AWS region the environment is built in.\n{REGION_VARIABLE} = \"{DEFAULT_REGION}\"\n"),
    }];
    for name in chosen {
        let example_path = catalog.modules[name].example_path();
        let text = std::fs::read_to_string(&example_path)
            .with_context(|| format!("cannot read {}", example_path.display()))?;
        examples.push(Example {
            module: name.clone(),
            path: relative(project, &example_path),
            text,
        });
    }
    Ok(examples)
}

pub fn init(project: &Project, modules: Option<Vec<String>>, env: Option<&str>) -> Result<()> {
    if let Some(env) = env {
        validate_env_name(env)?;
    }
    let catalog = project.catalog()?;
    let file_name = env.map(env_overlay_file).unwrap_or_else(|| BASE_FILE.to_owned());
    let path = project.dir.join(&file_name);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let chosen = choose(project, &catalog, modules, env)?;
    let examples = examples(project, &catalog, &chosen)?;
    // An overlay only gets what the base file does not already set.
    let base_keys: Vec<String> = match env {
        Some(_) => TfvarsFile::read_optional(&project.dir.join(BASE_FILE))?
            .map(|f| f.entries.into_iter().map(|(k, _, _)| k).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let merged = merge_examples(Path::new(&file_name), existing.as_deref(), &chosen, &examples, |k| {
        base_keys.iter().any(|b| b == k)
    })?;

    if existing.as_deref() == Some(merged.text.as_str()) {
        println!("{file_name} is up to date (modules: {}).", chosen.join(", "));
        return Ok(());
    }
    if let Some(old) = &existing {
        let backup = backup_path(project, &file_name)?;
        write_atomic(&backup, old.as_bytes())?;
        println!(
            "kept the previous {file_name} as {}",
            relative(project, &backup).display()
        );
    }
    write_atomic(&path, merged.text.as_bytes())?;
    println!("wrote {file_name}: modules {}", chosen.join(", "));
    if !merged.added.is_empty() {
        println!("  added example values: {}", merged.added.join(", "));
    }
    if !merged.kept.is_empty() {
        println!("  kept your values: {}", merged.kept.join(", "));
    }
    println!(
        "next: review {file_name}, then `ngp plan{}`",
        env.map(|e| format!(" --env {e}")).unwrap_or_default()
    );
    Ok(())
}

/// The modules to enable: `--modules` as given, else asked on a terminal, else the current selection (or the
/// modules' defaults). A current selection must still name modules only.
fn choose(
    project: &Project,
    catalog: &Catalog,
    modules: Option<Vec<String>>,
    env: Option<&str>,
) -> Result<Vec<String>> {
    let settings = Settings::load(&project.dir, env, Vec::new())?;
    let current = settings.modules()?;
    if let Some(list) = modules {
        let mut chosen: Vec<String> = Vec::new();
        for name in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            catalog.get(name, Some("--modules"))?;
            if !chosen.iter().any(|c| c == name) {
                chosen.push(name.to_owned());
            }
        }
        if chosen.is_empty() {
            bail!("--modules names no module: name at least one (`ngp module list` shows them); nothing written");
        }
        return Ok(chosen);
    }
    let origin = settings.get(ngp_config::MODULES_KEY).map(|s| s.origin.to_string());
    for name in current.iter().flatten() {
        catalog.get(name, origin.as_deref())?;
    }
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return ask(catalog, current.as_deref(), std::io::stdin().lock(), std::io::stdout());
    }
    let chosen = current.unwrap_or_else(|| catalog.default_enabled());
    eprintln!(
        "not a terminal: using modules {} (pass --modules to choose)",
        chosen.join(", ")
    );
    Ok(chosen)
}

fn relative(project: &Project, path: &Path) -> PathBuf {
    path.strip_prefix(&project.dir)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_owned())
}

/// `.ngp/backups/<file>.<UTC time>`; every backup is kept.
fn backup_path(project: &Project, file_name: &str) -> Result<PathBuf> {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .context("cannot format the time")?;
    let dir = project.state_dir().join("backups");
    let mut path = dir.join(format!("{file_name}.{stamp}"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{file_name}.{stamp}.{n}"));
        n += 1;
    }
    Ok(path)
}

/// One y/n question per module; an empty answer takes the default shown.
fn ask(catalog: &Catalog, current: Option<&[String]>, input: impl BufRead, mut out: impl Write) -> Result<Vec<String>> {
    let mut lines = input.lines();
    let mut chosen = Vec::new();
    for module in catalog.modules.values() {
        let default = match current {
            Some(list) => list.contains(&module.name),
            None => module.meta.default_enabled,
        };
        let hint = if default { "Y/n" } else { "y/N" };
        loop {
            write!(out, "Enable {} ({})? [{hint}] ", module.name, module.meta.description)?;
            out.flush().ok();
            let Some(line) = lines.next() else {
                bail!("no answer for module {}: init stopped, nothing written", module.name)
            };
            let answer = line.context("cannot read the answer")?;
            let yes = match answer.trim().to_ascii_lowercase().as_str() {
                "" => default,
                "y" | "yes" => true,
                "n" | "no" => false,
                _ => {
                    writeln!(out, "Please answer y or n (or press Enter for the default).")?;
                    continue;
                }
            };
            if yes {
                chosen.push(module.name.clone());
            }
            break;
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        for (name, default) in [("alpha", true), ("beta", false), ("gamma", true)] {
            let d = dir.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            let meta = format!(
                "locals {{\n  ngp_module = {{ description = \"{name} things\", default_enabled = {default} }}\n}}\n"
            );
            std::fs::write(d.join(format!("{name}.tf")), meta).unwrap();
            for suffix in [".dummy", "-variables.tf", "-output.tf"] {
                std::fs::write(d.join(format!("{name}{suffix}")), "").unwrap();
            }
        }
        let catalog = Catalog::discover(dir.path()).unwrap();
        (dir, catalog)
    }

    #[test]
    fn empty_answers_take_the_default_shown() {
        let (_dir, catalog) = catalog();
        let mut out = Vec::new();
        let chosen = ask(&catalog, None, "\n\n\n".as_bytes(), &mut out).unwrap();
        assert_eq!(chosen, vec!["alpha", "gamma"]);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Enable alpha (alpha things)? [Y/n] "), "{text}");
        assert!(text.contains("Enable beta (beta things)? [y/N] "), "{text}");
    }

    #[test]
    fn answers_override_defaults_and_bad_answers_are_asked_again() {
        let (_dir, catalog) = catalog();
        let mut out = Vec::new();
        let chosen = ask(&catalog, None, "n\nmaybe\nYES\n\n".as_bytes(), &mut out).unwrap();
        assert_eq!(chosen, vec!["beta", "gamma"]);
        assert!(String::from_utf8(out).unwrap().contains("Please answer y or n"));
    }

    #[test]
    fn the_current_selection_is_the_default_on_a_second_run() {
        let (_dir, catalog) = catalog();
        let current = vec!["beta".to_owned()];
        let chosen = ask(&catalog, Some(&current), "\n\n\n".as_bytes(), Vec::new()).unwrap();
        assert_eq!(chosen, vec!["beta"]);
    }

    #[test]
    fn running_out_of_answers_stops_without_a_choice() {
        let (_dir, catalog) = catalog();
        let err = ask(&catalog, None, "y\n".as_bytes(), Vec::new())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "no answer for module beta: init stopped, nothing written");
    }
}
