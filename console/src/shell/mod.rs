//! The bash the docs' scripts are written in, as a small language front end
//! (the layout of jmespath.rs and brush-parser):
//!
//! | stage | file |
//! |---|---|
//! | characters → tokens with line and column; `$( … )` parsed in place | [`lexer`] |
//! | tokens → syntax tree (`if`, `while`, `until`, `for`, `&&`, `||`, `\|`, functions, `[[ ]]`) | [`parser`] |
//! | `$(( … ))` → an arithmetic tree at parse time; its checked evaluation | [`arith`] |
//! | the syntax tree, printable as bash (arithmetic fully parenthesised) | [`ast`] |
//! | running it: expansion, pipes, control flow, limits; `az`/`sim` through the [`Host`] | [`eval`] |
//! | the builtins, as a table (`echo`, `set`, `test`, `seq`, `sleep`, …) | [`builtins`] |
//! | `test`, `[` and `[[ ]]` expressions, globs | [`condition`] |
//! | `grep`, `head`, `tail`, `wc`, `cat` over a pipe's text | [`text_tools`] |
//! | `grep`'s regular expressions, matched without backtracking | [`regex`] |
//!
//! Parsing never panics and checks the whole script before anything runs:
//! bad input is a [`ParseError`] with a real line and column. (A malformed
//! `$(( … ))` is the exception, as in bash: it fails when it runs.)
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

/// A shell's memory between runs, as Cloud Shell keeps it: variables,
/// functions, `set -e`, and the last status (`$?`).
#[derive(Debug, Clone, Default)]
pub struct Shell {
    pub vars: BTreeMap<String, String>,
    pub functions: BTreeMap<String, ast::Script>,
    pub errexit: bool,
    pub status: i32,
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
