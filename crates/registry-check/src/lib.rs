//! `ngp registry check`'s work, step by step: a tiny OCI image built here (one layer of random bytes and a
//! config, so no Docker is needed) is pushed to a registry, pulled back and verified by digest, found as objects
//! in the registry's S3 bucket, then deleted. Each failure is one [`StepError`] that names its step, what failed
//! and what to check.

mod error;
mod image;
mod registry;
mod storage;

pub use error::StepError;
pub use image::{digest, TinyImage};
pub use registry::{Registry, Session};
pub use storage::expected_objects;
pub use storage::find_objects;
