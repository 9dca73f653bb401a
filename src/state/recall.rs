//! The console's command history: what Up and Down recall, the newest
//! [`RECALLED`] commands of a lab, kept across reloads by
//! `services/recall.rs` (stored as a JSON list of strings).

/// Commands remembered per lab (the oldest go first).
pub const RECALLED: usize = 200;

/// Earlier input, and where Up/Down are in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recall {
    /// Oldest first.
    pub commands: Vec<String>,
    /// The command recalled now; `None` while typing a new one.
    pub cursor: Option<usize>,
}

impl Recall {
    /// History read back from storage, with what was typed before it came.
    pub fn restored(stored: Vec<String>, typed_since: &[String]) -> Recall {
        let mut recall = Recall {
            commands: stored,
            cursor: None,
        };
        for command in typed_since {
            recall.push(command.clone());
        }
        recall.trim();
        recall
    }

    /// A command was run: it becomes the newest (once, if it repeats the
    /// newest, as shells' `ignoredups` does).
    pub fn push(&mut self, command: String) {
        if self.commands.last() != Some(&command) {
            self.commands.push(command);
        }
        self.cursor = None;
        self.trim();
    }

    fn trim(&mut self) {
        let excess = self.commands.len().saturating_sub(RECALLED);
        self.commands.drain(..excess);
    }

    /// Up: the command before the one recalled (the newest at first).
    pub fn up(&mut self) -> Option<&str> {
        let i = match self.cursor {
            _ if self.commands.is_empty() => return None,
            None => self.commands.len() - 1,
            Some(c) => c.saturating_sub(1),
        };
        self.cursor = Some(i);
        Some(&self.commands[i])
    }

    /// Down: the command after the one recalled, or an empty input past
    /// the newest. `None` when nothing is recalled (Down does nothing).
    pub fn down(&mut self) -> Option<&str> {
        let c = self.cursor?;
        if c + 1 < self.commands.len() {
            self.cursor = Some(c + 1);
            Some(&self.commands[c + 1])
        } else {
            self.cursor = None;
            Some("")
        }
    }

    /// As stored.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&self.commands).unwrap_or_default()
    }

    /// What was stored: the newest [`RECALLED`] commands of a JSON list of
    /// strings; anything else is an error (never a panic).
    pub fn decode(bytes: &[u8]) -> Result<Vec<String>, String> {
        let mut commands: Vec<String> =
            serde_json::from_slice(bytes).map_err(|e| format!("stored history: {e}"))?;
        let excess = commands.len().saturating_sub(RECALLED);
        commands.drain(..excess);
        Ok(commands)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_history_and_down_past_the_newest_empties_the_input() {
        let mut recall = Recall::default();
        assert_eq!(recall.up(), None);
        assert_eq!(recall.down(), None);
        for c in ["a", "b", "b", "c"] {
            recall.push(c.into());
        }
        assert_eq!(recall.commands, ["a", "b", "c"], "a repeat is kept once");
        assert_eq!(recall.up(), Some("c"));
        assert_eq!(recall.up(), Some("b"));
        assert_eq!(recall.up(), Some("a"));
        assert_eq!(recall.up(), Some("a"), "the oldest stays");
        assert_eq!(recall.down(), Some("b"));
        assert_eq!(recall.down(), Some("c"));
        assert_eq!(recall.down(), Some(""));
        assert_eq!(recall.cursor, None);
        recall.up();
        recall.push("d".into());
        assert_eq!(recall.cursor, None, "running a command starts afresh");
    }

    #[test]
    fn only_the_newest_commands_are_kept_and_stored_history_round_trips() {
        let mut recall = Recall::default();
        for i in 0..RECALLED + 50 {
            recall.push(format!("az snapshot show -n s{i}"));
        }
        assert_eq!(recall.commands.len(), RECALLED);
        assert_eq!(recall.commands[0], "az snapshot show -n s50");
        let stored = Recall::decode(&recall.encode()).unwrap();
        assert_eq!(stored, recall.commands);
        // Typed before the stored history was read: newest after it.
        let restored = Recall::restored(stored, &["late".to_string()]);
        assert_eq!(restored.commands.len(), RECALLED);
        assert_eq!(restored.commands.last().unwrap(), "late");
        assert_eq!(restored.commands[0], "az snapshot show -n s51");
        // A long stored list is cut to the newest; garbage is an error.
        let long: Vec<String> = (0..500).map(|i| i.to_string()).collect();
        let decoded = Recall::decode(&serde_json::to_vec(&long).unwrap()).unwrap();
        assert_eq!((decoded.len(), decoded[0].as_str()), (RECALLED, "300"));
        assert!(Recall::decode(b"{\"not\": \"a list\"}").is_err());
        assert!(Recall::decode(b"\xff").is_err());
    }
}
