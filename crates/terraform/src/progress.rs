//! The progress bar of a plan, an apply or a destroy, driven by terraform's `-json` events.

use std::collections::BTreeSet;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::events::Operation;
use crate::Event;

/// A progress bar driven by `terraform apply -json` events: resources done out of total, the resource being
/// worked on, and the elapsed time. Where stderr is not a terminal it prints one line per finished resource.
pub struct ApplyProgress {
    bar: ProgressBar,
    interactive: bool,
    done: u64,
    total: Option<u64>,
    working: BTreeSet<String>,
}

impl ApplyProgress {
    /// `total` is the number of resource changes, when known beforehand (from a saved plan); otherwise it is
    /// read from the plan summary event Terraform prints before applying.
    pub fn new(verb: &str, total: Option<u64>) -> Self {
        let interactive = console::Term::stderr().is_term();
        let target = if interactive {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(total, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_prefix(verb.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        Self {
            bar,
            interactive,
            done: 0,
            total,
            working: BTreeSet::new(),
        }
    }

    /// A spinner for work without a known size (a plan): it shows what is being refreshed.
    pub fn spinner(verb: &str) -> Self {
        let progress = Self::new(verb, None);
        progress.bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{elapsed_precise}] {wide_msg}")
                .expect("the template is valid"),
        );
        progress
    }

    /// Resources done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The total, once known.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    pub fn handle(&mut self, event: &Event) {
        match event.kind.as_str() {
            "refresh_start" => {
                if let Some(hook) = &event.hook {
                    self.bar.set_message(format!("refreshing {}", hook.resource.addr));
                }
            }
            "change_summary" => {
                // The plan's summary comes before the first change; a destroy's plan says "destroy".
                if let Some(c) = event
                    .changes
                    .filter(|c| c.operation != Operation::Apply && self.done == 0)
                {
                    let total = c.add + c.change + c.remove;
                    self.total = Some(total);
                    self.bar.set_length(total);
                }
            }
            "apply_start" => {
                if let Some(hook) = event.resource_hook() {
                    self.working.insert(hook.resource.addr.clone());
                    self.show_working(None);
                }
            }
            "apply_progress" => {
                if let Some(hook) = event.resource_hook() {
                    self.show_working(hook.elapsed_seconds.map(|s| (hook.resource.addr.as_str(), s)));
                }
            }
            "apply_complete" | "apply_errored" => {
                if let Some(hook) = event.resource_hook() {
                    self.working.remove(&hook.resource.addr);
                    if event.kind == "apply_complete" {
                        self.done += 1;
                        self.bar.set_position(self.done);
                        if !self.interactive {
                            let of = self.total.map(|t| format!("/{t}")).unwrap_or_default();
                            eprintln!("  [{}{of}] {}", self.done, event.message);
                        }
                    }
                    self.show_working(None);
                }
            }
            _ => {}
        }
    }

    fn show_working(&self, slow: Option<(&str, f64)>) {
        let message = match (slow, self.working.iter().next()) {
            (Some((addr, secs)), _) => format!("{addr} ({secs:.0}s)"),
            (None, Some(addr)) if self.working.len() > 1 => format!("{addr} (+{} more)", self.working.len() - 1),
            (None, Some(addr)) => addr.clone(),
            (None, None) => String::new(),
        };
        self.bar.set_message(message);
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_resources_from_a_real_apply_stream() {
        let stream = include_str!("../tests/fixtures/manager-apply.jsonl");
        let mut progress = ApplyProgress::new("apply", None);
        let mut seen_total_before_first_start = None;
        for line in stream.lines() {
            let event = Event::parse(line).expect("every line is an event");
            if event.kind == "apply_start" && event.resource_hook().is_some() && seen_total_before_first_start.is_none()
            {
                seen_total_before_first_start = Some(progress.total());
            }
            progress.handle(&event);
        }
        // The plan said 22 to add: the total is known before the first resource starts, and every one finishes.
        assert_eq!(seen_total_before_first_start, Some(Some(22)));
        assert_eq!(progress.done(), 22);
        assert!(progress.working.is_empty());
        progress.finish();
    }
}
