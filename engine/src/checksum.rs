//! Stable checksums: FNV-1a, 64-bit. The same bytes give the same value on
//! every platform and in every release (std's hasher may change between
//! releases), so stored labs, lab files and share links written by one build
//! are checked by another, and ids derived from names replay identically.

/// FNV-1a: a stable hash of a string (std's hasher may change between releases).
pub fn stable_hash(text: &str) -> u64 {
    stable_hash_bytes(text.as_bytes())
}

/// FNV-1a over bytes: also the checksum of exported lab files.
pub fn stable_hash_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
