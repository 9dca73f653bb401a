//! Every file operation the lab file layer makes, behind one trait: the
//! real file system natively, and in the tests a simulated one that can
//! fail or stop (a crash) at any write, flush or rename, so the save path
//! is checked against what must be durable at every step.

use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// Which file a handle or a name leads to (device and inode natively):
/// after a rewrite renames a new file over the name, a run still holding
/// the old one can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(pub u64, pub u64);

/// The operations of the save path. A handle is `Self::File`.
pub trait LabIo: Sync {
    type File: Send + Sync;
    /// Opens an existing regular file for reading and writing, without
    /// following a symlink in its last part and without blocking (a FIFO).
    fn open(&self, path: &Path) -> io::Result<Self::File>;
    /// Creates `path` for reading and writing, failing if anything is
    /// there (a planted symlink included), with `like`'s permissions.
    fn create_new(&self, path: &Path, like: Option<&Self::File>) -> io::Result<Self::File>;
    fn id(&self, file: &Self::File) -> io::Result<FileId>;
    /// What `path` leads to now; `None` when nothing is there.
    fn id_at(&self, path: &Path) -> io::Result<Option<FileId>>;
    fn size(&self, file: &Self::File) -> io::Result<u64>;
    fn read_at(&self, file: &Self::File, offset: u64, len: u64) -> io::Result<Vec<u8>>;
    fn write_at(&self, file: &Self::File, offset: u64, bytes: &[u8]) -> io::Result<()>;
    fn set_len(&self, file: &Self::File, len: u64) -> io::Result<()>;
    /// Flushes the file's data and size to the disk.
    fn sync(&self, file: &Self::File) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes a rename or a creation in `dir` durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// The names in `dir`, with when each was last modified.
    fn list(&self, dir: &Path) -> io::Result<Vec<(OsString, SystemTime)>>;
    /// Takes the file's exclusive advisory lock if no one holds it.
    fn try_lock(&self, file: &Self::File) -> io::Result<bool>;
    fn unlock(&self, file: &Self::File);
}

/// The real file system (std, and on Unix a few open flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct RealIo;

impl RealIo {
    fn options() -> std::fs::OpenOptions {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Never block on a FIFO planted at the name, never write
            // through a symlink swapped in after the name was resolved.
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
        }
        options
    }
}

fn not_a_file() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "it is not a regular file")
}

impl LabIo for RealIo {
    type File = std::fs::File;

    fn open(&self, path: &Path) -> io::Result<std::fs::File> {
        let file = Self::options().open(path)?;
        if !file.metadata()?.is_file() {
            return Err(not_a_file());
        }
        Ok(file)
    }

    fn create_new(&self, path: &Path, like: Option<&std::fs::File>) -> io::Result<std::fs::File> {
        let file = Self::options().create_new(true).open(path)?;
        if let Some(like) = like {
            // Set after creation: the mode given to open is cut by the umask.
            if let Err(e) = file.set_permissions(like.metadata()?.permissions()) {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
        Ok(file)
    }

    fn id(&self, file: &std::fs::File) -> io::Result<FileId> {
        Ok(id_of(&file.metadata()?))
    }

    fn id_at(&self, path: &Path) -> io::Result<Option<FileId>> {
        match std::fs::symlink_metadata(path) {
            Ok(m) => Ok(Some(id_of(&m))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn size(&self, file: &std::fs::File) -> io::Result<u64> {
        Ok(file.metadata()?.len())
    }

    fn read_at(&self, file: &std::fs::File, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        snaplab_engine::state_file::ReadAt::read_at(file, offset, len)
    }

    fn write_at(&self, file: &std::fs::File, offset: u64, bytes: &[u8]) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Seek, SeekFrom, Write};
            let mut file = file;
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(bytes)
        }
    }

    fn set_len(&self, file: &std::fs::File, len: u64) -> io::Result<()> {
        file.set_len(len)
    }

    fn sync(&self, file: &std::fs::File) -> io::Result<()> {
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        // Not every platform can open a directory (Windows cannot): there
        // the rename's durability is the file system's own.
        match std::fs::File::open(dir) {
            Ok(d) => d.sync_all(),
            Err(_) if cfg!(not(unix)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(OsString, SystemTime)>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            names.push((entry.file_name(), modified));
        }
        Ok(names)
    }

    fn try_lock(&self, file: &std::fs::File) -> io::Result<bool> {
        match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    fn unlock(&self, file: &std::fs::File) {
        let _ = file.unlock();
    }
}

#[cfg(unix)]
fn id_of(m: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId(m.dev(), m.ino())
}

#[cfg(not(unix))]
fn id_of(m: &std::fs::Metadata) -> FileId {
    // No stable inode in std here: size and time tell a renamed-over file
    // apart in practice (the lock then still guards every write).
    let nanos = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    FileId(m.len(), nanos)
}

/// A handle read through [`LabIo`], as the engine's readers take it.
pub struct Reader<'a, I: LabIo> {
    pub io: &'a I,
    pub file: &'a I::File,
}

impl<I: LabIo> snaplab_engine::state_file::ReadAt for Reader<'_, I> {
    fn size(&self) -> u64 {
        self.io.size(self.file).unwrap_or(0)
    }
    fn read_at(&self, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        self.io.read_at(self.file, offset, len)
    }
}
