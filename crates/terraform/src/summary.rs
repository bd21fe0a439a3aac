//! The plan's summary by module: what is created, updated, replaced and destroyed, from `terraform show -json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use console::Style;
use serde::Deserialize;

use crate::Error;

/// Counts of resource changes in one module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub create: u64,
    pub update: u64,
    pub replace: u64,
    pub destroy: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.create + self.update + self.replace + self.destroy
    }

    /// How many resource operations applying takes: a replacement is a destroy and a create.
    pub fn operations(&self) -> u64 {
        self.create + self.update + 2 * self.replace + self.destroy
    }

    fn add(&mut self, other: &Counts) {
        self.create += other.create;
        self.update += other.update;
        self.replace += other.replace;
        self.destroy += other.destroy;
    }
}

/// A plan, summarised by top-level module, from `terraform show -json <planfile>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlanSummary {
    pub modules: BTreeMap<String, Counts>,
    /// Addresses of resources to be replaced, in plan order.
    pub replaced: Vec<String>,
    /// Addresses of resources to be destroyed, in plan order.
    pub destroyed: Vec<String>,
    /// Root outputs whose value changes.
    pub outputs_changed: u64,
    /// Every managed resource is to be destroyed: the plan tears the whole environment down.
    pub destroys_everything: bool,
}

#[derive(Deserialize)]
struct ShowJson {
    #[serde(default)]
    resource_changes: Vec<ResourceChange>,
    #[serde(default)]
    output_changes: BTreeMap<String, Change>,
}

#[derive(Deserialize)]
struct ResourceChange {
    address: String,
    #[serde(default)]
    module_address: Option<String>,
    #[serde(default)]
    mode: String,
    change: Change,
}

#[derive(Deserialize)]
struct Change {
    actions: Vec<String>,
}

/// The module a resource belongs to, for grouping: `module.manager.module.x[0]` belongs to `manager`.
fn top_module(module_address: Option<&str>) -> String {
    match module_address.and_then(|a| a.strip_prefix("module.")) {
        Some(rest) => {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            rest[..end].to_owned()
        }
        None => "(root)".to_owned(),
    }
}

impl PlanSummary {
    /// Reads the JSON that `terraform show -json <planfile>` prints.
    pub fn from_show_json(text: &str) -> Result<Self, Error> {
        let show: ShowJson = serde_json::from_str(text).map_err(|e| Error::BadJson {
            what: "plan".into(),
            message: e.to_string(),
        })?;
        let mut summary = PlanSummary::default();
        for rc in show.resource_changes.iter().filter(|rc| rc.mode != "data") {
            let actions: Vec<&str> = rc.change.actions.iter().map(String::as_str).collect();
            let counts = summary
                .modules
                .entry(top_module(rc.module_address.as_deref()))
                .or_default();
            match actions.as_slice() {
                ["create"] => counts.create += 1,
                ["update"] => counts.update += 1,
                ["delete", "create"] | ["create", "delete"] => {
                    counts.replace += 1;
                    summary.replaced.push(rc.address.clone());
                }
                ["delete"] => {
                    counts.destroy += 1;
                    summary.destroyed.push(rc.address.clone());
                }
                _ => {} // no-op, read, forget
            }
        }
        summary.modules.retain(|_, c| c.total() > 0);
        let mut managed = show.resource_changes.iter().filter(|rc| rc.mode != "data").peekable();
        summary.destroys_everything = managed.peek().is_some() && managed.all(|rc| rc.change.actions == ["delete"]);
        summary.outputs_changed = show
            .output_changes
            .values()
            .filter(|c| c.actions.iter().any(|a| a != "no-op"))
            .count() as u64;
        Ok(summary)
    }

    pub fn totals(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.modules.values() {
            all.add(c);
        }
        all
    }

    pub fn has_changes(&self) -> bool {
        self.totals().total() > 0 || self.outputs_changed > 0
    }

    /// The summary as a table, replacements and destroys highlighted when `color` is set.
    pub fn render(&self, color: bool) -> String {
        let plain = Style::new();
        let (yellow, red, bold) = if color {
            (
                Style::new().yellow().bold(),
                Style::new().red().bold(),
                Style::new().bold(),
            )
        } else {
            (plain.clone(), plain.clone(), plain.clone())
        };
        let mut out = String::new();
        if !self.has_changes() {
            out.push_str("No changes: the infrastructure matches the configuration.\n");
            return out;
        }
        let width = self
            .modules
            .keys()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max("module".len());
        let _ = writeln!(
            out,
            "{}",
            bold.apply_to(format!("{:<width$}  create  update  replace  destroy", "module"))
        );
        let mut row = |name: &str, c: &Counts| {
            let replace = format!("{:>7}", c.replace);
            let destroy = format!("{:>7}", c.destroy);
            let replace = if c.replace > 0 {
                yellow.apply_to(replace)
            } else {
                plain.apply_to(replace)
            };
            let destroy = if c.destroy > 0 {
                red.apply_to(destroy)
            } else {
                plain.apply_to(destroy)
            };
            let _ = writeln!(
                out,
                "{name:<width$}  {:>6}  {:>6}  {replace}  {destroy}",
                c.create, c.update
            );
        };
        for (name, c) in &self.modules {
            row(name, c);
        }
        if self.modules.len() > 1 {
            row("total", &self.totals());
        }
        self.render_addresses(&mut out, &yellow, &red);
        out
    }

    /// The replaced and destroyed resources by address, and how many outputs change.
    fn render_addresses(&self, out: &mut String, yellow: &Style, red: &Style) {
        if !self.replaced.is_empty() {
            let _ = writeln!(
                out,
                "\n{}",
                yellow.apply_to("Replaced (destroyed, then created again):")
            );
            for a in &self.replaced {
                let _ = writeln!(out, "  {} {a}", yellow.apply_to("-/+"));
            }
        }
        if !self.destroyed.is_empty() {
            let _ = writeln!(out, "\n{}", red.apply_to("Destroyed:"));
            for a in &self.destroyed {
                let _ = writeln!(out, "  {} {a}", red.apply_to("-"));
            }
        }
        if self.outputs_changed > 0 {
            let (n, verb) = match self.outputs_changed {
                1 => (1, "output changes"),
                n => (n, "outputs change"),
            };
            let _ = writeln!(out, "\n{n} {verb}.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_nested_modules_under_their_top_module() {
        assert_eq!(top_module(Some("module.manager")), "manager");
        assert_eq!(top_module(Some("module.dcos.module.masters[0]")), "dcos");
        assert_eq!(top_module(Some("module.apps[\"x\"]")), "apps");
        assert_eq!(top_module(None), "(root)");
    }
}
