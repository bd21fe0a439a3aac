//! Writing a file whole, so that no reader and no crash ever sees half of it: a temporary file in the same folder,
//! written and fsynced, given its mode, renamed over the target, then the folder fsynced so that the rename itself
//! survives a power cut. What a kill mid-write leaves is a temporary file named `.ngp-*`, never a torn target.

use std::fs::{File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The prefix of the temporary files: what a kill mid-write leaves behind, and [`remove_leftovers`] removes.
pub const PREFIX: &str = ".ngp-";

/// The mode the written file gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The mode of the file it replaces; 0600 for a new file.
    Keep,
    /// This mode, whatever the file had.
    Set(u32),
}

/// Writes `contents` to `path` whole, with `mode`. The folder must exist.
pub fn write_atomic(path: &Path, contents: &[u8], mode: Mode) -> io::Result<()> {
    let dir = dir_of(path);
    let mode = match (mode, std::fs::metadata(path)) {
        (Mode::Set(mode), _) => mode,
        (Mode::Keep, Ok(existing)) => existing.permissions().mode() & 0o7777,
        (Mode::Keep, Err(_)) => 0o600,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(PREFIX)
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}

/// Removes the temporary files an earlier run left in `dir` when it was killed mid-write; returns how many.
pub fn remove_leftovers(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(PREFIX) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The folder `path` is in (`.` for a bare file name).
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_replaced_file_has_the_new_contents_and_mode_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.tar.gz");
        write_atomic(&path, b"old", Mode::Set(0o644)).unwrap();
        write_atomic(&path, b"new", Mode::Set(0o600)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn keep_keeps_an_existing_mode_and_makes_a_new_file_private() {
        let dir = tempfile::tempdir().unwrap();
        let (new, old) = (dir.path().join("new"), dir.path().join("old"));
        write_atomic(&new, b"x", Mode::Keep).unwrap();
        assert_eq!(mode_of(&new), 0o600);
        std::fs::write(&old, b"1").unwrap();
        std::fs::set_permissions(&old, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&old, b"2", Mode::Keep).unwrap();
        assert_eq!((std::fs::read(&old).unwrap(), mode_of(&old)), (b"2".to_vec(), 0o640));
    }

    #[test]
    fn leftovers_of_a_killed_write_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".ngp-abc123"), b"half").unwrap();
        std::fs::write(dir.path().join("keep"), b"whole").unwrap();
        assert_eq!(remove_leftovers(dir.path()).unwrap(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
