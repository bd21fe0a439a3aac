//! The static binaries modules upload (their `builds`), built by `ngp-builds`, and their paths handed to the
//! modules' inputs: the binary itself, or (`zip = true`) a zip that holds it alone, as a Lambda's deployment
//! package does.

use anyhow::{Context, Result};
use ngp_builds::{static_binaries, zip_alone};
use ngp_config::Settings;
use ngp_modules::{Build, Catalog};

/// Builds what the enabled modules need, where the user has not given the input a path, and sets the inputs.
/// When anything is to be built, every build of the catalog is, in one cargo run: the binaries then come out the
/// same whichever modules are enabled (cargo unifies the features of what one run builds), and the
/// dependencies they share are compiled once.
pub fn supply(catalog: &Catalog, modules: &[String], settings: &mut Settings) -> Result<()> {
    let needed: Vec<(&String, &Build)> = modules
        .iter()
        .flat_map(|name| catalog.modules[name].meta.builds.iter().map(move |b| (name, b)))
        .filter(|(_, build)| settings.get(&build.input).is_none())
        .collect();
    if needed.is_empty() {
        return Ok(());
    }
    let mut all: Vec<(&str, &str)> = catalog
        .modules
        .values()
        .flat_map(|m| m.meta.builds.iter().map(|b| (b.package.as_str(), b.binary_name())))
        .collect();
    all.sort_unstable();
    all.dedup();
    let built = static_binaries(&all).with_context(|| {
        let inputs: Vec<String> = needed.iter().map(|(name, b)| format!("{name}.{}", b.input)).collect();
        format!("building {} (or set each to a built binary)", inputs.join(", "))
    })?;
    for (name, build) in needed {
        let at = all
            .iter()
            .position(|&(p, b)| p == build.package && b == build.binary_name())
            .expect("every needed build is in the catalog's");
        let path = if build.zip {
            zip_alone(&built[at])?
        } else {
            built[at].clone()
        };
        let path = path.display().to_string();
        settings.add_default(&build.input, path.into(), format!("built by ngp for module {name}"));
    }
    Ok(())
}
