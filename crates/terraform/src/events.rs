//! Terraform's machine-readable UI (`-json`): the events ngp reads, as terraform documents them.

use serde::Deserialize;

/// One line of Terraform's machine-readable UI (`terraform plan|apply -json`).
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "@level", default)]
    pub level: String,
    #[serde(rename = "@message", default)]
    pub message: String,
    /// apply_start, apply_progress, apply_complete, apply_errored.
    #[serde(default)]
    pub hook: Option<Hook>,
    /// planned_change, resource_drift.
    #[serde(default)]
    pub change: Option<Hook>,
    /// change_summary.
    #[serde(default)]
    pub changes: Option<Changes>,
    #[serde(default)]
    pub diagnostic: Option<Diagnostic>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Hook {
    pub resource: Resource,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub elapsed_seconds: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Resource {
    pub addr: String,
    #[serde(default)]
    pub module: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub struct Changes {
    pub add: u64,
    pub change: u64,
    pub remove: u64,
    #[serde(default)]
    pub operation: Operation,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    #[default]
    Plan,
    Apply,
    Destroy,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Diagnostic {
    pub severity: String,
    pub summary: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub range: Option<Range>,
    #[serde(default)]
    pub snippet: Option<Snippet>,
}

/// The source a diagnostic points at, with the values of the references in it.
#[derive(Debug, Clone, Deserialize)]
pub struct Snippet {
    #[serde(default)]
    pub values: Vec<SnippetValue>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnippetValue {
    pub traversal: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Range {
    pub filename: String,
    pub start: Pos,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pos {
    pub line: u64,
}

impl Event {
    /// Parses one line; `None` for lines that are not events (Terraform prints none, but be lenient).
    pub fn parse(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }

    /// The hook of an apply event that changes a resource (data-source reads are left out).
    pub fn resource_hook(&self) -> Option<&Hook> {
        self.hook.as_ref().filter(|h| h.action != "read")
    }
}

impl Diagnostic {
    /// For a variable's failed validation: the root variable (`var.NAME` in the snippet) and the rule's
    /// message, its first paragraph.
    pub fn invalid_variable(&self) -> Option<(String, String)> {
        if !self.summary.starts_with("Invalid value for variable") {
            return None;
        }
        let name = self
            .snippet
            .as_ref()?
            .values
            .iter()
            .find_map(|v| v.traversal.strip_prefix("var."))?;
        // `var.context.pre_tag`: the variable is `context`.
        let name = name.split(['.', '[']).next().unwrap_or(name);
        let message = self.detail.split("\n\n").next().unwrap_or_default();
        Some((
            name.to_owned(),
            message.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    /// One line: summary, detail, and where.
    pub fn one_line(&self) -> String {
        let mut line = self.summary.clone();
        let detail = self.detail.split_whitespace().collect::<Vec<_>>().join(" ");
        if !detail.is_empty() {
            line.push_str(": ");
            line.push_str(&detail);
        }
        match (&self.address, &self.range) {
            (Some(address), _) => line.push_str(&format!(" [{address}]")),
            (None, Some(range)) => line.push_str(&format!(" [{}:{}]", range.filename, range.start.line)),
            _ => {}
        }
        line
    }
}
