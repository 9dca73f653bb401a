//! A value kept encoded until something reads it (issue 20 item 9): what
//! opening a lab leaves undecoded beyond its page maps, its history (the
//! newest events, cost points and ended days' usage), which most commands
//! never read.
//!
//! The decode is shared by every clone (the lab is cloned before each
//! command, so a value decoded through one clone is decoded for all, once),
//! and a value that changes is decoded first, then owned. The bytes a
//! pending value decodes were verified before it was made (a checkpoint
//! section's checksum), so decoding is expected to succeed; if it cannot,
//! the decode function stops the program rather than hand back a wrong
//! value.

use std::sync::{Arc, OnceLock};

type Decode<T> = Box<dyn Fn() -> T + Send + Sync>;

struct Pending<T> {
    value: OnceLock<T>,
    decode: Decode<T>,
}

/// A value, or the means to decode it on first access.
pub struct Lazy<T> {
    state: LazyState<T>,
}

enum LazyState<T> {
    Ready(T),
    Pending(Arc<Pending<T>>),
}

impl<T> Lazy<T> {
    /// A value that is already decoded.
    pub fn ready(value: T) -> Self {
        Lazy {
            state: LazyState::Ready(value),
        }
    }

    /// A value `decode` builds when first read.
    pub fn pending(decode: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Lazy {
            state: LazyState::Pending(Arc::new(Pending {
                value: OnceLock::new(),
                decode: Box::new(decode),
            })),
        }
    }

    /// Whether nothing has read the value yet.
    pub fn is_pending(&self) -> bool {
        matches!(&self.state, LazyState::Pending(p) if p.value.get().is_none())
    }

    /// The value, decoded on first use.
    pub fn get(&self) -> &T {
        match &self.state {
            LazyState::Ready(value) => value,
            LazyState::Pending(pending) => pending.value.get_or_init(|| (pending.decode)()),
        }
    }
}

impl<T: Clone> Lazy<T> {
    /// The value to change: decoded (once, for every clone) and then owned.
    pub fn get_mut(&mut self) -> &mut T {
        if let LazyState::Pending(pending) = &self.state {
            let value = pending.value.get_or_init(|| (pending.decode)()).clone();
            self.state = LazyState::Ready(value);
        }
        match &mut self.state {
            LazyState::Ready(value) => value,
            LazyState::Pending(_) => unreachable!("made ready above"),
        }
    }
}

impl<T: Clone> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy {
            state: match &self.state {
                LazyState::Ready(value) => LazyState::Ready(value.clone()),
                LazyState::Pending(pending) => LazyState::Pending(pending.clone()),
            },
        }
    }
}

impl<T: Default> Default for Lazy<T> {
    fn default() -> Self {
        Lazy::ready(T::default())
    }
}

impl<T: PartialEq> PartialEq for Lazy<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::Lazy;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_pending_value_decodes_once_for_every_clone_and_is_owned_once_changed() {
        let decodes = Arc::new(AtomicUsize::new(0));
        let counted = decodes.clone();
        let lazy = Lazy::pending(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            vec![1, 2, 3]
        });
        let mut changed = lazy.clone();
        assert!(lazy.is_pending());
        assert_eq!(decodes.load(Ordering::SeqCst), 0, "nothing read yet");
        assert_eq!(lazy.get(), &vec![1, 2, 3]);
        assert!(!lazy.is_pending());
        changed.get_mut().push(4);
        assert_eq!(
            decodes.load(Ordering::SeqCst),
            1,
            "the clone shares the decode"
        );
        assert_eq!(changed.get(), &vec![1, 2, 3, 4]);
        assert_eq!(lazy.get(), &vec![1, 2, 3], "the original is unchanged");
        assert_ne!(lazy, changed);
        assert_eq!(lazy, Lazy::ready(vec![1, 2, 3]));
    }
}
