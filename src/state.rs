//! The lab's state as a pure reducer (Yew's `Reducible`).
//!
//! Every user action is an [`Action`]; [`Lab::reduce`] applies it to the
//! engine and returns the next state. Nothing here touches the DOM or
//! storage, so the whole of it is tested natively.

use std::rc::Rc;

use snaplab_engine::units::MIB;
use snaplab_engine::{DiskData, EngineError, PatternKind};
use yew::Reducible;

/// The demo disk the shell starts with: big enough to show that only written
/// pages cost memory (a 32 GiB disk holding 1 MiB is one extent).
pub const DEMO_DISK_NAME: &str = "disk1";
pub const DEMO_DISK_SIZE_GIB: u64 = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Writes `mib` MiB of generated data right after the last write.
    WriteMib(u64),
    /// TRIMs the most recent write.
    TrimLastWrite,
}

/// A refusal as the user sees it: Azure-style code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

impl From<EngineError> for Refusal {
    fn from(err: EngineError) -> Self {
        Refusal { code: err.code().to_string(), message: err.to_string() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lab {
    pub disk_name: String,
    pub disk: DiskData,
    /// Byte offset where the next "write" goes, and the stack of writes so far.
    pub writes: Vec<(u64, u64)>,
    /// The last refused action, shown where the user acted.
    pub last_refusal: Option<Refusal>,
}

impl Default for Lab {
    fn default() -> Self {
        Lab {
            disk_name: DEMO_DISK_NAME.to_string(),
            disk: DiskData::new(DEMO_DISK_SIZE_GIB, 512).expect("the demo disk's size is valid"),
            writes: Vec::new(),
            last_refusal: None,
        }
    }
}

impl Lab {
    fn next_offset(&self) -> u64 {
        self.writes.last().map(|(offset, len)| offset + len).unwrap_or(0)
    }

    fn apply(&mut self, action: Action) -> Result<(), EngineError> {
        match action {
            Action::WriteMib(mib) => {
                let (offset, length) = (self.next_offset(), mib * MIB);
                // Each write gets its own seed so different writes hold different bytes.
                self.disk.write_pattern(offset, length, PatternKind::Random, self.writes.len() as u64 + 1)?;
                self.writes.push((offset, length));
            }
            Action::TrimLastWrite => {
                if let Some((offset, length)) = self.writes.last().copied() {
                    self.disk.clear(offset, length)?;
                    self.writes.pop();
                }
            }
        }
        Ok(())
    }
}

impl Reducible for Lab {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        // Apply to a copy: a refused action leaves everything but the refusal as it was.
        match next.apply(action) {
            Ok(()) => next.last_refusal = None,
            Err(err) => {
                next = (*self).clone();
                next.last_refusal = Some(err.into());
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(actions: &[Action]) -> Rc<Lab> {
        actions.iter().cloned().fold(Rc::new(Lab::default()), |lab, a| lab.reduce(a))
    }

    #[test]
    fn writes_go_one_after_another_and_count_as_used() {
        let lab = run(&[Action::WriteMib(1), Action::WriteMib(2)]);
        assert_eq!(lab.disk.used_bytes(), 3 * MIB);
        assert_eq!(lab.writes, vec![(0, MIB), (MIB, 2 * MIB)]);
        assert_eq!(lab.disk.page_map().written_ranges().len(), 1);
    }

    #[test]
    fn trim_undoes_the_last_write_and_its_bytes_read_as_zero() {
        let lab = run(&[Action::WriteMib(1), Action::WriteMib(1), Action::TrimLastWrite]);
        assert_eq!(lab.disk.used_bytes(), MIB);
        assert_eq!(lab.disk.read(MIB, 512).unwrap(), vec![0u8; 512]);
        assert!(lab.disk.read(0, 512).unwrap().iter().any(|&b| b != 0));
    }

    #[test]
    fn a_write_past_the_end_is_refused_and_changes_nothing() {
        let lab = run(&[Action::WriteMib(DEMO_DISK_SIZE_GIB * 1024 - 1)]);
        let refused = lab.clone().reduce(Action::WriteMib(2));
        assert_eq!(refused.disk, lab.disk);
        assert_eq!(refused.writes, lab.writes);
        let refusal = refused.last_refusal.as_ref().expect("refused");
        assert_eq!(refusal.code, "InvalidPageRange");
        assert!(refusal.message.contains("past the end of the disk"), "{}", refusal.message);
        // The next good action clears the refusal.
        assert_eq!(refused.reduce(Action::TrimLastWrite).last_refusal, None);
    }
}
