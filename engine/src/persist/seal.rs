//! A checkpoint sealed by the installation that wrote it, so that opening
//! a lab file trusts only its own checkpoints lazily.
//!
//! A checkpoint's sections carry XXH64 checksums, which find damage but not
//! a file made to pass them; and opening decodes a checkpoint's page maps,
//! change sets and history only when first read (issue 20 item 9), so a
//! malformed part that passed its checksum would be found only then, too
//! late to fall back to the log. A native host therefore keeps a secret key
//! (`console/src/labfile/seal.rs`: 16 random bytes in the user's config
//! directory) and stores beside each checkpoint it writes a seal record:
//! XXH64 of the key followed by the checkpoint's bytes. A checkpoint whose
//! seal matches was written here and is opened lazily; any other (a lab
//! file from another machine, a copy whose seal was lost, or a forgery) is
//! decoded whole at open, so a malformed part refuses the checkpoint and the
//! log is replayed, as for any damaged checkpoint. The seal is a keyed
//! checksum, not a signature: it tells this installation's checkpoints from
//! others', which is all opening needs. The browser's IndexedDB host keeps
//! no key: its storage is the app's own.

use std::collections::BTreeMap;

use crate::checksum::Xxh64;

/// A host's secret key.
pub type SealKey = [u8; 16];

/// The record that seals the checkpoint record `checkpoint_key`.
pub fn record_key(checkpoint_key: &str) -> String {
    format!("seal/{checkpoint_key}")
}

/// The seal of a checkpoint's bytes under `key`.
pub fn seal(key: &SealKey, bytes: &[u8]) -> Vec<u8> {
    let mut h = Xxh64::default();
    h.update(key);
    h.update(bytes);
    h.finish().to_le_bytes().to_vec()
}

/// Whether `records` hold a seal of these checkpoint bytes under `key`.
pub fn is_sealed(
    key: &SealKey,
    records: &BTreeMap<String, Vec<u8>>,
    checkpoint_key: &str,
    bytes: &[u8],
) -> bool {
    records
        .get(&record_key(checkpoint_key))
        .is_some_and(|stored| *stored == seal(key, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_is_of_these_bytes_under_this_key() {
        let (a, b) = ([1u8; 16], [2u8; 16]);
        let mut records = BTreeMap::new();
        records.insert(record_key("checkpoint/000000000004"), seal(&a, b"lab"));
        assert!(is_sealed(&a, &records, "checkpoint/000000000004", b"lab"));
        assert!(!is_sealed(&b, &records, "checkpoint/000000000004", b"lab"));
        assert!(!is_sealed(&a, &records, "checkpoint/000000000004", b"lax"));
        assert!(!is_sealed(&a, &records, "checkpoint/000000000008", b"lab"));
    }
}
