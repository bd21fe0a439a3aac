//! ngp: the Next Gen Platform's command line. tfvars → generated root → modules → outputs.

mod cli;
mod doctor;
mod init;
mod module_cmd;
mod output;
mod project;
mod run;
mod setup;
mod vpn;
mod workspace;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use cli::{Cli, Command, LocalCommand, ModuleCommand, VpnCommand};
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

    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", console::style("error:").red().bold().for_stderr());
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let project = Project::find(cli.project_dir.as_deref())?;
    match cli.command {
        Command::Init { modules, env } => init::init(&project, modules, env.as_deref())?,
        Command::Validate(e) => run::validate(&project, &e.env)?,
        Command::Plan { env, detailed_exitcode } => return run::plan(&project, &env.env, detailed_exitcode),
        Command::Apply {
            env,
            auto_approve,
            saved_plan,
        } => run::apply(&project, &env.env, auto_approve, saved_plan)?,
        Command::Output {
            env,
            name,
            json,
            show_secrets,
        } => output::output(&project, &env.env, name.as_deref(), json, show_secrets)?,
        Command::Destroy { env, auto_approve } => run::destroy(&project, &env.env, auto_approve)?,
        Command::Up { env, auto_approve } => {
            if !project.dir.join(ngp_config::BASE_FILE).exists() {
                init::init(&project, None, None)?;
            }
            run::apply(&project, &env.env, auto_approve, false)?;
            println!();
            output::output(&project, &env.env, None, false, false)?;
        }
        Command::Doctor { env, download } => doctor::doctor(
            &project,
            &doctor::DoctorRequest {
                env: &env.env,
                download,
            },
        )?,
        Command::Module(ModuleCommand::List) => module_cmd::list(&project)?,
        Command::Module(ModuleCommand::New { name }) => module_cmd::new(&project, &name)?,
        Command::Vpn(VpnCommand::Profile {
            env,
            user,
            url,
            ca_cert,
            output,
        }) => vpn::profile(
            &project,
            &vpn::ProfileRequest {
                env: &env.env,
                user: user.as_deref(),
                url: url.as_deref(),
                ca_cert: ca_cert.as_deref(),
                output: output.as_ref(),
            },
        )?,
        Command::Local(LocalCommand::Up { port }) => {
            let (emulator, started) = project.local_mode().up(port, |m| eprintln!("{m}"))?;
            if started {
                run::clear_local_state(&project);
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
        Command::Local(LocalCommand::Down) => {
            match project.local_mode().down()? {
                Some(e) => println!(
                    "stopped the AWS emulator (pid {}); the {LOCAL_ENV} environment's state went with it",
                    e.pid
                ),
                None => println!("the AWS emulator was not running"),
            }
            run::clear_local_state(&project);
        }
        Command::Local(LocalCommand::Status) => match project.local_mode().status()? {
            Some(e) => println!("the AWS emulator runs at {} (pid {})", e.endpoint(), e.pid),
            None => {
                println!("the AWS emulator is not running (it would use port {})", local_port()?);
                return Ok(ExitCode::from(3));
            }
        },
        Command::Setup => setup::setup(&project)?,
    }
    Ok(ExitCode::SUCCESS)
}
