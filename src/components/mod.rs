//! The app's components, one file each. They get data and callbacks; the
//! state is in `state.rs`, the block map's logic in `block_map.rs`.

pub mod billing;
pub mod block_map;
pub mod clock;
pub mod console;
pub mod diff;
pub mod disk_card;
pub mod faults;
pub mod history;
pub mod lessons;
pub mod manage;
pub mod presenter;
pub mod resource_tree;
pub mod snapshots;
pub mod storage_panel;
pub mod template;
pub mod violations;
pub mod walkthrough;
pub mod wizard;

use snaplab_engine::Command;
use yew::Callback;

/// Where components send the commands a user asks for.
pub type Submit = Callback<Command>;
