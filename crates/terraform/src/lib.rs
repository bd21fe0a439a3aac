//! ngp-terraform: everything ngp asks of the `terraform` CLI.
//!
//! It finds the binary, points it at a local provider mirror where the registry cannot be reached, runs it
//! with `-json` and turns the event stream into a progress bar, one-line errors and a plan summary grouped by
//! module.

mod binary;
mod error;
mod events;
pub mod interrupt;
mod mirror;
mod progress;
mod summary;

pub use binary::{Terraform, TERRAFORM_ENV};
pub use error::Error;
pub use events::{Changes, Diagnostic, Event, Hook};
pub use mirror::{
    cli_config, find_mirror, mirror_cli_config, user_config_path, CliConfig, MIRROR_CANDIDATES, MIRROR_ENV,
};
pub use progress::ApplyProgress;
pub use summary::{Counts, PlanSummary};
