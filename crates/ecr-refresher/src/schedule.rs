//! When to refresh: every `interval` after a success (well inside the token's 12 hours; ECR's `expiresAt` is not
//! trusted to schedule, since an emulator's lies in the past), and after a failure exponentially sooner, with
//! jitter so that a fleet of agents does not retry in step.

use std::time::Duration;

/// The first retry after a failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(15);

/// The wait before the next attempt, after `failures` failures in a row (0: the last attempt succeeded).
pub fn next_wait(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let backoff = FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(failures - 1))
        .min(interval);
    // Full jitter over the upper half: between half the backoff and all of it.
    let half = backoff / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_waits_the_interval_and_failures_back_off_up_to_it() {
        let interval = Duration::from_secs(6 * 3600);
        assert_eq!(next_wait(interval, 0), interval);
        for failures in 1..40 {
            let wait = next_wait(interval, failures);
            let cap = FIRST_RETRY
                .saturating_mul(2u32.saturating_pow(failures - 1))
                .min(interval);
            assert!(wait >= cap / 2 && wait <= cap, "{failures}: {wait:?} outside {cap:?}");
        }
        assert!(next_wait(interval, 30) >= interval / 2);
    }
}
