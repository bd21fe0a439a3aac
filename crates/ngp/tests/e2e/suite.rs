//! The suite's runner: a table of checks, each under its module's name, run in order against one platform. A
//! failing check is reported and the next one runs; the summary lists pass and fail per module.
//!
//! `NGP_E2E_CHECKS` picks a subset: a comma-separated list of patterns, each matched against `module/check`
//! (`NGP_E2E_CHECKS=docker-registry,elk` runs those two modules' checks; `NGP_E2E_CHECKS=platform/destroy` one).

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::fixture::Platform;

/// A check's body: an async function of the platform that panics (asserts) when the check fails.
pub type Run = for<'a> fn(&'a Platform) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// One check of the table.
pub struct Check {
    /// The repository module it checks, or `platform` for what spans modules (plans, apps, destroy).
    pub module: &'static str,
    pub name: &'static str,
    pub run: Run,
}

/// `check!("module", "what it checks", path::to::async_fn)`.
#[macro_export]
macro_rules! check {
    ($module:expr, $name:expr, $f:path) => {
        $crate::suite::Check {
            module: $module,
            name: $name,
            run: |p| Box::pin($f(p)),
        }
    };
}

/// How one check ended.
enum Outcome {
    Passed(Duration),
    Failed(Duration, String),
    Filtered,
}

/// Runs the checks the filter selects, in order, each to its end; then prints the summary and fails the test,
/// naming every failed check, when any failed.
pub fn run(variant: &str, platform: &Platform, runtime: &tokio::runtime::Runtime, checks: &[Check]) {
    let filter = Filter::from_env();
    let mut outcomes = Vec::new();
    for check in checks {
        let outcome = if filter.selects(check) {
            run_one(platform, runtime, check)
        } else {
            Outcome::Filtered
        };
        if let Outcome::Passed(t) | Outcome::Failed(t, _) = &outcome {
            let word = if matches!(outcome, Outcome::Passed(_)) {
                "ok  "
            } else {
                "FAIL"
            };
            eprintln!(
                "{variant}: {word} {}/{} ({:.1} s)",
                check.module,
                check.name,
                t.as_secs_f64()
            );
        }
        outcomes.push(outcome);
    }
    let failed = summary(variant, checks, &outcomes);
    assert!(
        failed.is_empty(),
        "{variant}: {} checks failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

fn run_one(platform: &Platform, runtime: &tokio::runtime::Runtime, check: &Check) -> Outcome {
    let started = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on((check.run)(platform))));
    let took = started.elapsed();
    match result {
        Ok(()) => Outcome::Passed(took),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panicked".to_owned());
            Outcome::Failed(took, message)
        }
    }
}

/// Prints pass, fail and filtered-out counts per module; returns the failed checks with their first line.
fn summary(variant: &str, checks: &[Check], outcomes: &[Outcome]) -> Vec<String> {
    let mut per_module: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut failed = Vec::new();
    for (check, outcome) in checks.iter().zip(outcomes) {
        let counts = per_module.entry(check.module).or_default();
        match outcome {
            Outcome::Passed(_) => counts[0] += 1,
            Outcome::Failed(_, message) => {
                counts[1] += 1;
                let first = message.lines().next().unwrap_or_default();
                failed.push(format!("  {}/{}: {first}", check.module, check.name));
            }
            Outcome::Filtered => counts[2] += 1,
        }
    }
    eprintln!("{variant}: summary by module (passed, failed, not selected)");
    for (module, [passed, failed, filtered]) in &per_module {
        eprintln!("  {module:<20} {passed:>3} passed {failed:>3} failed {filtered:>3} not selected");
    }
    failed
}

/// The checks `NGP_E2E_CHECKS` selects: all when it is unset or empty.
struct Filter(Vec<String>);

impl Filter {
    fn from_env() -> Self {
        let text = std::env::var("NGP_E2E_CHECKS").unwrap_or_default();
        let patterns = text.split(',').map(str::trim).filter(|p| !p.is_empty());
        Filter(patterns.map(str::to_owned).collect())
    }

    fn selects(&self, check: &Check) -> bool {
        let id = format!("{}/{}", check.module, check.name);
        self.0.is_empty() || self.0.iter().any(|p| id.contains(p.as_str()))
    }
}
