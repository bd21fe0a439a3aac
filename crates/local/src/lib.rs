//! ngp-local: local mode's emulators as processes: moto for AWS and NGP's Marathon emulator.
//!
//! It installs a pinned moto into a project-local virtualenv when missing, starts each emulator detached on a
//! loopback port, records its pid and port, answers whether it is up, and stops it. Terraform's AWS provider is
//! then pointed at [`Emulator::endpoint`]; the Marathon emulator runs as `ngp local marathon`.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The moto release local mode runs, pinned.
pub const MOTO_REQUIREMENT: &str = "moto[server]==5.2.5";

/// The launcher: moto's server plus patches for emulator gaps. Written beside the pid record at each start.
const LAUNCHER: &str = include_str!("moto-launcher.py");

/// The loopback port the emulator listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 4599;

/// What can go wrong in local mode.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("port {port} on 127.0.0.1 is already in use by another program: stop it, or pick a free port with --port or NGP_LOCAL_PORT")]
    PortInUse { port: u16 },

    #[error("port {port} on 127.0.0.1, the Marathon emulator's, is already in use by another program: stop it, or pick a free port with NGP_LOCAL_MARATHON_PORT")]
    MarathonPortInUse { port: u16 },

    #[error("the emulator is already running on port {running}, not {wanted}: stop it first with `ngp local down`")]
    OtherPort { running: u16, wanted: u16 },

    #[error("cannot run {python}: {source}; install Python 3 with its venv module, or set NGP_PYTHON")]
    Python { python: String, source: std::io::Error },

    #[error("installing {what} failed: {output}")]
    Install { what: String, output: String },

    #[error("the emulator did not start: {reason}. Its log is {}", log.display())]
    Start { reason: String, log: PathBuf },

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running emulator, as recorded in `<state dir>/emulator.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emulator {
    pub pid: u32,
    pub port: u16,
}

impl Emulator {
    /// The URL Terraform's AWS provider and the AWS SDK use for every service.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Local mode's files: the virtualenv with moto, and the state folder with the pid record and the log.
#[derive(Debug, Clone)]
pub struct LocalMode {
    pub venv: PathBuf,
    pub state_dir: PathBuf,
    pub python: String,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

impl LocalMode {
    fn record(&self) -> PathBuf {
        self.state_dir.join("emulator.json")
    }

    pub fn log(&self) -> PathBuf {
        self.state_dir.join("emulator.log")
    }

    fn venv_python(&self) -> PathBuf {
        self.venv.join("bin/python")
    }

    /// Whether moto is installed in the virtualenv.
    pub fn installed(&self) -> bool {
        self.venv_python().exists() && self.venv.join(".ngp-installed").is_file()
    }

    /// Installs moto into the virtualenv unless it is there. The venv is built beside its final place and
    /// moved there only when complete, so an interrupted install leaves nothing half-made behind.
    pub fn ensure_installed(&self, mut say: impl FnMut(&str)) -> Result<(), Error> {
        if self.installed() {
            return Ok(());
        }
        say(&format!(
            "installing {MOTO_REQUIREMENT} into {} (once; about 30 s)",
            self.venv.display()
        ));
        let partial = self.venv.with_extension("partial");
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(io("remove", &partial))?;
        }
        if let Some(parent) = self.venv.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        let run = |cmd: &mut Command, what: &str| -> Result<(), Error> {
            let out = cmd.stdin(Stdio::null()).output().map_err(|source| Error::Python {
                python: self.python.clone(),
                source,
            })?;
            if out.status.success() {
                return Ok(());
            }
            let text = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
            let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = tail[tail.len().saturating_sub(3)..].join(" / ");
            Err(Error::Install {
                what: what.to_owned(),
                output: tail,
            })
        };
        run(
            Command::new(&self.python).args(["-m", "venv"]).arg(&partial),
            "a Python virtualenv",
        )?;
        run(
            Command::new(partial.join("bin/python")).args(["-m", "pip", "install", "--quiet", MOTO_REQUIREMENT]),
            MOTO_REQUIREMENT,
        )?;
        std::fs::write(partial.join(".ngp-installed"), MOTO_REQUIREMENT).map_err(io("write", &partial))?;
        if self.venv.exists() {
            std::fs::remove_dir_all(&self.venv).map_err(io("remove", &self.venv))?;
        }
        std::fs::rename(&partial, &self.venv).map_err(io("move", &partial))?;
        Ok(())
    }

    /// The recorded emulator, if it is still running and answering.
    pub fn status(&self) -> Result<Option<Emulator>, Error> {
        Ok(read_record(&self.record())?.filter(|e| is_process(e.pid, MOTO) && answers(e.port)))
    }

    /// Starts the emulator on `port` unless it already runs; returns it and whether it was started now.
    pub fn up(&self, port: u16, say: impl FnMut(&str)) -> Result<(Emulator, bool), Error> {
        if let Some(running) = on_port(self.status()?, port)? {
            return Ok((running, false));
        }
        // Check the port before anything slow, and say plainly who is in the way.
        drop(TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).map_err(|_| Error::PortInUse { port })?);
        self.ensure_installed(say)?;
        private_dir(&self.state_dir)?;
        let launcher = self.state_dir.join("moto-launcher.py");
        std::fs::write(&launcher, LAUNCHER).map_err(io("write", &launcher))?;
        let mut cmd = background(self.venv_python());
        cmd.arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS-managed IAM policies are attached by ARN; moto only knows them when asked to load them.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            // A requested ACM certificate turns ISSUED after this many seconds (60 by default): the validation
            // records are created, but nothing resolves them here.
            .env("MOTO_ACM_VALIDATION_WAIT", "1")
            .env_remove("AWS_CA_BUNDLE");
        let python = self.venv_python().display().to_string();
        let server = Server {
            what: "it",
            log: self.log(),
            record: self.record(),
            timeout: Duration::from_secs(30),
        };
        let emulator = server.start(cmd, port, || answers(port), |source| Error::Python { python, source })?;
        Ok((emulator, true))
    }

    /// Stops the recorded emulator. Returns it, or `None` when none was running.
    pub fn down(&self) -> Result<Option<Emulator>, Error> {
        stop_recorded(&self.record(), MOTO)
    }
}

/// The Marathon emulator, run as `<ngp> local marathon --port P` in the background beside moto.
impl LocalMode {
    fn marathon_record(&self) -> PathBuf {
        self.state_dir.join("marathon.json")
    }

    /// The recorded Marathon emulator, if it runs and answers.
    pub fn marathon_status(&self) -> Option<Emulator> {
        read_record(&self.marathon_record())
            .ok()
            .flatten()
            .filter(|e| is_process(e.pid, MARATHON) && marathon_answers(e.port))
    }

    /// Starts the Marathon emulator (the program `exe`, normally ngp itself) on `port` unless it runs.
    pub fn marathon_up(&self, exe: &Path, port: u16) -> Result<(Emulator, bool), Error> {
        if let Some(running) = on_port(self.marathon_status(), port)? {
            return Ok((running, false));
        }
        drop(
            TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))
                .map_err(|_| Error::MarathonPortInUse { port })?,
        );
        private_dir(&self.state_dir)?;
        let mut cmd = background(exe);
        cmd.args(["local", "marathon", "--port", &port.to_string()]);
        let server = Server {
            what: "the Marathon emulator",
            log: self.state_dir.join("marathon.log"),
            record: self.marathon_record(),
            timeout: Duration::from_secs(10),
        };
        let emulator = server.start(cmd, port, || marathon_answers(port), io("run", exe))?;
        Ok((emulator, true))
    }

    /// Stops the Marathon emulator; returns it, or `None` when it was not running.
    pub fn marathon_down(&self) -> Result<Option<Emulator>, Error> {
        stop_recorded(&self.marathon_record(), MARATHON)
    }
}

/// Whether a Marathon API answers `/v2/info` on `port`.
pub fn marathon_answers(port: u16) -> bool {
    answers_at(port, "/v2/info")
}

/// The recorded server when it runs on `port`; an error when it runs on another one.
fn on_port(running: Option<Emulator>, port: u16) -> Result<Option<Emulator>, Error> {
    match running {
        Some(e) if e.port != port => Err(Error::OtherPort {
            running: e.port,
            wanted: port,
        }),
        other => Ok(other),
    }
}

/// A background server of local mode: what it is called in errors, where it logs, where its pid and port are
/// recorded, and how long it may take to answer.
struct Server<'a> {
    what: &'a str,
    log: PathBuf,
    record: PathBuf,
    timeout: Duration,
}

impl Server<'_> {
    /// Starts `cmd` logging to the server's log, waits until `answers`, and records the pid and `port`.
    fn start(
        &self,
        mut cmd: Command,
        port: u16,
        answers: impl Fn() -> bool,
        spawn_error: impl FnOnce(std::io::Error) -> Error,
    ) -> Result<Emulator, Error> {
        let log = std::fs::File::create(&self.log).map_err(io("create", &self.log))?;
        let log_err = log.try_clone().map_err(io("open", &self.log))?;
        cmd.stdin(Stdio::null()).stdout(log).stderr(log_err);
        let child = cmd.spawn().map_err(spawn_error)?;
        let emulator = Emulator {
            pid: wait_until_it_answers(child, &self.log, self.timeout, self.what, answers)?,
            port,
        };
        let json = serde_json::to_string_pretty(&emulator).expect("serialisable");
        std::fs::write(&self.record, json).map_err(io("write", &self.record))?;
        Ok(emulator)
    }
}

/// A command for a background server: in its own process group, so a Ctrl-C aimed at ngp does not stop it.
fn background(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    cmd
}

/// Waits until a freshly started server answers; returns its pid. `what` names it in errors.
fn wait_until_it_answers(
    mut child: std::process::Child,
    log: &Path,
    timeout: Duration,
    what: &str,
    answers: impl Fn() -> bool,
) -> Result<u32, Error> {
    let deadline = Instant::now() + timeout;
    while !answers() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Error::Start {
                reason: format!("{what} exited with {status}: {}", tail(log)),
                log: log.to_owned(),
            });
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(Error::Start {
                reason: format!("{what} did not answer within {} s", timeout.as_secs()),
                log: log.to_owned(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(child.id())
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(2)..].join(" / ")
}

/// Whether the emulator's API answers on `port`.
pub fn answers(port: u16) -> bool {
    answers_at(port, "/moto-api/")
}

/// Whether `GET http://127.0.0.1:<port><path>` succeeds within 2 s.
fn answers_at(port: u16, path: &str) -> bool {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build();
    let Ok(client) = client else { return false };
    client
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()
        .is_ok_and(|r| r.status().is_success())
}

/// Whether `pid` is a live moto process (not a recycled pid, not a zombie).
/// The words that mark each emulator's process in its command line.
const MOTO: &str = "moto";
const MARATHON: &str = "marathon";

/// A pid record, or `None` when there is none (or it is unreadable as a record).
fn read_record(path: &Path) -> Result<Option<Emulator>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Stops the process a record names (when it is still the one marked by `marker`) and removes the record.
/// Creates a folder (and its missing parents, such as `.ngp/`) readable by the user only.
fn private_dir(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io("create", path))
}

fn stop_recorded(path: &Path, marker: &str) -> Result<Option<Emulator>, Error> {
    let stopped = read_record(path)?.filter(|e| is_process(e.pid, marker));
    if let Some(e) = &stopped {
        terminate_process(e.pid, marker);
    }
    if path.exists() {
        std::fs::remove_file(path).map_err(io("remove", path))?;
    }
    Ok(stopped)
}

/// Whether `pid` is a live process (not a recycled pid, not a zombie) whose command line holds `marker`.
fn is_process(pid: u32, marker: &str) -> bool {
    let Some(pid_t) = to_pid(pid) else {
        return false;
    };
    // Signal 0: only whether the process exists.
    if rustix::process::test_kill_process(pid_t).is_err() {
        return false;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !Path::new("/proc/self").exists() {
        return true; // no procfs: trust the record
    }
    let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
    let stat = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
    let zombie = stat
        .rsplit(')')
        .next()
        .is_some_and(|rest| rest.trim_start().starts_with('Z'));
    !zombie && String::from_utf8_lossy(&cmdline).contains(marker)
}

fn to_pid(pid: u32) -> Option<rustix::process::Pid> {
    i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw)
}

/// SIGTERM, then SIGKILL after 5 s, to a process we started and checked.
fn terminate_process(pid: u32, marker: &str) {
    use rustix::process::{kill_process, Signal};
    let Some(pid_t) = to_pid(pid) else { return };
    let _ = kill_process(pid_t, Signal::TERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_process(pid, marker) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if is_process(pid, marker) {
        let _ = kill_process(pid_t, Signal::KILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_refused_before_anything_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let local = LocalMode {
            venv: dir.path().join("venv"),
            state_dir: dir.path().join("state"),
            python: "python3".into(),
        };
        let err = local
            .up(port, |_| panic!("nothing is installed for a taken port"))
            .unwrap_err();
        assert!(matches!(err, Error::PortInUse { port: p } if p == port), "{err}");
        assert!(!dir.path().join("venv").exists());
    }

    #[test]
    fn no_record_means_not_running_and_down_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let local = LocalMode {
            venv: dir.path().join("venv"),
            state_dir: dir.path().join("state"),
            python: "python3".into(),
        };
        assert_eq!(local.status().unwrap(), None);
        assert_eq!(local.down().unwrap(), None);
    }

    #[test]
    fn a_stale_record_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let local = LocalMode {
            venv: dir.path().join("venv"),
            state_dir: dir.path().to_owned(),
            python: "python3".into(),
        };
        // Our own pid is alive but is not moto.
        std::fs::write(
            dir.path().join("emulator.json"),
            format!("{{\"pid\": {}, \"port\": 1}}", std::process::id()),
        )
        .unwrap();
        assert_eq!(local.status().unwrap(), None);
        assert_eq!(local.down().unwrap(), None);
        assert!(!dir.path().join("emulator.json").exists());
    }
}
