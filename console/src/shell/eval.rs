//! Runs a bash syntax tree: expansion, pipelines, `&&`/`||`, `if`, loops,
//! functions, `set -e` and `[[ ]]`; a command is then the script's own
//! function, a [builtin](super::builtins), or the [`Host`]'s (the console's
//! `az` and `sim`).
//!
//! Every script runs within limits, so no input can hang or exhaust the
//! browser tab: a step budget; a cap on a variable's size and on all
//! variables together; on one command's expanded words (checked before
//! each piece is appended, so `echo $x$x$x…` never builds gigabytes); on
//! what a pipe or `$( )` holds; on output, in lines and in bytes (see
//! [`transcript`](crate::transcript)); and on function-call depth.
//! Arithmetic is checked. Reaching a limit stops the script with a message
//! naming it.

use std::future::Future;
use std::pin::Pin;

use crate::pace::{Go, Pacer, Progress};
use crate::transcript::Budget;

use super::ast::{AndOr, Command, Connector, Part, Pipeline, Script, Word};
use super::condition::test_expr;
use super::{arith, builtins, Host, Line, Shell};

pub use super::builtins::MAX_SEQ;
pub use crate::transcript::{MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES};

/// Commands one run may execute (loops included).
pub const MAX_STEPS: usize = 100_000;
/// Bytes one variable may hold.
pub const MAX_VAR_BYTES: usize = 1 << 20;
/// Bytes all variables may hold together (names included): a loop of
/// `export v$i=$big` would otherwise keep every copy.
pub const MAX_VARS_BYTES: usize = 64 << 20;
/// Bytes a pipe between two commands may carry.
pub const MAX_PIPE_BYTES: usize = MAX_VAR_BYTES * 4;
/// Bytes one command's words may expand to, assignments included.
pub const MAX_EXPANSION_BYTES: usize = 4 << 20;
/// What each field costs beyond its text, against [`MAX_EXPANSION_BYTES`]:
/// a million empty-ish fields hold memory too.
const FIELD_COST: usize = 16;
/// Nested function calls.
pub const MAX_CALL_DEPTH: usize = 64;

/// How control leaves a command early.
pub(super) enum Flow {
    /// `exit N`, or `set -e` after a failure.
    Exit(i32),
    Return(i32),
    Break,
    Continue,
    /// A limit was reached: the message says which.
    Abort(String),
    /// The user pressed Stop.
    Interrupted,
}

pub(super) type Done = Result<i32, Flow>;

/// Where a command's standard output goes.
pub(super) enum Stdout {
    Transcript,
    Capture(String),
}

/// What one command's expansion has used of [`MAX_EXPANSION_BYTES`].
#[derive(Default)]
struct Expansion {
    used: usize,
}

impl Expansion {
    /// Counts `bytes` more, before they are allocated.
    fn take(&mut self, bytes: usize) -> Result<(), Flow> {
        self.used = self.used.saturating_add(bytes);
        if self.used > MAX_EXPANSION_BYTES {
            return Err(Flow::Abort(format!(
                "one command's words would hold more than {} MiB (the simulator's expansion limit)",
                MAX_EXPANSION_BYTES >> 20
            )));
        }
        Ok(())
    }
}

pub(super) struct Run<'a> {
    pub shell: &'a mut Shell,
    pub host: &'a mut dyn Host,
    pub transcript: &'a mut Vec<Line>,
    pacer: &'a mut dyn Pacer,
    steps: usize,
    call_depth: usize,
    /// Inside a condition (`if`, `while`, the left of `&&`/`||`), where a
    /// failure does not trigger `set -e`.
    condition: usize,
    /// What the transcript has used of the output budget.
    printed: Budget,
    /// Bytes the variables hold (names and values), and the positional
    /// parameters a function call has set aside.
    var_bytes: usize,
}

fn entry_bytes(name: &str, value: &str) -> usize {
    name.len() + value.len()
}

impl<'a> Run<'a> {
    pub fn new(
        shell: &'a mut Shell,
        host: &'a mut dyn Host,
        transcript: &'a mut Vec<Line>,
        pacer: &'a mut dyn Pacer,
    ) -> Self {
        let printed = Budget::of(transcript);
        let var_bytes = shell.vars.iter().map(|(k, v)| entry_bytes(k, v)).sum();
        Run {
            shell,
            host,
            transcript,
            pacer,
            steps: 0,
            call_depth: 0,
            condition: 0,
            printed,
            var_bytes,
        }
    }

    /// Runs a whole script; returns its status.
    pub async fn script_top(&mut self, script: &Script) -> i32 {
        let mut out = Stdout::Transcript;
        match self.script(script, None, &mut out).await {
            Ok(status) | Err(Flow::Exit(status)) | Err(Flow::Return(status)) => status,
            Err(Flow::Break) | Err(Flow::Continue) => self.shell.status,
            Err(Flow::Abort(message)) => {
                self.transcript.push(Line::Err(format!(
                    "bash: the script was stopped: {message}"
                )));
                self.shell.status = 1;
                1
            }
            Err(Flow::Interrupted) => {
                // What bash shows for Ctrl+C, and its status (128 + SIGINT).
                self.transcript.push(Line::Err(
                    "^C (stopped: the commands that ran before Stop stay done, as in Azure)".into(),
                ));
                self.shell.status = 130;
                130
            }
        }
    }

    pub(super) fn out_line(&mut self, out: &mut Stdout, line: &str) -> Result<(), Flow> {
        match out {
            Stdout::Capture(buffer) => {
                if buffer.len() + line.len() > MAX_PIPE_BYTES {
                    return Err(Flow::Abort(format!(
                        "a command printed more than {} MiB",
                        MAX_PIPE_BYTES >> 20
                    )));
                }
                buffer.push_str(line);
                buffer.push('\n');
            }
            Stdout::Transcript => {
                self.printed.admit(line).map_err(Flow::Abort)?;
                self.transcript.push(Line::Out(line.to_string()));
            }
        }
        Ok(())
    }

    pub(super) fn err_line(&mut self, line: impl Into<String>) -> Result<(), Flow> {
        let line = line.into();
        self.printed.admit(&line).map_err(Flow::Abort)?;
        self.transcript.push(Line::Err(line));
        Ok(())
    }

    /// Counts a command against the step budget, and lets the pacer pause
    /// (the page draws) or stop the script.
    async fn step(&mut self) -> Result<(), Flow> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Flow::Abort(format!(
                "it ran more than {MAX_STEPS} commands (the simulator's step limit: an endless loop?)"
            )));
        }
        let progress = Progress {
            steps: self.steps,
            commands: self.host.commands(),
            lines: self.transcript,
        };
        if let Some(pause) = self.pacer.pace(progress) {
            if pause.await == Go::Stop {
                return Err(Flow::Interrupted);
            }
        }
        Ok(())
    }

    pub(super) fn set_var(&mut self, name: &str, value: String) -> Result<(), Flow> {
        if value.len() > MAX_VAR_BYTES {
            return Err(Flow::Abort(format!(
                "variable '{name}' would hold more than {} MiB (the simulator's variable limit)",
                MAX_VAR_BYTES >> 20
            )));
        }
        self.put_var(name, value)
    }

    /// Sets a variable within the budget of all variables (a function's
    /// arguments, which have no size of their own).
    fn put_var(&mut self, name: &str, value: String) -> Result<(), Flow> {
        let old = self
            .shell
            .vars
            .get(name)
            .map_or(0, |v| entry_bytes(name, v));
        let total = self.var_bytes - old + entry_bytes(name, &value);
        if total > MAX_VARS_BYTES {
            return Err(Flow::Abort(format!(
                "the variables would hold more than {} MiB together (the simulator's variable limit)",
                MAX_VARS_BYTES >> 20
            )));
        }
        self.var_bytes = total;
        self.shell.vars.insert(name.to_string(), value);
        Ok(())
    }

    pub(super) fn remove_var(&mut self, name: &str) -> Option<String> {
        let value = self.shell.vars.remove(name)?;
        self.var_bytes -= entry_bytes(name, &value);
        Some(value)
    }

    // Boxed: every recursion (bodies, functions, `$( )`) passes through here,
    // and a recursive future needs a known size.
    fn script<'s>(
        &'s mut self,
        script: &'s Script,
        stdin: Option<&'s str>,
        out: &'s mut Stdout,
    ) -> Pin<Box<dyn Future<Output = Done> + 's>> {
        Box::pin(async move {
            let mut status = 0;
            for item in &script.items {
                status = self.and_or(item, stdin, out).await?;
            }
            Ok(status)
        })
    }

    async fn and_or(&mut self, list: &AndOr, stdin: Option<&str>, out: &mut Stdout) -> Done {
        // Every pipeline but the last is a condition for `set -e`.
        let last = list.rest.len();
        self.enter(last > 0);
        let first = self.pipeline(&list.first, stdin, out).await;
        self.leave(last > 0);
        let mut status = first?;
        for (i, (connector, pipeline)) in list.rest.iter().enumerate() {
            let run_it = match connector {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run_it {
                self.enter(i + 1 < last);
                let result = self.pipeline(pipeline, stdin, out).await;
                self.leave(i + 1 < last);
                status = result?;
            }
        }
        self.shell.status = status;
        if status != 0 && self.shell.errexit && self.condition == 0 && last == 0 {
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    /// What runs between `enter(true)` and `leave(true)` is a condition.
    fn enter(&mut self, condition: bool) {
        self.condition += usize::from(condition);
    }

    fn leave(&mut self, condition: bool) {
        self.condition -= usize::from(condition);
    }

    /// Runs `script` as a condition (`if`, `while`).
    async fn condition(&mut self, script: &Script, stdin: Option<&str>, out: &mut Stdout) -> Done {
        self.enter(true);
        let result = self.script(script, stdin, out).await;
        self.leave(true);
        result
    }

    async fn pipeline(
        &mut self,
        pipeline: &Pipeline,
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let mut input: Option<String> = stdin.map(str::to_string);
        let mut status = 0;
        let n = pipeline.commands.len();
        for (i, command) in pipeline.commands.iter().enumerate() {
            if i + 1 < n {
                let mut capture = Stdout::Capture(String::new());
                status = self
                    .command(command, input.as_deref(), &mut capture)
                    .await?;
                input = match capture {
                    Stdout::Capture(s) => Some(s),
                    Stdout::Transcript => None,
                };
            } else {
                status = self.command(command, input.as_deref(), out).await?;
            }
        }
        if pipeline.negate {
            status = i32::from(status == 0);
        }
        self.shell.status = status;
        Ok(status)
    }

    async fn command(&mut self, command: &Command, stdin: Option<&str>, out: &mut Stdout) -> Done {
        self.step().await?;
        match command {
            Command::Simple { assigns, words, .. } => self.simple(assigns, words, stdin, out).await,
            Command::Group { body, .. } => self.script(body, stdin, out).await,
            Command::If {
                branches,
                otherwise,
                ..
            } => {
                for (condition, body) in branches {
                    if self.condition(condition, stdin, out).await? == 0 {
                        return self.script(body, stdin, out).await;
                    }
                }
                match otherwise {
                    Some(body) => self.script(body, stdin, out).await,
                    None => Ok(0),
                }
            }
            Command::Loop {
                until,
                condition,
                body,
                ..
            } => self.run_loop(*until, condition, body, stdin, out).await,
            Command::For {
                var, words, body, ..
            } => self.run_for(var, words, body, stdin, out).await,
            Command::Test { words, .. } => self.run_test(words).await,
            Command::Function { name, body, .. } => {
                self.shell.functions.insert(name.clone(), body.clone());
                Ok(0)
            }
        }
    }

    /// `while` and `until`.
    async fn run_loop(
        &mut self,
        until: bool,
        condition: &Script,
        body: &Script,
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let mut status = 0;
        loop {
            self.step().await?;
            let c = self.condition(condition, stdin, out).await?;
            if (c == 0) == until {
                break;
            }
            match self.script(body, stdin, out).await {
                Ok(s) => status = s,
                Err(Flow::Break) => break,
                Err(Flow::Continue) => continue,
                Err(other) => return Err(other),
            }
        }
        Ok(status)
    }

    async fn run_for(
        &mut self,
        var: &str,
        words: &[Word],
        body: &Script,
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let mut values = Vec::new();
        let mut expansion = Expansion::default();
        for w in words {
            values.extend(self.expand(w, &mut expansion).await?);
        }
        let mut status = 0;
        for value in values {
            self.step().await?;
            self.set_var(var, value)?;
            match self.script(body, stdin, out).await {
                Ok(s) => status = s,
                Err(Flow::Break) => break,
                Err(Flow::Continue) => continue,
                Err(other) => return Err(other),
            }
        }
        Ok(status)
    }

    /// `[[ … ]]`: no field splitting inside; a quoted right side is literal.
    async fn run_test(&mut self, words: &[Word]) -> Done {
        let mut args = Vec::new();
        let mut expansion = Expansion::default();
        for w in words {
            let quoted = w.parts.iter().any(|p| {
                matches!(
                    p,
                    Part::Literal { quoted: true, .. } | Part::Var { quoted: true, .. }
                )
            });
            args.push((self.expand_joined(w, &mut expansion).await?, quoted));
        }
        match test_expr(&args, true) {
            Ok(true) => Ok(0),
            Ok(false) => Ok(1),
            Err(message) => {
                self.err_line(format!("bash: [[: {message}"))?;
                Ok(2)
            }
        }
    }

    async fn simple(
        &mut self,
        assigns: &[(String, Word)],
        words: &[Word],
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let mut substituted = None;
        let mut expansion = Expansion::default();
        for (name, value) in assigns {
            let (value, status) = self.expand_with_status(value, &mut expansion).await?;
            substituted = status.or(substituted);
            self.set_var(name, value)?;
        }
        let mut argv = Vec::new();
        for word in words {
            argv.extend(self.expand(word, &mut expansion).await?);
        }
        let Some(program) = argv.first().cloned() else {
            return Ok(substituted.unwrap_or(0));
        };
        if let Some(body) = self.shell.functions.get(&program).cloned() {
            return self.call(&program, &body, &argv[1..], stdin, out).await;
        }
        if let Some(builtin) = builtins::find(&program) {
            return builtin(self, &program, &argv[1..], stdin, out);
        }
        let (stdout, stderr, status) = self.host.run(&argv);
        for l in stdout.lines() {
            self.out_line(out, l)?;
        }
        for l in stderr.lines() {
            self.err_line(l)?;
        }
        Ok(status)
    }

    async fn call(
        &mut self,
        name: &str,
        body: &Script,
        args: &[String],
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(Flow::Abort(format!(
                "function '{name}' called itself more than {MAX_CALL_DEPTH} levels deep"
            )));
        }
        // Positional parameters, restored afterwards. Those set aside stay
        // counted in `var_bytes`: they are still held.
        let mut saved = Vec::new();
        let count = args.len().max(
            self.shell
                .vars
                .get("#")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        );
        for i in 1..=count {
            saved.push((i.to_string(), self.shell.vars.remove(&i.to_string())));
        }
        saved.push(("#".into(), self.shell.vars.remove("#")));
        let mut set = Ok(());
        for (i, a) in args.iter().enumerate() {
            set = set.and_then(|()| self.put_var(&(i + 1).to_string(), a.clone()));
        }
        let result = match set.and_then(|()| self.put_var("#", args.len().to_string())) {
            Ok(()) => {
                self.call_depth += 1;
                let result = self.script(body, stdin, out).await;
                self.call_depth -= 1;
                result
            }
            Err(flow) => Err(flow),
        };
        for (k, v) in saved {
            self.remove_var(&k);
            if let Some(v) = v {
                self.shell.vars.insert(k, v);
            }
        }
        match result {
            Err(Flow::Return(status)) => Ok(status),
            other => other,
        }
    }

    /// A word's value with no field splitting (`[[ ]]`).
    async fn expand_joined(
        &mut self,
        word: &Word,
        expansion: &mut Expansion,
    ) -> Result<String, Flow> {
        Ok(self.expand_with_status(word, expansion).await?.0)
    }

    /// A word's value with no field splitting, and the status of the last
    /// command substitution in it (an assignment's status).
    async fn expand_with_status(
        &mut self,
        word: &Word,
        expansion: &mut Expansion,
    ) -> Result<(String, Option<i32>), Flow> {
        let mut out = String::new();
        let mut status = None;
        expansion.take(FIELD_COST)?;
        for part in &word.parts {
            let (value, s) = self.part(part).await?;
            status = s.or(status);
            expansion.take(value.len())?;
            out.push_str(&value);
        }
        Ok((out, status))
    }

    /// A word's fields: unquoted expansions split on whitespace, and vanish when empty.
    async fn expand(
        &mut self,
        word: &Word,
        expansion: &mut Expansion,
    ) -> Result<Vec<String>, Flow> {
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has_text = false;
        let push = |fields: &mut Vec<String>, current: &mut String, e: &mut Expansion| {
            e.take(FIELD_COST)?;
            fields.push(std::mem::take(current));
            Ok::<(), Flow>(())
        };
        for part in &word.parts {
            let (value, _) = self.part(part).await?;
            expansion.take(value.len())?;
            let splits = match part {
                Part::Literal { .. } => false,
                Part::Var { quoted, .. }
                | Part::Substitution { quoted, .. }
                | Part::Arithmetic { quoted, .. } => !quoted,
            };
            if splits {
                let mut parts = value.split_whitespace().peekable();
                if value.starts_with(char::is_whitespace) && has_text {
                    push(&mut fields, &mut current, expansion)?;
                    has_text = false;
                }
                while let Some(piece) = parts.next() {
                    current.push_str(piece);
                    has_text = true;
                    if parts.peek().is_some() {
                        push(&mut fields, &mut current, expansion)?;
                    }
                }
                if value.ends_with(char::is_whitespace) && has_text {
                    push(&mut fields, &mut current, expansion)?;
                    has_text = false;
                }
            } else {
                current.push_str(&value);
                // A quoted empty string ("") is still a field.
                has_text |= matches!(part, Part::Literal { quoted: true, .. }) || !value.is_empty();
            }
        }
        if has_text {
            push(&mut fields, &mut current, expansion)?;
        }
        Ok(fields)
    }

    /// A part's value, and the status of the command substitution in it.
    async fn part(&mut self, part: &Part) -> Result<(String, Option<i32>), Flow> {
        Ok(match part {
            Part::Literal { text, .. } => (text.clone(), None),
            Part::Var { name, .. } if name == "?" => (self.shell.status.to_string(), None),
            Part::Var { name, .. } => {
                (self.shell.vars.get(name).cloned().unwrap_or_default(), None)
            }
            Part::Arithmetic { expr, tree, .. } => {
                match tree
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|tree| arith::eval(tree, &self.shell.vars))
                {
                    Ok(n) => (n.to_string(), None),
                    Err(message) => {
                        self.err_line(format!("bash: $(( {expr} )): {message}"))?;
                        return Err(Flow::Exit(1));
                    }
                }
            }
            Part::Substitution { script, .. } => {
                let (text, status) = self.substitution(script).await?;
                (text, Some(status))
            }
        })
    }

    /// `$( … )`: its standard output, without the trailing newlines, and
    /// its status. Standard error still shows.
    async fn substitution(&mut self, script: &Script) -> Result<(String, i32), Flow> {
        let mut capture = Stdout::Capture(String::new());
        let saved = self.shell.errexit;
        self.shell.errexit = false;
        let result = self.script(script, None, &mut capture).await;
        self.shell.errexit = saved;
        let status = match result {
            Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
            Err(Flow::Break) | Err(Flow::Continue) => 0,
            Err(abort @ (Flow::Abort(_) | Flow::Interrupted)) => return Err(abort),
        };
        self.shell.status = status;
        let mut text = match capture {
            Stdout::Capture(s) => s,
            Stdout::Transcript => String::new(),
        };
        if text.len() > MAX_VAR_BYTES {
            return Err(Flow::Abort(format!(
                "a command substitution printed more than {} MiB",
                MAX_VAR_BYTES >> 20
            )));
        }
        text.truncate(text.trim_end_matches('\n').len());
        Ok((text, status))
    }
}
