//! What a written range holds: real bytes, or a generated pattern.
//!
//! Demos need numbers no browser can hold as bytes (a 10 GiB snapshot, a
//! 32 TiB disk). So a write records a [`Payload`]: either the real bytes a
//! user typed or uploaded, or a pattern (kind + seed) that yields the same
//! bytes every time it is read. A 100 GiB workload then costs a few
//! kilobytes, while restore, diff and billing stay exact: they work on which
//! pages hold which payload, and bytes are materialised only when read.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::units::PAGE_SIZE;

/// Bytes that generate themselves. Page `n` of a pattern is a pure function
/// of (kind, seed, n), so any page can be materialised without the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PatternKind {
    /// Every byte is `seed as u8`: a "fill" workload.
    Fill,
    /// Pseudo-random bytes (splitmix64 per 8 bytes): incompressible data.
    Random,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payload {
    /// Real bytes, a whole number of pages long. Shared, never mutated: a
    /// snapshot and the disk it came from point at the same allocation.
    /// `blob` names them for storage: the store keeps each blob once, and
    /// frees it when no disk or snapshot refers to it any more.
    Bytes { blob: u64, data: Bytes },
    /// A generated pattern of unbounded length.
    Pattern { kind: PatternKind, seed: u64 },
}

impl Payload {
    pub fn bytes(blob: u64, data: impl Into<Bytes>) -> Self {
        Payload::Bytes {
            blob,
            data: data.into(),
        }
    }

    /// The stored blob these bytes are, if they are real bytes.
    pub fn blob(&self) -> Option<u64> {
        match self {
            Payload::Bytes { blob, .. } => Some(*blob),
            Payload::Pattern { .. } => None,
        }
    }

    pub fn pattern(kind: PatternKind, seed: u64) -> Self {
        Payload::Pattern { kind, seed }
    }

    /// Writes page `page` of this payload (counted from the payload's start)
    /// into `out`, which is exactly one page long.
    pub fn materialise_page(&self, page: u64, out: &mut [u8]) {
        debug_assert_eq!(out.len() as u64, PAGE_SIZE);
        match self {
            Payload::Bytes { data, .. } => {
                let start = (page * PAGE_SIZE) as usize;
                out.copy_from_slice(&data[start..start + PAGE_SIZE as usize]);
            }
            Payload::Pattern {
                kind: PatternKind::Fill,
                seed,
            } => out.fill(*seed as u8),
            Payload::Pattern {
                kind: PatternKind::Random,
                seed,
            } => {
                let words_per_page = PAGE_SIZE / 8;
                for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
                    let word = splitmix64(
                        seed ^ (page * words_per_page + i as u64)
                            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    );
                    chunk.copy_from_slice(&word.to_le_bytes());
                }
            }
        }
    }
}

/// A small, well-known mixing function: deterministic on every platform, so
/// a pattern reads the same natively and in wasm (and unique ids replay alike).
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(payload: &Payload, page: u64) -> Vec<u8> {
        let mut out = vec![0u8; PAGE_SIZE as usize];
        payload.materialise_page(page, &mut out);
        out
    }

    #[test]
    fn bytes_payload_yields_its_pages_in_order() {
        let mut data = vec![1u8; 512];
        data.extend(vec![2u8; 512]);
        let payload = Payload::bytes(1, data);
        assert_eq!(page_of(&payload, 0), vec![1u8; 512]);
        assert_eq!(page_of(&payload, 1), vec![2u8; 512]);
    }

    #[test]
    fn fill_pattern_repeats_its_byte() {
        assert_eq!(
            page_of(&Payload::pattern(PatternKind::Fill, 0xAB), 7),
            vec![0xABu8; 512]
        );
    }

    #[test]
    fn random_pattern_is_deterministic_and_differs_by_page_and_seed() {
        let p = Payload::pattern(PatternKind::Random, 42);
        assert_eq!(page_of(&p, 3), page_of(&p, 3));
        assert_ne!(page_of(&p, 3), page_of(&p, 4));
        assert_ne!(
            page_of(&p, 3),
            page_of(&Payload::pattern(PatternKind::Random, 43), 3)
        );
        // Not trivially constant within a page.
        let page = page_of(&p, 0);
        assert_ne!(page[0..8], page[8..16]);
    }
}
