//! What snapshots cost (rule A6): billed on used size only. Azure's daily
//! usage report shows a consumed quantity of used GiB / 31 a day; a day's
//! cost is that quantity times the price per GiB-month.
//!
//! Prices are data, and they are sample prices for teaching, not Azure's
//! current list prices (which vary by region and change over time).

use serde::Serialize;

use crate::catalog::SnapshotSku;
use crate::model::Snapshot;
use crate::state::LabState;
use crate::units::GIB;

/// Days in the billing month of Azure's daily usage report (A6).
pub const DAYS_PER_BILLING_MONTH: f64 = 31.0;

/// A price per GiB-month for a snapshot storage SKU.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Price {
    pub sku: SnapshotSku,
    pub per_gib_month: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceTable {
    /// Said wherever prices are shown.
    pub label: &'static str,
    pub currency: &'static str,
    pub prices: Vec<Price>,
    /// Cross-region transfer, per GiB (D5).
    pub bandwidth_per_gib: f64,
}

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable {
            label: "Sample prices for teaching, not Azure's current list prices",
            currency: "USD",
            prices: vec![
                Price {
                    sku: SnapshotSku::StandardLrs,
                    per_gib_month: 0.05,
                },
                Price {
                    sku: SnapshotSku::StandardZrs,
                    per_gib_month: 0.0625,
                },
                Price {
                    sku: SnapshotSku::PremiumLrs,
                    per_gib_month: 0.12,
                },
            ],
            bandwidth_per_gib: 0.02,
        }
    }
}

impl PriceTable {
    pub fn per_gib_month(&self, sku: SnapshotSku) -> f64 {
        self.prices
            .iter()
            .find(|p| p.sku == sku)
            .map_or(0.0, |p| p.per_gib_month)
    }
}

/// Used GiB as a fraction (10 GiB → 10.0).
pub fn gib(bytes: u64) -> f64 {
    bytes as f64 / GIB as f64
}

/// The consumed quantity a day for `used_bytes` (A6: 10 GiB → 0.3226).
pub fn daily_quantity(used_bytes: u64) -> f64 {
    gib(used_bytes) / DAYS_PER_BILLING_MONTH
}

/// One snapshot's line on the bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotBill {
    pub name: String,
    pub id: String,
    pub incremental: bool,
    pub sku: SnapshotSku,
    pub used_bytes: u64,
    pub used_gib: f64,
    pub daily_quantity: f64,
    pub daily_cost: f64,
    /// The same snapshot had it been a full one: every written page.
    pub full_equivalent_bytes: u64,
    pub full_equivalent_daily_cost: f64,
    /// Cross-region bytes transferred (D5), billed once.
    pub transferred_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    pub label: &'static str,
    pub snapshots: Vec<SnapshotBill>,
    pub daily_cost: f64,
    pub monthly_cost: f64,
    pub full_equivalent_daily_cost: f64,
    pub full_equivalent_monthly_cost: f64,
    pub bandwidth_cost: f64,
}

impl Bill {
    /// What incremental snapshots save a month against full ones.
    pub fn monthly_saving(&self) -> f64 {
        self.full_equivalent_monthly_cost - self.monthly_cost
    }
}

pub fn snapshot_bill(snapshot: &Snapshot, prices: &PriceTable) -> SnapshotBill {
    let price = prices.per_gib_month(snapshot.sku);
    let used = snapshot.used_bytes();
    let full = snapshot.full_equivalent_bytes();
    SnapshotBill {
        name: snapshot.at.name.clone(),
        id: snapshot.id(),
        incremental: snapshot.incremental,
        sku: snapshot.sku,
        used_bytes: used,
        used_gib: gib(used),
        daily_quantity: daily_quantity(used),
        daily_cost: daily_quantity(used) * price,
        full_equivalent_bytes: full,
        full_equivalent_daily_cost: daily_quantity(full) * price,
        transferred_bytes: snapshot.transferred_bytes,
    }
}

impl LabState {
    /// Today's daily cost of all snapshots, and what full snapshots would
    /// cost: the bill's totals without its lines (no allocation; each
    /// snapshot's used size is kept, so this is O(snapshots)).
    pub fn daily_costs(&self, prices: &PriceTable) -> (f64, f64) {
        let mut snapshots: Vec<&Snapshot> = self.snapshots().collect();
        snapshots.sort_by_key(|s| s.seq);
        let (mut daily, mut full) = (0.0, 0.0);
        for s in snapshots {
            let price = prices.per_gib_month(s.sku);
            daily += daily_quantity(s.used_bytes()) * price;
            full += daily_quantity(s.full_equivalent_bytes()) * price;
        }
        (daily, full)
    }

    /// Today's bill for every snapshot in the lab, oldest first.
    pub fn bill(&self, prices: &PriceTable) -> Bill {
        let mut snapshots: Vec<&Snapshot> = self.snapshots().collect();
        snapshots.sort_by_key(|s| s.seq);
        let lines: Vec<SnapshotBill> = snapshots
            .into_iter()
            .map(|s| snapshot_bill(s, prices))
            .collect();
        // fold from +0.0: an empty f64 sum is -0.0, which prints as "-0.0000".
        let daily = lines.iter().map(|l| l.daily_cost).fold(0.0, |a, b| a + b);
        let full_daily = lines
            .iter()
            .map(|l| l.full_equivalent_daily_cost)
            .fold(0.0, |a, b| a + b);
        let transferred: u64 = lines.iter().map(|l| l.transferred_bytes).sum();
        Bill {
            label: prices.label,
            daily_cost: daily,
            monthly_cost: daily * DAYS_PER_BILLING_MONTH,
            full_equivalent_daily_cost: full_daily,
            full_equivalent_monthly_cost: full_daily * DAYS_PER_BILLING_MONTH,
            bandwidth_cost: gib(transferred) * prices.bandwidth_per_gib,
            snapshots: lines,
        }
    }
}

/// One line of the daily usage report: a snapshot's use on one day (A6:
/// its used GiB / 31, at the size it had at the end of that day).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageLine {
    /// The day, as its first instant (00:00 UTC).
    #[serde(skip)]
    pub day: crate::clock::Instant,
    pub name: String,
    pub id: String,
    pub location: String,
    pub sku: SnapshotSku,
    pub used_bytes: u64,
    pub quantity: f64,
    pub cost: f64,
}

/// Days one usage report may cover (Azure's usage queries cover at most a
/// year at a time).
pub const MAX_REPORT_DAYS: u64 = 366;
use crate::state::DAY_MS;

impl LabState {
    /// The daily usage of every snapshot from `first` to `last` (whole UTC
    /// days, both included; today counts with the sizes it has now). The
    /// log is replayed once: each day is billed at the sizes of the end of
    /// that day. Refused when the range is more than [`MAX_REPORT_DAYS`].
    pub fn daily_usage(
        &self,
        prices: &PriceTable,
        first: crate::clock::Instant,
        last: crate::clock::Instant,
    ) -> crate::error::Result<Vec<UsageLine>> {
        let (first_day, last_day) = (first.0 / DAY_MS, last.0 / DAY_MS);
        if last_day < first_day || last_day - first_day + 1 > MAX_REPORT_DAYS {
            return Err(crate::error::EngineError::InvalidParameter {
                reason: format!(
                    "A usage report covers 1 to {MAX_REPORT_DAYS} days: from {} to {} is not such a range.",
                    first.date(),
                    last.date()
                ),
            });
        }
        let line = |day: u64, s: &crate::state::SnapshotUse| {
            let quantity = daily_quantity(s.used_bytes);
            UsageLine {
                day: crate::clock::Instant(day * DAY_MS),
                name: s.name.clone(),
                id: s.id.clone(),
                location: s.location.clone(),
                sku: s.sku,
                used_bytes: s.used_bytes,
                quantity,
                cost: quantity * prices.per_gib_month(s.sku),
            }
        };
        // Days that have ended, at the sizes they ended with (kept by the
        // lab as its clock passed each midnight); today, at today's sizes.
        let mut lines: Vec<UsageLine> = Vec::new();
        for ended in self.ended_days() {
            let day = ended.day.0 / DAY_MS;
            if (first_day..=last_day).contains(&day) {
                lines.extend(ended.snapshots.iter().map(|s| line(day, s)));
            }
        }
        let today = self.now().0 / DAY_MS;
        if (first_day..=last_day).contains(&today) {
            let mut snapshots: Vec<&Snapshot> = self.snapshots().collect();
            snapshots.sort_by_key(|s| s.seq);
            for s in snapshots {
                let now = crate::state::SnapshotUse {
                    name: s.at.name.clone(),
                    id: s.id(),
                    location: s.at.location.clone(),
                    sku: s.sku,
                    used_bytes: s.used_bytes(),
                };
                lines.push(line(today, &now));
            }
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod usage_tests {
    use super::*;
    use crate::clock::Span;
    use crate::cmd::{self, Command, WriteData};
    use crate::lab::Lab;
    use crate::units::GIB;

    #[test]
    fn ten_gib_used_for_a_day_is_a_quantity_of_0_3226_and_each_day_bills_its_own_sizes() {
        let mut lab = Lab::new();
        let run = |lab: &mut Lab, c: Command| lab.execute(c).unwrap();
        run(
            &mut lab,
            Command::CreateGroup(cmd::CreateGroup {
                name: "rg".into(),
                location: "westeurope".into(),
            }),
        );
        run(
            &mut lab,
            Command::CreateDisk(cmd::CreateDisk::new("rg", "d", "Standard_LRS", 64)),
        );
        let write = |offset: u64, length: u64| {
            Command::Write(cmd::Write {
                group: "rg".into(),
                disk: "d".into(),
                offset,
                data: WriteData::Pattern {
                    pattern: crate::payload::PatternKind::Random,
                    seed: 1,
                    length,
                },
            })
        };
        let snapshot = |name: &str| {
            Command::CreateSnapshot(cmd::CreateSnapshot {
                group: "rg".into(),
                name: name.into(),
                source: "d".into(),
                incremental: true,
                sku: Some("Standard_LRS".into()),
                location: None,
                copy_start: false,
            })
        };
        run(&mut lab, write(0, 10 * GIB));
        run(&mut lab, snapshot("s1"));
        run(
            &mut lab,
            Command::AdvanceClock(cmd::AdvanceClock {
                millis: Span::days(1).as_millis(),
            }),
        );
        run(&mut lab, write(20 * GIB, GIB));
        run(&mut lab, snapshot("s2"));
        let first = crate::clock::LAB_EPOCH;
        let lines = lab
            .daily_usage(&PriceTable::default(), first, lab.now())
            .unwrap();
        let shown: Vec<(String, String, String)> = lines
            .iter()
            .map(|l| (l.day.date(), l.name.clone(), format!("{:.4}", l.quantity)))
            .collect();
        assert_eq!(
            shown,
            [
                ("2026-01-05".into(), "s1".into(), "0.3226".into()),
                ("2026-01-06".into(), "s1".into(), "0.3226".into()),
                ("2026-01-06".into(), "s2".into(), "0.0323".into()),
            ]
        );
        assert!((lines[0].cost - 0.3226 * 0.05).abs() < 1e-4);
        let too_long = lab.daily_usage(&PriceTable::default(), first, first + Span::days(400));
        assert!(too_long.unwrap_err().to_string().contains("1 to 366 days"));
    }
}
