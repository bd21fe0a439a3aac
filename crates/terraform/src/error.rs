//! What can go wrong running terraform, each in the user's terms: missing, interrupted, locked, a value its
//! validation refused.

use std::path::PathBuf;

/// What can go wrong running Terraform. Terraform's own errors arrive as its diagnostics, one per line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("terraform was not found on PATH: install Terraform 1.5 or later (https://developer.hashicorp.com/terraform/install), or set NGP_TERRAFORM to its path")]
    NotFound,

    #[error("NGP_TERRAFORM is {}, which is not an executable file", path.display())]
    BadPath { path: PathBuf },

    #[error("cannot run {}: {source}", program.display())]
    Spawn { program: PathBuf, source: std::io::Error },

    #[error("interrupted: terraform {command} stopped safely and saved its state; run the command again to continue")]
    Interrupted { command: String },

    #[error("the state of environment {env} is locked by {who} since {created} ({operation}): wait for that run to finish; if it is gone, release the lock with `ngp force-unlock --env {env} {id}`")]
    Locked {
        env: String,
        id: String,
        who: String,
        created: String,
        operation: String,
    },

    /// Values that failed their variables' validation rules: `(variable, the rule's message)`.
    #[error("{}", .0.iter().map(|(name, message)| format!("{name}: {message}")).collect::<Vec<_>>().join("; "))]
    InvalidValues(Vec<(String, String)>),

    #[error("terraform {command} failed: {message}")]
    Failed { command: String, message: String },

    #[error("cannot read terraform's {what}: {message}")]
    BadJson { what: String, message: String },

    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}
