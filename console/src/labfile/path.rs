//! What a `--state` name leads to, checked before anything runs: symlinks
//! followed to the real file (a rewrite renames over the target, so the
//! link stays a link and keeps reaching the lab), and anything but a
//! writable regular file refused with a message that says nothing ran.

use std::path::{Path, PathBuf};

/// How many links a name may go through (as the kernel's ELOOP limit).
const MAX_LINKS: usize = 40;

/// The real file `path` names (following symlinks, even a dangling one, to
/// where the file is or will be created), checked to be a writable regular
/// file if it exists. Uses symlink-aware metadata only: nothing is opened,
/// so a FIFO cannot block the program here.
pub fn resolve_for_writing(path: &Path) -> Result<PathBuf, String> {
    let real = follow_links(path)?;
    match std::fs::symlink_metadata(&real) {
        Ok(m) if m.is_file() && m.permissions().readonly() => Err(refused(
            path,
            "it is read-only; make it writable (chmod u+w) to let runs save to it",
        )),
        Ok(m) if m.is_file() => Ok(real),
        Ok(m) => Err(refused(path, &format!("it is {}", kind_of(&m)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(real),
        Err(e) => Err(refused(path, &e.to_string())),
    }
}

/// The same checks for a file only read (`snaplab check`): it must exist.
pub fn resolve_for_reading(path: &Path) -> Result<PathBuf, String> {
    let real = follow_links(path)?;
    match std::fs::symlink_metadata(&real) {
        Ok(m) if m.is_file() => Ok(real),
        Ok(m) => Err(format!("{}: it is {}", path.display(), kind_of(&m))),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn refused(path: &Path, why: &str) -> String {
    format!(
        "{}: {why} (nothing was run; the file was not changed)",
        path.display()
    )
}

fn kind_of(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe), not a lab file";
        }
        if t.is_socket() {
            return "a socket, not a lab file";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device, not a lab file";
        }
    }
    if t.is_dir() {
        "a directory, not a file"
    } else {
        "not a regular file"
    }
}

/// Follows `path` through symlinks to the name of the real file.
fn follow_links(path: &Path) -> Result<PathBuf, String> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&at)
                    .map_err(|e| format!("{}: reading its link: {e}", path.display()))?;
                // A relative target is relative to the link's folder.
                at = match at.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(refused(path, "it goes through too many symbolic links"))
}
