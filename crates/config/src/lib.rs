//! ngp-config: the user's side of the data flow.
//!
//! It reads `ngp.tfvars`, the environment overlay `ngp.<env>.tfvars` and `TF_VAR_*` into one set of
//! [`Settings`], each value remembering where it came from, and merges modules' `.dummy` example values into
//! a tfvars file for `ngp init` without touching what the user already wrote.

mod error;
mod merge;
mod nearest;
mod settings;
mod tfvars;

pub use error::Error;
pub use merge::{merge_examples, Example, MergeResult};
pub use nearest::nearest;
pub use settings::{
    env_overlay_file, is_plain_name, validate_env_name, Origin, Setting, Settings, BASE_FILE, MODULES_KEY,
};
pub use tfvars::{TfvarsFile, Value};
