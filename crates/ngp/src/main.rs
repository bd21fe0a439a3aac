//! ngp: the Next Gen Platform's command line. tfvars → generated root → modules → outputs.

mod cli;
mod commands;
mod pipeline;
mod project;
mod terminal;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use cli::{Cli, Command, ImagesCommand, ModuleCommand, RegistryCommand, VpnCommand};
use commands::{doctor, init, module as module_cmd, output, registry, run, setup, vpn};
use project::Project;

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
        } => {
            let applied = run::apply(&project, &env.env, auto_approve, saved_plan)?;
            pipeline::outputs::print_headline(&applied.catalog, &applied.outputs);
        }
        Command::Output {
            env,
            name,
            json,
            show_secrets,
        } => output::output(&project, &env.env, name.as_deref(), json, show_secrets)?,
        Command::Destroy { env, auto_approve } => run::destroy(&project, &env.env, auto_approve)?,
        Command::ForceUnlock { env, id, auto_approve } => run::force_unlock(&project, &env.env, &id, auto_approve)?,
        Command::Up { env, auto_approve } => run::up(&project, &env.env, auto_approve)?,
        Command::Apps(command) => commands::apps::apps(&project, command)?,
        Command::Local(command) => return commands::local::local(&project, command),
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
        Command::Registry(RegistryCommand::Check { env, address, ecr }) => registry::check(
            &project,
            &registry::CheckRequest {
                env: &env.env,
                address: address.as_deref(),
                ecr: ecr.as_deref(),
            },
        )?,
        Command::Images(ImagesCommand::Lock { env, json }) => commands::images::lock(&project, &env.env, json)?,
        Command::Snapshot(command) => commands::snapshot::snapshot(&project, command)?,
        Command::Setup => setup::setup(&project)?,
    }
    Ok(ExitCode::SUCCESS)
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

/// The async runtime for a command's AWS SDK and HTTP calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}
