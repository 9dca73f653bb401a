//! The app's components, one file each. They get data and callbacks; the
//! state is in `state/`, the block map's logic in `block_cells.rs`.
//!
//! The shell: `header.rs` (title, clock, bell, presenter, language),
//! `notifications.rs` (the bell's list), `workspace.rs` (the open lab:
//! resource tree, the disk in the centre, the side panels). The rest are
//! the panels and cards they hold; `chain.rs` turns a disk's snapshot
//! chain into the layers its block map draws, `map_text.rs` says in words
//! what the map and the chain draw (for screen readers).

pub mod billing;
pub mod block_map;
pub mod chain;
pub mod clock;
pub mod console;
pub mod diff;
pub mod disk_card;
pub mod faults;
pub mod header;
pub mod history;
pub mod lessons;
pub mod manage;
pub mod map_text;
pub mod notifications;
pub mod presenter;
pub mod resource_tree;
pub mod snapshots;
pub mod storage_panel;
pub mod template;
pub mod violations;
pub mod walkthrough;
pub mod wizard;
pub mod workloads;
pub mod workspace;

use std::rc::Rc;

use snaplab_engine::{Command, Lab};
use yew::{Callback, Event, InputEvent, TargetCast, UseStateHandle};

/// Where components send the commands a user asks for.
pub type Submit = Callback<Command>;

/// A text or number field's value, kept in `state`.
pub fn bind(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            state.set(i.value());
        }
    })
}

/// A drop-down's value, kept in `state`.
pub fn bind_select(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            state.set(s.value());
        }
    })
}

/// The lab as of a revision. Props that hold it derive `PartialEq`: two
/// are equal when their revisions are, since the revision grows with every
/// change of the lab (comparing labs themselves would cost a walk of them).
#[derive(Debug, Clone)]
pub struct LabAt {
    pub lab: Rc<Lab>,
    pub revision: u64,
}

impl PartialEq for LabAt {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

impl std::ops::Deref for LabAt {
    type Target = Lab;

    fn deref(&self) -> &Lab {
        &self.lab
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labs_at_the_same_revision_are_equal_and_at_another_are_not() {
        let lab = Rc::new(Lab::default());
        let at = |revision| LabAt {
            lab: lab.clone(),
            revision,
        };
        assert!(at(3) == at(3));
        assert!(at(3) != at(4));
        assert_eq!(at(3).operations(), 0, "reads as the lab it holds");
    }
}
