//! One module per command (or family of commands). Those that change an environment run the pipeline.

pub mod apps;
pub mod doctor;
pub mod images;
pub mod init;
pub mod local;
pub mod module;
pub mod output;
pub mod registry;
pub mod run;
pub mod setup;
pub mod snapshot;
pub mod vpn;
