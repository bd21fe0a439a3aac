//! Reading one tfvars file: literal values only, each with the line it is on, and syntax errors as one line with
//! the file, line and column.

use std::path::{Path, PathBuf};

use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;
use hcl::eval::{Context, Evaluate};

use crate::Error;

/// A tfvars value, as JSON: what `terraform.tfvars.json` takes.
pub type Value = serde_json::Value;

/// One parsed tfvars file: its values in file order, each with its line.
#[derive(Debug, Clone)]
pub struct TfvarsFile {
    pub path: PathBuf,
    pub entries: Vec<(String, Value, usize)>,
}

impl TfvarsFile {
    /// Reads and parses `path`; `Ok(None)` when the file does not exist.
    pub fn read_optional(path: &Path) -> Result<Option<Self>, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Parses tfvars text. Values must be literals, as Terraform requires of tfvars files.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        let body = parse_body(path, text)?;
        let mut entries = Vec::new();
        for structure in body.iter() {
            let line = line_of(text, structure.span());
            match structure {
                Structure::Block(_) => {
                    return Err(Error::Block {
                        path: path.to_owned(),
                        line,
                    })
                }
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str().to_owned();
                    let expr = hcl::Expression::from(attr.value.clone());
                    let value = expr.evaluate(&Context::new()).map_err(|_| Error::Value {
                        path: path.to_owned(),
                        line,
                        key: key.clone(),
                        message: "expected a literal value (string, number, bool, list or map); \
                                  variables, functions and interpolations are not allowed in tfvars"
                            .into(),
                    })?;
                    let json = serde_json::to_value(&value).map_err(|e| Error::Value {
                        path: path.to_owned(),
                        line,
                        key: key.clone(),
                        message: e.to_string(),
                    })?;
                    entries.push((key, json, line));
                }
            }
        }
        Ok(Self {
            path: path.to_owned(),
            entries,
        })
    }
}

/// Parses HCL text into an editable body, turning a syntax error into one line with file, line and column.
pub(crate) fn parse_body(path: &Path, text: &str) -> Result<Body, Error> {
    hcl::edit::parser::parse_body(text).map_err(|e| Error::Syntax {
        path: path.to_owned(),
        line: e.location().line(),
        column: e.location().column(),
        message: format!("{}: `{}`", e.message(), e.line().trim()),
    })
}

/// 1-based line of a parser span's start.
pub(crate) fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> usize {
    let start = span.map_or(0, |s| s.start).min(text.len());
    // A structure's span starts at its leading comments' end; count the newlines before it.
    text[..start].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TfvarsFile, Error> {
        TfvarsFile::parse(Path::new("ngp.tfvars"), text)
    }

    #[test]
    fn reads_literals_with_their_lines() {
        let f = parse("# c\na = \"x\"\n\nb = [1, 2]\nc = { k = true }\n").unwrap();
        let got: Vec<_> = f
            .entries
            .iter()
            .map(|(k, v, l)| (k.as_str(), v.to_string(), *l))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", "\"x\"".into(), 2),
                ("b", "[1,2]".into(), 4),
                ("c", "{\"k\":true}".into(), 5)
            ]
        );
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse("a = 1\nb = [1, 2\nc = 3\n").unwrap_err().to_string();
        assert!(err.starts_with("ngp.tfvars:3:"), "{err}");
    }

    #[test]
    fn references_are_refused_with_the_key_and_line() {
        let err = parse("a = 1\nb = var.a\n").unwrap_err().to_string();
        assert!(err.starts_with("ngp.tfvars:2: b: expected a literal value"), "{err}");
    }

    #[test]
    fn blocks_are_refused_with_their_line() {
        let err = parse("a = 1\n\nvariable \"x\" {}\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "ngp.tfvars:3: blocks are not allowed in a tfvars file; write `name = value` lines only"
        );
    }
}
