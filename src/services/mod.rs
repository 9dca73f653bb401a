//! The app's I/O, in one layer (as the realworld Yew example's `services/`):
//! components and the reducer never touch IndexedDB or run scripts; they get
//! data and callbacks, and the hooks in `hooks/` call these.
//!
//! | service | file |
//! |---|---|
//! | the lab's database: open, store, export, fault plan | `lab_store.rs` |
//! | carrying the work in flight: run, store, report once | `work.rs` |
//! | running a console script, paced so the page draws | `script.rs` |
//! | share links in the address | `share.rs` |
//! | other tabs on the same lab | `tabs.rs` |
//! | solved lessons, in their own database | `progress.rs` |
//! | the console's command history, per lab, in its own database | `recall.rs` |

pub mod lab_store;
pub mod progress;
pub mod recall;
pub mod script;
pub mod share;
pub mod tabs;
pub mod work;
