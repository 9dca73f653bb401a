//! The bash the docs' scripts are written in, as a small language front end
//! (the layout of jmespath.rs and brush-parser):
//!
//! | stage | file |
//! |---|---|
//! | characters → tokens with line and column; `$( … )` parsed in place; `${ … }` into a [`ast::Param`]; here-document bodies read ahead | [`lexer`] |
//! | tokens → syntax tree (`if`, `while`, `until`, `for`, `case`, `&&`, `\|\|`, `\|`, functions, `[[ ]]`, `(( ))`, arrays, `declare`/`local`, redirections) | [`parser`] |
//! | `$(( … ))`, `(( ))`, `let` → an arithmetic tree; its checked evaluation (assignments returned to the caller) | [`arith`] |
//! | the syntax tree, printable as bash (arithmetic fully parenthesised) | [`ast`] |
//! | running it: expansion, arrays, pipes, redirections, control flow, limits; `az`/`sim` through the [`Host`] | [`eval`] |
//! | the builtins, as a table (`echo`, `printf`, `read`, `let`, `set`, `test`, `seq`, `sleep`, …) | [`builtins`] |
//! | `test`, `[` and `[[ ]]` expressions (`=~` too), glob patterns | [`condition`] |
//! | `grep`, `head`, `tail`, `wc`, `cat` over a pipe's text | [`text_tools`] |
//! | `grep`'s regular expressions, matched without backtracking | [`regex`] |
//!
//! Parsing never panics and checks the whole script's syntax before
//! anything runs: bad input is a [`ParseError`] with a real line and
//! column. What parses but the simulator does not run (a `${…}` form it
//! does not know, a redirection to a file) fails that command when it
//! runs, with a message; the script goes on as bash's would. (A malformed
//! `$(( … ))` fails when it runs too, as in bash.)
//!
//! [`Line`] lives in [`transcript`](crate::transcript), which both shells
//! and the pacer import; it is re-exported here for existing callers.

use std::collections::BTreeMap;

pub mod arith;
pub mod ast;
pub mod builtins;
pub mod condition;
pub mod eval;
pub mod lexer;
pub mod parser;
pub mod regex;
pub mod text_tools;

pub use crate::transcript::Line;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Checks a script parses, without running it.
pub fn check(script: &str) -> Result<(), ParseError> {
    parser::parse(script).map(|_| ())
}

/// What runs commands for the shell (the console: `az`, `sim`, …).
pub trait Host {
    /// Runs `argv`; returns standard output, standard error and the exit status.
    fn run(&mut self, argv: &[String]) -> (String, String, i32);
    /// How many lab commands it has run (shown as a script's progress).
    fn commands(&self) -> usize {
        0
    }
}

/// A shell's memory between runs, as Cloud Shell keeps it: variables
/// (arrays too), functions, `set -e`/`-u`/`-o pipefail`, and the last
/// status (`$?`).
#[derive(Debug, Clone, Default)]
pub struct Shell {
    pub vars: BTreeMap<String, String>,
    /// Indexed and associative arrays (a name is in `vars` or here).
    pub arrays: BTreeMap<String, Array>,
    pub functions: BTreeMap<String, ast::Script>,
    pub errexit: bool,
    /// `set -u`: expanding an unset variable stops the script.
    pub nounset: bool,
    /// `set -o pipefail`: a pipeline fails if any of its commands does.
    pub pipefail: bool,
    pub status: i32,
}

/// An array variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Array {
    /// `a=(x y)`, `a[3]=z`: by index, in index order.
    Indexed(BTreeMap<i64, String>),
    /// `declare -A m; m[key]=v`: in key order (bash's own order is its
    /// hash table's).
    Assoc(BTreeMap<String, String>),
}

impl Array {
    pub fn values(&self) -> Vec<String> {
        match self {
            Array::Indexed(m) => m.values().cloned().collect(),
            Array::Assoc(v) => v.values().cloned().collect(),
        }
    }
    pub fn keys(&self) -> Vec<String> {
        match self {
            Array::Indexed(m) => m.keys().map(i64::to_string).collect(),
            Array::Assoc(v) => v.keys().cloned().collect(),
        }
    }
    pub fn len(&self) -> usize {
        match self {
            Array::Indexed(m) => m.len(),
            Array::Assoc(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes its keys and values hold.
    pub fn bytes(&self) -> usize {
        match self {
            Array::Indexed(m) => m.values().map(|v| v.len() + 8).sum(),
            Array::Assoc(v) => v.iter().map(|(k, x)| k.len() + x.len()).sum(),
        }
    }
}

impl Shell {
    /// Runs `script`, appending what it prints to `transcript`; returns the last exit status.
    pub fn run(&mut self, script: &str, host: &mut dyn Host, transcript: &mut Vec<Line>) -> i32 {
        crate::pace::finish(self.run_paced(script, host, transcript, &mut crate::pace::Straight))
    }

    /// [`Shell::run`], pausing or stopping when `pacer` says so.
    pub async fn run_paced(
        &mut self,
        script: &str,
        host: &mut dyn Host,
        transcript: &mut Vec<Line>,
        pacer: &mut dyn crate::pace::Pacer,
    ) -> i32 {
        let tree = match parser::parse(script) {
            Ok(tree) => tree,
            Err(e) => {
                transcript.push(Line::Err(format!("bash: syntax error: {e}")));
                self.status = 2;
                return 2;
            }
        };
        let status = eval::Run::new(self, host, transcript, pacer)
            .script_top(&tree)
            .await;
        self.status = status;
        status
    }
}

#[cfg(test)]
mod tests;
