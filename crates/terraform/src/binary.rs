//! The terraform program: finding it (PATH or NGP_TERRAFORM), running it in a workspace, reading its `-json`
//! events line by line, passing Ctrl-C on to it once and waiting for it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{interrupt, Error, Event};

/// The environment variable that names the terraform binary to use instead of the one on PATH.
pub const TERRAFORM_ENV: &str = "NGP_TERRAFORM";

/// The terraform CLI, run in one working directory with a fixed environment.
#[derive(Debug, Clone)]
pub struct Terraform {
    program: PathBuf,
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Terraform {
    /// Finds terraform: `$NGP_TERRAFORM`, else `terraform` on PATH.
    pub fn locate(dir: &Path) -> Result<Self, Error> {
        let program = match std::env::var_os(TERRAFORM_ENV) {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(Error::BadPath { path });
                }
                path
            }
            None => which::which("terraform").map_err(|_| Error::NotFound)?,
        };
        Ok(Self {
            program,
            dir: dir.to_owned(),
            env: Vec::new(),
        })
    }

    /// Sets an environment variable for every run.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(args)
            .current_dir(&self.dir)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0");
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn spawn_error(&self, source: std::io::Error) -> Error {
        Error::Spawn {
            program: self.program.clone(),
            source,
        }
    }

    /// An error for a run that ended without success: `Interrupted` when a signal stopped it.
    fn failure(args: &[&str], message: impl FnOnce() -> String) -> Error {
        let command = args.first().copied().unwrap_or("").to_owned();
        if interrupt::interrupted() {
            Error::Interrupted { command }
        } else {
            Error::Failed {
                command,
                message: message(),
            }
        }
    }

    /// Runs terraform and returns its standard output; a non-zero exit is an error carrying its stderr.
    pub fn output(&self, args: &[&str]) -> Result<String, Error> {
        let mut command = self.command(args);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let (child, _guard) = interrupt::spawn(&mut command).map_err(|e| self.spawn_error(e))?;
        let out = child.wait_with_output().map_err(|e| self.spawn_error(e))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            return Err(Self::failure(args, || first_error(&stderr, &stdout)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Formats HCL text as `terraform fmt` does (`terraform fmt -`).
    pub fn fmt(&self, text: &str) -> Result<String, Error> {
        use std::io::Write;
        let mut child = Command::new(&self.program)
            .args(["fmt", "-no-color", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = text.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().map_err(|source| Error::Spawn {
            program: self.program.clone(),
            source,
        })?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(Error::Failed {
                command: "fmt".into(),
                message: first_error(&String::from_utf8_lossy(&out.stderr), ""),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs terraform with `-json` output, handing each event to `on_event` as it arrives. Returns the exit
    /// code when it is one of `ok_codes`; otherwise an error made of Terraform's error diagnostics.
    pub fn run_json(&self, args: &[&str], ok_codes: &[i32], mut on_event: impl FnMut(&Event)) -> Result<i32, Error> {
        let mut command = self.command(args);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let (mut child, _guard) = interrupt::spawn(&mut command).map_err(|e| self.spawn_error(e))?;
        let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
        let stderr_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            text
        });
        let mut errors = Vec::new();
        let mut locked = None;
        let mut invalid = Vec::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Some(event) = Event::parse(&line) else { continue };
            if let Some(diag) = event.diagnostic.as_ref().filter(|d| d.severity == "error") {
                locked = locked.or_else(|| self.lock_holder(diag));
                invalid.extend(diag.invalid_variable());
                errors.push(diag.one_line());
            }
            on_event(&event);
        }
        let status = child.wait().map_err(|e| self.spawn_error(e))?;
        let stderr = stderr_reader.join().unwrap_or_default();
        let code = status.code().unwrap_or(1);
        if ok_codes.contains(&code) && !interrupt::interrupted() {
            return Ok(code);
        }
        if let Some(locked) = locked {
            return Err(locked);
        }
        if !invalid.is_empty() && !interrupt::interrupted() {
            // The user's own values: the caller knows where each was set.
            return Err(Error::InvalidValues(invalid));
        }
        // The user's own mistakes (invalid variable values) first: they are the ones to fix.
        errors.sort_by_key(|e| !e.starts_with("Invalid value for variable"));
        Err(Self::failure(args, || {
            if errors.is_empty() {
                first_error(&stderr, "")
            } else {
                errors.join("; ")
            }
        }))
    }
}

impl Terraform {
    /// Who holds the state lock, from terraform's "Error acquiring the state lock" diagnostic.
    fn lock_holder(&self, diag: &crate::Diagnostic) -> Option<Error> {
        if diag.summary != "Error acquiring the state lock" {
            return None;
        }
        let field = |name: &str| {
            diag.detail
                .lines()
                .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_owned()))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "someone".to_owned())
        };
        let env = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(Error::Locked {
            env,
            id: field("ID:"),
            who: field("Who:"),
            created: field("Created:"),
            operation: field("Operation:").trim_start_matches("OperationType").to_lowercase(),
        })
    }
}

/// The gist of a failed command's output: its "Error:" lines and what follows, on one line.
fn first_error(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() { stdout } else { stderr };
    let cleaned: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']).trim())
        .filter(|l| !l.is_empty())
        .collect();
    let start = cleaned.iter().position(|l| l.starts_with("Error")).unwrap_or(0);
    let joined = cleaned[start..].join(" ");
    if joined.is_empty() {
        "it printed nothing".to_owned()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_skips_box_drawing_and_warnings() {
        let stderr = "╷\n│ Warning: something\n╵\n╷\n│ Error: Invalid value\n│ \n│ The thing is wrong.\n╵\n";
        assert_eq!(first_error(stderr, ""), "Error: Invalid value The thing is wrong.");
    }
}
