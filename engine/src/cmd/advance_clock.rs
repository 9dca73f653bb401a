//! `sim clock advance`: simulated time moves on; background copies progress.

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
    finished.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
    finished
}
