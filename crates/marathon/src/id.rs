//! Marathon path ids: `/group/sub/app`, normalised as Marathon does.

use std::fmt;

/// An absolute, normalised Marathon path id. The root group is `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathId(Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathIdError {
    #[error("path contains character '{0}', not allowed in an id: use lower-case letters, digits, '-' and '.'")]
    BadCharacter(char),
    #[error("'{0}' is not a valid id segment: lower-case letters, digits, '-' and '.', not starting or ending with '-' or '.'")]
    BadSegment(String),
    #[error("'{0}' is a reserved name and cannot end an id")]
    Reserved(String),
    #[error("'..' climbs above the root group")]
    AboveRoot,
}

const RESERVED: &[&str] = &["restart", "tasks", "versions"];

fn valid_label(s: &str) -> bool {
    let bytes = s.as_bytes();
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !bytes.is_empty() && ok(bytes[0]) && ok(bytes[bytes.len() - 1]) && bytes.iter().all(|&c| ok(c) || c == b'-')
}

/// One segment: dot-separated labels, each `[a-z0-9]` or `[a-z0-9][a-z0-9-]*[a-z0-9]`.
fn valid_segment(s: &str) -> bool {
    s.split('.').all(valid_label)
}

impl PathId {
    pub fn root() -> Self {
        PathId(Vec::new())
    }

    /// Parses `text`, relative to `base` when it does not start with `/`. Leading, trailing and repeated
    /// slashes go, `.` and `..` are resolved; upper case is an error, never lower-cased.
    pub fn parse_relative(text: &str, base: &PathId) -> Result<Self, PathIdError> {
        if let Some(c) = text
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '/')))
        {
            return Err(PathIdError::BadCharacter(c));
        }
        let mut parts = if text.starts_with('/') {
            Vec::new()
        } else {
            base.0.clone()
        };
        for segment in text.split('/').filter(|s| !s.is_empty()) {
            match segment {
                "." => {}
                ".." => {
                    parts.pop().ok_or(PathIdError::AboveRoot)?;
                }
                s if valid_segment(s) => parts.push(s.to_owned()),
                s => return Err(PathIdError::BadSegment(s.to_owned())),
            }
        }
        Ok(PathId(parts))
    }

    pub fn parse(text: &str) -> Result<Self, PathIdError> {
        Self::parse_relative(text, &PathId::root())
    }

    /// As `parse`, for an app's id: its last segment may not be a reserved name.
    pub fn parse_app(text: &str, base: &PathId) -> Result<Self, PathIdError> {
        let id = Self::parse_relative(text, base)?;
        match id.0.last() {
            Some(last) if RESERVED.contains(&last.as_str()) => Err(PathIdError::Reserved(last.clone())),
            Some(_) => Ok(id),
            None => Err(PathIdError::BadSegment(text.to_owned())),
        }
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn parent(&self) -> PathId {
        PathId(self.0[..self.0.len().saturating_sub(1)].to_vec())
    }

    pub fn child(&self, segment: &str) -> PathId {
        let mut parts = self.0.clone();
        parts.push(segment.to_owned());
        PathId(parts)
    }

    pub fn name(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// True when `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &PathId) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0.join("/"))
    }
}

impl std::str::FromStr for PathId {
    type Err = PathIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PathId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_as_marathon_does() {
        let base = PathId::parse("/ngp/registry").unwrap();
        for (text, expected) in [
            ("/a/b/", "/a/b"),
            ("//a///b", "/a/b"),
            ("a/b", "/ngp/registry/a/b"),
            ("../x", "/ngp/x"),
            ("./x/./y", "/ngp/registry/x/y"),
            ("/a/../b", "/b"),
            ("/", "/"),
            ("/my.app-1", "/my.app-1"),
        ] {
            assert_eq!(
                PathId::parse_relative(text, &base).unwrap().to_string(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_marathon_rejects() {
        assert_eq!(PathId::parse("/Upper"), Err(PathIdError::BadCharacter('U')));
        assert_eq!(PathId::parse("/a_b"), Err(PathIdError::BadCharacter('_')));
        assert_eq!(PathId::parse("/-a"), Err(PathIdError::BadSegment("-a".into())));
        assert_eq!(PathId::parse("/a-"), Err(PathIdError::BadSegment("a-".into())));
        assert_eq!(PathId::parse("/.."), Err(PathIdError::AboveRoot));
        assert_eq!(
            PathId::parse_app("/x/versions", &PathId::root()),
            Err(PathIdError::Reserved("versions".into()))
        );
        assert!(PathId::parse_app("/x/tasks-1", &PathId::root()).is_ok());
    }
}
