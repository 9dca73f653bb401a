//! The app's I/O, in one layer (as the realworld Yew example's `services/`):
//! components and the reducer never touch IndexedDB; they get data and
//! callbacks, and the effects in `app.rs` call these.

pub mod lab_store;
pub mod progress;
pub mod script;
pub mod tabs;
