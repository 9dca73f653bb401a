//! The small regular expressions `grep` takes (after Kernighan and Pike):
//! `^` at the start, `$` at the end, `.`, `*` after a character, and
//! literal characters; a match may start anywhere in the line.
//!
//! The pattern is read into atoms and run as a set of states over the text
//! (Thompson's construction), so matching takes time in proportion to the
//! pattern's length times the line's and no recursion: a long pattern
//! (`grep "$x"` with a 1 MiB variable) cannot overflow the stack, and a
//! pattern like `a*a*a*a*b` cannot take exponential time. (`grep` also caps
//! a pattern's length, which bounds that product.)

/// One position of a pattern: a character (`None` is `.`), maybe repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Atom {
    char: Option<char>,
    star: bool,
}

impl Atom {
    fn matches(self, c: char) -> bool {
        self.char.is_none_or(|want| want == c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regex {
    atoms: Vec<Atom>,
    /// `^`: the match starts at the line's start.
    start: bool,
    /// `$`: the match ends at the line's end.
    end: bool,
}

impl Regex {
    pub fn new(pattern: &str) -> Regex {
        let p: Vec<char> = pattern.chars().collect();
        let start = p.first() == Some(&'^');
        let mut atoms = Vec::new();
        let mut end = false;
        let mut i = usize::from(start);
        while i < p.len() {
            let char = (p[i] != '.').then_some(p[i]);
            if p.get(i + 1) == Some(&'*') {
                atoms.push(Atom { char, star: true });
                i += 2;
            } else if p[i] == '$' && i + 1 == p.len() {
                end = true;
                i += 1;
            } else {
                atoms.push(Atom { char, star: false });
                i += 1;
            }
        }
        Regex { atoms, start, end }
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let n = self.atoms.len();
        let mut states = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        self.add(&mut states, 0);
        for c in text.chars() {
            if states[n] && !self.end {
                return true;
            }
            next.iter_mut().for_each(|s| *s = false);
            for (i, atom) in self.atoms.iter().enumerate() {
                if states[i] && atom.matches(c) {
                    let to = if atom.star { i } else { i + 1 };
                    self.add(&mut next, to);
                }
            }
            // Unanchored: a match may start at the next character too.
            if !self.start {
                self.add(&mut next, 0);
            }
            std::mem::swap(&mut states, &mut next);
        }
        states[n]
    }

    /// Adds state `i` and those reachable from it without reading a
    /// character (past starred atoms, which may match nothing).
    fn add(&self, states: &mut [bool], mut i: usize) {
        loop {
            states[i] = true;
            match self.atoms.get(i) {
                Some(atom) if atom.star => i += 1,
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(pattern: &str, text: &str) -> bool {
        Regex::new(pattern).is_match(text)
    }

    #[test]
    fn it_matches_as_kernighan_and_pike_s_matcher_does() {
        assert!(m("", "anything"));
        assert!(m("snap", "a snapshot"));
        assert!(!m("^snap", "a snapshot"));
        assert!(m("^a sn", "a snapshot"));
        assert!(m("shot$", "a snapshot"));
        assert!(!m("snap$", "a snapshot"));
        assert!(m("s.a", "a snapshot"));
        assert!(m("^a.*t$", "a snapshot"));
        assert!(m("^x*a", "a"));
        assert!(!m("^x*b", "a"));
        assert!(m("ab*c", "ac"));
        assert!(m("ab*c", "abbbc"));
        assert!(!m("ab*c", "abd"));
        // `$` and `^` are literal away from the ends; a leading `*` too.
        assert!(m("a$b", "xa$b"));
        assert!(m("*a", "*a"));
        assert!(!m("*a", "a"));
        assert!(m("^$", ""));
        assert!(!m("^$", "x"));
        assert!(m("$", "x"));
        assert!(m("a.*", "a"));
        assert!(m("é.", "café!"));
    }

    #[test]
    fn long_and_ambiguous_patterns_take_little_time_and_no_stack() {
        let long = "a".repeat(1 << 20);
        assert!(!m(&long, "aaaa"));
        assert!(m(&long[..8], &format!("b{long}")));
        assert!(m(&long[..300], &long[..5000]));
        let ambiguous = format!("{}b", "a*".repeat(40));
        assert!(!m(&ambiguous, &"a".repeat(200)));
        assert!(m(&ambiguous, &format!("{}b", "a".repeat(200))));
    }
}
