//! Stable checksums: FNV-1a, 64-bit, and XXH64 (lab files from export
//! format 2 on, where every byte is checked at open and speed matters). The
//! same bytes give the same value on every platform and in every release
//! (std's hasher may change between releases), so stored labs, lab files and
//! share links written by one build are checked by another, and ids derived
//! from names replay identically.

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

/// XXH64 (seed 0), computed a piece at a time: the checksum of lab files of
/// export format 2 and later. FNV-1a goes one byte per multiplication, each
/// waiting for the last, so checking a 4 MiB file took milliseconds at
/// every open; XXH64 keeps four independent lanes of 8-byte words, several
/// times faster, and is as stable (a published algorithm, the same on
/// every platform).
#[derive(Debug, Clone)]
pub struct Xxh64 {
    lanes: [u64; 4],
    /// Bytes not yet making a whole 32-byte stripe.
    buffer: [u8; 32],
    buffered: usize,
    total: u64,
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

// The helpers are inlined even in unoptimised builds (the tests hash
// gigabyte files there), and read words byte by byte, which optimised
// builds turn into one load.
#[inline(always)]
fn xxh_round(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

#[inline(always)]
fn word<const N: usize>(b: &[u8; N], at: usize) -> u64 {
    u64::from(b[at])
        | u64::from(b[at + 1]) << 8
        | u64::from(b[at + 2]) << 16
        | u64::from(b[at + 3]) << 24
        | u64::from(b[at + 4]) << 32
        | u64::from(b[at + 5]) << 40
        | u64::from(b[at + 6]) << 48
        | u64::from(b[at + 7]) << 56
}

impl Default for Xxh64 {
    fn default() -> Self {
        Xxh64 {
            lanes: [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)],
            buffer: [0; 32],
            buffered: 0,
            total: 0,
        }
    }
}

impl Xxh64 {
    /// One 32-byte stripe (a fixed-size array: no bounds to check per byte).
    #[inline(always)]
    fn stripe(lanes: &mut [u64; 4], stripe: &[u8; 32]) {
        lanes[0] = xxh_round(lanes[0], word(stripe, 0));
        lanes[1] = xxh_round(lanes[1], word(stripe, 8));
        lanes[2] = xxh_round(lanes[2], word(stripe, 16));
        lanes[3] = xxh_round(lanes[3], word(stripe, 24));
    }

    pub fn update(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.buffered > 0 {
            let take = (32 - self.buffered).min(bytes.len());
            self.buffer[self.buffered..self.buffered + take].copy_from_slice(&bytes[..take]);
            self.buffered += take;
            bytes = &bytes[take..];
            if self.buffered < 32 {
                return;
            }
            let buffer = self.buffer;
            Self::stripe(&mut self.lanes, &buffer);
            self.buffered = 0;
        }
        let whole = bytes.len() / 32 * 32;
        let mut at = 0;
        while at < whole {
            let stripe = bytes[at..at + 32].try_into().expect("32 bytes");
            Self::stripe(&mut self.lanes, stripe);
            at += 32;
        }
        let rest = &bytes[whole..];
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    pub fn finish(&self) -> u64 {
        let [v1, v2, v3, v4] = self.lanes;
        let mut h = if self.total >= 32 {
            let mut h = v1
                .rotate_left(1)
                .wrapping_add(v2.rotate_left(7))
                .wrapping_add(v3.rotate_left(12))
                .wrapping_add(v4.rotate_left(18));
            for v in [v1, v2, v3, v4] {
                h = (h ^ xxh_round(0, v)).wrapping_mul(P1).wrapping_add(P4);
            }
            h
        } else {
            P5
        };
        h = h.wrapping_add(self.total);
        let mut rest = &self.buffer[..self.buffered];
        while rest.len() >= 8 {
            let w = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes"));
            h = (h ^ xxh_round(0, w))
                .rotate_left(27)
                .wrapping_mul(P1)
                .wrapping_add(P4);
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            let half = u64::from(u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")));
            h = (h ^ half.wrapping_mul(P1))
                .rotate_left(23)
                .wrapping_mul(P2)
                .wrapping_add(P3);
            rest = &rest[4..];
        }
        for b in rest {
            h = (h ^ u64::from(*b).wrapping_mul(P5))
                .rotate_left(11)
                .wrapping_mul(P1);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(P2);
        h ^= h >> 29;
        h = h.wrapping_mul(P3);
        h ^ (h >> 32)
    }
}

/// XXH64 of `bytes` in one go.
pub fn xxh64(bytes: &[u8]) -> u64 {
    let mut h = Xxh64::default();
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_gives_the_published_values() {
        assert_eq!(xxh64(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a"), 0xD24E_C4F1_A98C_6E5B);
    }

    #[test]
    fn xxh64_a_piece_at_a_time_is_xxh64_in_one_go() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for cut in [0, 1, 7, 31, 32, 33, 100, 999, 1000] {
            let mut h = Xxh64::default();
            h.update(&bytes[..cut]);
            for piece in bytes[cut..].chunks(13) {
                h.update(piece);
            }
            assert_eq!(h.finish(), xxh64(&bytes), "cut at {cut}");
        }
    }
}
