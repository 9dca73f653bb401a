//! This installation's seal key (`snaplab_engine::persist::seal`): 16
//! random bytes kept in the user's config directory, made on first use, so
//! that the `--state` files this installation writes open without decoding
//! their checkpoints whole, and any other file's checkpoint is decoded whole
//! at open (a malformed part is then a cache miss, never a stop).
//!
//! Where: `$SNAPLAB_SEAL_KEY_FILE`, else `$XDG_CONFIG_HOME/snaplab/seal-key`,
//! else `$HOME/.config/snaplab/seal-key`. If none can be read or made, a key
//! for this run only: every checkpoint then counts as another's (safe, and
//! as slow to open as a replay of its maps).

use std::path::PathBuf;
use std::sync::OnceLock;

use snaplab_engine::persist::seal::SealKey;

/// The key, read or made once per process.
pub fn installation_key() -> &'static SealKey {
    static KEY: OnceLock<SealKey> = OnceLock::new();
    KEY.get_or_init(|| {
        key_path()
            .and_then(|path| read_or_make(&path))
            .unwrap_or_else(random)
    })
}

fn key_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SNAPLAB_SEAL_KEY_FILE") {
        return Some(PathBuf::from(path));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("snaplab").join("seal-key"))
}

fn read_or_make(path: &std::path::Path) -> Option<SealKey> {
    if let Ok(bytes) = std::fs::read(path) {
        return bytes.as_slice().try_into().ok();
    }
    let key = random();
    std::fs::create_dir_all(path.parent()?).ok()?;
    // Made whole beside it, then renamed: two first runs at once keep one key.
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    write_private(&temporary, &key).ok()?;
    std::fs::rename(&temporary, path).ok()?;
    std::fs::read(path).ok()?.as_slice().try_into().ok()
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, key: &SealKey) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(key)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, key: &SealKey) -> std::io::Result<()> {
    std::fs::write(path, key)
}

/// 16 bytes from the system's random source (or, failing that, the time
/// and the process: still unknown to a file made elsewhere).
fn random() -> SealKey {
    use std::io::Read;
    let mut key = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if read.is_ok() {
        return key;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    key[..8].copy_from_slice(&(now as u64).to_le_bytes());
    key[8..12].copy_from_slice(&std::process::id().to_le_bytes());
    key
}
