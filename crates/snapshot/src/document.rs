//! The snapshot document: metadata and Marathon's tree, checksummed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The document's format; a document naming another is refused.
pub const SCHEMA: &str = "ngp.marathon-snapshot/1";

/// One snapshot. `tree` is Marathon's answer, untouched; the rest describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    pub schema: String,
    pub cluster: String,
    /// UTC, RFC 3339.
    pub taken_at: String,
    pub marathon_version: String,
    pub apps: usize,
    pub groups: usize,
    /// sha256 of the tree's JSON as written in this document.
    pub sha256: String,
    pub tree: Value,
}

/// Why bytes are not a usable snapshot.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocumentError {
    #[error("the snapshot is truncated (it ends at byte {0}): take a new one")]
    Truncated(usize),
    #[error("the snapshot is not a snapshot document: {0}")]
    Malformed(String),
    #[error("the snapshot's schema is {found:?}, not {SCHEMA:?}: it was written by another tool or version")]
    Schema { found: String },
    #[error("the snapshot's checksum does not match its content (recorded {recorded}, computed {computed}): it was changed after it was taken")]
    Checksum { recorded: String, computed: String },
}

impl Document {
    /// A document for `tree` (the root group, as Marathon answered it).
    pub fn new(cluster: &str, marathon_version: &str, taken_at: time::OffsetDateTime, tree: Value) -> Self {
        let (apps, groups) = counts(&tree);
        Self {
            schema: SCHEMA.to_owned(),
            cluster: cluster.to_owned(),
            taken_at: taken_at
                .format(&time::format_description::well_known::Rfc3339)
                .expect("a UTC time formats"),
            marathon_version: marathon_version.to_owned(),
            apps,
            groups,
            sha256: checksum(&tree),
            tree,
        }
    }

    /// The document as written to S3.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a document serialises")
    }

    /// Reads a document and checks it: whole, of this schema, its checksum matching its tree.
    pub fn parse(bytes: &[u8]) -> Result<Self, DocumentError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
            serde_json::error::Category::Eof => DocumentError::Truncated(bytes.len()),
            _ => DocumentError::Malformed(e.to_string()),
        })?;
        let found = value.get("schema").and_then(Value::as_str).unwrap_or("(none)");
        if found != SCHEMA {
            return Err(DocumentError::Schema {
                found: found.to_owned(),
            });
        }
        let doc: Document = serde_json::from_value(value).map_err(|e| DocumentError::Malformed(e.to_string()))?;
        let computed = checksum(&doc.tree);
        if computed != doc.sha256 {
            return Err(DocumentError::Checksum {
                recorded: doc.sha256,
                computed,
            });
        }
        Ok(doc)
    }
}

/// sha256 (hex) of the tree's compact JSON. serde_json writes a parsed value back in the same form, so a
/// document's tree hashes the same after a round trip.
pub fn checksum(tree: &Value) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(tree).expect("JSON serialises")))
}

/// Apps and groups in a tree, at every depth (the root group not counted).
pub fn counts(group: &Value) -> (usize, usize) {
    let apps = group.get("apps").and_then(Value::as_array).map_or(0, Vec::len);
    let groups = group.get("groups").and_then(Value::as_array);
    groups.into_iter().flatten().fold((apps, 0), |(a, g), sub| {
        let (sa, sg) = counts(sub);
        (a + sa, g + 1 + sg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Document {
        let tree = json!({"id": "/", "apps": [{"id": "/a", "unknownField": {"x": 1}}],
            "groups": [{"id": "/g", "apps": [{"id": "/g/b"}], "groups": [{"id": "/g/h", "apps": []}], "dependencies": ["/a"]}]});
        Document::new("c1", "1.11.0", time::OffsetDateTime::UNIX_EPOCH, tree)
    }

    #[test]
    fn counts_and_round_trip() {
        let d = doc();
        assert_eq!((d.apps, d.groups), (2, 2));
        assert_eq!(d.taken_at, "1970-01-01T00:00:00Z");
        assert_eq!(Document::parse(&d.to_bytes()).unwrap(), d);
    }

    #[test]
    fn bad_documents_are_named() {
        let bytes = doc().to_bytes();
        assert_eq!(
            Document::parse(&bytes[..bytes.len() - 7]),
            Err(DocumentError::Truncated(bytes.len() - 7))
        );
        let tampered = String::from_utf8(bytes.clone()).unwrap().replace("/g/b", "/g/c");
        assert!(matches!(
            Document::parse(tampered.as_bytes()),
            Err(DocumentError::Checksum { .. })
        ));
        let other = String::from_utf8(bytes.clone()).unwrap().replace(SCHEMA, "other/2");
        assert_eq!(
            Document::parse(other.as_bytes()),
            Err(DocumentError::Schema {
                found: "other/2".into()
            })
        );
        let extra = String::from_utf8(bytes).unwrap().replacen('{', "{\"extra\":1,", 1);
        assert!(matches!(Document::parse(extra.as_bytes()), Err(DocumentError::Malformed(m)) if m.contains("extra")));
        assert_eq!(
            Document::parse(b"{}"),
            Err(DocumentError::Schema { found: "(none)".into() })
        );
    }
}
