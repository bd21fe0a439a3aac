//! The whole platform in local mode, as a suite: each platform variant is applied once (the fixture), then a
//! table of checks, grouped by module, runs against it. A failing check is reported under its module and the
//! others still run; the summary lists pass and fail per module. The re-plan, the apps plan and the destroy are
//! checks like any other.
//!
//! `cargo test -p ngp --test e2e` runs it all; `NGP_E2E_CHECKS=docker-registry,elk` runs a subset (patterns
//! matched against `module/check`; the platform is still applied whole).
//!
//! The other tests that apply or plan platforms in local mode live in this binary too, so that libtest runs them
//! at the same time as the suite, each on its own emulators' ports: the examples' plans, the interrupted applies
//! and the adoption of what they leave behind.

#[path = "../common/mod.rs"]
mod common;

mod adopt;
mod checks;
mod examples;
mod fixture;
mod interrupt;
mod interrupt_full;
mod suite;

use fixture::{Platform, Variant};

/// The seed's platform: DC/OS, with every module. The cluster and the VPN run under other names, as the CLI knows
/// modules only through the contract.
const DCOS: Variant = Variant {
    name: "dcos",
    renames: &[("dcos", "cluster"), ("openvpn", "vpn-gateway")],
};

#[test]
fn dcos_platform_in_local_mode() {
    if common::skip_without_terraform() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let platform = runtime.block_on(Platform::up(&DCOS));
    suite::run(DCOS.name, &platform, &runtime, &checks::dcos_platform());
}
