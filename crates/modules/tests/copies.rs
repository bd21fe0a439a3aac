//! What every module repeats because Terraform cannot share it, held to one text: the `context` variable is
//! `modules/.shared/label/context.tf.example` byte for byte, and every `*_image` variable carries the one
//! image-reference rule (a digest, or a tag that is not `latest`).

use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*-variables.tf` of the modules and the examples' modules.
fn variable_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in ["modules", "examples/custom-module/modules"] {
        for entry in std::fs::read_dir(repo().join(root)).unwrap() {
            let dir = entry.unwrap().path();
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let file = dir.join(format!("{name}-variables.tf"));
            if !name.starts_with('.') && file.is_file() {
                files.push(file);
            }
        }
    }
    assert!(files.len() >= 12, "{files:?}");
    files
}

/// The block `variable "<name>" { ... }` of `text`, up to its closing brace at the start of a line.
fn variable_block<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("variable \"{name}\" {{"))?;
    let end = text[start..].find("\n}\n")? + start + 3;
    Some(&text[start..end])
}

#[test]
fn every_context_variable_is_the_example_byte_for_byte() {
    let example = std::fs::read_to_string(repo().join("modules/.shared/label/context.tf.example")).unwrap();
    let expected = variable_block(&example, "context").unwrap();
    for file in variable_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let block =
            variable_block(&text, "context").unwrap_or_else(|| panic!("{} has no context variable", file.display()));
        assert_eq!(
            block,
            expected,
            "{}: the context variable differs from context.tf.example",
            file.display()
        );
    }
}

#[test]
fn every_image_variable_has_the_one_pinning_rule() {
    let mut seen = 0;
    for file in variable_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in text
            .split("variable \"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|n| n.ends_with("_image"))
        {
            let rule = format!(
                "  validation {{\n    condition     = can(regex(\"(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{{64}})$\", var.{name})) && !endswith(var.{name}, \":latest\")\n    error_message = \"{name} must be pinned: name:tag (not latest) or name@sha256:digest.\"\n  }}\n"
            );
            let block = variable_block(&text, name).unwrap();
            assert!(
                block.contains(&rule),
                "{}: {name} does not carry the image rule:\n{block}",
                file.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 9, "only {seen} image variables found");
}
