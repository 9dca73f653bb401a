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

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;

use crate::pace::{Go, Pacer, Progress};
use crate::transcript::Budget;

use super::ast::{
    AndOr, Assign, AssignValue, Command, Connector, DeclItem, Param, ParamOp, Part, Pipeline,
    Redirect, Script, Word,
};
use super::condition::{pattern_match, test_expr_full};
use super::{arith, builtins, Array, Host, Line, Shell};

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
    /// This command fails (its message is printed): the script goes on.
    Fail(i32),
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
    /// What each function call's `local` set aside: name, its scalar and
    /// its array before.
    frames: Vec<Vec<Saved>>,
    /// How far `read` has read each standard input (by its text's address
    /// and length).
    offsets: HashMap<(usize, usize), usize>,
    /// The standard input of the builtin running now.
    pub(super) stdin_key: Option<(usize, usize)>,
    /// Inside `2>/dev/null`: standard error is dropped.
    err_discard: usize,
    /// Inside `2>&1`: a host command's standard error goes to its output.
    err_to_out: usize,
    /// Text printed without its newline yet (`printf`, `echo -n`).
    partial: String,
}

/// A name `local` set aside: its scalar and its array before.
type Saved = (String, Option<String>, Option<Array>);

/// A part's value and the status of its command substitution.
type PartValue = Result<(String, Option<i32>), Flow>;

/// Where a command's redirections send its streams.
#[derive(Default)]
struct Plan {
    input: Option<String>,
    discard_out: bool,
    out_to_err: bool,
    discard_err: bool,
    err_to_out: bool,
}

fn key(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
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
        let var_bytes = shell
            .vars
            .iter()
            .map(|(k, v)| entry_bytes(k, v))
            .sum::<usize>()
            + shell
                .arrays
                .iter()
                .map(|(k, a)| k.len() + a.bytes())
                .sum::<usize>();
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
            frames: Vec::new(),
            offsets: HashMap::new(),
            stdin_key: None,
            err_discard: 0,
            err_to_out: 0,
            partial: String::new(),
        }
    }

    /// Runs a whole script; returns its status.
    pub async fn script_top(&mut self, script: &Script) -> i32 {
        let mut out = Stdout::Transcript;
        let result = self.script(script, None, &mut out).await;
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            if self.printed.admit(&rest).is_ok() {
                self.transcript.push(Line::Out(rest));
            }
        }
        match result {
            Ok(status)
            | Err(Flow::Exit(status))
            | Err(Flow::Return(status))
            | Err(Flow::Fail(status)) => status,
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
                let line = if self.partial.is_empty() {
                    line.to_string()
                } else {
                    std::mem::take(&mut self.partial) + line
                };
                self.printed.admit(&line).map_err(Flow::Abort)?;
                self.transcript.push(Line::Out(line));
            }
        }
        Ok(())
    }

    /// Prints `text` as it is: its last line may be left open.
    pub(super) fn out_text(&mut self, out: &mut Stdout, text: &str) -> Result<(), Flow> {
        if let Stdout::Capture(buffer) = out {
            if buffer.len() + text.len() > MAX_PIPE_BYTES {
                return Err(Flow::Abort(format!(
                    "a command printed more than {} MiB",
                    MAX_PIPE_BYTES >> 20
                )));
            }
            buffer.push_str(text);
            return Ok(());
        }
        let mut rest = text;
        while let Some(n) = rest.find('\n') {
            self.out_line(out, &rest[..n])?;
            rest = &rest[n + 1..];
        }
        if self.partial.len() + rest.len() > MAX_VAR_BYTES {
            return Err(Flow::Abort(format!(
                "a line longer than {} MiB",
                MAX_VAR_BYTES >> 20
            )));
        }
        self.partial.push_str(rest);
        Ok(())
    }

    pub(super) fn err_line(&mut self, line: impl Into<String>) -> Result<(), Flow> {
        let line = line.into();
        if self.err_discard > 0 {
            return Ok(());
        }
        if !self.partial.is_empty() {
            let open = std::mem::take(&mut self.partial);
            self.printed.admit(&open).map_err(Flow::Abort)?;
            self.transcript.push(Line::Out(open));
        }
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
        if self.shell.arrays.contains_key(name) {
            return self.store(name, Key::Index(0), value, false);
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
        if let Some(array) = self.shell.arrays.remove(name) {
            self.var_bytes -= name.len() + array.bytes();
        }
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
        // A compound command that failed did so through a command `set -e`
        // was ignoring (`[[ … ]] && …` last in a loop): bash goes on.
        let compound = match list.rest.last().map_or(&list.first, |(_, p)| p) {
            Pipeline {
                negate: false,
                commands,
            } => commands.len() == 1 && commands[0].is_compound(),
            _ => false,
        };
        if status != 0 && self.shell.errexit && self.condition == 0 && last == 0 && !compound {
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
        let mut status = 0;
        let mut failed = 0;
        let n = pipeline.commands.len();
        if n == 1 {
            status = self.command(&pipeline.commands[0], stdin, out).await?;
        } else {
            let mut input: Option<String> = stdin.map(str::to_string);
            for (i, command) in pipeline.commands.iter().enumerate() {
                if let Some(text) = &input {
                    self.offsets.remove(&key(text));
                }
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
                if status != 0 {
                    failed = status;
                }
            }
        }
        if self.shell.pipefail && status == 0 {
            status = failed;
        }
        if pipeline.negate {
            status = i32::from(status == 0);
        }
        self.shell.status = status;
        Ok(status)
    }

    // Boxed: `Redirected` runs the command it wraps.
    fn command<'s>(
        &'s mut self,
        command: &'s Command,
        stdin: Option<&'s str>,
        out: &'s mut Stdout,
    ) -> Pin<Box<dyn Future<Output = Done> + 's>> {
        Box::pin(async move {
            self.step().await?;
            match self.command_inner(command, stdin, out).await {
                Err(Flow::Fail(status)) => {
                    self.shell.status = status;
                    Ok(status)
                }
                other => other,
            }
        })
    }

    /// A simple command with its redirections, or a compound command with
    /// the ones after it: the redirections planned, the command run with
    /// its output captured where it goes elsewhere, then delivered.
    async fn redirected(
        &mut self,
        under: Under<'_>,
        redirects: &[Redirect],
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let plan = self.plan(redirects).await?;
        let input = plan.input.clone();
        if let Some(text) = &input {
            self.offsets.remove(&key(text));
        }
        let stdin = input.as_deref().or(stdin);
        let mut capture = Stdout::Capture(String::new());
        let sink = if plan.discard_out || plan.out_to_err {
            &mut capture
        } else {
            out
        };
        self.err_discard += usize::from(plan.discard_err);
        self.err_to_out += usize::from(plan.err_to_out);
        let result = match under {
            Under::Simple { assigns, words } => self.simple(assigns, words, stdin, sink).await,
            Under::Command(command) => self.command_inner_boxed(command, stdin, sink).await,
        };
        self.err_discard -= usize::from(plan.discard_err);
        self.err_to_out -= usize::from(plan.err_to_out);
        self.after_redirect(&plan, capture)?;
        result
    }

    async fn command_inner(
        &mut self,
        command: &Command,
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        match command {
            Command::Simple {
                assigns,
                words,
                redirects,
                ..
            } => {
                if redirects.is_empty() {
                    return self.simple(assigns, words, stdin, out).await;
                }
                let under = Under::Simple { assigns, words };
                self.redirected(under, redirects, stdin, out).await
            }
            Command::Redirected {
                command, redirects, ..
            } => {
                self.redirected(Under::Command(command), redirects, stdin, out)
                    .await
            }
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
            Command::Declare { builtin, items, .. } => self.declare(builtin, items).await,
            Command::Case { word, arms, .. } => {
                let mut expansion = Expansion::default();
                let value = self.expand_joined(word, &mut expansion).await?;
                for (patterns, body) in arms {
                    for p in patterns {
                        let pattern = self.expand_pattern(p, &mut expansion).await?;
                        if pattern_match(&pattern, &value) {
                            return self.script(body, stdin, out).await;
                        }
                    }
                }
                Ok(0)
            }
            Command::Arith { expr, .. } => {
                let value = self.arith(expr, "((").await?;
                Ok(i32::from(value == 0))
            }
        }
    }

    fn command_inner_boxed<'s>(
        &'s mut self,
        command: &'s Command,
        stdin: Option<&'s str>,
        out: &'s mut Stdout,
    ) -> Pin<Box<dyn Future<Output = Done> + 's>> {
        Box::pin(self.command_inner(command, stdin, out))
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
                    Part::Literal { quoted: true, .. }
                        | Part::Var { quoted: true, .. }
                        | Part::Param { quoted: true, .. }
                )
            });
            // A pattern's quoted parts match literally.
            let regex_side = args
                .last()
                .is_some_and(|(a, q): &(String, bool)| a == "=~" && !q);
            let value = if regex_side {
                self.expand_pattern_with(w, &mut expansion, regex_escape)
                    .await?
            } else {
                self.expand_joined(w, &mut expansion).await?
            };
            args.push((value, quoted && !regex_side));
        }
        match test_expr_full(&args, true) {
            Ok((result, rematch)) => {
                if let Some(groups) = rematch {
                    let array = Array::Indexed(
                        groups
                            .into_iter()
                            .enumerate()
                            .map(|(i, g)| (i as i64, g))
                            .collect(),
                    );
                    self.remove_var("BASH_REMATCH");
                    self.put_array("BASH_REMATCH", array)?;
                }
                Ok(i32::from(!result))
            }
            Err(message) => {
                self.err_line(format!("bash: [[: {message}"))?;
                Ok(2)
            }
        }
    }

    async fn simple(
        &mut self,
        assigns: &[Assign],
        words: &[Word],
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        let mut substituted = None;
        let mut expansion = Expansion::default();
        let mut argv = Vec::new();
        if words.is_empty() {
            for assign in assigns {
                let status = self.assign(assign, &mut expansion).await?;
                substituted = status.or(substituted);
            }
            return Ok(substituted.unwrap_or(0));
        }
        // `NAME=value command`: the value holds for that command only.
        let mut saved = Vec::new();
        for assign in assigns {
            if assign.index.is_none() && !self.shell.arrays.contains_key(&assign.name) {
                saved.push((
                    assign.name.clone(),
                    self.shell.vars.get(&assign.name).cloned(),
                ));
            }
            self.assign(assign, &mut expansion).await?;
        }
        let result = self
            .run_words(words, &mut expansion, &mut argv, stdin, out)
            .await;
        for (name, old) in saved {
            match old {
                Some(v) => self.set_var(&name, v)?,
                None => {
                    self.remove_var(&name);
                }
            }
        }
        result
    }

    async fn run_words(
        &mut self,
        words: &[Word],
        expansion: &mut Expansion,
        argv: &mut Vec<String>,
        stdin: Option<&str>,
        out: &mut Stdout,
    ) -> Done {
        for word in words {
            argv.extend(self.expand(word, expansion).await?);
        }
        let Some(program) = argv.first().cloned() else {
            return Ok(0);
        };
        // What `read` and the text tools have not read yet.
        let original = stdin;
        let stdin = stdin.map(|s| {
            let at = self.offsets.get(&key(s)).copied().unwrap_or(0).min(s.len());
            &s[at..]
        });
        if let Some(body) = self.shell.functions.get(&program).cloned() {
            return self.call(&program, &body, &argv[1..], stdin, out).await;
        }
        if let Some(builtin) = builtins::find(&program) {
            self.stdin_key = original.map(key);
            let result = builtin(self, &program, &argv[1..], stdin, out);
            self.stdin_key = None;
            return result;
        }
        let (stdout, stderr, status) = self.host.run(argv);
        // az writes its warnings and its request log (--debug, the request
        // view) as it goes, before it prints the result: standard error first.
        for l in stderr.lines() {
            if self.err_to_out > 0 {
                self.out_line(out, l)?;
            } else {
                self.err_line(l)?;
            }
        }
        for l in stdout.lines() {
            self.out_line(out, l)?;
        }
        Ok(status)
    }

    /// Marks `n` more bytes of the builtin's standard input as read.
    pub(super) fn consume(&mut self, n: usize) {
        if let Some(k) = self.stdin_key {
            *self.offsets.entry(k).or_insert(0) += n;
        }
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
                self.frames.push(Vec::new());
                let result = self.script(body, stdin, out).await;
                self.call_depth -= 1;
                // `local` names go back to what they were.
                for (name, scalar, array) in self.frames.pop().unwrap_or_default().into_iter().rev()
                {
                    self.remove_var(&name);
                    if let Some(v) = scalar {
                        self.put_var(&name, v)?;
                    }
                    if let Some(a) = array {
                        self.put_array(&name, a)?;
                    }
                }
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
        // `{a,b}` and `{1..3}` first, as bash does.
        if let Some(words) = brace_expand(word)? {
            let mut all = Vec::new();
            for w in &words {
                all.extend(Box::pin(self.expand(w, expansion)).await?);
            }
            return Ok(all);
        }
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has_text = false;
        let push = |fields: &mut Vec<String>, current: &mut String, e: &mut Expansion| {
            e.take(FIELD_COST)?;
            fields.push(std::mem::take(current));
            Ok::<(), Flow>(())
        };
        // `"$@"` and `"${a[@]}"` of nothing are no field at all.
        let mut only_lists = true;
        for part in &word.parts {
            if let Some((list, quoted)) = Box::pin(self.part_list(part)).await? {
                only_lists &= list.is_empty();
                for (i, value) in list.iter().enumerate() {
                    expansion.take(value.len())?;
                    if quoted {
                        if i > 0 {
                            push(&mut fields, &mut current, expansion)?;
                        }
                        current.push_str(value);
                        has_text = true;
                    } else {
                        if i > 0 && has_text {
                            push(&mut fields, &mut current, expansion)?;
                            has_text = false;
                        }
                        split_into(value, &mut fields, &mut current, &mut has_text, expansion)?;
                    }
                }
                continue;
            }
            only_lists &= matches!(part, Part::Literal { text, quoted: true } if text.is_empty());
            let (value, _) = self.part(part).await?;
            expansion.take(value.len())?;
            let splits = match part {
                Part::Literal { .. } => false,
                Part::Var { quoted, .. }
                | Part::Param { quoted, .. }
                | Part::Substitution { quoted, .. }
                | Part::Arithmetic { quoted, .. } => !quoted,
            };
            if splits {
                split_into(&value, &mut fields, &mut current, &mut has_text, expansion)?;
            } else {
                current.push_str(&value);
                // A quoted empty string ("") is still a field.
                has_text |= matches!(part, Part::Literal { quoted: true, .. }) || !value.is_empty();
            }
        }
        let any_list = word
            .parts
            .iter()
            .any(|p| matches!(p, Part::Param { param, .. } if param.name == "@" || param.index.as_ref().and_then(Word::plain) == Some("@")));
        if has_text && !(any_list && only_lists && current.is_empty()) {
            push(&mut fields, &mut current, expansion)?;
        }
        Ok(fields)
    }

    /// A part's value, and the status of the command substitution in it.
    // Boxed: `${ }`, `$(( ))` and subscripts expand words of their own.
    fn part<'s>(&'s mut self, part: &'s Part) -> Pin<Box<dyn Future<Output = PartValue> + 's>> {
        Box::pin(self.part_inner(part))
    }

    async fn part_inner(&mut self, part: &Part) -> Result<(String, Option<i32>), Flow> {
        Ok(match part {
            Part::Literal { text, .. } => (text.clone(), None),
            Part::Var { name, .. } => match self.scalar(name) {
                Some(v) => (v, None),
                None => {
                    self.unbound(name)?;
                    (String::new(), None)
                }
            },
            Part::Param { param, .. } => (Box::pin(self.param(param)).await?, None),
            Part::Arithmetic { expr, tree, .. } => {
                let computed = if expr.contains("${") || expr.contains("$(") {
                    let text = self.arith_text(expr).await?;
                    arith::parse(&text)
                } else {
                    tree.clone()
                };
                match computed.and_then(|tree| self.arith_tree(&tree)) {
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
            Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) | Err(Flow::Fail(s)) => s,
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

/// Splits an unquoted expansion's `value` on whitespace into `fields`.
fn split_into(
    value: &str,
    fields: &mut Vec<String>,
    current: &mut String,
    has_text: &mut bool,
    expansion: &mut Expansion,
) -> Result<(), Flow> {
    let mut push = |fields: &mut Vec<String>, current: &mut String| {
        expansion.take(FIELD_COST)?;
        fields.push(std::mem::take(current));
        Ok::<(), Flow>(())
    };
    let mut parts = value.split_whitespace().peekable();
    if value.starts_with(char::is_whitespace) && *has_text {
        push(fields, current)?;
        *has_text = false;
    }
    while let Some(piece) = parts.next() {
        current.push_str(piece);
        *has_text = true;
        if parts.peek().is_some() {
            push(fields, current)?;
        }
    }
    if value.ends_with(char::is_whitespace) && *has_text {
        push(fields, current)?;
        *has_text = false;
    }
    Ok(())
}

/// A subscript, evaluated: an associative array's key or an index.
pub(super) enum Key {
    Name(String),
    Index(i64),
}

fn glob_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn regex_escape(text: &str) -> String {
    ::regex::escape(text)
}

/// Glob trims (`${v%%_*}`) of values longer than this are refused: trying
/// every prefix of a value against a pattern is quadratic. (A pattern with
/// no `*`, `?` or `[` is plain text, and has no limit.)
const MAX_PATTERN_TEXT: usize = 1 << 12;
/// Glob replacements (`${v//$p/x}`) try every start and end: cubic.
const MAX_REPLACE_TEXT: usize = 1 << 8;

/// A pattern without wildcards, as the text it matches.
fn literal(pattern: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '*' | '?' | '[' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

impl Run<'_> {
    /// A variable's value as `$name` reads it (an array's element 0).
    pub(super) fn scalar(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.shell.status.to_string()),
            "#" => Some(
                self.shell
                    .vars
                    .get("#")
                    .cloned()
                    .unwrap_or_else(|| "0".into()),
            ),
            "0" => Some(
                self.shell
                    .vars
                    .get("0")
                    .cloned()
                    .unwrap_or_else(|| "bash".into()),
            ),
            "$" => Some("1".into()),
            "-" => {
                let mut flags = String::from("hB");
                if self.shell.errexit {
                    flags.push('e');
                }
                if self.shell.nounset {
                    flags.push('u');
                }
                Some(flags)
            }
            "@" | "*" => Some(self.positional().join(" ")),
            _ => match self.shell.arrays.get(name) {
                Some(Array::Indexed(m)) => m.get(&0).cloned(),
                Some(Array::Assoc(v)) => v.get("0").cloned(),
                None => self.shell.vars.get(name).cloned(),
            },
        }
    }

    fn positional(&self) -> Vec<String> {
        let n: usize = self
            .shell
            .vars
            .get("#")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        (1..=n)
            .map(|i| {
                self.shell
                    .vars
                    .get(&i.to_string())
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    /// `set -u`: an unset variable stops the script, as in bash.
    fn unbound(&mut self, name: &str) -> Result<(), Flow> {
        if self.shell.nounset {
            self.err_line(format!("bash: {name}: unbound variable"))?;
            return Err(Flow::Exit(127));
        }
        Ok(())
    }

    /// A command the simulator does not run: it fails with `message`.
    fn unsupported(&mut self, message: String) -> Result<String, Flow> {
        self.err_line(message)?;
        Err(Flow::Fail(1))
    }

    pub(super) async fn subscript(&mut self, name: &str, index: &Word) -> Result<Key, Flow> {
        let mut expansion = Expansion::default();
        let text = self.expand_joined(index, &mut expansion).await?;
        if matches!(self.shell.arrays.get(name), Some(Array::Assoc(_))) {
            return Ok(Key::Name(text));
        }
        let tree = match arith::parse(&text) {
            Ok(tree) => tree,
            Err(message) => {
                self.err_line(format!("bash: {name}[{text}]: {message}"))?;
                return Err(Flow::Fail(1));
            }
        };
        let n = self.arith_tree(&tree).map_err(|m| m.to_string());
        match n {
            Ok(n) if n < 0 => {
                let len = match self.shell.arrays.get(name) {
                    Some(Array::Indexed(m)) => m.keys().next_back().map_or(0, |k| k + 1),
                    _ => 1,
                };
                if len + n < 0 {
                    self.err_line(format!("bash: {name}[{text}]: bad array subscript"))?;
                    return Err(Flow::Fail(1));
                }
                Ok(Key::Index(len + n))
            }
            Ok(n) => Ok(Key::Index(n)),
            Err(message) => {
                self.err_line(format!("bash: {name}[{text}]: {message}"))?;
                Err(Flow::Fail(1))
            }
        }
    }

    fn element(&self, name: &str, key: &Key) -> Option<String> {
        match (self.shell.arrays.get(name), key) {
            (Some(Array::Indexed(m)), Key::Index(i)) => m.get(i).cloned(),
            (Some(Array::Assoc(v)), Key::Name(k)) => v.get(k).cloned(),
            (Some(Array::Assoc(v)), Key::Index(i)) => v.get(&i.to_string()).cloned(),
            (None, Key::Index(0)) => self.shell.vars.get(name).cloned(),
            _ => None,
        }
    }

    /// Sets an array's element (making `name` an indexed array if it is
    /// not one). The budget counts the element's change only: a loop that
    /// grows an array does not re-measure it each time.
    pub(super) fn store(
        &mut self,
        name: &str,
        key: Key,
        value: String,
        append: bool,
    ) -> Result<(), Flow> {
        if !self.shell.arrays.contains_key(name) {
            let m = match self.shell.vars.get(name) {
                Some(v) => BTreeMap::from([(0, v.clone())]),
                None => BTreeMap::new(),
            };
            self.put_array(name, Array::Indexed(m))?;
        }
        let assoc = matches!(self.shell.arrays.get(name), Some(Array::Assoc(_)));
        let key = match (key, assoc) {
            (Key::Index(i), true) => Key::Name(i.to_string()),
            (Key::Name(_), false) => return Ok(()),
            (key, _) => key,
        };
        let old = self.element(name, &key);
        let value = match (&old, append) {
            (Some(old), true) => old.clone() + &value,
            _ => value,
        };
        if value.len() > MAX_VAR_BYTES {
            return Err(Flow::Abort(format!(
                "variable '{name}' would hold more than {} MiB (the simulator's variable limit)",
                MAX_VAR_BYTES >> 20
            )));
        }
        let extra = match &key {
            Key::Index(_) => 8,
            Key::Name(k) => k.len(),
        };
        let total = self.var_bytes - old.map_or(0, |o| o.len() + extra) + value.len() + extra;
        if total > MAX_VARS_BYTES {
            return Err(Flow::Abort(format!(
                "the variables would hold more than {} MiB together (the simulator's variable limit)",
                MAX_VARS_BYTES >> 20
            )));
        }
        self.var_bytes = total;
        match (self.shell.arrays.get_mut(name), key) {
            (Some(Array::Indexed(m)), Key::Index(i)) => {
                m.insert(i, value);
            }
            (Some(Array::Assoc(m)), Key::Name(k)) => {
                m.insert(k, value);
            }
            _ => {}
        }
        Ok(())
    }

    /// Replaces the array `name` within the budget of all variables.
    pub(super) fn put_array(&mut self, name: &str, array: Array) -> Result<(), Flow> {
        let old = self
            .shell
            .arrays
            .get(name)
            .map_or(0, |a| name.len() + a.bytes())
            + self
                .shell
                .vars
                .get(name)
                .map_or(0, |v| entry_bytes(name, v));
        let total = self.var_bytes - old + name.len() + array.bytes();
        if total > MAX_VARS_BYTES {
            return Err(Flow::Abort(format!(
                "the variables would hold more than {} MiB together (the simulator's variable limit)",
                MAX_VARS_BYTES >> 20
            )));
        }
        self.var_bytes = total;
        self.shell.vars.remove(name);
        self.shell.arrays.insert(name.to_string(), array);
        Ok(())
    }

    /// Runs one assignment; returns the status of a command substitution in it.
    async fn assign(
        &mut self,
        assign: &Assign,
        expansion: &mut Expansion,
    ) -> Result<Option<i32>, Flow> {
        let name = assign.name.as_str();
        match &assign.value {
            AssignValue::Scalar(word) => {
                let (value, status) = self.expand_with_status(word, expansion).await?;
                match &assign.index {
                    Some(index) => {
                        let key = self.subscript(name, index).await?;
                        self.store(name, key, value, assign.append)?;
                    }
                    None if assign.append => {
                        let old = self.scalar(name).unwrap_or_default();
                        self.set_var(name, old + &value)?;
                    }
                    None => self.set_var(name, value)?,
                }
                Ok(status)
            }
            AssignValue::Array(items) => {
                let assoc = matches!(self.shell.arrays.get(name), Some(Array::Assoc(_)));
                // The elements first: `a=("${a[@]/#/x}")` reads the old `a`.
                let mut values: Vec<(Option<Key>, String)> = Vec::new();
                for (index, value) in items {
                    match index {
                        Some(index) => {
                            let key = self.subscript(name, index).await?;
                            let value = self.expand_joined(value, expansion).await?;
                            values.push((Some(key), value));
                        }
                        None => {
                            for value in self.expand(value, expansion).await? {
                                if assoc {
                                    self.err_line(format!(
                                        "bash: {name}: {value}: must use subscript when assigning associative array"
                                    ))?;
                                    continue;
                                }
                                values.push((None, value));
                            }
                        }
                    }
                }
                if !assign.append || !self.shell.arrays.contains_key(name) {
                    let scalar = self.shell.vars.get(name).cloned();
                    let fresh = match (assoc, assign.append, scalar) {
                        (true, _, _) => Array::Assoc(BTreeMap::new()),
                        (false, true, Some(v)) => Array::Indexed(BTreeMap::from([(0, v)])),
                        _ => Array::Indexed(BTreeMap::new()),
                    };
                    self.remove_var(name);
                    self.put_array(name, fresh)?;
                }
                let mut next = match self.shell.arrays.get(name) {
                    Some(Array::Indexed(m)) => m.keys().next_back().map_or(0, |k| k + 1),
                    _ => 0,
                };
                for (key, value) in values {
                    let key = match key {
                        Some(key) => key,
                        None => Key::Index(next),
                    };
                    if let Key::Index(i) = key {
                        next = i + 1;
                    }
                    self.store(name, key, value, false)?;
                }
                Ok(None)
            }
        }
    }

    /// `local` (and `declare` in a function) sets `name` aside for the call.
    fn make_local(&mut self, name: &str) {
        let scalar = self.shell.vars.get(name).cloned();
        let array = self.shell.arrays.get(name).cloned();
        if let Some(frame) = self.frames.last_mut() {
            if !frame.iter().any(|(n, _, _)| n == name) {
                frame.push((name.to_string(), scalar, array));
            }
        }
    }

    async fn declare(&mut self, builtin: &str, items: &[DeclItem]) -> Done {
        let mut expansion = Expansion::default();
        let (mut assoc, mut indexed, mut global) = (false, false, false);
        let in_function = !self.frames.is_empty();
        if builtin == "local" && !in_function {
            self.err_line("bash: local: can only be used in a function")?;
            return Ok(1);
        }
        let mut status = 0;
        for item in items {
            match item {
                DeclItem::Word(w) => {
                    for arg in self.expand(w, &mut expansion).await? {
                        if let Some(flags) = arg.strip_prefix('-').filter(|_| arg.len() > 1) {
                            assoc |= flags.contains('A');
                            indexed |= flags.contains('a');
                            global |= flags.contains('g');
                            if flags.contains(['p', 'f', 'F', 'n']) {
                                self.err_line(format!(
                                    "bash: {builtin}: -{flags}: not supported by the simulator's shell"
                                ))?;
                                return Err(Flow::Fail(2));
                            }
                            continue;
                        }
                        if arg.starts_with('+') {
                            continue;
                        }
                        let (name, value) = match arg.split_once('=') {
                            Some((n, v)) => (n.to_string(), Some(v.to_string())),
                            None => (arg.clone(), None),
                        };
                        if !super::parser::is_name(&name) {
                            self.err_line(format!(
                                "bash: {builtin}: `{arg}': not a valid identifier"
                            ))?;
                            status = 1;
                            continue;
                        }
                        self.declare_name(builtin, &name, assoc, indexed, global, in_function)?;
                        if let Some(v) = value {
                            self.set_var(&name, v)?;
                        }
                    }
                }
                DeclItem::Assign(a) => {
                    self.declare_name(builtin, &a.name, assoc, indexed, global, in_function)?;
                    self.assign(a, &mut expansion).await?;
                }
            }
        }
        Ok(status)
    }

    fn declare_name(
        &mut self,
        builtin: &str,
        name: &str,
        assoc: bool,
        indexed: bool,
        global: bool,
        in_function: bool,
    ) -> Result<(), Flow> {
        let local = in_function && !global && matches!(builtin, "local" | "declare" | "typeset");
        if local {
            self.make_local(name);
            if builtin == "local" || assoc || indexed {
                // A new local starts unset.
                self.remove_var(name);
            }
        }
        if assoc && !matches!(self.shell.arrays.get(name), Some(Array::Assoc(_))) {
            self.remove_var(name);
            self.put_array(name, Array::Assoc(BTreeMap::new()))?;
        } else if indexed && !self.shell.arrays.contains_key(name) {
            let old = self.shell.vars.get(name).cloned();
            self.remove_var(name);
            let m = old.map(|v| BTreeMap::from([(0, v)])).unwrap_or_default();
            self.put_array(name, Array::Indexed(m))?;
        }
        Ok(())
    }

    /// A pattern word: its quoted parts escaped, so they match literally.
    async fn expand_pattern(
        &mut self,
        word: &Word,
        expansion: &mut Expansion,
    ) -> Result<String, Flow> {
        self.expand_pattern_with(word, expansion, glob_escape).await
    }

    async fn expand_pattern_with(
        &mut self,
        word: &Word,
        expansion: &mut Expansion,
        escape: fn(&str) -> String,
    ) -> Result<String, Flow> {
        let mut out = String::new();
        for part in &word.parts {
            let (value, _) = self.part(part).await?;
            expansion.take(value.len())?;
            let quoted = match part {
                Part::Literal { quoted, .. }
                | Part::Var { quoted, .. }
                | Part::Param { quoted, .. }
                | Part::Substitution { quoted, .. }
                | Part::Arithmetic { quoted, .. } => *quoted,
            };
            if quoted {
                out.push_str(&escape(&value));
            } else {
                out.push_str(&value);
            }
        }
        Ok(out)
    }

    /// `$(( … ))` text with `${ }` and `$( )` in it, expanded first (as bash does).
    async fn arith_text(&mut self, expr: &str) -> Result<String, Flow> {
        let mut lexer = super::lexer::Lexer::new(expr, Default::default(), 1);
        let word = match lexer.expression_word() {
            Ok(w) => w,
            Err(e) => return self.unsupported(format!("bash: (( {expr} )): {}", e.message)),
        };
        let mut expansion = Expansion::default();
        self.expand_joined(&word, &mut expansion).await
    }

    /// [`Run::arith_tree`] for the builtins.
    pub(super) fn arith_now(&mut self, tree: &super::ast::Arith) -> Result<i64, String> {
        self.arith_tree(tree)
    }

    /// Evaluates an arithmetic tree, storing its assignments.
    fn arith_tree(&mut self, tree: &super::ast::Arith) -> Result<i64, String> {
        let mut writes = Vec::new();
        let value = {
            let this = &*self;
            arith::eval_with(tree, &|name| this.scalar(name), &mut writes)
        }?;
        for (name, v) in writes {
            self.set_var(&name, v.to_string()).map_err(|f| match f {
                Flow::Abort(m) => m,
                _ => "cannot assign".to_string(),
            })?;
        }
        Ok(value)
    }

    /// `(( … ))` and `let`: the value, or the command fails with bash's message.
    pub(super) async fn arith(&mut self, expr: &str, what: &str) -> Result<i64, Flow> {
        let text = if expr.contains('$') {
            self.arith_text(expr).await?
        } else {
            expr.to_string()
        };
        match arith::parse(&text).and_then(|tree| self.arith_tree(&tree)) {
            Ok(n) => Ok(n),
            Err(message) => {
                self.err_line(format!("bash: {what}: {}: {message}", text.trim()))?;
                Err(Flow::Fail(1))
            }
        }
    }

    /// What `${ … }` expands to as one string.
    async fn param(&mut self, p: &Param) -> Result<String, Flow> {
        if let ParamOp::Unsupported(why) = &p.op {
            if p.name.is_empty() && p.text.starts_with("<(") {
                return self.unsupported(format!(
                    "bash: {}: process substitution as a file name is not run by the simulator's shell (it has no files; `< <(…)` is)",
                    p.text
                ));
            }
            return self.unsupported(format!(
                "bash: ${{{}}}: bad substitution ({why}; not run by the simulator's shell)",
                p.text
            ));
        }
        if let Some(list) = self.param_list(p).await? {
            return Ok(list.join(" "));
        }
        if p.op == ParamOp::Indirect {
            let target = self.scalar(&p.name).unwrap_or_default();
            return match self.scalar(&target) {
                Some(v) => Ok(v),
                None if super::parser::is_name(&target) || target.is_empty() => {
                    if target.is_empty() {
                        self.err_line(format!("bash: {}: invalid indirect expansion", p.name))?;
                        return Err(Flow::Fail(1));
                    }
                    self.unbound(&target)?;
                    Ok(String::new())
                }
                None => self.unsupported(format!(
                    "bash: ${{!{}}}: '{target}' is not a variable name the simulator expands",
                    p.name
                )),
            };
        }
        // What `set -u` names when the value is unset: `m[key]` for an element.
        let mut shown = p.name.clone();
        let value = match &p.index {
            Some(index) => {
                let key = self.subscript(&p.name, index).await?;
                shown = match &key {
                    Key::Name(k) => format!("{}[{k}]", p.name),
                    Key::Index(i) => format!("{}[{i}]", p.name),
                };
                self.element(&p.name, &key)
            }
            None => self.scalar(&p.name),
        };
        let mut expansion = Expansion::default();
        match &p.op {
            ParamOp::Test { colon, op, word } => {
                let set = match &value {
                    Some(v) => !(*colon && v.is_empty()),
                    None => false,
                };
                return match (op, set) {
                    ('-', true) | ('=', true) | ('?', true) => Ok(value.unwrap_or_default()),
                    ('-', false) => self.expand_joined(word, &mut expansion).await,
                    ('=', false) => {
                        let v = self.expand_joined(word, &mut expansion).await?;
                        self.set_var(&p.name, v.clone())?;
                        Ok(v)
                    }
                    ('+', true) => self.expand_joined(word, &mut expansion).await,
                    ('+', false) => Ok(String::new()),
                    _ => {
                        let message = self.expand_joined(word, &mut expansion).await?;
                        let message = if message.is_empty() {
                            "parameter null or not set".to_string()
                        } else {
                            message
                        };
                        self.err_line(format!("bash: {}: {message}", p.name))?;
                        Err(Flow::Exit(1))
                    }
                };
            }
            ParamOp::Length => {
                if value.is_none() {
                    self.unbound(&shown)?;
                }
                return Ok(value.unwrap_or_default().chars().count().to_string());
            }
            _ => {}
        }
        let Some(value) = value else {
            self.unbound(&shown)?;
            return self.transform(p, String::new()).await;
        };
        self.transform(p, value).await
    }

    /// `[@]` expansions (and `$@`): their list, and whether it was quoted.
    async fn part_list(&mut self, part: &Part) -> Result<Option<(Vec<String>, bool)>, Flow> {
        let Part::Param { param, quoted } = part else {
            return Ok(None);
        };
        let at = param.name == "@" || param.index.as_ref().and_then(Word::plain) == Some("@");
        if !at
            || matches!(
                param.op,
                ParamOp::Length | ParamOp::Test { .. } | ParamOp::Unsupported(_)
            )
        {
            return Ok(None);
        }
        Ok(self.param_list(param).await?.map(|l| (l, *quoted)))
    }

    /// The elements a `[@]`/`[*]`/`$@` expansion gives, transformed.
    async fn param_list(&mut self, p: &Param) -> Result<Option<Vec<String>>, Flow> {
        let all = matches!(p.name.as_str(), "@" | "*") && p.index.is_none()
            || matches!(p.index.as_ref().and_then(Word::plain), Some("@" | "*"));
        if !all {
            return Ok(None);
        }
        let (values, keys) = if p.index.is_none() {
            let mut v = self.positional();
            let k = (1..=v.len()).map(|i| i.to_string()).collect();
            // `${@:1}` starts at `$1`: the list is counted from `$0`.
            if matches!(p.op, ParamOp::Slice { .. }) {
                v.insert(0, self.scalar("0").unwrap_or_default());
            }
            (v, k)
        } else {
            match self.shell.arrays.get(&p.name) {
                Some(a) => (a.values(), a.keys()),
                None => match self.shell.vars.get(&p.name) {
                    Some(v) => (vec![v.clone()], vec!["0".to_string()]),
                    None => (Vec::new(), Vec::new()),
                },
            }
        };
        Ok(Some(match &p.op {
            ParamOp::Length => vec![values.len().to_string()],
            ParamOp::Keys => keys,
            ParamOp::Plain => values,
            ParamOp::Slice { offset, length } => {
                let offset = self.arith(offset, "${…}").await?;
                let length = match length {
                    Some(l) => Some(self.arith(l, "${…}").await?),
                    None => None,
                };
                let len = values.len() as i64;
                let start = if offset < 0 {
                    (len + offset).max(0)
                } else {
                    offset.min(len)
                };
                let end = match length {
                    Some(l) if l < 0 => (len + l).max(start),
                    Some(l) => (start + l).min(len),
                    None => len,
                };
                values[start as usize..end as usize].to_vec()
            }
            _ => {
                let mut out = Vec::new();
                for v in values {
                    out.push(self.transform(p, v).await?);
                }
                out
            }
        }))
    }

    /// Trims, replacements, case changes and slices of one value.
    async fn transform(&mut self, p: &Param, value: String) -> Result<String, Flow> {
        let mut expansion = Expansion::default();
        let too_long = |run: &mut Self, limit: usize| {
            run.unsupported(format!(
                "bash: ${{{}}}: a wildcard pattern over a value longer than {limit} characters (the simulator's pattern limit)",
                p.text,
            ))
        };
        Ok(match &p.op {
            ParamOp::Trim {
                suffix,
                longest,
                pattern,
            } => {
                let pattern = self.expand_pattern(pattern, &mut expansion).await?;
                if let Some(text) = literal(&pattern) {
                    let cut = if *suffix {
                        value.strip_suffix(text.as_str())
                    } else {
                        value.strip_prefix(text.as_str())
                    };
                    return Ok(cut.map(str::to_string).unwrap_or(value));
                }
                if value.len() > MAX_PATTERN_TEXT {
                    return too_long(self, MAX_PATTERN_TEXT);
                }
                let bounds: Vec<usize> = value
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([value.len()])
                    .collect();
                let cut = |i: usize| -> bool {
                    if *suffix {
                        pattern_match(&pattern, &value[i..])
                    } else {
                        pattern_match(&pattern, &value[..i])
                    }
                };
                // Prefix: shortest is the smallest end; suffix: shortest is the largest start.
                let order: Vec<usize> = match (suffix, longest) {
                    (false, false) | (true, true) => bounds.clone(),
                    _ => bounds.iter().rev().copied().collect(),
                };
                match order.into_iter().find(|i| cut(*i)) {
                    Some(i) if *suffix => value[..i].to_string(),
                    Some(i) => value[i..].to_string(),
                    None => value,
                }
            }
            ParamOp::Replace {
                all,
                anchor,
                pattern,
                with,
            } => {
                let pattern = self.expand_pattern(pattern, &mut expansion).await?;
                let with = self.expand_joined(with, &mut expansion).await?;
                match (literal(&pattern), anchor) {
                    // `${v/#/x}` and `${v/%/x}` add `x` at the start or end.
                    (Some(text), Some('#')) if text.is_empty() => format!("{with}{value}"),
                    (Some(text), Some(_)) if text.is_empty() => format!("{value}{with}"),
                    (Some(text), _) if text.is_empty() => value,
                    (Some(text), None) if *all => value.replace(&text, &with),
                    (Some(text), None) => value.replacen(&text, &with, 1),
                    (Some(text), Some('#')) => match value.strip_prefix(text.as_str()) {
                        Some(rest) => format!("{with}{rest}"),
                        None => value,
                    },
                    (Some(text), Some(_)) => match value.strip_suffix(text.as_str()) {
                        Some(rest) => format!("{rest}{with}"),
                        None => value,
                    },
                    _ if value.len() > MAX_REPLACE_TEXT => return too_long(self, MAX_REPLACE_TEXT),
                    _ => replace(&value, &pattern, &with, *all, *anchor),
                }
            }
            ParamOp::Case { upper, all } => {
                let mut chars = value.chars();
                match (upper, all) {
                    (true, true) => value.to_uppercase(),
                    (false, true) => value.to_lowercase(),
                    (true, false) => chars
                        .next()
                        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                        .unwrap_or_default(),
                    (false, false) => chars
                        .next()
                        .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
                        .unwrap_or_default(),
                }
            }
            ParamOp::Slice { offset, length } => {
                let offset = self.arith(offset, "${…}").await?;
                let length = match length {
                    Some(l) => Some(self.arith(l, "${…}").await?),
                    None => None,
                };
                let chars: Vec<char> = value.chars().collect();
                let len = chars.len() as i64;
                let start = if offset < 0 {
                    (len + offset).max(0)
                } else {
                    offset.min(len)
                };
                let end = match length {
                    Some(l) if l < 0 => (len + l).max(start),
                    Some(l) => (start + l).min(len),
                    None => len,
                };
                if end < start {
                    String::new()
                } else {
                    chars[start as usize..end as usize].iter().collect()
                }
            }
            _ => value,
        })
    }

    /// The streams a command's redirections ask for; a file fails the command.
    async fn plan(&mut self, redirects: &[Redirect]) -> Result<Plan, Flow> {
        let mut plan = Plan::default();
        let mut expansion = Expansion::default();
        for r in redirects {
            match r {
                Redirect::Process(script) => {
                    let (mut text, _) = self.substitution(script).await?;
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    plan.input = Some(text);
                }
                Redirect::Input { text, here_string } => {
                    let mut value = self.expand_joined(text, &mut expansion).await?;
                    if *here_string {
                        value.push('\n');
                    }
                    plan.input = Some(value);
                }
                Redirect::File { fd, op, target } => {
                    let target = self.expand_joined(target, &mut expansion).await?;
                    match (*fd, op.as_str(), target.as_str()) {
                        (1, ">" | ">>" | ">|", "/dev/null") => plan.discard_out = true,
                        (2, ">" | ">>" | ">|", "/dev/null") => plan.discard_err = true,
                        (_, "&>", "/dev/null") => {
                            plan.discard_out = true;
                            plan.discard_err = true;
                        }
                        (0, "<", "/dev/null") => plan.input = Some(String::new()),
                        (2, ">&", "1") => plan.err_to_out = true,
                        (1, ">&", "2") => plan.out_to_err = true,
                        (1 | 2, ">&", "1" | "2") => {}
                        _ => {
                            self.err_line(format!(
                                "bash: {target}: the simulator's shell has no files ('{fd}{op}{target}' is not run; only /dev/null, 2>&1, >&2, <<EOF and <<< are)"
                            ))?;
                            return Err(Flow::Fail(1));
                        }
                    }
                }
            }
        }
        Ok(plan)
    }

    fn after_redirect(&mut self, plan: &Plan, capture: Stdout) -> Result<(), Flow> {
        if plan.out_to_err && !plan.discard_out {
            if let Stdout::Capture(text) = capture {
                for l in text.lines() {
                    self.err_line(l)?;
                }
            }
        }
        Ok(())
    }
}

/// `${v/p/w}` and its kin over `value`.
fn replace(value: &str, pattern: &str, with: &str, all: bool, anchor: Option<char>) -> String {
    let bounds: Vec<usize> = value
        .char_indices()
        .map(|(i, _)| i)
        .chain([value.len()])
        .collect();
    if pattern.is_empty() {
        return value.to_string();
    }
    match anchor {
        Some('#') => {
            for &end in bounds.iter().rev() {
                if pattern_match(pattern, &value[..end]) {
                    return format!("{with}{}", &value[end..]);
                }
            }
            value.to_string()
        }
        Some(_) => {
            for &start in &bounds {
                if pattern_match(pattern, &value[start..]) {
                    return format!("{}{with}", &value[..start]);
                }
            }
            value.to_string()
        }
        None => {
            let mut out = String::new();
            let mut at = 0;
            let mut n = 0;
            while n < bounds.len() - 1 {
                let start = bounds[n];
                // The longest match starting here.
                let found = bounds[n + 1..]
                    .iter()
                    .rev()
                    .find(|&&end| pattern_match(pattern, &value[start..end]));
                match found {
                    Some(&end) => {
                        out.push_str(&value[at..start]);
                        out.push_str(with);
                        at = end;
                        if !all {
                            break;
                        }
                        n = bounds
                            .iter()
                            .position(|b| *b == end)
                            .unwrap_or(bounds.len());
                    }
                    None => n += 1,
                }
            }
            out.push_str(&value[at..]);
            out
        }
    }
}

/// Words a brace expansion makes at most (`{1..100000}` is fine; a product
/// of ranges in the millions is refused).
const MAX_BRACE_WORDS: usize = 100_000;

/// The words `{a,b,c}`, `{1..9}`, `{01..10..2}`, `{a..e}` in an unquoted
/// literal of `word` stand for; `None` if it has no brace expansion.
fn brace_expand(word: &Word) -> Result<Option<Vec<Word>>, Flow> {
    for (n, part) in word.parts.iter().enumerate() {
        let Part::Literal {
            text,
            quoted: false,
        } = part
        else {
            continue;
        };
        let Some((open, close, alternatives)) = brace_group(text) else {
            continue;
        };
        let mut out = Vec::new();
        for alt in alternatives {
            let mut parts = word.parts[..n].to_vec();
            parts.push(Part::Literal {
                text: format!("{}{alt}{}", &text[..open], &text[close + 1..]),
                quoted: false,
            });
            parts.extend(word.parts[n + 1..].iter().cloned());
            let w = Word { parts };
            match brace_expand(&w)? {
                Some(more) => out.extend(more),
                None => out.push(w),
            }
            if out.len() > MAX_BRACE_WORDS {
                return Err(Flow::Abort(format!(
                    "a brace expansion would make more than {MAX_BRACE_WORDS} words"
                )));
            }
        }
        return Ok(Some(out));
    }
    Ok(None)
}

/// The first `{…}` in `text` that is a list or a range: where it opens and
/// closes, and its alternatives.
fn brace_group(text: &str) -> Option<(usize, usize, Vec<String>)> {
    let mut from = 0;
    while let Some(rel) = text[from..].find('{') {
        let open = from + rel;
        from = open + 1;
        let len = text[open + 1..].find(['}', '{'])?;
        let close = open + 1 + len;
        if text.as_bytes()[close] == b'{' {
            continue;
        }
        let inner = &text[open + 1..close];
        if inner.contains(',') {
            return Some((open, close, inner.split(',').map(str::to_string).collect()));
        }
        if let Some(range) = brace_range(inner) {
            return Some((open, close, range));
        }
    }
    None
}

fn brace_range(inner: &str) -> Option<Vec<String>> {
    let pieces: Vec<&str> = inner.split("..").collect();
    let (a, b, step) = match pieces.as_slice() {
        [a, b] => (*a, *b, 1i64),
        [a, b, s] => (*a, *b, s.parse::<i64>().ok()?.checked_abs()?.max(1)),
        _ => return None,
    };
    if let (Ok(x), Ok(y)) = (a.parse::<i64>(), b.parse::<i64>()) {
        let pad = [a, b]
            .iter()
            .filter(|t| t.trim_start_matches('-').starts_with('0') && t.len() > 1)
            .map(|t| t.len())
            .max()
            .unwrap_or(0);
        let count = (x.abs_diff(y) / step.unsigned_abs()).saturating_add(1);
        if count > MAX_BRACE_WORDS as u64 {
            return None;
        }
        let mut out = Vec::new();
        let mut v = x;
        for _ in 0..count {
            out.push(format!("{v:0pad$}"));
            v = if x <= y {
                v.wrapping_add(step)
            } else {
                v.wrapping_sub(step)
            };
        }
        return Some(out);
    }
    let (mut ca, mut cb) = (a.chars(), b.chars());
    match (ca.next(), ca.next(), cb.next(), cb.next()) {
        (Some(x), None, Some(y), None) if x.is_ascii_alphabetic() && y.is_ascii_alphabetic() => {
            let (x, y) = (x as u8, y as u8);
            let step = usize::try_from(step).unwrap_or(usize::MAX).max(1);
            let out: Vec<String> = if x <= y {
                (x..=y)
                    .step_by(step)
                    .map(|c| (c as char).to_string())
                    .collect()
            } else {
                (y..=x)
                    .rev()
                    .step_by(step)
                    .map(|c| (c as char).to_string())
                    .collect()
            };
            Some(out)
        }
        _ => None,
    }
}

/// What runs under redirections (see `redirected`).
enum Under<'c> {
    Simple {
        assigns: &'c [Assign],
        words: &'c [Word],
    },
    Command(&'c Command),
}
