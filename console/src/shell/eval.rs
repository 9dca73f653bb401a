//! Runs a bash syntax tree: expansion, pipelines, `&&`/`||`, `if`, loops,
//! functions, `set -e`, the builtins docs scripts use (`echo`, `test`/`[`,
//! `[[`, `seq`, `sleep`, and `grep`, `head`, `tail`, `wc`, `cat` in pipes),
//! and everything else through the [`Host`] (the console's `az` and `sim`).
//!
//! Every script runs within limits, so no input can hang or exhaust the
//! browser tab: a step budget, a cap on a variable's size, on output, and on
//! function-call depth; arithmetic is checked. Reaching one stops the script
//! with a message naming the limit.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use crate::pace::{Go, Pacer, Progress};

use super::ast::{AndOr, Command, Connector, Part, Pipeline, Script, Word};
use super::{Host, Line, Shell};

/// Commands one run may execute (loops included).
pub const MAX_STEPS: usize = 100_000;
/// Bytes one variable may hold.
pub const MAX_VAR_BYTES: usize = 1 << 20;
/// Lines one run may print.
pub const MAX_OUTPUT_LINES: usize = 100_000;
/// Nested function calls.
pub const MAX_CALL_DEPTH: usize = 64;
/// Numbers `seq` prints at most.
pub const MAX_SEQ: i64 = 100_000;

/// How control leaves a command early.
enum Flow {
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

type Done = Result<i32, Flow>;

/// Where a command's standard output goes.
enum Stdout {
    Transcript,
    Capture(String),
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
}

impl<'a> Run<'a> {
    pub fn new(
        shell: &'a mut Shell,
        host: &'a mut dyn Host,
        transcript: &'a mut Vec<Line>,
        pacer: &'a mut dyn Pacer,
    ) -> Self {
        Run {
            shell,
            host,
            transcript,
            pacer,
            steps: 0,
            call_depth: 0,
            condition: 0,
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

    fn out_line(&mut self, out: &mut Stdout, line: &str) -> Result<(), Flow> {
        match out {
            Stdout::Capture(buffer) => {
                if buffer.len() + line.len() > MAX_VAR_BYTES * 4 {
                    return Err(Flow::Abort(format!(
                        "a command printed more than {} MiB",
                        (MAX_VAR_BYTES * 4) >> 20
                    )));
                }
                buffer.push_str(line);
                buffer.push('\n');
            }
            Stdout::Transcript => {
                self.check_output()?;
                self.transcript.push(Line::Out(line.to_string()));
            }
        }
        Ok(())
    }

    fn err_line(&mut self, line: impl Into<String>) -> Result<(), Flow> {
        self.check_output()?;
        self.transcript.push(Line::Err(line.into()));
        Ok(())
    }

    fn check_output(&self) -> Result<(), Flow> {
        if self.transcript.len() >= MAX_OUTPUT_LINES {
            return Err(Flow::Abort(format!(
                "it printed more than {MAX_OUTPUT_LINES} lines (the simulator's output limit)"
            )));
        }
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

    fn set_var(&mut self, name: &str, value: String) -> Result<(), Flow> {
        if value.len() > MAX_VAR_BYTES {
            return Err(Flow::Abort(format!(
                "variable '{name}' would hold more than {} MiB (the simulator's variable limit)",
                MAX_VAR_BYTES >> 20
            )));
        }
        self.shell.vars.insert(name.to_string(), value);
        Ok(())
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
            } => {
                let mut status = 0;
                loop {
                    self.step().await?;
                    let c = self.condition(condition, stdin, out).await?;
                    if (c == 0) == *until {
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
            Command::For {
                var, words, body, ..
            } => {
                let mut values = Vec::new();
                for w in words {
                    values.extend(self.expand(w).await?);
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
            Command::Test { words, .. } => {
                let mut args = Vec::new();
                for w in words {
                    // No field splitting inside [[ ]]; a quoted right side is literal.
                    let quoted = w.parts.iter().any(|p| {
                        matches!(
                            p,
                            Part::Literal { quoted: true, .. } | Part::Var { quoted: true, .. }
                        )
                    });
                    args.push((self.expand_joined(w).await?, quoted));
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
            Command::Function { name, body, .. } => {
                self.shell.functions.insert(name.clone(), body.clone());
                Ok(0)
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
        let before = self.shell.status;
        let mut substituted = None;
        for (name, value) in assigns {
            let (value, status) = self.expand_with_status(value).await?;
            substituted = status.or(substituted);
            self.set_var(name, value)?;
        }
        let mut argv = Vec::new();
        for word in words {
            argv.extend(self.expand(word).await?);
        }
        let Some(program) = argv.first().cloned() else {
            let _ = before;
            return Ok(substituted.unwrap_or(0));
        };
        if let Some(body) = self.shell.functions.get(&program).cloned() {
            return self.call(&program, &body, &argv[1..], stdin, out).await;
        }
        let args = &argv[1..];
        match program.as_str() {
            "echo" => {
                let (newline, args) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let text = args.join(" ");
                if newline || !text.is_empty() {
                    self.out_line(out, &text)?;
                }
                Ok(0)
            }
            "set" => {
                for flag in args {
                    match flag.as_str() {
                        "-e" => self.shell.errexit = true,
                        "+e" => self.shell.errexit = false,
                        _ => {}
                    }
                }
                Ok(0)
            }
            "export" | "local" | "declare" | "readonly" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.set_var(k, v.to_string())?;
                    }
                }
                Ok(0)
            }
            "unset" => {
                for a in args {
                    self.shell.vars.remove(a);
                    self.shell.functions.remove(a);
                }
                Ok(0)
            }
            "true" | ":" => Ok(0),
            "false" => Ok(1),
            "exit" => Err(Flow::Exit(self.status_arg(args, "exit")?)),
            "return" => Err(Flow::Return(self.status_arg(args, "return")?)),
            "break" => Err(Flow::Break),
            "continue" => Err(Flow::Continue),
            "test" | "[" => {
                let mut args: Vec<String> = args.to_vec();
                if program == "[" {
                    if args.last().map(String::as_str) != Some("]") {
                        self.err_line("bash: [: missing ']'")?;
                        return Ok(2);
                    }
                    args.pop();
                }
                let args: Vec<(String, bool)> = args.into_iter().map(|a| (a, true)).collect();
                match test_expr(&args, false) {
                    Ok(b) => Ok(i32::from(!b)),
                    Err(message) => {
                        self.err_line(format!("bash: {program}: {message}"))?;
                        Ok(2)
                    }
                }
            }
            "seq" => self.seq(args, out),
            "sleep" => self.sleep(args),
            "grep" | "head" | "tail" | "wc" | "cat" => {
                let input = stdin.unwrap_or_default().to_string();
                match text_tool(&program, args, &input) {
                    Ok((lines, status)) => {
                        for l in lines {
                            self.out_line(out, &l)?;
                        }
                        Ok(status)
                    }
                    Err(message) => {
                        self.err_line(format!("{program}: {message}"))?;
                        Ok(2)
                    }
                }
            }
            _ => {
                let (stdout, stderr, status) = self.host.run(&argv);
                for l in stdout.lines() {
                    self.out_line(out, l)?;
                }
                for l in stderr.lines() {
                    self.err_line(l)?;
                }
                Ok(status)
            }
        }
    }

    fn status_arg(&mut self, args: &[String], what: &str) -> Result<i32, Flow> {
        match args.first() {
            None => Ok(self.shell.status),
            Some(a) => match a.parse::<i64>() {
                Ok(n) => Ok((n & 0xff) as i32),
                Err(_) => {
                    self.err_line(format!("bash: {what}: {a}: numeric argument required"))?;
                    Ok(2)
                }
            },
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
        // Positional parameters, restored afterwards.
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
        for (i, a) in args.iter().enumerate() {
            self.shell.vars.insert((i + 1).to_string(), a.clone());
        }
        self.shell.vars.insert("#".into(), args.len().to_string());
        self.call_depth += 1;
        let result = self.script(body, stdin, out).await;
        self.call_depth -= 1;
        for (k, v) in saved {
            match v {
                Some(v) => self.shell.vars.insert(k, v),
                None => self.shell.vars.remove(&k),
            };
        }
        match result {
            Err(Flow::Return(status)) => Ok(status),
            other => other,
        }
    }

    fn seq(&mut self, args: &[String], out: &mut Stdout) -> Done {
        let nums: Result<Vec<i64>, _> = args.iter().map(|a| a.parse::<i64>()).collect();
        let (first, step, last) = match nums.as_deref() {
            Ok([last]) => (1, 1, *last),
            Ok([first, last]) => (*first, 1, *last),
            Ok([first, step, last]) => (*first, *step, *last),
            _ => {
                self.err_line("seq: needs LAST, FIRST LAST or FIRST STEP LAST (whole numbers)")?;
                return Ok(1);
            }
        };
        if step == 0 {
            self.err_line("seq: the step must not be 0")?;
            return Ok(1);
        }
        let count = last
            .checked_sub(first)
            .and_then(|d| d.checked_div(step))
            .map(|n| n.saturating_add(1));
        match count {
            Some(n) if n > MAX_SEQ => {
                self.err_line(format!("seq: at most {MAX_SEQ} numbers in the simulator"))?;
                return Ok(1);
            }
            None => {
                self.err_line(format!("seq: at most {MAX_SEQ} numbers in the simulator"))?;
                return Ok(1);
            }
            _ => {}
        }
        let mut n = first;
        while (step > 0 && n <= last) || (step < 0 && n >= last) {
            self.out_line(out, &n.to_string())?;
            match n.checked_add(step) {
                Some(next) => n = next,
                None => break,
            }
        }
        Ok(0)
    }

    /// `sleep N` moves the simulated clock, so a "wait until done" loop ends.
    fn sleep(&mut self, args: &[String]) -> Done {
        let Some(arg) = args.first() else {
            self.err_line("sleep: missing operand")?;
            return Ok(1);
        };
        let (number, unit) = arg.split_at(
            arg.find(|c: char| !c.is_ascii_digit() && c != '.')
                .unwrap_or(arg.len()),
        );
        let seconds: Option<f64> = number.parse().ok();
        let factor = match unit {
            "" | "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => -1.0,
        };
        let Some(seconds) = seconds
            .filter(|s| *s >= 0.0 && factor > 0.0)
            .map(|s| (s * factor).ceil() as u64)
        else {
            self.err_line(format!("sleep: invalid time interval '{arg}'"))?;
            return Ok(1);
        };
        if seconds == 0 {
            return Ok(0);
        }
        let argv: Vec<String> = [
            "sim",
            "clock",
            "advance",
            &format!("{seconds}s"),
            "-o",
            "none",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (_, stderr, status) = self.host.run(&argv);
        for l in stderr.lines() {
            self.err_line(format!("sleep: {l}"))?;
        }
        Ok(status)
    }

    /// A word's value with no field splitting (assignments, `[[ ]]`).
    async fn expand_joined(&mut self, word: &Word) -> Result<String, Flow> {
        Ok(self.expand_with_status(word).await?.0)
    }

    async fn expand_with_status(&mut self, word: &Word) -> Result<(String, Option<i32>), Flow> {
        let mut out = String::new();
        let mut status = None;
        for part in &word.parts {
            let (value, s) = self.part(part).await?;
            status = s.or(status);
            out.push_str(&value);
        }
        Ok((out, status))
    }

    /// A word's fields: unquoted expansions split on whitespace, and vanish when empty.
    async fn expand(&mut self, word: &Word) -> Result<Vec<String>, Flow> {
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has_text = false;
        for part in &word.parts {
            let (value, _) = self.part(part).await?;
            let splits = match part {
                Part::Literal { .. } => false,
                Part::Var { quoted, .. }
                | Part::Substitution { quoted, .. }
                | Part::Arithmetic { quoted, .. } => !quoted,
            };
            if splits {
                let mut parts = value.split_whitespace().peekable();
                if value.starts_with(char::is_whitespace) && has_text {
                    fields.push(std::mem::take(&mut current));
                    has_text = false;
                }
                while let Some(piece) = parts.next() {
                    current.push_str(piece);
                    has_text = true;
                    if parts.peek().is_some() {
                        fields.push(std::mem::take(&mut current));
                    }
                }
                if value.ends_with(char::is_whitespace) && has_text {
                    fields.push(std::mem::take(&mut current));
                    has_text = false;
                }
            } else {
                current.push_str(&value);
                // A quoted empty string ("") is still a field.
                has_text |= matches!(part, Part::Literal { quoted: true, .. }) || !value.is_empty();
            }
        }
        if has_text {
            fields.push(current);
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
            Part::Arithmetic { expr, .. } => match arithmetic(expr, &self.shell.vars) {
                Ok(n) => (n.to_string(), None),
                Err(message) => {
                    self.err_line(format!("bash: $(( {expr} )): {message}"))?;
                    return Err(Flow::Exit(1));
                }
            },
            Part::Substitution { script, .. } => {
                // Standard output is captured; standard error still shows.
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
                let text = match capture {
                    Stdout::Capture(s) => s,
                    Stdout::Transcript => String::new(),
                };
                if text.len() > MAX_VAR_BYTES {
                    return Err(Flow::Abort(format!(
                        "a command substitution printed more than {} MiB",
                        MAX_VAR_BYTES >> 20
                    )));
                }
                (text.trim_end_matches('\n').to_string(), Some(status))
            }
        })
    }
}

// ---- test, [ and [[ ------------------------------------------------------------

/// Evaluates test's arguments: `!`, `-a`/`&&`, `-o`/`||`, `( )`, string
/// and integer comparisons, `-z`/`-n`. In `[[ ]]` (`extended`), `==` and `!=`
/// match an unquoted right side as a glob pattern.
fn test_expr(args: &[(String, bool)], extended: bool) -> Result<bool, String> {
    let mut at = 0;
    let value = test_or(args, &mut at, extended)?;
    if at != args.len() {
        return Err(format!("unexpected '{}'", args[at].0));
    }
    Ok(value)
}

fn test_or(args: &[(String, bool)], at: &mut usize, ext: bool) -> Result<bool, String> {
    let mut v = test_and(args, at, ext)?;
    while args
        .get(*at)
        .is_some_and(|(a, _)| a == "-o" || (ext && a == "||"))
    {
        *at += 1;
        let r = test_and(args, at, ext)?;
        v = v || r;
    }
    Ok(v)
}

fn test_and(args: &[(String, bool)], at: &mut usize, ext: bool) -> Result<bool, String> {
    let mut v = test_not(args, at, ext)?;
    while args
        .get(*at)
        .is_some_and(|(a, _)| a == "-a" || (ext && a == "&&"))
    {
        *at += 1;
        let r = test_not(args, at, ext)?;
        v = v && r;
    }
    Ok(v)
}

fn test_not(args: &[(String, bool)], at: &mut usize, ext: bool) -> Result<bool, String> {
    if args.get(*at).is_some_and(|(a, _)| a == "!") && *at + 1 < args.len() {
        *at += 1;
        return Ok(!test_not(args, at, ext)?);
    }
    test_primary(args, at, ext)
}

fn test_primary(args: &[(String, bool)], at: &mut usize, ext: bool) -> Result<bool, String> {
    let get = |i: usize| args.get(i).map(|(a, _)| a.as_str());
    if get(*at) == Some("(") {
        *at += 1;
        let v = test_or(args, at, ext)?;
        if get(*at) != Some(")") {
            return Err("')' expected".into());
        }
        *at += 1;
        return Ok(v);
    }
    // Binary operators.
    if let (Some(left), Some(op)) = (get(*at), get(*at + 1)) {
        let binary = [
            "=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">",
        ];
        if binary.contains(&op) && *at + 2 < args.len() {
            let (right, right_quoted) = &args[*at + 2];
            *at += 3;
            let int = |s: &str| -> Result<i64, String> {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("{s}: integer expression expected"))
            };
            return Ok(match op {
                "=" | "==" if ext && !right_quoted => glob(right, left),
                "!=" if ext && !right_quoted => !glob(right, left),
                "=" | "==" => left == right,
                "!=" => left != right,
                "<" => left < right.as_str(),
                ">" => left > right.as_str(),
                "-eq" => int(left)? == int(right)?,
                "-ne" => int(left)? != int(right)?,
                "-lt" => int(left)? < int(right)?,
                "-le" => int(left)? <= int(right)?,
                "-gt" => int(left)? > int(right)?,
                _ => int(left)? >= int(right)?,
            });
        }
    }
    match (get(*at), get(*at + 1)) {
        (Some("-z"), Some(s)) => {
            *at += 2;
            Ok(s.is_empty())
        }
        (Some("-n"), Some(s)) => {
            *at += 2;
            Ok(!s.is_empty())
        }
        (Some(s), _) => {
            *at += 1;
            Ok(!s.is_empty())
        }
        (None, _) => Ok(false),
    }
}

/// Glob matching with `*` and `?`.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

// ---- $(( )) ----------------------------------------------------------------------

/// Integer arithmetic with checked operations: numbers, variables, `+ - * / %`,
/// comparisons, `&& || !` and parentheses.
pub fn arithmetic(expr: &str, vars: &BTreeMap<String, String>) -> Result<i64, String> {
    let tokens = arith_tokens(expr, vars)?;
    let mut at = 0;
    let v = arith_binary(&tokens, &mut at, 0)?;
    if at != tokens.len() {
        return Err(format!("syntax error near '{}'", tokens[at].text()));
    }
    Ok(v)
}

#[derive(Debug, Clone)]
enum ATok {
    Num(i64),
    Op(&'static str),
}

impl ATok {
    fn text(&self) -> String {
        match self {
            ATok::Num(n) => n.to_string(),
            ATok::Op(o) => o.to_string(),
        }
    }
}

fn arith_tokens(expr: &str, vars: &BTreeMap<String, String>) -> Result<Vec<ATok>, String> {
    const OPS: [&str; 18] = [
        "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "!", "$",
        "?",
    ];
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(ATok::Num(
                text.parse()
                    .map_err(|_| format!("{text}: number too large"))?,
            ));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            if c == '$' {
                i += 1;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            let value = vars
                .get(&name)
                .map(|v| v.trim().to_string())
                .unwrap_or_default();
            let n = if value.is_empty() {
                0
            } else {
                value
                    .parse()
                    .map_err(|_| format!("{name}: '{value}' is not a whole number"))?
            };
            out.push(ATok::Num(n));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPS
                .iter()
                .find(|o| rest.starts_with(**o) && **o != "$" && **o != "?")
                .ok_or_else(|| format!("'{c}' is not an arithmetic operator"))?;
            i += op.len();
            out.push(ATok::Op(op));
        }
    }
    Ok(out)
}

fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "==" | "!=" => 3,
        "<" | "<=" | ">" | ">=" => 4,
        "+" | "-" => 5,
        "*" | "/" | "%" => 6,
        _ => return None,
    })
}

fn arith_binary(t: &[ATok], at: &mut usize, min: u8) -> Result<i64, String> {
    let mut left = arith_unary(t, at)?;
    while let Some(ATok::Op(op)) = t.get(*at) {
        let Some(p) = precedence(op).filter(|p| *p > min) else {
            break;
        };
        *at += 1;
        let right = arith_binary(t, at, p)?;
        let overflow = || format!("{left} {op} {right} overflows");
        left = match *op {
            "+" => left.checked_add(right).ok_or_else(overflow)?,
            "-" => left.checked_sub(right).ok_or_else(overflow)?,
            "*" => left.checked_mul(right).ok_or_else(overflow)?,
            "/" | "%" if right == 0 => return Err("division by 0".into()),
            "/" => left.checked_div(right).ok_or_else(overflow)?,
            "%" => left.checked_rem(right).ok_or_else(overflow)?,
            "<" => i64::from(left < right),
            "<=" => i64::from(left <= right),
            ">" => i64::from(left > right),
            ">=" => i64::from(left >= right),
            "==" => i64::from(left == right),
            "!=" => i64::from(left != right),
            "&&" => i64::from(left != 0 && right != 0),
            _ => i64::from(left != 0 || right != 0),
        };
    }
    Ok(left)
}

fn arith_unary(t: &[ATok], at: &mut usize) -> Result<i64, String> {
    match t.get(*at) {
        Some(ATok::Num(n)) => {
            *at += 1;
            Ok(*n)
        }
        Some(ATok::Op("-")) => {
            *at += 1;
            let v = arith_unary(t, at)?;
            v.checked_neg().ok_or_else(|| format!("-{v} overflows"))
        }
        Some(ATok::Op("+")) => {
            *at += 1;
            arith_unary(t, at)
        }
        Some(ATok::Op("!")) => {
            *at += 1;
            Ok(i64::from(arith_unary(t, at)? == 0))
        }
        Some(ATok::Op("(")) => {
            *at += 1;
            let v = arith_binary(t, at, 0)?;
            match t.get(*at) {
                Some(ATok::Op(")")) => {
                    *at += 1;
                    Ok(v)
                }
                _ => Err("')' expected".into()),
            }
        }
        Some(other) => Err(format!("syntax error near '{}'", other.text())),
        None => Err("an operand is missing".into()),
    }
}

// ---- grep, head, tail, wc, cat ------------------------------------------------

/// The text tools docs scripts pipe into, reading `input`. Returns the lines
/// to print and the status.
fn text_tool(program: &str, args: &[String], input: &str) -> Result<(Vec<String>, i32), String> {
    let lines: Vec<&str> = input.lines().collect();
    let count_arg = |args: &[String]| -> Result<usize, String> {
        let mut n = 10;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "-n" {
                i += 1;
                n = args
                    .get(i)
                    .ok_or("option requires an argument -- 'n'")?
                    .parse()
                    .map_err(|_| format!("invalid number of lines: '{}'", args[i]))?;
            } else if let Some(num) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')) {
                n = num.parse().map_err(|_| format!("invalid option '{a}'"))?;
            } else {
                return Err(format!(
                    "reading files is not supported in the simulator ('{a}')"
                ));
            }
            i += 1;
        }
        Ok(n)
    };
    match program {
        "cat" => {
            if let Some(a) = args.first() {
                return Err(format!(
                    "reading files is not supported in the simulator ('{a}')"
                ));
            }
            Ok((lines.iter().map(|l| l.to_string()).collect(), 0))
        }
        "head" => {
            let n = count_arg(args)?;
            Ok((lines.iter().take(n).map(|l| l.to_string()).collect(), 0))
        }
        "tail" => {
            let n = count_arg(args)?;
            Ok((
                lines[lines.len().saturating_sub(n)..]
                    .iter()
                    .map(|l| l.to_string())
                    .collect(),
                0,
            ))
        }
        "wc" => {
            let (l, w, c) = (lines.len(), input.split_whitespace().count(), input.len());
            let flags: Vec<&str> = args.iter().map(String::as_str).collect();
            let line = match flags.as_slice() {
                ["-l"] => l.to_string(),
                ["-w"] => w.to_string(),
                ["-c"] => c.to_string(),
                [] => format!("{l:>7} {w:>7} {c:>7}"),
                other => {
                    return Err(format!(
                        "unsupported arguments {other:?} (the simulator has -l, -w, -c)"
                    ))
                }
            };
            Ok((vec![line], 0))
        }
        _ => {
            let (mut invert, mut count, mut quiet, mut ignore_case) = (false, false, false, false);
            let mut pattern = None;
            for a in args {
                match a.as_str() {
                    "-v" => invert = true,
                    "-c" => count = true,
                    "-q" => quiet = true,
                    "-i" => ignore_case = true,
                    "-E" | "-e" | "-F" => {}
                    s if s.starts_with('-') && s.len() > 1 && pattern.is_none() => {
                        return Err(format!("option '{s}' is not supported (the simulator has -v, -c, -q, -i, -E, -F)"))
                    }
                    s if pattern.is_none() => pattern = Some(s.to_string()),
                    s => return Err(format!("reading files is not supported in the simulator ('{s}')")),
                }
            }
            let pattern = pattern.ok_or("a pattern is needed")?;
            let (pattern, fold) = if ignore_case {
                (pattern.to_lowercase(), true)
            } else {
                (pattern, false)
            };
            let hits: Vec<String> = lines
                .iter()
                .filter(|l| {
                    let text = if fold {
                        l.to_lowercase()
                    } else {
                        l.to_string()
                    };
                    regex_match(&pattern, &text) != invert
                })
                .map(|l| l.to_string())
                .collect();
            let status = i32::from(hits.is_empty());
            if quiet {
                return Ok((vec![], status));
            }
            if count {
                return Ok((vec![hits.len().to_string()], status));
            }
            Ok((hits, status))
        }
    }
}

/// A small regular-expression matcher (after Kernighan and Pike): `^`, `$`,
/// `.`, `*` after a character, and literal characters; matches anywhere.
fn regex_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    if p.first() == Some(&'^') {
        return match_here(&p[1..], &t);
    }
    (0..=t.len()).any(|i| match_here(&p, &t[i..]))
}

fn match_here(p: &[char], t: &[char]) -> bool {
    match p {
        [] => true,
        [c, '*', rest @ ..] => {
            let mut i = 0;
            loop {
                if match_here(rest, &t[i..]) {
                    return true;
                }
                if i < t.len() && (*c == '.' || t[i] == *c) {
                    i += 1;
                } else {
                    return false;
                }
            }
        }
        ['$'] => t.is_empty(),
        [c, rest @ ..] => !t.is_empty() && (*c == '.' || t[0] == *c) && match_here(rest, &t[1..]),
    }
}
