//! The AWS SDK's configuration for an environment: its region, and in local mode the emulator's endpoint.

use anyhow::{Context, Result};
use ngp_modules::REGION_VARIABLE;

use crate::project::{Project, LOCAL_ENV};
use crate::workspace::Values;

/// The environment's region: `TF_VAR_aws_region`, else the value in its generated workspace.
pub fn region(project: &Project, env: &str) -> Result<String> {
    Values::read(&project.workspace(env))?
        .string(REGION_VARIABLE)
        .with_context(|| format!("environment {env} has no {REGION_VARIABLE}"))
}

/// The SDK configuration: the default credential chain, or in local mode the emulator with test credentials.
pub use ngp_aws::sdk_config;

/// The emulator's endpoint in local mode (when it runs), `None` otherwise.
pub fn emulator_endpoint(project: &Project, env: &str) -> Result<Option<String>> {
    if env != LOCAL_ENV {
        return Ok(None);
    }
    Ok(project.local_mode().status()?.map(|e| e.endpoint()))
}
