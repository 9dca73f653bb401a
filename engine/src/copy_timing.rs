//! How long background work takes on the simulated clock.
//!
//! Azure publishes no speeds for these copies; the simulator picks rates that
//! make a demo watchable (a 10 GiB snapshot copies in under a few minutes) and
//! scale with the data, so bigger changes visibly take longer. All simulated.

use crate::clock::Span;
use crate::units::MIB;

/// Premium SSD v2 / Ultra snapshot background copy (C2), and a disk hydrating
/// from such a snapshot (C5): bytes per simulated second.
pub const BACKGROUND_COPY_BYTES_PER_SECOND: u64 = 128 * MIB;
/// Cross-region CopyStart (D1): bytes per simulated second.
pub const CROSS_REGION_BYTES_PER_SECOND: u64 = 64 * MIB;
/// Even an empty copy takes this long, so its progress can be seen.
pub const MIN_BACKGROUND: Span = Span::seconds(30);

/// Duration of a copy of `bytes` at `bytes_per_second`.
pub fn copy_duration(bytes: u64, bytes_per_second: u64) -> Span {
    let ms = bytes.saturating_mul(1000) / bytes_per_second.max(1);
    Span::millis(ms).max(MIN_BACKGROUND)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::GIB;

    #[test]
    fn durations_scale_with_bytes_and_have_a_floor() {
        assert_eq!(
            copy_duration(0, BACKGROUND_COPY_BYTES_PER_SECOND),
            MIN_BACKGROUND
        );
        assert_eq!(
            copy_duration(10 * GIB, BACKGROUND_COPY_BYTES_PER_SECOND),
            Span::seconds(80)
        );
        assert_eq!(
            copy_duration(10 * GIB, CROSS_REGION_BYTES_PER_SECOND),
            Span::seconds(160)
        );
    }
}
