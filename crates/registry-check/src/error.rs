//! One line per failure: the step, what failed, what to check.

use std::fmt;

/// A failed step.
#[derive(Debug, thiserror::Error)]
pub struct StepError {
    pub step: &'static str,
    pub what: String,
    pub check: String,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; check {}", self.step, self.what, self.check)
    }
}

impl StepError {
    pub fn new(step: &'static str, what: impl Into<String>, check: impl Into<String>) -> Self {
        StepError {
            step,
            what: what.into(),
            check: check.into(),
        }
    }
}

/// The innermost cause of an error, the one that says what really happened ("invalid peer certificate: ...").
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
