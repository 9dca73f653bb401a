//! Sizes and the 512-byte page, the unit of every write, clear and diff.
//!
//! A managed disk is a page blob (rule A10): data is addressed in 512-byte
//! pages whatever the disk's logical sector size, so offsets and lengths
//! given to the engine must be multiples of [`PAGE_SIZE`].

/// Bytes in one page of a page blob (rule A10).
pub const PAGE_SIZE: u64 = 512;
pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * KIB;
pub const GIB: u64 = 1024 * MIB;
pub const TIB: u64 = 1024 * GIB;

/// The largest managed disk of most types: 32,767 GiB (reference sheet, section 6).
pub const MAX_DISK_SIZE_GIB: u64 = 32_767;
/// Ultra Disks and Premium SSD v2 go up to 64 TiB (65,536 GiB).
pub const MAX_LARGE_DISK_SIZE_GIB: u64 = 65_536;

/// Pages needed to hold `bytes` (which callers have already checked is aligned).
pub const fn pages(bytes: u64) -> u64 {
    bytes / PAGE_SIZE
}

/// A size for people: "10 GiB", "1.5 MiB", "512 B".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let whole = bytes / unit;
            let tenths = (bytes % unit) * 10 / unit;
            return if tenths == 0 {
                format!("{whole} {name}")
            } else {
                format!("{whole}.{tenths} {name}")
            };
        }
    }
    format!("{bytes} B")
}

/// A count for people: 67108864 → "67,108,864".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_thousands_inserts_commas_every_three_digits() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(67_108_864), "67,108,864");
    }

    #[test]
    fn human_bytes_picks_the_largest_whole_unit() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(10 * GIB), "10 GiB");
        assert_eq!(human_bytes(32_767 * GIB), "31.9 TiB");
    }
}
