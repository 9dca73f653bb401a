//! Runs a PowerShell syntax tree: statements, expressions, interpolation
//! and pipelines. Cmdlets are dispatched through the table in
//! [`super::cmdlets`] (which calls the engine through the runner, so lesson
//! locks and the record apply); pipeline stages live in [`super::pipeline`],
//! values and their budgets in [`super::value`], printing in
//! [`super::format`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};

use super::ast::{Expr, Stmt};
use super::cmdlets;
use super::compare;
use super::format::{format_hashtable, format_list};
use super::params::{self, Bound};
use super::parser::{parse, parse_expression};
use super::table::{Cmdlet, CommandFn, Eventually, Script, StageCall};
use super::value::{
    add, arithmetic, fits_string, hashtable_entries, multiply, number, property, text, truthy,
    type_name, weigh, weigh_within, PsError, HASHTABLE_KEY, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES,
    MAX_STEPS, MAX_VALUE_BYTES,
};
use crate::pace::{Go, Pacer, Progress};
use crate::runner::Runner;
use crate::Line;

pub struct Interpreter<'a> {
    pub rt: Runner<'a>,
    pub vars: &'a mut BTreeMap<String, Value>,
    out: Vec<Line>,
    pacer: &'a mut dyn Pacer,
    steps: usize,
    /// Stop was pressed, or a limit reached: the whole script ends.
    halted: bool,
    /// Bytes printed so far, against [`MAX_OUTPUT_BYTES`].
    printed: usize,
    /// What the lists `.Add()` grows weigh, so each add weighs only its
    /// item (forgotten whenever the variable is set another way).
    weights: BTreeMap<String, usize>,
    /// An error was written where the script went on (inside `try`).
    errored: bool,
}

impl<'a> Interpreter<'a> {
    pub fn new(
        rt: Runner<'a>,
        vars: &'a mut BTreeMap<String, Value>,
        pacer: &'a mut dyn Pacer,
    ) -> Self {
        Interpreter {
            rt,
            vars,
            out: Vec::new(),
            pacer,
            steps: 0,
            halted: false,
            printed: 0,
            weights: BTreeMap::new(),
            errored: false,
        }
    }

    /// Runs a script; returns what it printed and whether any command failed.
    pub async fn run(mut self, script: &str) -> (Vec<Line>, i32) {
        let statements = match parse(script) {
            Ok(s) => s,
            Err(e) => return (vec![Line::Err(format!("ParserError: {e}"))], 1),
        };
        let mut failed = false;
        for s in &statements {
            if let Err(e) = self.statement(s).await {
                self.out
                    .extend(e.message.lines().map(|l| Line::Err(l.to_string())));
                failed = true;
                self.halted |= e.halts;
            }
            if self.halted {
                break;
            }
        }
        (self.out, i32::from(failed || self.errored))
    }

    /// Counts a statement against the step budget, and lets the pacer pause
    /// (the page draws) or stop the script (a terminating error).
    async fn step(&mut self) -> Result<(), PsError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(PsError::halt(format!(
                "The script was stopped: it ran more than {MAX_STEPS} statements (the simulator's step limit: an endless loop?)"
            )));
        }
        let progress = Progress {
            steps: self.steps,
            commands: self.rt.count(),
            lines: &self.out,
        };
        if let Some(pause) = self.pacer.pace(progress) {
            if pause.await == Go::Stop {
                return Err(PsError::halt(
                    "^C (stopped: the commands that ran before Stop stay done, as in Azure)",
                ));
            }
        }
        Ok(())
    }

    /// Prints a value as PowerShell's host does: each item of an array,
    /// hashtables as Name/Value, objects as Format-List, the rest as text.
    fn emit(&mut self, v: &Value) -> Result<(), PsError> {
        match v {
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    self.emit(item)?;
                }
            }
            Value::Object(map) if map.contains_key(HASHTABLE_KEY) => {
                self.print(format_hashtable(v))?;
            }
            Value::Object(_) => self.print(format_list(v))?,
            other => self.print(vec![text(other)])?,
        }
        Ok(())
    }

    /// Adds lines to the transcript, within the output budget.
    fn print(&mut self, lines: Vec<String>) -> Result<(), PsError> {
        self.printed = lines
            .iter()
            .fold(self.printed, |sum, l| sum.saturating_add(l.len() + 1));
        if self.out.len() + lines.len() > MAX_OUTPUT_LINES {
            return Err(PsError::halt(format!(
                "The script was stopped: it printed more than {MAX_OUTPUT_LINES} lines (the simulator's output limit)"
            )));
        }
        if self.printed > MAX_OUTPUT_BYTES {
            return Err(PsError::halt(format!(
                "The script was stopped: it printed more than {} MiB (the simulator's output limit)",
                MAX_OUTPUT_BYTES >> 20
            )));
        }
        self.out.extend(lines.into_iter().map(Line::Out));
        Ok(())
    }

    // Boxed: statements and expressions nest, and a recursive future needs a known size.
    fn statement<'s>(
        &'s mut self,
        s: &'s Stmt,
    ) -> Pin<Box<dyn Future<Output = Result<(), PsError>> + 's>> {
        Box::pin(async move { self.statement_inner(s).await })
    }

    async fn statement_inner(&mut self, s: &Stmt) -> Result<(), PsError> {
        self.step().await?;
        match s {
            Stmt::Assign(name, e) => {
                let v = self.eval(e).await?;
                self.set(name, v);
            }
            Stmt::Expr(e) => {
                // .Add() returns the new index, which PowerShell prints.
                let v = self.eval(e).await?;
                self.emit(&v)?;
            }
            Stmt::Foreach(var, collection, body) => {
                let items = match self.eval(collection).await? {
                    Value::Array(a) => a,
                    Value::Null => vec![],
                    one => vec![one],
                };
                for item in items {
                    self.step().await?;
                    self.set(var, item);
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::If(arms, otherwise) => {
                for (cond, body) in arms {
                    if truthy(&self.eval(cond).await?) {
                        for s in body {
                            self.statement(s).await?;
                        }
                        return Ok(());
                    }
                }
                if let Some(body) = otherwise {
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::While(condition, body) => {
                while truthy(&self.eval(condition).await?) {
                    self.step().await?;
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::Do {
                body,
                condition,
                until,
            } => loop {
                self.step().await?;
                for s in body {
                    self.statement(s).await?;
                }
                // `do … while` goes on while it holds, `do … until` until it does.
                if truthy(&self.eval(condition).await?) == *until {
                    break;
                }
            },
            Stmt::Block(text) => {
                let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
                self.print(vec![inner.trim_matches('\n').to_string()])?;
            }
            Stmt::SetMember(name, path, e) => {
                let value = self.eval(e).await?;
                let mut target = self.vars.get(name).cloned().unwrap_or(Value::Null);
                set_member(&mut target, path, value).map_err(PsError::new)?;
                self.set(name, target);
            }
            Stmt::Try {
                body,
                catch,
                finally,
            } => {
                return self
                    .try_catch(body, catch.as_deref(), finally.as_deref())
                    .await
            }
        }
        Ok(())
    }

    /// `try`/`catch`/`finally`: an error the body's cmdlets only report is
    /// written and the body goes on; the first terminating one runs
    /// `catch` with `$_` its record (or, with no catch, goes on up after
    /// `finally`). A halt (a limit, Stop) is never caught.
    async fn try_catch(
        &mut self,
        body: &[Stmt],
        catch: Option<&[Stmt]>,
        finally: Option<&[Stmt]>,
    ) -> Result<(), PsError> {
        let mut caught = None;
        for s in body {
            match self.statement(s).await {
                Ok(()) => {}
                Err(e) if e.halts => return Err(e),
                Err(e) if e.non_terminating => {
                    self.errored = true;
                    self.out
                        .extend(e.message.lines().map(|l| Line::Err(l.to_string())));
                }
                Err(e) => {
                    caught = Some(e);
                    break;
                }
            }
        }
        let mut result = Ok(());
        if let Some(error) = caught {
            match catch {
                Some(handler) => {
                    let saved = self.vars.get("_").cloned();
                    self.set("_", error.record());
                    for s in handler {
                        if let Err(e) = self.statement(s).await {
                            result = Err(e);
                            break;
                        }
                    }
                    match saved {
                        Some(v) => self.set("_", v),
                        None => {
                            self.vars.remove("_");
                        }
                    }
                }
                None => result = Err(error),
            }
        }
        if result.as_ref().is_err_and(|e| e.halts) {
            return result;
        }
        for s in finally.unwrap_or_default() {
            self.statement(s).await?;
        }
        result
    }

    fn eval<'s>(
        &'s mut self,
        e: &'s Expr,
    ) -> Pin<Box<dyn Future<Output = Result<Value, PsError>> + 's>> {
        Box::pin(async move { self.eval_inner(e).await })
    }

    async fn eval_inner(&mut self, e: &Expr) -> Result<Value, PsError> {
        Ok(match e {
            Expr::Lit(v) => v.clone(),
            Expr::Interp(s) => Value::String(self.interpolate(s).await?),
            Expr::Var(name, path) => {
                let mut v = self.vars.get(name).cloned().unwrap_or(Value::Null);
                for p in path {
                    v = property(&v, p);
                }
                v
            }
            Expr::Method(name, path, method, args) => {
                let (mut values, mut weight) = (Vec::with_capacity(args.len()), 0);
                for a in args {
                    let value = self.eval(a).await?;
                    weight = weigh_within(weight, &value)?;
                    values.push(value);
                }
                self.method(name, path, method, values)?
            }
            Expr::Binary(op, l, r) => {
                let (a, b) = (self.eval(l).await?, self.eval(r).await?);
                if compare::operator(op).is_some() {
                    let outcome = compare::compare(op, a, b)?;
                    // A successful scalar -match sets $Matches; a failed one leaves it.
                    if let Some(matches) = outcome.matches {
                        self.set("matches", matches);
                    }
                    outcome.value
                } else {
                    binary(op, a, b)?
                }
            }
            Expr::Not(e) => json!(!truthy(&self.eval(e).await?)),
            Expr::Array(items) => {
                let (mut values, mut weight) = (Vec::with_capacity(items.len()), 0);
                for i in items {
                    let value = self.eval(i).await?;
                    weight = weigh_within(weight, &value)?;
                    values.push(value);
                }
                Value::Array(values)
            }
            Expr::Sub(body) => {
                let (mut collected, mut weight) = (Vec::new(), 0);
                for s in body {
                    match s {
                        Stmt::Expr(e) => {
                            let value = self.eval(e).await?;
                            weight = weigh_within(weight, &value)?;
                            collected.push(value);
                        }
                        other => self.statement(other).await?,
                    }
                }
                if collected.len() == 1 {
                    collected.pop().unwrap()
                } else {
                    Value::Array(collected)
                }
            }
            Expr::Cmd(name, args) => self.cmdlet(name, args).await?,
            Expr::Member(inner, path) => {
                let mut v = self.eval(inner).await?;
                for p in path {
                    v = property(&v, p);
                }
                v
            }
            // A script block as a value prints as its text, as in PowerShell.
            Expr::Block(_) => Value::String(e.to_string()),
            // The parser makes a splat only among a command's arguments.
            Expr::Splat(name) => {
                return Err(PsError::new(format!(
                    "'@{name}' can be used only as an argument to a command."
                )))
            }
            Expr::Index(list, index) => {
                let (list, index) = (self.eval(list).await?, self.eval(index).await?);
                element(list, &index)?
            }
            Expr::Hashtable(entries) => {
                let (mut table, mut weight) = (serde_json::Map::new(), 0);
                table.insert(HASHTABLE_KEY.into(), Value::Bool(true));
                for (key, value) in entries {
                    let value = self.eval(value).await?;
                    weight = weigh_within(weight, &value)?;
                    // Keys are case-insensitive: a repeated one is an error in PowerShell.
                    if table.keys().any(|k| k.eq_ignore_ascii_case(key)) {
                        return Err(PsError::new(format!(
                            "Duplicate keys '{key}' are not allowed in hash literals."
                        )));
                    }
                    table.insert(key.clone(), value);
                }
                Value::Object(table)
            }
            Expr::Pipe(first, stages) => {
                let mut items = match self.eval(first).await? {
                    Value::Array(items) => items,
                    Value::Null => vec![],
                    one => vec![one],
                };
                for stage in stages {
                    let Expr::Cmd(name, args) = stage else {
                        return Err(PsError::new("a pipeline stage must be a cmdlet"));
                    };
                    items = self.stage(name, args, items).await?;
                }
                one_or_many(items)
            }
        })
    }

    /// Sets a variable (anything but `.Add()`, which keeps its weight).
    fn set(&mut self, name: &str, value: Value) {
        self.weights.remove(name);
        self.vars.insert(name.to_string(), value);
    }

    /// `$list.Add($item)`, the one method the simulator has: it prints the
    /// new index, as PowerShell does. The list is weighed once; each add
    /// then weighs only its item.
    fn method(
        &mut self,
        name: &str,
        path: &[String],
        method: &str,
        args: Vec<Value>,
    ) -> Result<Value, PsError> {
        let [item] = <[Value; 1]>::try_from(args)
            .ok()
            .filter(|_| path.is_empty() && method.eq_ignore_ascii_case("Add"))
            .ok_or_else(|| PsError::new(format!("Method invocation failed: the simulator supports $list.Add($item), not .{method}()")))?;
        let list = self
            .vars
            .entry(name.to_string())
            .or_insert(Value::Array(vec![]));
        let Value::Array(items) = list else {
            return Err(PsError::new(format!(
                "Method invocation failed because [{}] does not contain a method named 'Add'.",
                type_name(list)
            )));
        };
        let before = match self.weights.get(name) {
            Some(w) => *w,
            None => weigh(items, MAX_VALUE_BYTES),
        };
        let after = weigh_within(before, &item)?;
        items.push(item);
        self.weights.insert(name.to_string(), after);
        Ok(json!(items.len() - 1))
    }

    /// Runs `block` for `item` as `$_`; returns what it output.
    async fn run_block(&mut self, block: &[Stmt], item: &Value) -> Result<Value, PsError> {
        self.weights.remove("_");
        let saved = self.vars.insert("_".into(), item.clone());
        let result = self.eval(&Expr::Sub(block.to_vec())).await;
        self.weights.remove("_");
        match saved {
            Some(v) => self.vars.insert("_".into(), v),
            None => self.vars.remove("_"),
        };
        result
    }

    /// One pipeline stage, from the table: its property names evaluated
    /// first (`-Property`, or the first unnamed argument), then its `stage`.
    async fn stage(
        &mut self,
        name: &str,
        args: &[(Option<String>, Option<Expr>)],
        items: Vec<Value>,
    ) -> Result<Vec<Value>, PsError> {
        let mut names = Vec::new();
        if let Some(e) = StageCall::property_argument(args) {
            match self.eval(&e).await? {
                Value::Array(list) => names.extend(list.iter().map(text)),
                one => names.push(text(&one)),
            }
        }
        if let Some(cmdlet) = cmdlets::find(name).filter(|c| c.stage.is_none()) {
            if let Some(command) = cmdlet.command {
                return self.piped_command(name, cmdlet, command, args, items).await;
            }
        }
        let Some((cmdlet, run)) = cmdlets::find(name).and_then(|c| c.stage.map(|s| (c, s))) else {
            return Err(PsError::new(format!(
                "{name}: the simulator's pipeline runs {}; call {name} with its parameters instead",
                cmdlets::pipeline_only()
            )));
        };
        let args = self.resolve_names(name, cmdlet, args.to_vec())?;
        let call = StageCall {
            name,
            args: &args,
            names,
        };
        run(self, &call, items).await
    }

    /// A cmdlet that is no stage, in a pipeline: it runs once per item, its
    /// written arguments joined by what the item binds (by property name,
    /// or a config object by value), as PowerShell's process block does.
    async fn piped_command(
        &mut self,
        name: &str,
        cmdlet: &'static Cmdlet,
        command: CommandFn,
        raw: &[(Option<String>, Option<Expr>)],
        items: Vec<Value>,
    ) -> Result<Vec<Value>, PsError> {
        let given = self.arguments(raw).await?;
        let given = self.resolve_names(name, cmdlet, given)?;
        let mut out = Vec::new();
        for item in items {
            self.step().await?;
            let mut bound = given.clone();
            bound.extend(cmdlet.from_pipeline(&given, &item));
            if bound.len() == given.len() {
                return Err(PsError::new(format!(
                    "{name}: The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."
                )));
            }
            let args = cmdlet.bind(name, bound)?;
            match command(&mut self.rt, &args)? {
                Value::Null => {}
                Value::Array(more) => out.extend(more),
                one => out.push(one),
            }
        }
        Ok(out)
    }

    /// A cmdlet's arguments, evaluated: each is a copy, so a thousand copies
    /// of one big array are weighed together, as an array literal's items
    /// are. A splat (`@params`) adds a hashtable's entries as named
    /// arguments, an array's items as unnamed ones.
    async fn arguments(
        &mut self,
        raw: &[(Option<String>, Option<Expr>)],
    ) -> Result<Vec<(Option<String>, Value)>, PsError> {
        let (mut given, mut weight) = (Vec::with_capacity(raw.len()), 0);
        for (p, v) in raw {
            if let (None, Some(Expr::Splat(var))) = (p, v) {
                let value = self.vars.get(var).cloned().unwrap_or(Value::Null);
                weight = weigh_within(weight, &value)?;
                match value {
                    Value::Object(ref map) if map.contains_key(HASHTABLE_KEY) => given.extend(
                        hashtable_entries(&value)
                            .into_iter()
                            .map(|(k, v)| (Some(k), v)),
                    ),
                    Value::Array(items) => given.extend(items.into_iter().map(|v| (None, v))),
                    Value::Null => {}
                    other => given.push((None, other)),
                }
                continue;
            }
            let value = match v {
                Some(e) => self.eval(e).await?,
                None => json!(true),
            };
            weight = weigh_within(weight, &value)?;
            given.push((p.clone(), value));
        }
        Ok(given)
    }

    /// A cmdlet, from the table: its arguments evaluated and bound, then run.
    /// A stage written alone (`Measure-Object`) gets no input, as in PowerShell.
    async fn cmdlet(
        &mut self,
        name: &str,
        raw: &[(Option<String>, Option<Expr>)],
    ) -> Result<Value, PsError> {
        let found = cmdlets::find(name);
        if let Some(cmdlet) = found.filter(|c| c.command.is_none()) {
            if cmdlet.stage.is_some() {
                return Ok(one_or_many(self.stage(name, raw, Vec::new()).await?));
            }
        }
        let mut given = self.arguments(raw).await?;
        let Some((cmdlet, command)) = found.and_then(|c| c.command.map(|run| (c, run))) else {
            return Err(PsError::new(cmdlets::not_recognized(name)));
        };
        // -ErrorAction (a common parameter): modelled here, for the cmdlet's
        // own errors (Stop: terminating, so `try` catches it;
        // SilentlyContinue/Ignore: none written).
        let action = given
            .iter()
            .position(|(p, _)| {
                p.as_deref().is_some_and(|p| {
                    matches!(params::resolve(cmdlet, p), Ok(Bound::Unmodelled(full)) if full == "ErrorAction")
                })
            })
            .map(|at| text(&given.remove(at).1).to_ascii_lowercase());
        let mut given = self.resolve_names(name, cmdlet, given)?;
        let what_if = given
            .iter()
            .position(|(p, _)| p.as_deref() == Some("WhatIf"))
            .map(|at| given.remove(at).1 != Value::Bool(false));
        if what_if == Some(true) {
            // ShouldProcess answers no before any confirmation prompt, so
            // -Force is not needed; the parameters still bind first.
            let (target, operation) =
                params::what_if(cmdlet.name).expect("resolve_names let it through");
            given.push((Some("Force".into()), Value::Bool(true)));
            let args = cmdlet.bind(name, given)?;
            let shown = args.get(target).unwrap_or_default();
            self.out
                .push(Line::Out(params::what_if_line(&shown, operation)));
            return Ok(Value::Null);
        }
        let args = cmdlet.bind(name, given)?;
        match command(&mut self.rt, &args) {
            Ok(v) => Ok(v),
            // -ErrorAction SilentlyContinue / Ignore: nothing is written and
            // the cmdlet gives nothing (a common test for "is it there?").
            Err(_) if matches!(action.as_deref(), Some("silentlycontinue" | "ignore")) => {
                Ok(Value::Null)
            }
            Err(mut e) => {
                let preference = self
                    .vars
                    .get("erroractionpreference")
                    .map(|v| text(v).to_ascii_lowercase());
                let stop = action.as_deref().or(preference.as_deref()) == Some("stop");
                e.non_terminating = !stop && !e.halts;
                Err(e)
            }
        }
    }

    /// The written parameter names as PowerShell's binder resolves them
    /// ([`params::resolve`]): a prefix completed, a parameter the simulator
    /// does not model dropped with a warning, and a name the cmdlet does not
    /// have, or an ambiguous prefix, the binding error that stops the
    /// statement before the cmdlet runs.
    fn resolve_names<T>(
        &mut self,
        name: &str,
        cmdlet: &Cmdlet,
        given: Vec<(Option<String>, T)>,
    ) -> Result<Vec<(Option<String>, T)>, PsError> {
        let mut kept = Vec::with_capacity(given.len());
        let mut warned: Vec<String> = Vec::new();
        for (p, value) in given {
            let Some(p) = p else {
                kept.push((None, value));
                continue;
            };
            match params::resolve(cmdlet, &p) {
                Ok(Bound::Modelled(full)) => kept.push((Some(full), value)),
                // A dry run must not change the lab: rather than run the
                // cmdlet for real with a warning, it does not run at all.
                Ok(Bound::Unmodelled(full)) if full == "WhatIf" => {
                    if params::what_if(cmdlet.name).is_none() {
                        return Err(PsError::new(params::what_if_refusal(name)));
                    }
                    kept.push((Some(full), value));
                }
                Ok(Bound::Unmodelled(full)) => {
                    if !warned.contains(&full) {
                        warned.push(full);
                    }
                }
                Err(message) => return Err(PsError::new(format!("{name}: {message}"))),
            }
        }
        for full in warned {
            self.out.push(Line::Err(params::unmodelled_warning(&full)));
        }
        Ok(kept)
    }

    async fn interpolate(&mut self, s: &str) -> Result<String, PsError> {
        // $name, $name.Prop is NOT expanded past the name (as in PowerShell); $( ... ) is.
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '$' && chars.get(i + 1) == Some(&'(') {
                let (mut depth, mut j) = (0, i + 1);
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner: String = chars[i + 2..j.min(chars.len())].iter().collect();
                let expr = parse_expression(&inner)
                    .map_err(|e| PsError::new(format!("ParserError: {e}")))?;
                let piece = text(&self.eval(&expr).await?);
                fits_string(out.len() + piece.len())?;
                out.push_str(&piece);
                i = j + 1;
            } else if chars[i] == '$'
                && chars.get(i + 1) == Some(&'{')
                && chars[i + 2..].contains(&'}')
            {
                // ${name}: the braces delimit the name, so "${disk}: …" is
                // the variable followed by a colon (no drive qualifier).
                let end = i + 2 + chars[i + 2..].iter().position(|c| *c == '}').expect("}");
                let name: String = chars[i + 2..end].iter().collect::<String>().to_lowercase();
                let piece = text(self.vars.get(&name).unwrap_or(&Value::Null));
                fits_string(out.len() + piece.len())?;
                out.push_str(&piece);
                i = end + 1;
            } else if chars[i] == '$'
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect::<String>().to_lowercase();
                let piece = text(self.vars.get(&name).unwrap_or(&Value::Null));
                fits_string(out.len() + piece.len())?;
                out.push_str(&piece);
                i = j;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        Ok(out)
    }
}

impl Script for Interpreter<'_> {
    fn eval_expr<'s>(&'s mut self, e: &'s Expr) -> Eventually<'s, Value> {
        self.eval(e)
    }

    fn run_block_for<'s>(
        &'s mut self,
        block: &'s [Stmt],
        item: &'s Value,
    ) -> Eventually<'s, Value> {
        Box::pin(self.run_block(block, item))
    }
}

/// What a pipeline hands on: nothing, one item, or an array.
fn one_or_many(mut items: Vec<Value>) -> Value {
    match items.len() {
        0 => Value::Null,
        1 => items.pop().expect("one"),
        _ => Value::Array(items),
    }
}

/// A binary operator that is no comparison: arithmetic (weighed: `+` and
/// `*` build strings and arrays) and logic.
fn binary(op: &str, a: Value, b: Value) -> Result<Value, PsError> {
    Ok(match op {
        "+" => add(a, b)?,
        "*" => multiply(&a, &b)?,
        "-" | "/" => arithmetic(op, &a, &b)?,
        "and" => json!(truthy(&a) && truthy(&b)),
        "or" => json!(truthy(&a) || truthy(&b)),
        other => return Err(PsError::new(format!("unknown operator -{other}"))),
    })
}

/// `$list[i]`: an element (a negative index counts from the end; out of
/// range is $null in PowerShell, not an error), or a hashtable's entry.
fn element(list: Value, index: &Value) -> Result<Value, PsError> {
    Ok(match &list {
        Value::Array(items) => {
            let i = number(index) as i64;
            let at = if i < 0 { items.len() as i64 + i } else { i };
            usize::try_from(at)
                .ok()
                .and_then(|at| items.get(at))
                .cloned()
                .unwrap_or(Value::Null)
        }
        Value::Object(_) => property(&list, &text(index)),
        Value::Null => return Err(PsError::new("Cannot index into a null array.")),
        // One object indexes as a list of one.
        _ if number(index) == 0.0 => list,
        _ => Value::Null,
    })
}

/// `$object.A.B = value`: PowerShell's error for a property the object does
/// not have (a hashtable takes a new key).
fn set_member(target: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return Ok(());
    };
    let missing = || {
        format!("InvalidOperation: The property '{first}' cannot be found on this object. Verify that the property exists and can be set.")
    };
    let Value::Object(map) = target else {
        return Err(missing());
    };
    let key = map
        .keys()
        .find(|k| !k.starts_with('@') && k.eq_ignore_ascii_case(first))
        .cloned();
    match key {
        Some(key) => set_member(map.get_mut(&key).expect("found"), rest, value),
        None if rest.is_empty() && map.contains_key(HASHTABLE_KEY) => {
            map.insert(first.clone(), value);
            Ok(())
        }
        None => Err(missing()),
    }
}
