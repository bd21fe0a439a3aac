//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ngp stands up the Next Gen Platform: a network, a VPN, a DC/OS cluster and its apps, from the modules you
/// choose, on AWS or, with `--env local`, on a local AWS emulator.
#[derive(Debug, Parser)]
#[command(name = "ngp", version, about, propagate_version = true)]
pub struct Cli {
    /// The NGP project folder (the one holding modules/). Default: the nearest such folder above the current one.
    #[arg(long, global = true, env = "NGP_PROJECT_DIR", value_name = "DIR")]
    pub project_dir: Option<PathBuf>,

    /// More detail on stderr (-v: what ngp runs; -vv: everything).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct EnvArg {
    /// The environment: reads ngp.tfvars plus ngp.<env>.tfvars, and keeps its state in .ngp/<env>/. `local`
    /// runs on the local AWS emulator.
    #[arg(long, short = 'e', env = "NGP_ENV", default_value = "default", value_name = "NAME")]
    pub env: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Choose modules and write ngp.tfvars (or ngp.<env>.tfvars) from their example values, keeping your edits.
    Init {
        /// The modules to enable, comma-separated. Without it, on a terminal, ngp asks for each module.
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        modules: Option<Vec<String>>,
        /// Write the overlay ngp.<env>.tfvars instead of ngp.tfvars.
        #[arg(long, short = 'e', value_name = "NAME")]
        env: Option<String>,
    },
    /// Check the generated configuration with `terraform validate`.
    Validate(EnvArg),
    /// Show what apply would change, grouped by module, and save the plan.
    Plan {
        #[command(flatten)]
        env: EnvArg,
        /// Exit 0 when nothing changes, 2 when something does, 1 on error (as terraform does).
        #[arg(long)]
        detailed_exitcode: bool,
        /// Print the summary as JSON: counts by module, replaced and destroyed addresses.
        #[arg(long)]
        json: bool,
    },
    /// Create or update the environment's resources.
    Apply {
        #[command(flatten)]
        env: EnvArg,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// Apply the plan `ngp plan` saved, exactly; refused when anything changed since.
        #[arg(long)]
        saved_plan: bool,
    },
    /// Print the environment's outputs, by module.
    Output {
        #[command(flatten)]
        env: EnvArg,
        /// One output, as `<module>.<output>` or just `<output>` when only one module has it; printed raw.
        name: Option<String>,
        /// Print JSON: {"<module>": {"<output>": value}}.
        #[arg(long)]
        json: bool,
        /// Print sensitive values instead of hiding them.
        #[arg(long)]
        show_secrets: bool,
    },
    /// Destroy every resource of the environment.
    Destroy {
        #[command(flatten)]
        env: EnvArg,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Release the state lock of a run that is gone (a crashed or killed one), after a confirmation.
    ForceUnlock {
        #[command(flatten)]
        env: EnvArg,
        /// The lock's ID, as the lock error shows it.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Everything at once: init with the default modules if there is no ngp.tfvars, start the emulator in
    /// local mode, apply, and print the outputs.
    Up {
        #[command(flatten)]
        env: EnvArg,
        /// Do not ask for confirmation (in local mode, asked only when the plan destroys or replaces something).
        #[arg(long)]
        auto_approve: bool,
    },
    /// Check an environment's prerequisites before an apply: terraform, the tfvars, the region and credentials,
    /// the hosted zone, the AMIs and the DC/OS installer (in local mode: the emulator).
    Doctor {
        #[command(flatten)]
        env: EnvArg,
        /// Also download what the modules pin (such as an installer) and check its sha256 (it may be large).
        #[arg(long)]
        download: bool,
        /// Print JSON: each check with its status (ok, fail, skip) and detail.
        #[arg(long)]
        json: bool,
    },
    /// Work with modules.
    #[command(subcommand)]
    Module(ModuleCommand),
    /// The cluster's apps: the modules' `marathon_apps` outputs, reconciled with Marathon by diff.
    #[command(subcommand)]
    Apps(AppsCommand),
    /// The OpenVPN Access Server: download connection profiles.
    #[command(subcommand)]
    Vpn(VpnCommand),
    /// The private registry (or an ECR repository): prove it end to end with a real push.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Container images: pin every image input's tag by digest (ngp.images.lock).
    #[command(subcommand)]
    Images(ImagesCommand),
    /// Marathon snapshots: the whole app and group tree in S3; take, list, show, restore.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Start, stop or check the local AWS emulator.
    #[command(subcommand)]
    Local(LocalCommand),
    /// Prepare this machine: a Terraform CLI config for a local provider mirror (when there is one and you
    /// have no config yet) and the emulator's virtualenv.
    Setup,
}

#[derive(Debug, Subcommand)]
pub enum ModuleCommand {
    /// List the modules found in modules/.
    List {
        /// Print JSON: each module with its description, default, inputs and outputs.
        #[arg(long)]
        json: bool,
    },
    /// Create modules/NAME/ with its four files.
    New {
        /// Lower-case letters, digits, '-' and '_'.
        name: String,
    },
    /// Write each module's README.md (inputs, outputs, apps) from its .tf files.
    Docs {
        /// Write nothing; exit 1 naming the READMEs that are stale.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Start the emulator (installing it first if needed).
    Up {
        /// The loopback port.
        #[arg(long, env = "NGP_LOCAL_PORT", default_value_t = ngp_local::DEFAULT_PORT, value_parser = loopback_port)]
        port: u16,
    },
    /// Stop the emulator. Its resources are gone with it, so the local environment's state is cleared too.
    Down,
    /// Say whether the emulator runs, and where.
    Status,
    /// Run the Marathon emulator in the foreground (`ngp local up` starts it in the background).
    #[command(hide = true)]
    Marathon {
        #[arg(long)]
        port: u16,
        /// How long a deployment keeps its apps locked, in milliseconds.
        #[arg(long, env = "NGP_LOCAL_MARATHON_DELAY_MS", default_value_t = 500)]
        deployment_delay_ms: u64,
        /// Private agents the emulated Mesos reports.
        #[arg(long, env = "NGP_LOCAL_PRIVATE_AGENTS", default_value_t = 1)]
        private_agents: u32,
        /// Public agents the emulated Mesos reports.
        #[arg(long, env = "NGP_LOCAL_PUBLIC_AGENTS", default_value_t = 1)]
        public_agents: u32,
    },
}

#[derive(Debug, Clone, Args)]
pub struct AppsArgs {
    #[command(flatten)]
    pub env: EnvArg,
    /// Marathon's URL. Default: the local emulator in local mode, else the `marathon_url` output (with a token
    /// from NGP_DCOS_TOKEN, or a login with the `marathon_login` output).
    #[arg(long, env = "NGP_MARATHON_URL", value_name = "URL")]
    pub marathon_url: Option<String>,
    /// Seconds to wait for a lock and for each deployment.
    #[arg(long, default_value_t = ngp_apps::DEFAULT_WAIT.as_secs(), value_name = "SECONDS")]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Show what would change: apps to create, update (with the keys) and remove.
    Plan {
        #[command(flatten)]
        args: AppsArgs,
        /// Print the plan as JSON, with the group bodies NGP would write.
        #[arg(long)]
        json: bool,
    },
    /// Write the changes (one group PUT per changed module) and wait for the deployments.
    Apply {
        #[command(flatten)]
        args: AppsArgs,
        /// Cancel deployments that lock NGP's apps instead of waiting for them.
        #[arg(long)]
        force: bool,
    },
    /// List NGP's apps on Marathon, with instances, running tasks and deployments.
    Status {
        #[command(flatten)]
        args: AppsArgs,
        /// Print JSON: each app's id, instances, running tasks and deployments.
        #[arg(long)]
        json: bool,
    },
    /// Remove every NGP group (`/ngp/<module>`) from Marathon; nothing else is touched.
    Remove {
        #[command(flatten)]
        args: AppsArgs,
        /// Cancel deployments that lock NGP's apps instead of waiting for them.
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum VpnCommand {
    /// Download a user-locked client profile (`ngp vpn profile > client.ovpn`) from the Access Server's REST API.
    Profile {
        #[command(flatten)]
        env: EnvArg,
        /// The VPN user. Default: the admin user, whose generated password ngp reads from the outputs. Another
        /// user's password comes from NGP_VPN_PASSWORD or, on a terminal, a prompt.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// The Access Server's URL. Default: the `vpn_connect_url` output.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// A PEM CA certificate to trust for the server (the Access Server's own certificate is self-signed).
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// Write the profile to FILE (readable by you only) instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Push a tiny image built here (no Docker needed), pull it back, verify its digests, find its objects in the
    /// registry's bucket, then delete it; each step timed. The registry, its CA and its password come from the
    /// outputs and Secrets Manager.
    Check {
        #[command(flatten)]
        env: EnvArg,
        /// The registry's host:port. Default: the `registry_address` output (reachable inside the cluster).
        #[arg(long, value_name = "HOST:PORT")]
        address: Option<String>,
        /// Check this ECR repository instead, with an ECR token.
        #[arg(long, value_name = "REPO", conflicts_with = "address")]
        ecr: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Ask each image's registry for the digest its tag names now and keep it in ngp.images.lock; every plan
    /// then passes the images by digest. Run it again to take newer images under the same tags.
    Lock {
        #[command(flatten)]
        env: EnvArg,
        /// Print the pins as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Where snapshots are kept, and the Marathon they come from.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub apps: AppsArgs,
    /// The snapshots' bucket. Default: the `snapshot_bucket` output.
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// The key prefix. Default: the `snapshot_prefix` output, else `marathon`.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The cluster's name in the keys. Default: the `snapshot_cluster` output, else the environment's name.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Read Marathon's whole tree (every field of every app, groups, dependencies) and store it as one document.
    Take {
        #[command(flatten)]
        args: SnapshotArgs,
        /// Print the new snapshot's id and counts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The stored snapshots, newest first, with sizes and counts.
    List {
        #[command(flatten)]
        args: SnapshotArgs,
        /// How many, newest first.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One snapshot's metadata, checked (whole, its schema, its checksum); `--tree` prints its tree.
    Show {
        #[command(flatten)]
        args: SnapshotArgs,
        /// A snapshot id, or `latest`.
        id: String,
        #[arg(long)]
        tree: bool,
    },
    /// Put a snapshot's tree back with group PUTs, so groups and dependencies survive. Deletes nothing that
    /// the snapshot lacks unless `--prune`.
    Restore {
        #[command(flatten)]
        args: SnapshotArgs,
        /// A snapshot id, or `latest`.
        id: String,
        /// Restore this group only.
        #[arg(long, value_name = "/PATH", default_value = "/")]
        only: String,
        /// Show what would change (Marathon's dry run too) and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also remove apps and groups the snapshot lacks (below --only).
        #[arg(long)]
        prune: bool,
        /// Cancel a deployment that holds an app instead of failing.
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
}

/// A port to bind on loopback: 1-65535. Port 0 would let the system pick one that ngp could not find again.
fn loopback_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!(
            "NGP_LOCAL_PORT (or --port) must be a port number from 1 to 65535, not {text:?}"
        )),
        Ok(port) => Ok(port),
    }
}
