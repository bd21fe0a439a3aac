//! The cluster app layer. Each enabled module may export its apps as a `marathon_apps` output; this crate
//! collects them, puts each module's apps in a Marathon group of its own (`/ngp/<module>`), compares only the
//! keys NGP sets with the live state, and writes one group PUT per module that differs. Nothing outside `/ngp`
//! is ever touched.

mod collect;
mod diff;
mod reconcile;

pub use collect::{collect, counted, AppsError, Desired, PER_AGENT_LABEL, ROOT_GROUP, SPEC_LABEL};
pub use diff::differences;
pub use reconcile::{
    apply, apps_by_group, plan, Action, AppPlan, ApplyError, ApplyOptions, ModulePlan, Plan, Progress, Report,
    DEFAULT_WAIT,
};
