//! `ngp local ...` and local mode's emulators: moto for AWS and the Marathon emulator, started when a command
//! in the local environment needs them.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::LocalCommand;
use crate::pipeline::workspace::PLAN_FILE;
use crate::project::{local_port, marathon_port, Project, LOCAL_ENV};

/// In local mode: the emulator's endpoint, starting it if needed.
pub fn ensure_emulator(project: &Project, env: &str) -> Result<Option<String>> {
    if env != LOCAL_ENV {
        return Ok(None);
    }
    let (emulator, started) = start_emulators(project, local_port()?)?;
    if started {
        eprintln!(
            "started the AWS emulator at {} (pid {})",
            emulator.endpoint(),
            emulator.pid
        );
    }
    Ok(Some(emulator.endpoint()))
}

/// Starts both emulators (moto on `port`, Marathon beside it) when they are not running. A freshly started
/// AWS emulator is empty, so the local state, which describes the previous one's resources, is cleared. A
/// failed start leaves nothing running: an AWS emulator started here is stopped again.
pub fn start_emulators(project: &Project, port: u16) -> Result<(ngp_local::Emulator, bool)> {
    let local = project.local_mode();
    let (emulator, started) = local.up(port, |msg| eprintln!("{msg}"))?;
    if let Err(e) = ensure_marathon(project) {
        if started {
            let _ = local.down();
        }
        return Err(e);
    }
    if started {
        clear_local_state(project);
    }
    Ok((emulator, started))
}

/// In local mode: the Marathon emulator beside moto, started if needed.
pub fn ensure_marathon(project: &Project) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the ngp program to run the Marathon emulator")?;
    let (marathon, started) = project.local_mode().marathon_up(&exe, marathon_port()?)?;
    if started {
        eprintln!(
            "started the Marathon emulator at {} (pid {})",
            marathon.endpoint(),
            marathon.pid
        );
    }
    Ok(())
}

/// Removes the local environment's state and saved plan: they describe an emulator that is gone.
pub fn clear_local_state(project: &Project) {
    let dir = project.workspace(LOCAL_ENV);
    for name in [
        "terraform.tfstate",
        "terraform.tfstate.backup",
        PLAN_FILE,
        "ngp.tfplan.sha256",
    ] {
        let _ = std::fs::remove_file(dir.join(name));
    }
}

/// The Marathon emulator in the foreground, on loopback (`ngp local up` starts it in the background).
fn serve_marathon(port: u16, config: ngp_marathon_emulator::Config) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        eprintln!("Marathon emulator on http://127.0.0.1:{port}");
        ngp_marathon_emulator::serve(listener, config).await?;
        anyhow::Ok(())
    })
}

/// `ngp local ...`: the emulators.
pub fn local(project: &Project, command: LocalCommand) -> Result<ExitCode> {
    match command {
        LocalCommand::Marathon {
            port,
            deployment_delay_ms,
            private_agents,
            public_agents,
        } => serve_marathon(
            port,
            ngp_marathon_emulator::Config {
                deployment_delay: std::time::Duration::from_millis(deployment_delay_ms),
                private_agents,
                public_agents,
            },
        )?,
        LocalCommand::Up { port } => {
            let (emulator, started) = start_emulators(project, port)?;
            if started {
                println!(
                    "started the AWS emulator at {} (pid {})",
                    emulator.endpoint(),
                    emulator.pid
                );
            } else {
                println!(
                    "the AWS emulator already runs at {} (pid {})",
                    emulator.endpoint(),
                    emulator.pid
                );
            }
        }
        LocalCommand::Down => {
            match project.local_mode().down()? {
                Some(e) => println!(
                    "stopped the AWS emulator (pid {}); the {LOCAL_ENV} environment's state went with it",
                    e.pid
                ),
                None => println!("the AWS emulator was not running"),
            }
            if let Some(m) = project.local_mode().marathon_down()? {
                println!("stopped the Marathon emulator (pid {})", m.pid);
            }
            clear_local_state(project);
        }
        LocalCommand::Status => match project.local_mode().status()? {
            Some(e) => {
                println!("the AWS emulator runs at {} (pid {})", e.endpoint(), e.pid);
                match project.local_mode().marathon_status() {
                    Some(m) => println!("the Marathon emulator runs at {} (pid {})", m.endpoint(), m.pid),
                    None => println!("the Marathon emulator is not running"),
                }
            }
            None => {
                println!("the AWS emulator is not running (it would use port {})", local_port()?);
                return Ok(ExitCode::from(3));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
