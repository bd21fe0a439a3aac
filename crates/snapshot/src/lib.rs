//! Marathon snapshots.
//!
//! [`document`] is the snapshot itself: Marathon's whole group tree exactly as `GET /v2/groups` (apps and groups
//! embedded) answered it, every field kept, with its metadata and a sha256 of the tree. [`tree`] turns a snapshot
//! into a request body: response-only fields stripped, one subtree selected, merged into the live tree unless
//! pruning. [`store`] keeps documents in S3 at `<prefix>/<cluster>/<UTC timestamp>.json`. [`ops`] ties them to a
//! Marathon client: take, list, show and restore (a group PUT, so groups and dependencies survive).

pub mod document;
pub mod ops;
pub mod store;
pub mod tree;

pub use document::{Document, DocumentError};
pub use ops::{apply_restore, plan_restore, restore, show, take, Error, RestoreOptions, RestorePlan, RestoreReport};
pub use store::{Entry, Store};
