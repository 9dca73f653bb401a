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

/// A value derived from the lab as of a revision, for a key (which disk,
/// which restore is previewed). Props that hold one derive `PartialEq`:
/// two are equal when their revisions and keys are, since the lab at one
/// revision derives one value per key, and comparing the values themselves
/// would walk every page map on every render.
#[derive(Debug)]
pub struct At<T> {
    value: Rc<T>,
    pub revision: u64,
    key: String,
}

/// The whole lab as of a revision.
pub type LabAt = At<Lab>;

impl<T> At<T> {
    pub fn new(revision: u64, key: impl Into<String>, value: T) -> Self {
        At {
            value: Rc::new(value),
            revision,
            key: key.into(),
        }
    }

    /// The shared value, for a closure that outlives the props.
    pub fn rc(&self) -> Rc<T> {
        self.value.clone()
    }
}

impl LabAt {
    pub fn lab(lab: Lab, revision: u64) -> Self {
        At::new(revision, "", lab)
    }
}

// By hand, as `derive` would ask `T: Clone` of a value that is only shared.
impl<T> Clone for At<T> {
    fn clone(&self) -> Self {
        At {
            value: self.value.clone(),
            revision: self.revision,
            key: self.key.clone(),
        }
    }
}

impl<T> PartialEq for At<T> {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision && self.key == other.key
    }
}

impl<T> std::ops::Deref for At<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labs_at_the_same_revision_are_equal_and_at_another_are_not() {
        let at = |revision| LabAt::lab(Lab::default(), revision);
        assert!(at(3) == at(3));
        assert!(at(3) != at(4));
        assert_eq!(at(3).operations(), 0, "reads as the lab it holds");
    }

    #[test]
    fn values_at_the_same_revision_differ_by_their_key() {
        let at = |revision, key: &str| At::new(revision, key, vec![1u8]);
        assert!(at(3, "disk-a") == at(3, "disk-a"));
        assert!(at(3, "disk-a") != at(3, "disk-b"), "another disk, same lab");
        assert!(at(3, "disk-a") != at(4, "disk-a"));
        assert_eq!(at(3, "disk-a").len(), 1, "reads as the value it holds");
    }
}
