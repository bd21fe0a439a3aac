//! ngp: the Next Gen Platform's command line. tfvars → generated root → modules → outputs.

mod apps_cmd;
mod certificates;
mod cli;
mod doctor;
mod init;
mod module_cmd;
mod output;
mod project;
mod run;
mod setup;
mod table;
mod vpn;
mod workspace;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use cli::{AppsArgs, AppsCommand, Cli, Command, LocalCommand, ModuleCommand, VpnCommand};
use project::{local_port, Project, LOCAL_ENV};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NGP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .without_time()
        .with_writer(std::io::stderr)
        .init();

    ngp_terraform::interrupt::install();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", console::style("error:").red().bold().for_stderr());
            let interrupted = err
                .chain()
                .any(|e| matches!(e.downcast_ref(), Some(ngp_terraform::Error::Interrupted { .. })));
            if interrupted {
                ExitCode::from(ngp_terraform::interrupt::EXIT_INTERRUPTED)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let project = Project::find(cli.project_dir.as_deref())?;
    project.secure_state_dir()?;
    match cli.command {
        Command::Init { modules, env } => init::init(&project, modules, env.as_deref())?,
        Command::Validate(e) => run::validate(&project, &e.env)?,
        Command::Plan {
            env,
            detailed_exitcode,
            json,
        } => return run::plan(&project, &env.env, detailed_exitcode, json),
        Command::Apply {
            env,
            auto_approve,
            saved_plan,
        } => run::apply(&project, &env.env, auto_approve, saved_plan, true)?,
        Command::Output {
            env,
            name,
            json,
            show_secrets,
        } => output::output(&project, &env.env, name.as_deref(), json, show_secrets)?,
        Command::Destroy { env, auto_approve } => run::destroy(&project, &env.env, auto_approve)?,
        Command::ForceUnlock { env, id, auto_approve } => run::force_unlock(&project, &env.env, &id, auto_approve)?,
        Command::Up { env, auto_approve } => up(&project, &env.env, auto_approve)?,
        Command::Apps(command) => apps(&project, command)?,
        Command::Local(command) => return local(&project, command),
        Command::Doctor { env, download, json } => doctor::doctor(
            &project,
            &doctor::DoctorRequest {
                env: &env.env,
                download,
                json,
            },
        )?,
        Command::Module(command) => module(&project, command)?,
        Command::Vpn(command) => vpn(&project, command)?,
        Command::Setup => setup::setup(&project)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `ngp up`: init when there is no ngp.tfvars yet, apply, then every output.
fn up(project: &Project, env: &str, auto_approve: bool) -> Result<()> {
    if !project.dir.join(ngp_config::BASE_FILE).exists() {
        init::init(project, None, None)?;
    }
    run::apply(project, env, auto_approve, false, false)?;
    println!();
    output::output(project, env, None, false, false)
}

fn module(project: &Project, command: ModuleCommand) -> Result<()> {
    match command {
        ModuleCommand::List { json } => module_cmd::list(project, json),
        ModuleCommand::New { name } => module_cmd::new(project, &name),
        ModuleCommand::Docs { check } => module_cmd::docs(project, check),
    }
}

fn vpn(project: &Project, command: VpnCommand) -> Result<()> {
    let VpnCommand::Profile {
        env,
        user,
        url,
        ca_cert,
        output,
    } = command;
    let request = vpn::ProfileRequest {
        env: &env.env,
        user: user.as_deref(),
        url: url.as_deref(),
        ca_cert: ca_cert.as_deref(),
        output: output.as_ref(),
    };
    vpn::profile(project, &request)
}

/// `ngp apps ...`: the request from the shared arguments, then the subcommand.
fn apps(project: &Project, command: AppsCommand) -> Result<()> {
    let (args, force) = match &command {
        AppsCommand::Plan { args, .. } | AppsCommand::Status { args, .. } => (args, false),
        AppsCommand::Apply { args, force } | AppsCommand::Remove { args, force, .. } => (args, *force),
    };
    let req = apps_request(args, force);
    match command {
        AppsCommand::Plan { json, .. } => apps_cmd::plan(project, &req, json)?,
        AppsCommand::Apply { .. } => apps_cmd::apply(project, &req)?,
        AppsCommand::Status { json, .. } => apps_cmd::status(project, &req, json)?,
        AppsCommand::Remove { auto_approve, .. } => apps_cmd::remove(project, &req, auto_approve)?,
    }
    Ok(())
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
fn local(project: &Project, command: LocalCommand) -> Result<ExitCode> {
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
            let (emulator, started) = run::start_emulators(project, port)?;
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
            run::clear_local_state(project);
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

/// The async runtime for a command's AWS SDK and HTTP calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

fn apps_request(args: &AppsArgs, force: bool) -> apps_cmd::AppsRequest<'_> {
    apps_cmd::AppsRequest {
        env: &args.env.env,
        marathon_url: args.marathon_url.as_deref(),
        force,
        timeout: std::time::Duration::from_secs(args.timeout),
    }
}
