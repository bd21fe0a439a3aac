//! Path ids as the emulator's server side reads them (API.md, "Ids"), written apart from NGP's client so that a
//! mistake in one shows up against the other. An id is kept as its canonical text: `/` for the root, else
//! `/a/b` with no trailing slash.

use std::fmt;

/// A canonical, absolute path id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

/// Names an app may not end with: they are sub-resources of `/v2/apps/{id}`.
const RESERVED: [&str; 3] = ["restart", "tasks", "versions"];

impl Id {
    pub fn root() -> Id {
        Id("/".to_owned())
    }

    /// Resolves `text` against `base` (when it is relative) and normalises it; the error says why not.
    pub fn resolve(text: &str, base: &Id) -> Result<Id, String> {
        let mut stack: Vec<&str> = if text.starts_with('/') {
            Vec::new()
        } else {
            base.0.split('/').filter(|s| !s.is_empty()).collect()
        };
        for part in text.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if stack.pop().is_none() {
                        return Err(format!("{text}: '..' goes above the root"));
                    }
                }
                name if name_ok(name) => stack.push(name),
                name => {
                    return Err(format!(
                        "'{name}' in '{text}' must match {} (lower case, digits, '-' and '.')",
                        "^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$"
                    ))
                }
            }
        }
        Ok(Id(format!("/{}", stack.join("/"))))
    }

    pub fn absolute(text: &str) -> Result<Id, String> {
        Id::resolve(text, &Id::root())
    }

    /// An app's id: not the root, and not ending in a reserved name.
    pub fn app(text: &str, base: &Id) -> Result<Id, String> {
        let id = Id::resolve(text, base)?;
        match id.last() {
            None => Err(format!("'{text}' names the root group, not an app")),
            Some(last) if RESERVED.contains(&last) => Err(format!("'{last}' is a reserved name")),
            Some(_) => Ok(id),
        }
    }

    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    pub fn last(&self) -> Option<&str> {
        self.0.rsplit('/').next().filter(|s| !s.is_empty())
    }

    pub fn parent(&self) -> Id {
        match self.0.rfind('/') {
            Some(0) | None => Id::root(),
            Some(i) => Id(self.0[..i].to_owned()),
        }
    }

    /// True when `self` is `group` or lies below it.
    pub fn within(&self, group: &Id) -> bool {
        group.is_root() || self.0 == group.0 || self.0.strip_prefix(&group.0).is_some_and(|r| r.starts_with('/'))
    }

    /// How many names deep: the root is 0.
    pub fn depth(&self) -> usize {
        self.0.split('/').filter(|s| !s.is_empty()).count()
    }

    /// The ancestor (or self) at `depth`.
    pub fn prefix(&self, depth: usize) -> Id {
        let names: Vec<&str> = self.0.split('/').filter(|s| !s.is_empty()).take(depth).collect();
        Id(format!("/{}", names.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn name_ok(name: &str) -> bool {
    let label_ok = |l: &str| {
        let inner_ok = l
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        !l.is_empty() && inner_ok && !l.starts_with('-') && !l.ends_with('-')
    };
    name.split('.').all(label_ok)
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_as_marathon_does() {
        let base = Id::absolute("/prod/web").unwrap();
        assert_eq!(Id::resolve("a//b/", &base).unwrap().as_str(), "/prod/web/a/b");
        assert_eq!(Id::resolve("../db", &base).unwrap().as_str(), "/prod/db");
        assert_eq!(Id::resolve("/x/./y", &base).unwrap().as_str(), "/x/y");
        assert!(Id::absolute("/Upper").is_err());
        assert!(Id::absolute("/-a").is_err());
        assert!(Id::absolute("/..").is_err());
        assert!(Id::app("/a/versions", &Id::root()).is_err());
        assert_eq!(base.parent().as_str(), "/prod");
        assert_eq!(base.parent().parent(), Id::root());
        assert!(base.within(&Id::absolute("/prod").unwrap()));
        assert!(!Id::absolute("/prodx").unwrap().within(&Id::absolute("/prod").unwrap()));
        assert_eq!(base.prefix(1).as_str(), "/prod");
    }
}
