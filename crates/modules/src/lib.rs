//! ngp-modules: from module folders to the generated root module.
//!
//! [`Catalog::discover`] reads every `modules/<name>/` folder (no list to edit), [`wire`] connects each
//! enabled module's inputs to other enabled modules' outputs of the same name, and [`generate`] writes the
//! root module Terraform runs: module blocks, root variables for every unwired input, and outputs.

mod catalog;
pub mod contract;
pub mod docs;
mod error;
mod root;
pub mod types;
mod wiring;

pub use catalog::{
    valid_module_name, Build, Catalog, Download, Input, Meta, Module, Output, FILE_SUFFIXES, GATHER_ALL,
};
pub use error::Error;
pub use root::{generate, Backend, Provider, RootFiles, RootOutput, EMULATED_SERVICES, REGION_VARIABLE};
pub use wiring::{wire, InputSource, RootVariable, WiredModule, Wiring};
