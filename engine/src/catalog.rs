//! What Azure offers: disk SKUs, snapshot SKUs and regions.
//!
//! Data, not logic: the region list says which regions have zone-redundant
//! storage (A5) and which take Premium SSD v2 / Ultra snapshots (C7).

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};

/// A managed disk's type (reference sheet, section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DiskSku {
    #[serde(rename = "Standard_LRS")]
    StandardLrs,
    #[serde(rename = "StandardSSD_LRS")]
    StandardSsdLrs,
    #[serde(rename = "StandardSSD_ZRS")]
    StandardSsdZrs,
    #[serde(rename = "Premium_LRS")]
    PremiumLrs,
    #[serde(rename = "Premium_ZRS")]
    PremiumZrs,
    #[serde(rename = "PremiumV2_LRS")]
    PremiumV2Lrs,
    #[serde(rename = "UltraSSD_LRS")]
    UltraSsdLrs,
}

/// Premium SSD performance tiers: (tier, largest size in GiB, IOPS, MB/s).
const PREMIUM_TIERS: [(&str, u64, u64, u64); 14] = [
    ("P1", 4, 120, 25),
    ("P2", 8, 120, 25),
    ("P3", 16, 120, 25),
    ("P4", 32, 120, 25),
    ("P6", 64, 240, 50),
    ("P10", 128, 500, 100),
    ("P15", 256, 1100, 125),
    ("P20", 512, 2300, 150),
    ("P30", 1024, 5000, 200),
    ("P40", 2048, 7500, 250),
    ("P50", 4096, 7500, 250),
    ("P60", 8192, 16000, 500),
    ("P70", 16384, 18000, 750),
    ("P80", 32767, 20000, 900),
];

impl DiskSku {
    pub const ALL: [DiskSku; 7] = [
        DiskSku::StandardLrs,
        DiskSku::StandardSsdLrs,
        DiskSku::StandardSsdZrs,
        DiskSku::PremiumLrs,
        DiskSku::PremiumZrs,
        DiskSku::PremiumV2Lrs,
        DiskSku::UltraSsdLrs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DiskSku::StandardLrs => "Standard_LRS",
            DiskSku::StandardSsdLrs => "StandardSSD_LRS",
            DiskSku::StandardSsdZrs => "StandardSSD_ZRS",
            DiskSku::PremiumLrs => "Premium_LRS",
            DiskSku::PremiumZrs => "Premium_ZRS",
            DiskSku::PremiumV2Lrs => "PremiumV2_LRS",
            DiskSku::UltraSsdLrs => "UltraSSD_LRS",
        }
    }

    /// `sku.tier` as `az disk show` prints it.
    pub fn tier(self) -> &'static str {
        match self {
            DiskSku::StandardLrs | DiskSku::StandardSsdLrs | DiskSku::StandardSsdZrs => "Standard",
            DiskSku::PremiumLrs | DiskSku::PremiumZrs => "Premium",
            DiskSku::PremiumV2Lrs => "Premium",
            DiskSku::UltraSsdLrs => "Ultra",
        }
    }

    /// A Premium SSD's baseline performance tier for its size, with that
    /// tier's provisioned IOPS and MB/s: the smallest tier of Azure's table
    /// ("Performance tiers for managed disks") whose size holds the disk.
    /// `None` for other disk types: Premium SSD v2 and Ultra have their
    /// performance set directly, and the simulator does not model the
    /// Standard tables (docs/fidelity.md).
    pub fn premium_tier(self, size_gib: u64) -> Option<(&'static str, u64, u64)> {
        if !matches!(self, DiskSku::PremiumLrs | DiskSku::PremiumZrs) {
            return None;
        }
        PREMIUM_TIERS
            .iter()
            .find(|(_, max_gib, _, _)| size_gib <= *max_gib)
            .map(|&(tier, _, iops, mbps)| (tier, iops, mbps))
    }

    /// Where a Premium SSD tier ranks (P1 is 0), for comparing tiers.
    pub fn premium_tier_rank(tier: &str) -> Option<usize> {
        PREMIUM_TIERS
            .iter()
            .position(|(name, ..)| name.eq_ignore_ascii_case(tier))
    }

    pub fn parse(name: &str) -> Result<DiskSku> {
        DiskSku::ALL
            .into_iter()
            .find(|sku| sku.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| EngineError::UnknownSku {
                sku: name.to_string(),
                allowed: DiskSku::ALL.map(DiskSku::name).join(", "),
            })
    }

    /// Premium SSD v2 and Ultra: snapshots need feature access (C1), copy in the
    /// background (C2) and exist only in some regions (C7).
    pub fn is_v2_or_ultra(self) -> bool {
        matches!(self, DiskSku::PremiumV2Lrs | DiskSku::UltraSsdLrs)
    }

    pub fn is_zone_redundant(self) -> bool {
        matches!(self, DiskSku::StandardSsdZrs | DiskSku::PremiumZrs)
    }
}

/// Where a snapshot is stored (A5): `sku.name` of a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnapshotSku {
    #[serde(rename = "Standard_LRS")]
    StandardLrs,
    #[serde(rename = "Standard_ZRS")]
    StandardZrs,
    #[serde(rename = "Premium_LRS")]
    PremiumLrs,
}

impl SnapshotSku {
    pub const ALL: [SnapshotSku; 3] = [
        SnapshotSku::StandardLrs,
        SnapshotSku::StandardZrs,
        SnapshotSku::PremiumLrs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SnapshotSku::StandardLrs => "Standard_LRS",
            SnapshotSku::StandardZrs => "Standard_ZRS",
            SnapshotSku::PremiumLrs => "Premium_LRS",
        }
    }

    pub fn tier(self) -> &'static str {
        match self {
            SnapshotSku::StandardLrs | SnapshotSku::StandardZrs => "Standard",
            SnapshotSku::PremiumLrs => "Premium",
        }
    }

    pub fn parse(name: &str) -> Result<SnapshotSku> {
        SnapshotSku::ALL
            .into_iter()
            .find(|sku| sku.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| EngineError::UnknownSku {
                sku: name.to_string(),
                allowed: SnapshotSku::ALL.map(SnapshotSku::name).join(", "),
            })
    }

    /// The default for a new snapshot in `region` (A5): zone-redundant
    /// Standard HDD where the region offers ZRS, else locally redundant.
    pub fn default_for(region: &Region) -> SnapshotSku {
        if region.zrs {
            SnapshotSku::StandardZrs
        } else {
            SnapshotSku::StandardLrs
        }
    }
}

/// An Azure region as the simulator knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// `location` as ARM writes it: "westeurope".
    pub name: &'static str,
    pub display_name: &'static str,
    /// Zone-redundant storage available (A5).
    pub zrs: bool,
    /// Ultra Disk snapshots available (C7, 2023 list).
    pub ultra_snapshots: bool,
    /// Premium SSD v2 snapshots available (C7, 2023 list).
    pub premium_v2_snapshots: bool,
}

const fn define(
    name: &'static str,
    display_name: &'static str,
    zrs: bool,
    ultra: bool,
    v2: bool,
) -> Region {
    Region {
        name,
        display_name,
        zrs,
        ultra_snapshots: ultra,
        premium_v2_snapshots: v2,
    }
}

/// The regions of the simulator. ZRS flags follow Azure's list of regions
/// with availability zones; the last two columns are seed 001's lists (C7).
pub const REGIONS: &[Region] = &[
    define("northeurope", "North Europe", true, true, true),
    define("westeurope", "West Europe", true, true, true),
    define("swedencentral", "Sweden Central", true, true, false),
    define("eastus", "East US", true, true, true),
    define("eastus2", "East US 2", true, true, true),
    define("southcentralus", "South Central US", true, true, false),
    define("westus", "West US", false, true, false),
    define("westus2", "West US 2", true, true, true),
    define("uksouth", "UK South", true, false, false),
    define("francecentral", "France Central", true, false, false),
    define(
        "germanywestcentral",
        "Germany West Central",
        true,
        false,
        false,
    ),
    define("norwayeast", "Norway East", true, false, false),
    define("centralindia", "Central India", true, false, false),
    define("japaneast", "Japan East", true, false, false),
    define("australiaeast", "Australia East", true, false, false),
    define("brazilsouth", "Brazil South", true, false, false),
    define("canadacentral", "Canada Central", true, false, false),
    define("northcentralus", "North Central US", false, false, false),
    define("westcentralus", "West Central US", false, false, false),
    define("ukwest", "UK West", false, false, false),
];

/// Looks a region up by ARM name or display name ("westeurope", "West Europe").
pub fn region(name_or_display: &str) -> Result<&'static Region> {
    let wanted: String = name_or_display
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    REGIONS
        .iter()
        .find(|r| r.name == wanted)
        .ok_or_else(|| EngineError::UnknownLocation {
            location: name_or_display.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_parse_case_insensitively_and_refuse_unknown_ones() {
        assert_eq!(DiskSku::parse("premium_lrs").unwrap(), DiskSku::PremiumLrs);
        assert_eq!(DiskSku::parse("UltraSSD_LRS").unwrap().tier(), "Ultra");
        let err = DiskSku::parse("Premium_GRS").unwrap_err();
        assert_eq!(err.code(), "InvalidParameter");
        assert!(
            err.to_string().contains("Premium_GRS") && err.to_string().contains("PremiumV2_LRS")
        );
        assert_eq!(
            SnapshotSku::parse("standard_zrs").unwrap(),
            SnapshotSku::StandardZrs
        );
    }

    #[test]
    fn a5_default_snapshot_sku_is_zrs_where_the_region_has_zrs() {
        assert_eq!(
            SnapshotSku::default_for(region("westeurope").unwrap()),
            SnapshotSku::StandardZrs
        );
        assert_eq!(
            SnapshotSku::default_for(region("West US").unwrap()),
            SnapshotSku::StandardLrs
        );
    }

    #[test]
    fn c7_region_lists_follow_seed_001() {
        let ultra: Vec<_> = REGIONS
            .iter()
            .filter(|r| r.ultra_snapshots)
            .map(|r| r.display_name)
            .collect();
        assert_eq!(
            ultra,
            [
                "North Europe",
                "West Europe",
                "Sweden Central",
                "East US",
                "East US 2",
                "South Central US",
                "West US",
                "West US 2"
            ]
        );
        let v2: Vec<_> = REGIONS
            .iter()
            .filter(|r| r.premium_v2_snapshots)
            .map(|r| r.display_name)
            .collect();
        assert_eq!(
            v2,
            [
                "North Europe",
                "West Europe",
                "East US",
                "East US 2",
                "West US 2"
            ]
        );
        assert_eq!(
            region("mars").unwrap_err().code(),
            "LocationNotAvailableForResourceType"
        );
    }
}
