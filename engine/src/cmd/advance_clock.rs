//! `sim clock advance`: simulated time moves on; background copies progress
//! and read SASs whose expiry passes end (as a revoke would end them).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvanceClock {
    pub millis: u64,
}

impl Operation for AdvanceClock {
    fn kind(&self) -> Kind {
        Kind::AdvanceClock
    }

    fn resource(&self) -> String {
        String::new()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let end = crate::clock::CLOCK_END;
        if self.millis > (end - lab.now()).as_millis() {
            return Err(EngineError::InvalidParameter {
                reason: format!(
                    "The simulated clock runs until {end} (100 years after the lab's start); advancing it by {} ms would pass that.",
                    self.millis
                ),
            });
        }
        let (from, to) = (lab.now(), lab.now() + Span::millis(self.millis));
        // The background work that finished on the way, logged in time order.
        for (time, what, resource, detail) in finished_between(lab, from, to) {
            lab.platform_event(time, what, resource, detail);
        }
        expire_sas(lab, to);
        lab.set_clock(to);
        Ok(format!("clock at {}", lab.now()))
    }
}

/// A finished piece of background work: when, what, the resource, and
/// the detail the event log shows.
type Finished = (crate::clock::Instant, &'static str, String, String);

/// Background copies and hydrations that finish after `from`, until `to`,
/// in time order.
fn finished_between(
    lab: &LabState,
    from: crate::clock::Instant,
    to: crate::clock::Instant,
) -> Vec<Finished> {
    let mut finished: Vec<Finished> = Vec::new();
    for s in lab.snapshots() {
        if let (Some(p), None) = (s.background, &s.copy_error) {
            if p.done_at() > from && p.done_at() <= to {
                let what = if s.origin.create_option == CreateOption::CopyStart {
                    "copy to region completed"
                } else {
                    "background copy completed"
                };
                finished.push((
                    p.done_at(),
                    what,
                    s.id(),
                    format!("{} is at completionPercent 100", s.at.name),
                ));
            }
        }
    }
    for d in lab.disks() {
        if let Some(p) = d.hydration {
            if p.done_at() > from && p.done_at() <= to {
                finished.push((
                    p.done_at(),
                    "disk hydration completed",
                    d.id(),
                    format!("{} can now be attached (C5)", d.at.name),
                ));
            }
        }
    }
    for s in lab.snapshots() {
        if let Some(t) = s.sas_until.filter(|t| s.sas_active && *t > from && *t <= to) {
            finished.push((t, "SAS expired", s.id(), format!("{}'s read SAS ran out", s.at.name)));
        }
    }
    for d in lab.disks() {
        if let Some(t) = d.sas_until.filter(|t| d.sas_active && *t > from && *t <= to) {
            finished.push((t, "SAS expired", d.id(), format!("{}'s read SAS ran out", d.at.name)));
        }
    }
    finished.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
    finished
}

/// Read SASs that run out by `to` end: the disk or snapshot is no longer
/// ActiveSAS, and its URL reads no more. (A write SAS's expiry stops its
/// writes at the data plane; the disk stays ActiveUpload until revoked.)
fn expire_sas(lab: &mut LabState, to: crate::clock::Instant) {
    let ran_out = |active: bool, until: Option<crate::clock::Instant>| {
        active && until.is_some_and(|t| t <= to)
    };
    // By key: every subscription's, not only the current one's.
    let snapshots: Vec<Key> = lab
        .snapshots()
        .filter(|s| ran_out(s.sas_active, s.sas_until))
        .map(|s| s.at.key())
        .collect();
    for key in snapshots {
        if let Ok(s) = lab.snapshot_at_mut(&key) {
            s.sas_active = false;
            s.sas_until = None;
        }
    }
    let disks: Vec<Key> = lab
        .disks()
        .filter(|d| ran_out(d.sas_active, d.sas_until))
        .map(|d| d.at.key())
        .collect();
    for key in disks {
        if let Ok(d) = lab.disk_at_mut(&key) {
            d.sas_active = false;
            d.sas_until = None;
        }
    }
}
