//! Ctrl-C and SIGTERM while terraform runs. Terraform runs in a process group of its own, so a Ctrl-C at the
//! terminal reaches ngp only; ngp passes the first signal on to terraform once, says that it is stopping safely,
//! and waits for terraform to finish its current operations and write its state. A second signal is passed on
//! too, which makes terraform stop at once. When no terraform runs, a signal ends ngp straight away: every file
//! ngp writes is written whole (a temporary file, then a rename), so nothing is left half-written.

use std::process::{Child, Command};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::OnceLock;

use rustix::process::{kill_process, Pid, Signal};
use signal_hook::consts::{SIGINT, SIGTERM};

/// The terraform process running now (0: none).
static CHILD: AtomicI32 = AtomicI32::new(0);
/// Signals received so far.
static RECEIVED: AtomicU32 = AtomicU32::new(0);

/// The exit code of a command stopped by a signal, as shells report SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Starts listening for SIGINT and SIGTERM; later calls do nothing.
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(mut signals) => {
            std::thread::spawn(move || signals.forever().for_each(|_| on_signal()));
        }
        Err(e) => tracing::warn!("cannot listen for Ctrl-C: {e}"),
    });
}

fn on_signal() {
    let count = RECEIVED.fetch_add(1, Ordering::SeqCst) + 1;
    let child = CHILD.load(Ordering::SeqCst);
    let Some(pid) = Pid::from_raw(child) else {
        eprintln!("\nInterrupted.");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    };
    if count == 1 {
        eprintln!(
            "\nStopping safely: terraform finishes what it is doing and saves its state. Press Ctrl-C again to force \
             it (state may then be lost)."
        );
    } else {
        eprintln!("\nForcing terraform to stop.");
    }
    let _ = kill_process(pid, Signal::INT);
}

/// Whether a signal arrived.
pub fn interrupted() -> bool {
    RECEIVED.load(Ordering::SeqCst) > 0
}

/// While it lives, signals are passed on to the terraform process it was made for.
pub struct Guard(());

/// Spawns `command` in a process group of its own; signals are passed on to it while the guard lives (keep it
/// until the process has been waited for).
pub fn spawn(command: &mut Command) -> std::io::Result<(Child, Guard)> {
    use std::os::unix::process::CommandExt;
    install();
    // What terraform writes (state, plans, backups) is readable by the user only: umask 077 for the child. The
    // mask is the process's; it is set back at once, and ngp writes its own files with explicit modes.
    let previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let spawned = command.process_group(0).spawn();
    rustix::process::umask(previous);
    let child = spawned?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    Ok((child, Guard(())))
}

impl Drop for Guard {
    fn drop(&mut self) {
        CHILD.store(0, Ordering::SeqCst);
    }
}
