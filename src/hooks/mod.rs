//! The app shell's hooks: what `app.rs` does besides laying out the page.
//!
//! | hook | file |
//! |---|---|
//! | the lab's effects: open, follow other tabs, read the older log, carry the work in flight | `lab.rs` |
//! | keyboard shortcuts | `shortcuts.rs` |
//! | the console dock's height and dragging | `dock.rs` |
//! | the phone layout's drawer and console sheet; `<html lang>` | `phone.rs` |

pub mod dock;
pub mod lab;
pub mod phone;
pub mod shortcuts;

pub use dock::{use_dock, Dock};
pub use lab::use_lab;
pub use phone::{phone_bar, use_document_lang, use_phone_sheets, PhoneSheets};
pub use shortcuts::{use_shortcuts, Shortcuts};
