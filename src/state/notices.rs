//! What the user is told: the message or refusal beside the disk, the
//! notification list (the portal's bell), and the replies that go back to
//! one place (the Create snapshot dialog, the template blade).

use std::rc::Rc;

use snaplab_engine::EngineError;

/// A refusal as the user sees it: Azure-style code, message, rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    pub rule: Option<String>,
}

impl From<&EngineError> for Refusal {
    fn from(err: &EngineError) -> Self {
        Refusal {
            code: err.code().to_string(),
            message: err.to_string(),
            rule: err.rule().map(str::to_string),
        }
    }
}

/// One entry of the notification list.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Counts up; the newest is the highest.
    pub serial: u64,
    pub result: Result<String, Refusal>,
}

/// How many notifications are kept.
pub const NOTIFICATIONS_KEPT: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct Notices {
    pub last_refusal: Option<Refusal>,
    pub last_message: Option<String>,
    /// A notice sent while work was queued: shown once it is done, so it is
    /// not hidden by the work's own messages.
    pub after_queue: Option<Result<String, Refusal>>,
    /// Every message shown, newest last (shared: states are copied on
    /// every action).
    pub list: Rc<Vec<Notification>>,
    /// The serial the next notification gets.
    pub next: u64,
    /// The Create snapshot dialog's last result, numbered so the dialog
    /// knows a new one came.
    pub wizard_reply: Option<(u64, Result<String, Refusal>)>,
    /// The template blade's last result.
    pub deployed: Option<Result<String, String>>,
}

impl Default for Notices {
    fn default() -> Self {
        Notices {
            last_refusal: None,
            last_message: None,
            after_queue: None,
            list: Rc::default(),
            next: 1,
            wizard_reply: None,
            deployed: None,
        }
    }
}

impl Notices {
    /// Shows `notice` beside the disk, and lists it.
    pub fn show(&mut self, notice: Result<String, Refusal>) {
        self.notify(notice.clone());
        match notice {
            Ok(message) => {
                self.last_message = Some(message);
                self.last_refusal = None;
            }
            Err(refusal) => {
                self.last_refusal = Some(refusal);
                self.last_message = None;
            }
        }
    }

    /// Adds to the notification list only (the message is shown elsewhere).
    pub fn notify(&mut self, notice: Result<String, Refusal>) {
        let list = Rc::make_mut(&mut self.list);
        list.push(Notification {
            serial: self.next,
            result: notice,
        });
        self.next += 1;
        if list.len() > NOTIFICATIONS_KEPT {
            list.remove(0);
        }
    }

    /// The dialog's result: a success closes it and is said beside the
    /// disk; a refusal is shown in the dialog itself (and listed).
    pub fn to_wizard(&mut self, notice: Result<String, Refusal>) {
        let n = self.wizard_reply.as_ref().map_or(1, |(n, _)| n + 1);
        self.wizard_reply = Some((n, notice.clone()));
        match notice {
            Ok(_) => self.show(notice),
            Err(_) => self.notify(notice),
        }
    }

    /// A new action clears what the last one said: old success notices
    /// never sit next to a new refusal.
    pub fn clear_last(&mut self) {
        self.last_message = None;
        self.last_refusal = None;
    }

    /// Shows the notice held back while work was queued.
    pub fn release(&mut self) {
        if let Some(notice) = self.after_queue.take() {
            self.show(notice);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_keeps_the_newest_fifty_numbered_in_order() {
        let mut notices = Notices::default();
        for i in 0..60 {
            notices.notify(Ok(format!("n{i}")));
        }
        assert_eq!(notices.list.len(), NOTIFICATIONS_KEPT);
        assert_eq!(notices.list[0].result, Ok("n10".into()));
        assert_eq!(notices.list.last().map(|n| n.serial), Some(60));
        assert_eq!(notices.next, 61);
        assert_eq!(notices.last_message, None, "listed only, not shown");
    }

    #[test]
    fn a_wizard_refusal_stays_in_the_dialog_and_a_success_shows_beside_the_disk() {
        let mut notices = Notices::default();
        let refusal = Refusal {
            code: "X".into(),
            message: "no".into(),
            rule: None,
        };
        notices.to_wizard(Err(refusal.clone()));
        assert_eq!(notices.wizard_reply, Some((1, Err(refusal))));
        assert_eq!(notices.last_refusal, None);
        notices.to_wizard(Ok("made".into()));
        assert_eq!(notices.wizard_reply.as_ref().map(|(n, _)| *n), Some(2));
        assert_eq!(notices.last_message.as_deref(), Some("made"));
        assert_eq!(notices.list.len(), 2);
    }
}
