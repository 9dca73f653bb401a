//! PowerShell's grammar, by recursive descent over the lexer's tokens:
//! statements (`$x = …`, `foreach`, `if`/`elseif`/`else`, script blocks,
//! expressions), expressions (`-and`/`-or`, comparisons, `-not`, primaries:
//! variables with properties and method calls, strings, numbers, `( )`,
//! `$( )`, `@( )`, and cmdlet calls with their parameters).

use serde_json::{json, Value};

use super::ast::{Expr, Stmt};
use super::cmdlets;
use super::compare;
use super::lexer::{describe, lex, Tok, Token};
use crate::ParseError;

/// Blocks and parentheses nested deeper than this are refused: they would
/// exhaust the stack (1 MiB in wasm) long before a real script needs them.
pub const MAX_NESTING: usize = 64;

/// Parses a whole script.
pub fn parse(script: &str) -> Result<Vec<Stmt>, ParseError> {
    let toks = lex(script)?;
    Parser {
        toks,
        at: 0,
        source: script,
        depth: 0,
    }
    .statements()
}

/// Parses one expression (the inside of `"$( … )"` in a string).
pub fn parse_expression(text: &str) -> Result<Expr, ParseError> {
    let toks = lex(text)?;
    Parser {
        toks,
        at: 0,
        source: text,
        depth: 0,
    }
    .expression()
}

struct Parser<'s> {
    toks: Vec<Token>,
    at: usize,
    source: &'s str,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].tok
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.at += 1;
        t
    }
    fn here(&self) -> (usize, usize) {
        let t = &self.toks[self.at.min(self.toks.len() - 1)];
        (t.line, t.column)
    }
    fn error(&self, message: impl Into<String>) -> ParseError {
        let (line, column) = self.here();
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }
    fn skip_ends(&mut self) {
        while *self.peek() == Tok::End && self.at < self.toks.len() - 1 {
            self.at += 1;
        }
    }
    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        self.skip_ends_inside();
        if *self.peek() == Tok::Punct(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected '{c}'")))
        }
    }
    fn skip_ends_inside(&mut self) {}

    /// One level deeper; refused past [`MAX_NESTING`].
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(format!(
                "blocks and parentheses nest deeper than {MAX_NESTING} levels"
            )));
        }
        Ok(())
    }

    fn block(&mut self) -> Result<Vec<Stmt>, ParseError> {
        self.enter()?;
        let body = self.block_inner();
        self.depth -= 1;
        body
    }

    fn block_inner(&mut self) -> Result<Vec<Stmt>, ParseError> {
        self.skip_ends();
        self.expect('{')?;
        let mut body = Vec::new();
        loop {
            self.skip_ends();
            if *self.peek() == Tok::Punct('}') {
                self.at += 1;
                return Ok(body);
            }
            if self.at >= self.toks.len() - 1 {
                return Err(self.error("a '{' block is not closed with '}'"));
            }
            body.push(self.statement()?);
        }
    }

    fn statements(&mut self) -> Result<Vec<Stmt>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip_ends();
            if self.at >= self.toks.len() - 1 {
                return Ok(out);
            }
            if *self.peek() == Tok::Punct('}') {
                return Err(self.error("a '}' closes no block"));
            }
            out.push(self.statement()?);
        }
    }

    fn statement(&mut self) -> Result<Stmt, ParseError> {
        match self.peek().clone() {
            Tok::Word(w) if w.eq_ignore_ascii_case("foreach") => {
                self.at += 1;
                self.expect('(')?;
                let Tok::Var(var) = self.next() else {
                    return Err(self.error("foreach needs ($item in $collection)"));
                };
                if !matches!(self.next(), Tok::Word(w) if w.eq_ignore_ascii_case("in")) {
                    return Err(self.error("foreach needs 'in'"));
                }
                let collection = self.expression()?;
                self.expect(')')?;
                let body = self.block()?;
                Ok(Stmt::Foreach(var, collection, body))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("while") => {
                self.at += 1;
                self.expect('(')?;
                let condition = self.expression()?;
                self.expect(')')?;
                Ok(Stmt::While(condition, self.block()?))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("do") => {
                self.at += 1;
                let body = self.block()?;
                self.skip_ends();
                let until = match self.next() {
                    Tok::Word(w) if w.eq_ignore_ascii_case("while") => false,
                    Tok::Word(w) if w.eq_ignore_ascii_case("until") => true,
                    _ => return Err(self.error(
                        "do { } needs 'while (condition)' or 'until (condition)' after its block",
                    )),
                };
                self.expect('(')?;
                let condition = self.expression()?;
                self.expect(')')?;
                Ok(Stmt::Do {
                    body,
                    condition,
                    until,
                })
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("if") => {
                self.at += 1;
                let mut arms = Vec::new();
                let mut otherwise = None;
                loop {
                    self.expect('(')?;
                    let cond = self.expression()?;
                    self.expect(')')?;
                    arms.push((cond, self.block()?));
                    let save = self.at;
                    self.skip_ends();
                    match self.peek().clone() {
                        Tok::Word(w) if w.eq_ignore_ascii_case("elseif") => self.at += 1,
                        Tok::Word(w) if w.eq_ignore_ascii_case("else") => {
                            self.at += 1;
                            otherwise = Some(self.block()?);
                            break;
                        }
                        _ => {
                            self.at = save;
                            break;
                        }
                    }
                }
                Ok(Stmt::If(arms, otherwise))
            }
            Tok::Punct('{') => {
                // A script block literal: PowerShell outputs it, it does not run it.
                let start = self.toks[self.at].clone();
                let _ = self.block()?;
                let end = &self.toks[self.at - 1];
                Ok(Stmt::Block(slice(
                    self.source,
                    (start.line, start.column),
                    (end.line, end.column + 1),
                )))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("try") => self.try_statement(),
            Tok::Var(name) if self.member_assignment().is_some() => {
                let (path, tokens) = self.member_assignment().unwrap_or_default();
                self.at += tokens;
                Ok(Stmt::SetMember(name, path, self.expression()?))
            }
            Tok::Var(name)
                if self.toks.get(self.at + 1).map(|t| &t.tok) == Some(&Tok::Punct('=')) =>
            {
                self.at += 2;
                Ok(Stmt::Assign(name, self.expression()?))
            }
            Tok::Var(name) if self.compound_assignment().is_some() => {
                let op = self.compound_assignment().unwrap_or('+');
                self.at += 3;
                // `$a += $b` is `$a = $a + $b`, as PowerShell defines it.
                let right = self.expression()?;
                Ok(Stmt::Assign(
                    name.clone(),
                    Expr::Binary(
                        op.to_string(),
                        Box::new(Expr::Var(name, Vec::new())),
                        Box::new(right),
                    ),
                ))
            }
            _ => Ok(Stmt::Expr(self.expression()?)),
        }
    }

    /// `try { } catch [Type] { } finally { }` (its own function: the
    /// parser recurses through `statement`, whose frame stays small).
    #[inline(never)]
    fn try_statement(&mut self) -> Result<Stmt, ParseError> {
        self.at += 1;
        let body = self.block()?;
        let (mut catch, mut finally) = (None, None);
        let mut save = self.at;
        self.skip_ends();
        if matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case("catch")) {
            self.at += 1;
            // `catch [System.Exception]`: every error is caught here.
            if *self.peek() == Tok::Punct('[') {
                while !matches!(self.next(), Tok::Punct(']') | Tok::End) {}
            }
            catch = Some(self.block()?);
            save = self.at;
            self.skip_ends();
        }
        if matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case("finally")) {
            self.at += 1;
            finally = Some(self.block()?);
        } else {
            self.at = save;
        }
        if catch.is_none() && finally.is_none() {
            return Err(self.error("try { } needs a catch or a finally block"));
        }
        Ok(Stmt::Try {
            body,
            catch,
            finally,
        })
    }

    /// The property path of `$var.A.B = …` (a variable, then `.Name`
    /// pairs, then `=`), if the statement is one, and how many tokens it
    /// takes up to the expression.
    fn member_assignment(&self) -> Option<(Vec<String>, usize)> {
        let mut path = Vec::new();
        let mut i = self.at + 1;
        while self.toks.get(i).map(|t| &t.tok) == Some(&Tok::Punct('.')) {
            let Some(Tok::Word(w)) = self.toks.get(i + 1).map(|t| &t.tok) else {
                return None;
            };
            path.extend(w.split('.').map(str::to_string));
            i += 2;
        }
        let eq = self.toks.get(i)?;
        let next = self.toks.get(i + 1);
        // `=` alone: not `==`-like pairs, which PowerShell does not have anyway.
        (!path.is_empty()
            && eq.tok == Tok::Punct('=')
            && next.is_none_or(|n| n.tok != Tok::Punct('=')))
        .then_some((path, i + 1 - self.at))
    }

    /// The operator of `+=`, `-=`, `*=` or `/=` after a variable, written
    /// as one token pair with nothing between.
    fn compound_assignment(&self) -> Option<char> {
        let (op, eq) = (self.toks.get(self.at + 1)?, self.toks.get(self.at + 2)?);
        match (&op.tok, &eq.tok) {
            (Tok::Punct(c @ ('+' | '-' | '*' | '/')), Tok::Punct('='))
                if eq.line == op.line && eq.column == op.column + 1 =>
            {
                Some(*c)
            }
            _ => None,
        }
    }

    fn expression(&mut self) -> Result<Expr, ParseError> {
        let first = self.logical()?;
        let mut stages = Vec::new();
        while *self.peek() == Tok::Punct('|') {
            self.at += 1;
            self.skip_ends();
            match self.peek().clone() {
                // A stage's short name (`where`, `?`, `%`) comes from the cmdlet table.
                Tok::Word(w)
                    if w.contains('-') || cmdlets::find(&w).is_some_and(|c| c.stage.is_some()) =>
                {
                    stages.push(self.primary()?)
                }
                Tok::Punct(c @ ('?' | '%')) => {
                    self.at += 1;
                    let name = cmdlets::find(&c.to_string()).map_or("", |c| c.name);
                    stages.push(self.cmdlet_args(name.to_string())?);
                }
                _ => return Err(self.error("a pipeline stage must be a cmdlet (Where-Object, ForEach-Object, Select-Object, …)")),
            }
        }
        Ok(if stages.is_empty() {
            first
        } else {
            Expr::Pipe(Box::new(first), stages)
        })
    }

    fn logical(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.comparison()?;
        while let Tok::Dash(op) = self.peek().clone() {
            let op = op.to_lowercase();
            if op != "and" && op != "or" {
                break;
            }
            self.at += 1;
            let right = self.comparison()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.additive()?;
        if let Tok::Dash(op) = self.peek().clone() {
            let op = op.to_lowercase();
            if compare::operator(&op).is_some() {
                self.at += 1;
                // The comma binds tighter than a comparison, as in PowerShell:
                // `$x -in 'a', 'b'`, `$s -replace 'a', 'b'`.
                let mut right = self.additive()?;
                if *self.peek() == Tok::Punct(',') {
                    let mut items = vec![right];
                    while *self.peek() == Tok::Punct(',') {
                        self.at += 1;
                        items.push(self.additive()?);
                    }
                    right = Expr::Array(items);
                }
                return Ok(Expr::Binary(op, Box::new(left), Box::new(right)));
            }
        }
        Ok(left)
    }

    /// `a + b`, `a - b`: numbers add, a string on the left concatenates
    /// (`"n=" + $x.Count`), an array on the left appends.
    fn additive(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.multiplicative()?;
        while let Tok::Punct(c @ ('+' | '-')) = self.peek().clone() {
            self.at += 1;
            let right = self.multiplicative()?;
            left = Expr::Binary(c.to_string(), Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn multiplicative(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while let Tok::Punct(c @ ('*' | '/')) = self.peek().clone() {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::Binary(c.to_string(), Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Dash(op) if op.eq_ignore_ascii_case("not") => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Tok::Punct('!') => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Tok::Punct('-') => {
                self.at += 1;
                let value = self.unary()?;
                Ok(Expr::Binary(
                    "-".into(),
                    Box::new(Expr::Lit(Value::from(0))),
                    Box::new(value),
                ))
            }
            _ => self.primary(),
        }
    }

    /// A cmdlet's argument: a bare word (`rg-seed`, `Copy`) is a string
    /// there, `a, b` a list, and `{ … }` a script block.
    fn argument(&mut self) -> Result<Expr, ParseError> {
        let first = self.single_argument()?;
        if *self.peek() != Tok::Punct(',') {
            return Ok(first);
        }
        let mut items = vec![first];
        while *self.peek() == Tok::Punct(',') {
            self.at += 1;
            items.push(self.single_argument()?);
        }
        Ok(Expr::Array(items))
    }

    fn single_argument(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Word(w) => {
                self.at += 1;
                Ok(Expr::Lit(Value::String(w)))
            }
            Tok::Punct('{') => Ok(Expr::Block(self.block()?)),
            _ => self.primary(),
        }
    }

    /// A cmdlet's arguments: -Param value pairs, switches, positional words.
    fn cmdlet_args(&mut self, name: String) -> Result<Expr, ParseError> {
        let mut args = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::End | Tok::Punct('}') | Tok::Punct(')') | Tok::Punct('|') => break,
                Tok::Dash(p) => {
                    self.at += 1;
                    if *self.peek() == Tok::Punct(':') {
                        // `-Name:value`: the value is the parameter's, whatever it is.
                        self.at += 1;
                        if matches!(self.peek(), Tok::End | Tok::Punct('|')) {
                            return Err(self.error(format!(
                                "the parameter -{p}: has no value after its colon"
                            )));
                        }
                        args.push((Some(p), Some(self.argument()?)));
                        continue;
                    }
                    let takes_value = !matches!(
                        self.peek(),
                        Tok::End
                            | Tok::Dash(_)
                            | Tok::Punct('}')
                            | Tok::Punct(')')
                            | Tok::Punct('|')
                    );
                    let value = if takes_value {
                        Some(self.argument()?)
                    } else {
                        None
                    };
                    args.push((Some(p), value));
                }
                Tok::Punct('@') if self.splat().is_some() => {
                    let var = self.splat().unwrap_or_default();
                    self.at += 2;
                    args.push((None, Some(Expr::Splat(var))));
                }
                _ => args.push((None, Some(self.argument()?))),
            }
        }
        Ok(Expr::Cmd(name, args))
    }

    /// `@name` with nothing between (a splat): the variable's name, lower
    /// case as variables are kept.
    fn splat(&self) -> Option<String> {
        let (at, word) = (self.toks.get(self.at)?, self.toks.get(self.at + 1)?);
        match &word.tok {
            Tok::Word(w)
                if word.line == at.line
                    && word.column == at.column + 1
                    && w.chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                Some(w.to_lowercase())
            }
            _ => None,
        }
    }

    /// `.Name.Other` after an expression: the property names.
    fn property_path(&mut self) -> Result<Vec<String>, ParseError> {
        let mut path = Vec::new();
        while *self.peek() == Tok::Punct('.') {
            self.at += 1;
            let Tok::Word(prop) = self.next() else {
                return Err(self.error("expected a property name after '.'"));
            };
            path.extend(prop.split('.').map(str::to_string));
        }
        Ok(path)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.next() {
            Tok::Var(name) => {
                let mut path = Vec::new();
                while *self.peek() == Tok::Punct('.') {
                    self.at += 1;
                    let Tok::Word(prop) = self.next() else {
                        return Err(self.error("expected a property name after '.'"));
                    };
                    if *self.peek() == Tok::Punct('(') {
                        self.at += 1;
                        let mut args = Vec::new();
                        if *self.peek() != Tok::Punct(')') {
                            loop {
                                args.push(self.expression()?);
                                if *self.peek() == Tok::Punct(',') {
                                    self.at += 1;
                                    continue;
                                }
                                break;
                            }
                        }
                        self.expect(')')?;
                        return Ok(Expr::Method(name, path, prop, args));
                    }
                    path.extend(prop.split('.').map(str::to_string));
                }
                let mut e = match name.as_str() {
                    "true" if path.is_empty() => Expr::Lit(json!(true)),
                    "false" if path.is_empty() => Expr::Lit(json!(false)),
                    "null" if path.is_empty() => Expr::Lit(Value::Null),
                    _ => Expr::Var(name, path),
                };
                // `$list[0]`, `$list[-1].Name`: an element, then its properties.
                while *self.peek() == Tok::Punct('[') {
                    self.at += 1;
                    let index = self.expression()?;
                    self.expect(']')?;
                    let path = self.property_path()?;
                    e = Expr::Index(Box::new(e), Box::new(index));
                    if !path.is_empty() {
                        e = Expr::Member(Box::new(e), path);
                    }
                }
                Ok(e)
            }
            Tok::Str(s, true) => Ok(Expr::Interp(s)),
            Tok::Str(s, false) => Ok(Expr::Lit(Value::String(s))),
            Tok::Num(n) => Ok(Expr::Lit(json!(n))),
            Tok::Punct('(') => {
                let e = self.expression()?;
                self.expect(')')?;
                let path = self.property_path()?;
                Ok(if path.is_empty() {
                    e
                } else {
                    Expr::Member(Box::new(e), path)
                })
            }
            Tok::Punct('$') => {
                self.expect('(')?;
                let mut body = Vec::new();
                loop {
                    self.skip_ends();
                    if *self.peek() == Tok::Punct(')') {
                        self.at += 1;
                        break;
                    }
                    if self.at >= self.toks.len() - 1 {
                        return Err(self.error("'$(' is not closed"));
                    }
                    body.push(self.statement()?);
                }
                Ok(Expr::Sub(body))
            }
            Tok::Punct('@') if *self.peek() == Tok::Punct('{') => {
                self.enter()?;
                self.at += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip_ends();
                    match self.next() {
                        Tok::Punct('}') => break,
                        Tok::Word(key) | Tok::Str(key, _) => {
                            self.expect('=')?;
                            // A script block as a value (a calculated
                            // property's Expression = { … }).
                            let value = if *self.peek() == Tok::Punct('{') {
                                Expr::Block(self.block()?)
                            } else {
                                self.expression()?
                            };
                            entries.push((key, value));
                        }
                        other => {
                            self.depth -= 1;
                            return Err(self.error(format!(
                                "a hashtable key was expected, not {}",
                                describe(&other)
                            )));
                        }
                    }
                }
                self.depth -= 1;
                Ok(Expr::Hashtable(entries))
            }
            Tok::Punct('@') => {
                self.at -= 1;
                if let Some(var) = self.splat() {
                    return Err(self.error(format!("The splatting operator '@' cannot be used to reference variables in an expression. '@{var}' can be used only as an argument to a command.")));
                }
                self.at += 1;
                self.expect('(')?;
                let mut items = Vec::new();
                while *self.peek() != Tok::Punct(')') {
                    items.push(self.expression()?);
                    if *self.peek() == Tok::Punct(',') {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                self.expect(')')?;
                Ok(Expr::Array(items))
            }
            Tok::Word(name)
                if name.contains('-')
                    || matches!(
                        name.to_ascii_lowercase().as_str(),
                        "where" | "select" | "sort" | "ft" | "fl" | "foreach"
                    ) =>
            {
                self.cmdlet_args(name)
            }
            Tok::Word(w) => Ok(Expr::Lit(Value::String(w))),
            other => Err(self.error(format!("unexpected {}", describe(&other)))),
        }
    }
}

/// The source text between two (line, column) positions.
fn slice(source: &str, from: (usize, usize), to: (usize, usize)) -> String {
    let mut out = String::new();
    for (i, line) in source.lines().enumerate() {
        let n = i + 1;
        if n < from.0 || n > to.0 {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let start = if n == from.0 { from.1 - 1 } else { 0 };
        let end = if n == to.0 {
            (to.1 - 1).min(chars.len())
        } else {
            chars.len()
        };
        out.extend(chars[start.min(end)..end].iter());
        if n != to.0 {
            out.push('\n');
        }
    }
    out
}

/// Checks a script parses, without running it.
pub fn check(script: &str) -> Result<(), ParseError> {
    parse(script).map(|_| ())
}
