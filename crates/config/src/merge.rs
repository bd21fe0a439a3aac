//! `ngp init`'s merge: the example values of newly enabled modules added to ngp.tfvars, every value the user
//! edited kept as written.

use std::path::{Path, PathBuf};

use hcl::edit::expr::{Array, Expression};
use hcl::edit::structure::{Attribute, Structure};
use hcl::edit::{Decor, Decorate, Decorated, Ident};

use crate::tfvars::parse_body;
use crate::{Error, TfvarsFile, MODULES_KEY};

/// A module's example values: the text of its `<name>.dummy` file.
#[derive(Debug, Clone)]
pub struct Example {
    pub module: String,
    pub path: PathBuf,
    pub text: String,
}

/// The outcome of [`merge_examples`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeResult {
    /// The new file text.
    pub text: String,
    /// Keys added from the examples, in order.
    pub added: Vec<String>,
    /// Keys of the examples that the file already set, and so were left as the user wrote them.
    pub kept: Vec<String>,
}

/// Merges module examples into a tfvars file for `ngp init`:
/// - `modules = [...]` is set to `modules`;
/// - every example key the file does not set yet, and `skip` does not exclude, is appended with its comments;
/// - everything the file already has, values and comments alike, stays exactly as written.
pub fn merge_examples(
    path: &Path,
    existing: Option<&str>,
    modules: &[String],
    examples: &[Example],
    skip: impl Fn(&str) -> bool,
) -> Result<MergeResult, Error> {
    let existing = existing.unwrap_or("");
    // Validate the user's file fully first (a reference or a block is an error here too).
    TfvarsFile::parse(path, existing)?;
    let mut body = parse_body(path, existing)?;

    let list: Expression = Array::from_iter(modules.iter().map(|m| Expression::from(m.as_str()))).into();
    if let Some(mut attr) = body.get_attribute_mut(MODULES_KEY) {
        *attr.value_mut() = list.decorated(Decor::new(" ", ""));
    } else {
        let mut attr = Attribute::new(
            Decorated::new(Ident::new(MODULES_KEY)),
            list.decorated(Decor::new(" ", "")),
        );
        attr.key.decor_mut().set_suffix(" ");
        attr.decor_mut()
            .set_prefix("# The modules ngp enables here; `ngp init` rewrites this line and nothing else.\n");
        body.insert(0, attr);
    }

    let mut added = Vec::new();
    let mut kept = Vec::new();
    for example in examples {
        TfvarsFile::parse(&example.path, &example.text)?;
        let example_body = parse_body(&example.path, &example.text)?;
        for structure in example_body.into_iter() {
            let Structure::Attribute(mut attr) = structure else {
                continue;
            };
            let key = attr.key.as_str().to_owned();
            if key == MODULES_KEY || skip(&key) {
                continue;
            }
            if body.has_attribute(&key) {
                kept.push(key);
                continue;
            }
            if added.is_empty() && !body.is_empty() {
                // Separate what init adds from what was there.
                let prefix = attr.decor().prefix().map(|p| p.to_string()).unwrap_or_default();
                attr.decor_mut().set_prefix(format!("\n{prefix}"));
            }
            body.push(attr);
            added.push(key);
        }
    }

    let mut text = body.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(MergeResult { text, added, kept })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(module: &str, text: &str) -> Example {
        Example {
            module: module.into(),
            path: PathBuf::from(format!("modules/{module}/{module}.dummy")),
            text: text.into(),
        }
    }

    const DUMMY: &str = "# manager: the VPC.\n\n# Name prefix.\npre_tag = \"ngp\"\n\n# Who may SSH.\nadmin_cidrs = [\"192.0.2.0/24\"]\n";

    #[test]
    fn a_new_file_gets_modules_and_every_example() {
        let r = merge_examples(
            Path::new("ngp.tfvars"),
            None,
            &["manager".into()],
            &[example("manager", DUMMY)],
            |_| false,
        )
        .unwrap();
        assert_eq!(r.added, vec!["pre_tag", "admin_cidrs"]);
        assert!(r.text.starts_with("# The modules ngp enables here"), "{}", r.text);
        assert!(r.text.contains("modules = [\"manager\"]\n"), "{}", r.text);
        assert!(
            r.text.contains("# Who may SSH.\nadmin_cidrs = [\"192.0.2.0/24\"]\n"),
            "{}",
            r.text
        );
        // The result is itself valid tfvars.
        let parsed = TfvarsFile::parse(Path::new("ngp.tfvars"), &r.text).unwrap();
        assert_eq!(parsed.entries.len(), 3);
    }

    #[test]
    fn edited_values_and_comments_survive_a_second_merge() {
        let user = "# my notes\nmodules = [\"manager\"]\n\npre_tag    = \"acme\" # ours\nextra = true\n";
        let more = example("openvpn", "# openvpn\nvpn_port = 1194\npre_tag = \"ngp\"\n");
        let r = merge_examples(
            Path::new("ngp.tfvars"),
            Some(user),
            &["manager".into(), "openvpn".into()],
            &[example("manager", DUMMY), more],
            |_| false,
        )
        .unwrap();
        assert_eq!(r.added, vec!["admin_cidrs", "vpn_port"]);
        assert_eq!(r.kept, vec!["pre_tag", "pre_tag"]);
        assert!(
            r.text.starts_with(
                "# my notes\nmodules = [\"manager\", \"openvpn\"]\n\npre_tag    = \"acme\" # ours\nextra = true\n"
            ),
            "{}",
            r.text
        );
        // Merging again changes nothing.
        let again = merge_examples(
            Path::new("ngp.tfvars"),
            Some(&r.text),
            &["manager".into(), "openvpn".into()],
            &[example("manager", DUMMY)],
            |_| false,
        )
        .unwrap();
        assert_eq!(again.text, r.text);
        assert!(again.added.is_empty());
    }

    #[test]
    fn skipped_keys_are_not_added() {
        let r = merge_examples(
            Path::new("ngp.dev.tfvars"),
            None,
            &[],
            &[example("manager", DUMMY)],
            |k| k == "pre_tag",
        )
        .unwrap();
        assert_eq!(r.added, vec!["admin_cidrs"]);
    }

    #[test]
    fn a_broken_user_file_is_an_error_with_its_line() {
        let err = merge_examples(Path::new("ngp.tfvars"), Some("a = 1\nb = [\n"), &[], &[], |_| false)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("ngp.tfvars:"), "{err}");
    }
}
