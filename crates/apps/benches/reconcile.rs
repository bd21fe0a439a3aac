//! Benchmark: reconcile 1,000 apps (10 modules of 100) against the Marathon emulator: created, then with nothing
//! changed, then with 10 apps changed (in one module, then one in each module). Prints the API calls each run
//! makes and its CPU time (client and emulator, one process).
//! Run with `cargo bench -p ngp-apps`. Quote the ratios: machines differ and are noisy.

use std::collections::BTreeMap;
use std::time::Duration;

use ngp_apps::{apply, collect, plan, ApplyOptions};
use ngp_marathon::Client;
use serde_json::{json, Value};

const MODULES: usize = 10;
const APPS_PER_MODULE: usize = 100;
const RUNS: usize = 10;

/// CPU time (user + system) this process has used so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage of this process");
    let tv = |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    tv(usage.user_time()) + tv(usage.system_time())
}

/// The modules' outputs; the apps `changed` (module, app) get more memory.
fn outputs(changed: &[(usize, usize)]) -> BTreeMap<String, BTreeMap<String, Value>> {
    (0..MODULES)
        .map(|m| {
            let apps: Vec<Value> = (0..APPS_PER_MODULE)
                .map(|a| {
                    json!({
                        "id": format!("app-{a}"),
                        "instances": 1,
                        "cpus": 0.1,
                        "mem": if changed.contains(&(m, a)) { 96 } else { 64 },
                        "container": {"type": "DOCKER", "docker": {"image": format!("example/app:{a}")}},
                        "portDefinitions": [{"port": 0, "labels": {"VIP_0": format!("/m{m}/app-{a}:80")}}],
                        "env": {"MODULE": format!("m{m}")},
                        "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 0}],
                    })
                })
                .collect();
            (
                format!("m{m}"),
                BTreeMap::from([("marathon_apps".to_owned(), Value::Array(apps))]),
            )
        })
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let config = ngp_marathon_emulator::Config {
            deployment_delay: Duration::ZERO,
            ..Default::default()
        };
        tokio::spawn(ngp_marathon_emulator::serve(listener, config));
        let desired = collect(&outputs(&[])).unwrap();
        let mesos = format!("{url}/mesos");
        let options = ApplyOptions {
            poll: Duration::from_millis(10),
            ..ApplyOptions::default()
        };

        let client = Client::new(&url, None).unwrap();
        let start = cpu_time();
        let p = plan(&client, &desired, &mesos).await.unwrap();
        let report = apply(&client, &p, &options, |_| {}).await.unwrap();
        let create_cpu = cpu_time() - start;
        assert_eq!(report.created.len(), MODULES * APPS_PER_MODULE);
        let (reads, writes) = client.calls();
        println!(
            "create {} apps: {reads} reads, {writes} writes, {:.1} ms CPU (client and emulator, one process)",
            MODULES * APPS_PER_MODULE,
            create_cpu.as_secs_f64() * 1e3
        );

        let mut unchanged_cpu = Duration::ZERO;
        for _ in 0..RUNS {
            let client = Client::new(&url, None).unwrap();
            let start = cpu_time();
            let p = plan(&client, &desired, &mesos).await.unwrap();
            let report = apply(&client, &p, &options, |_| {}).await.unwrap();
            unchanged_cpu += cpu_time() - start;
            assert_eq!(report.unchanged.len(), MODULES * APPS_PER_MODULE);
            assert_eq!(
                client.calls(),
                (1, 0),
                "a no-change run reads the /ngp tree once and writes nothing"
            );
        }
        let per_run = unchanged_cpu / RUNS as u32;
        println!(
            "reconcile {} unchanged apps: 1 read, 0 writes, {:.1} ms CPU per run (mean of {RUNS}); \
             {:.2}x the CPU of creating them",
            MODULES * APPS_PER_MODULE,
            per_run.as_secs_f64() * 1e3,
            per_run.as_secs_f64() / create_cpu.as_secs_f64()
        );

        let one_module: Vec<(usize, usize)> = (0..10).map(|a| (0, a)).collect();
        let every_module: Vec<(usize, usize)> = (0..10).map(|m| (m, 0)).collect();
        for (what, changed) in [("in one module", one_module), ("one per module", every_module)] {
            let desired = collect(&outputs(&changed)).unwrap();
            let client = Client::new(&url, None).unwrap();
            let start = cpu_time();
            let p = plan(&client, &desired, &mesos).await.unwrap();
            let report = apply(&client, &p, &options, |_| {}).await.unwrap();
            let cpu = cpu_time() - start;
            assert_eq!(report.updated.len(), 10);
            let (reads, writes) = client.calls();
            assert!(writes <= 10, "{writes} writes for 10 changed apps");
            println!(
                "reconcile 10 changed apps ({what}): {reads} reads, {writes} writes, {:.1} ms CPU",
                cpu.as_secs_f64() * 1e3
            );
            // Back to the base for the next case.
            let p = plan(&client, &collect(&outputs(&[])).unwrap(), &mesos).await.unwrap();
            apply(&client, &p, &options, |_| {}).await.unwrap();
        }
    });
}
