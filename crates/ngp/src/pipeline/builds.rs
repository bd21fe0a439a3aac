//! The static binaries modules upload (their `builds`), built by `ngp-builds`, and their paths handed to the
//! modules' inputs: the binary itself, or (`zip = true`) a zip that holds it alone, as a Lambda's deployment
//! package does.

use anyhow::{Context, Result};
use ngp_builds::{static_binary, zip_alone};
use ngp_config::Settings;
use ngp_modules::Catalog;

/// Builds what the enabled modules need, where the user has not given the input a path, and sets the inputs.
pub fn supply(catalog: &Catalog, modules: &[String], settings: &mut Settings) -> Result<()> {
    for name in modules {
        for build in &catalog.modules[name].meta.builds {
            if settings.get(&build.input).is_some() {
                continue;
            }
            let path = static_binary(&build.package, build.binary_name())
                .and_then(|binary| if build.zip { zip_alone(&binary) } else { Ok(binary) })
                .with_context(|| {
                    format!(
                        "module {name}: {} (or set {} to a built binary)",
                        build.package, build.input
                    )
                })?;
            let path = path.display().to_string();
            settings.add_default(&build.input, path.into(), format!("built by ngp for module {name}"));
        }
    }
    Ok(())
}
