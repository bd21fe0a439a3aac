//! `GET /v2/apps`'s filters, as Marathon's RAML defines them: `cmd` and `id` (contains), `label` (a label
//! selector query) and `embed`, which may be given several times (`embed=apps.tasks&embed=apps.counts`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ApiError;

/// One selector of a label query.
#[derive(Debug, PartialEq)]
enum Selector {
    Exists(String),
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

impl Selector {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Selector::Exists(k) => labels.contains_key(k),
            Selector::Equals(k, v) => labels.get(k) == Some(v),
            Selector::NotEquals(k, v) => labels.get(k).is_some_and(|l| l != v),
            Selector::In(k, set) => labels.get(k).is_some_and(|l| set.contains(l)),
            Selector::NotIn(k, set) => labels.get(k).is_some_and(|l| !set.contains(l)),
        }
    }
}

/// Splits `text` at unescaped `sep` outside parentheses, dropping the escapes' backslashes.
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut chars) = (Vec::new(), String::new(), 0, text.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            '(' => (depth += 1, current.push(c)).1,
            ')' => (depth -= 1, current.push(c)).1,
            c if c == sep && depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

fn selector(text: &str) -> Option<Selector> {
    let text = text.trim();
    let set = |rest: &str| -> Option<Vec<String>> {
        let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
        Some(inner.split(',').map(|v| v.trim().to_owned()).collect())
    };
    if let Some((k, v)) = text.split_once("==") {
        return Some(Selector::Equals(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = text.split_once("!=") {
        return Some(Selector::NotEquals(k.trim().into(), v.trim().into()));
    }
    if let Some((k, rest)) = text.split_once(" notin ") {
        return Some(Selector::NotIn(k.trim().into(), set(rest)?));
    }
    if let Some((k, rest)) = text.split_once(" in ") {
        return Some(Selector::In(k.trim().into(), set(rest)?));
    }
    let valid = !text.is_empty() && !text.contains([' ', '(', ')', '=', '!']);
    valid.then(|| Selector::Exists(text.into()))
}

/// The filters and embeds of one `GET /v2/apps`.
#[derive(Debug, Default)]
pub struct AppQuery {
    cmd: Option<String>,
    id: Option<String>,
    labels: Vec<Selector>,
    pub embed: Vec<String>,
}

impl AppQuery {
    /// Reads the raw query string; unknown parameters are ignored, as Marathon ignores them.
    pub fn parse(raw: Option<&str>) -> Result<AppQuery, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::message(axum::http::StatusCode::BAD_REQUEST, format!("query string: {e}")))?;
        let mut query = AppQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "cmd" => query.cmd = Some(value),
                "id" => query.id = Some(value),
                "embed" => query.embed.push(value),
                "label" => {
                    for part in split_unescaped(&value, ',') {
                        let parsed = selector(&part).ok_or_else(|| {
                            let message = format!("Invalid label selector query: {part}");
                            ApiError::message(axum::http::StatusCode::BAD_REQUEST, message)
                        })?;
                        query.labels.push(parsed);
                    }
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// Whether an app (as rendered) passes every filter.
    pub fn matches(&self, app: &Value) -> bool {
        let text = |key: &str| app[key].as_str().unwrap_or("");
        let labels: BTreeMap<String, String> = app["labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        self.cmd.as_deref().is_none_or(|c| text("cmd").contains(c))
            && self.id.as_deref().is_none_or(|i| text("id").contains(i))
            && self.labels.iter().all(|s| s.matches(&labels))
    }

    /// Whether the app list embeds each app's tasks (`apps.tasks`, or the deprecated `apps.failures`).
    pub fn embeds_tasks(&self) -> bool {
        self.embed.iter().any(|e| e == "apps.tasks" || e == "apps.failures")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raml_example_parses_into_five_selectors() {
        let raw = "label=my_label,%20environment%3D%3Dproduction,%20tier!%3Dfrontend%5C%20tier,%20deployed%20in%20(us,%20eu),%20deployed%20notin%20(aa,%20bb)";
        let query = AppQuery::parse(Some(raw)).unwrap();
        assert_eq!(
            query.labels,
            [
                Selector::Exists("my_label".into()),
                Selector::Equals("environment".into(), "production".into()),
                Selector::NotEquals("tier".into(), "frontend tier".into()),
                Selector::In("deployed".into(), vec!["us".into(), "eu".into()]),
                Selector::NotIn("deployed".into(), vec!["aa".into(), "bb".into()]),
            ]
        );
    }
}
