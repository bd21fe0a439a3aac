//! What can be wrong with the user's settings, each as one line naming the file, the line and the key.

use std::path::PathBuf;

/// What can be wrong with the user's configuration. Every variant names the file and, where there is one,
/// the line, so the message alone tells the user where to look.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}:{line}: {key}: {message}", path.display())]
    Value {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },

    #[error("{origin}: {key}: {message}")]
    Setting {
        origin: String,
        key: String,
        message: String,
    },

    #[error("{}:{line}: blocks are not allowed in a tfvars file; write `name = value` lines only", path.display())]
    Block { path: PathBuf, line: usize },

    #[error("environment name {name:?} is not valid: use lower-case letters, digits and '-', starting with a letter or digit, at most 32 characters")]
    EnvName { name: String },
}
