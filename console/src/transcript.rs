//! What a script prints, shared by both interpreters and the pacer: one
//! [`Line`] of standard output or error, and the budget a run's transcript
//! grows within.
//!
//! It lives apart from `shell` and `pwsh` so neither interpreter (nor
//! `pace`) imports the other to name a line: every module imports this one,
//! and this one imports none.

/// One line of a console transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Out(String),
    Err(String),
}

impl Line {
    pub fn text(&self) -> &str {
        match self {
            Line::Out(s) | Line::Err(s) => s,
        }
    }
}

/// Lines one run may print.
pub const MAX_OUTPUT_LINES: usize = 100_000;
/// Bytes one run may print (the lines' text; a line's end counts one).
/// Lines alone do not bound memory: 5,000 lines of 1 MiB each are 5 GiB.
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;

/// How much of the output budget a transcript has used. Counted as lines
/// are added, so checking a line costs nothing however long the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budget {
    pub lines: usize,
    pub bytes: usize,
}

impl Budget {
    /// The budget `lines` (what a transcript already holds) have used.
    pub fn of(lines: &[Line]) -> Budget {
        Budget {
            lines: lines.len(),
            bytes: lines.iter().map(|l| l.text().len() + 1).sum(),
        }
    }

    /// Counts `text` as one more line, or says which limit it would pass
    /// (then nothing is counted and the line must not be added).
    pub fn admit(&mut self, text: &str) -> Result<(), String> {
        if self.lines >= MAX_OUTPUT_LINES {
            return Err(format!(
                "it printed more than {MAX_OUTPUT_LINES} lines (the simulator's output limit)"
            ));
        }
        let bytes = self.bytes.saturating_add(text.len() + 1);
        if bytes > MAX_OUTPUT_BYTES {
            return Err(format!(
                "it printed more than {} MiB (the simulator's output limit)",
                MAX_OUTPUT_BYTES >> 20
            ));
        }
        self.lines += 1;
        self.bytes = bytes;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_counts_lines_and_bytes_and_refuses_past_either() {
        let mut budget = Budget::of(&[Line::Out("abc".into()), Line::Err(String::new())]);
        assert_eq!(budget, Budget { lines: 2, bytes: 5 });
        budget.admit("xy").unwrap();
        assert_eq!(budget, Budget { lines: 3, bytes: 8 });

        let mut full = Budget {
            lines: 0,
            bytes: MAX_OUTPUT_BYTES - 3,
        };
        full.admit("ab").unwrap();
        let e = full.admit("").unwrap_err();
        assert_eq!(
            e,
            "it printed more than 8 MiB (the simulator's output limit)"
        );
        assert_eq!(
            full.bytes, MAX_OUTPUT_BYTES,
            "a refused line is not counted"
        );

        let mut lines = Budget {
            lines: MAX_OUTPUT_LINES,
            bytes: 0,
        };
        assert!(lines.admit("").unwrap_err().contains("100000 lines"));
    }
}
