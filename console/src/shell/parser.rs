//! Bash's grammar, by recursive descent over the lexer's tokens:
//!
//! ```text
//! script    := separators (and_or separators)*        up to a closing keyword
//! and_or    := pipeline (("&&" | "||") newlines pipeline)*
//! pipeline  := "!"? command ("|" newlines command)*
//! command   := if | for | while | until | "{" script "}" | "(" script ")"
//!            | "[[" words "]]" | NAME "(" ")" "{" script "}" | simple
//! simple    := (NAME=word)* word*
//! ```
//!
//! Keywords (`if`, `then`, `do`, `done`, `{`, `}`, …) are keywords only where
//! a command starts, as in bash. Every error names its line and column.

use super::ast::{
    AndOr, Assign, AssignValue, Command, Connector, DeclItem, Part, Pipeline, Pos, Redirect,
    Script, Word,
};
use super::lexer::{Lexer, Tok, Token, MAX_NESTING};
use super::ParseError;

/// Parses a whole script.
pub fn parse(text: &str) -> Result<Script, ParseError> {
    parse_at(text, Pos { line: 1, column: 1 }, 0)
}

/// Parses `text`, which starts at `pos` of the script and is nested `depth`
/// levels deep (inside `$( … )`).
pub fn parse_at(text: &str, pos: Pos, depth: usize) -> Result<Script, ParseError> {
    let tokens = Lexer::new(text, pos, depth).tokens()?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth,
    };
    let script = parser.script(&[])?;
    match &parser.peek().tok {
        Tok::Eof => Ok(script),
        _ => Err(parser.unexpected()),
    }
}

const CLOSERS: &[&str] = &["then", "elif", "else", "fi", "do", "done", "}", "esac"];

/// An array literal's elements, each with its `[index]=` if written.
type ArrayItems = Vec<(Option<Word>, Word)>;

/// Commands whose `NAME=(…)` arguments are assignments.
const DECLARERS: &[&str] = &["declare", "local", "typeset", "export", "readonly"];

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }
    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }
    fn error_at(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
    fn unexpected(&self) -> ParseError {
        let t = self.peek();
        let what = match &t.tok {
            Tok::Word(w) => format!("'{w}'"),
            Tok::Semi => "';'".into(),
            Tok::Newline => "a new line".into(),
            Tok::AndAnd => "'&&'".into(),
            Tok::OrOr => "'||'".into(),
            Tok::Pipe => "'|'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::DSemi => "';;'".into(),
            Tok::Amp => "'&'".into(),
            Tok::Redir { op, .. } => format!("'{op}'"),
            Tok::HereDoc(_) => "'<<'".into(),
            Tok::Arith(_) => "'(('".into(),
            Tok::Process(_) => "'<('".into(),
            Tok::Eof => "the end of the script".into(),
        };
        Self::error_at(t.pos, format!("unexpected {what}"))
    }

    /// The keyword at the current token, if it is a plain word.
    fn keyword(&self) -> Option<&str> {
        match &self.peek().tok {
            Tok::Word(w) => w.plain(),
            _ => None,
        }
    }
    fn at_keyword(&self, kw: &str) -> bool {
        self.keyword() == Some(kw)
    }
    fn expect_keyword(&mut self, kw: &str, after: &str) -> Result<(), ParseError> {
        self.skip_separators();
        if self.at_keyword(kw) {
            self.next();
            Ok(())
        } else {
            let t = self.peek().clone();
            Err(Self::error_at(
                t.pos,
                format!("expected '{kw}' after {after}, found {}", describe(&t.tok)),
            ))
        }
    }
    fn skip_separators(&mut self) {
        while matches!(self.peek().tok, Tok::Semi | Tok::Newline | Tok::Amp) {
            self.next();
        }
    }
    fn skip_newlines(&mut self) {
        while self.peek().tok == Tok::Newline {
            self.next();
        }
    }
    fn deeper(&mut self, pos: Pos) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Self::error_at(
                pos,
                format!("commands nest deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    /// And-or lists up to the end, a `)` or one of `closers`.
    fn script(&mut self, closers: &[&str]) -> Result<Script, ParseError> {
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            match &self.peek().tok {
                Tok::Eof | Tok::RParen | Tok::DSemi => break,
                Tok::Word(_) if self.keyword().is_some_and(|k| closers.contains(&k)) => break,
                Tok::Word(_) if self.keyword().is_some_and(|k| CLOSERS.contains(&k)) => {
                    let kw = self.keyword().unwrap_or_default().to_string();
                    let message = if closers.is_empty() {
                        format!("'{kw}' where no open command expects it")
                    } else {
                        format!("expected '{}' before '{kw}'", closers.join("' or '"))
                    };
                    return Err(Self::error_at(self.peek().pos, message));
                }
                _ => items.push(self.and_or()?),
            }
            match &self.peek().tok {
                Tok::Semi | Tok::Newline | Tok::Eof | Tok::RParen | Tok::Amp | Tok::DSemi => {}
                Tok::Word(_) if self.keyword().is_some_and(|k| closers.contains(&k)) => {}
                _ => return Err(self.unexpected()),
            }
        }
        Ok(Script { items })
    }

    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let connector = match self.peek().tok {
                Tok::AndAnd => Connector::And,
                Tok::OrOr => Connector::Or,
                _ => break,
            };
            self.next();
            self.skip_newlines();
            rest.push((connector, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let negate = self.at_keyword("!");
        if negate {
            self.next();
        }
        let mut commands = vec![self.command()?];
        while self.peek().tok == Tok::Pipe {
            self.next();
            self.skip_newlines();
            commands.push(self.command()?);
        }
        Ok(Pipeline { negate, commands })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let pos = self.peek().pos;
        let command = self.command_only()?;
        if matches!(command, Command::Simple { .. } | Command::Declare { .. }) {
            return Ok(command);
        }
        let mut redirects = Vec::new();
        while let Some(r) = self.redirect()? {
            redirects.push(r);
        }
        if redirects.is_empty() {
            return Ok(command);
        }
        Ok(Command::Redirected {
            command: Box::new(command),
            redirects,
            pos,
        })
    }

    /// A redirection at the current token, if there is one.
    fn redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        match self.peek().tok.clone() {
            Tok::HereDoc(text) => {
                self.next();
                Ok(Some(Redirect::Input {
                    text,
                    here_string: false,
                }))
            }
            Tok::Redir { fd, op } => {
                let pos = self.peek().pos;
                self.next();
                if let (Tok::Process(script), "<") = (self.peek().tok.clone(), op) {
                    self.next();
                    return Ok(Some(Redirect::Process(script)));
                }
                let Tok::Word(target) = self.peek().tok.clone() else {
                    return Err(Self::error_at(pos, format!("'{op}' needs a word after it")));
                };
                self.next();
                Ok(Some(if op == "<<<" {
                    Redirect::Input {
                        text: target,
                        here_string: true,
                    }
                } else {
                    Redirect::File {
                        fd,
                        op: op.to_string(),
                        target,
                    }
                }))
            }
            _ => Ok(None),
        }
    }

    fn command_only(&mut self) -> Result<Command, ParseError> {
        let pos = self.peek().pos;
        if let Tok::Arith(expr) = &self.peek().tok {
            let expr = expr.clone();
            self.next();
            return Ok(Command::Arith { expr, pos });
        }
        let keyword = self.keyword().map(str::to_string);
        match keyword.as_deref() {
            Some("if") => self.if_command(pos),
            Some(kw @ ("while" | "until")) => {
                let until = kw == "until";
                self.next();
                self.deeper(pos)?;
                let condition = self.script(&["do"])?;
                self.expect_keyword("do", &format!("the condition of '{kw}'"))?;
                let body = self.script(&["done"])?;
                self.expect_keyword("done", "'do'")?;
                self.depth -= 1;
                Ok(Command::Loop {
                    until,
                    condition,
                    body,
                    pos,
                })
            }
            Some("for") => self.for_command(pos),
            Some("case") => self.case_command(pos),
            Some("{") => {
                self.next();
                self.deeper(pos)?;
                let body = self.script(&["}"])?;
                self.expect_keyword("}", "'{'")?;
                self.depth -= 1;
                Ok(Command::Group {
                    body,
                    subshell: false,
                    pos,
                })
            }
            Some("[[") => {
                self.next();
                let mut words = Vec::new();
                loop {
                    let t = self.next();
                    // `=~`'s regular expression: its tokens, joined (`(a|b)`).
                    if words.last().and_then(Word::plain) == Some("=~") {
                        let mut regex = Word::default();
                        let mut t = t;
                        loop {
                            let piece = match &t.tok {
                                Tok::Word(w) if w.plain() == Some("]]") => break,
                                Tok::Word(w) => w.clone(),
                                Tok::LParen => Word::literal("("),
                                Tok::RParen => Word::literal(")"),
                                Tok::Pipe => Word::literal("|"),
                                Tok::Redir { op, .. } => Word::literal(op),
                                _ => break,
                            };
                            regex.parts.extend(piece.parts);
                            t = self.next();
                        }
                        words.push(regex);
                        match t.tok {
                            Tok::Word(w) if w.plain() == Some("]]") => break,
                            Tok::AndAnd => words.push(Word::literal("&&")),
                            Tok::OrOr => words.push(Word::literal("||")),
                            _ => return Err(Self::error_at(t.pos, "'[[' is not closed with ']]'")),
                        }
                        continue;
                    }
                    match t.tok {
                        Tok::Word(w) if w.plain() == Some("]]") => break,
                        Tok::Word(w) => words.push(w),
                        Tok::Redir {
                            fd: _,
                            op: op @ ("<" | ">"),
                        } => words.push(Word::literal(op)),
                        Tok::AndAnd => words.push(Word::literal("&&")),
                        Tok::OrOr => words.push(Word::literal("||")),
                        Tok::LParen => words.push(Word::literal("(")),
                        Tok::RParen => words.push(Word::literal(")")),
                        _ => return Err(Self::error_at(t.pos, "'[[' is not closed with ']]'")),
                    }
                }
                Ok(Command::Test { words, pos })
            }
            _ if self.peek().tok == Tok::LParen => {
                self.next();
                self.deeper(pos)?;
                let body = self.script(&[])?;
                if self.next().tok != Tok::RParen {
                    return Err(Self::error_at(pos, "'(' is not closed with ')'"));
                }
                self.depth -= 1;
                Ok(Command::Group {
                    body,
                    subshell: true,
                    pos,
                })
            }
            _ => self.simple(pos),
        }
    }

    /// `case WORD in PATTERN|PATTERN) …;; … esac`
    fn case_command(&mut self, pos: Pos) -> Result<Command, ParseError> {
        self.next();
        self.deeper(pos)?;
        let word = match self.next() {
            Token {
                tok: Tok::Word(w), ..
            } => w,
            t => return Err(Self::error_at(t.pos, "'case' needs a word")),
        };
        self.skip_newlines();
        if !self.at_keyword("in") {
            return Err(Self::error_at(
                self.peek().pos,
                "expected 'in' after 'case WORD'",
            ));
        }
        self.next();
        let mut arms = Vec::new();
        loop {
            self.skip_separators();
            if self.at_keyword("esac") {
                self.next();
                break;
            }
            if self.peek().tok == Tok::LParen {
                self.next();
            }
            let mut patterns = Vec::new();
            loop {
                match self.next() {
                    Token {
                        tok: Tok::Word(w), ..
                    } => patterns.push(w),
                    t => {
                        return Err(Self::error_at(
                            t.pos,
                            format!("expected a pattern in 'case', found {}", describe(&t.tok)),
                        ))
                    }
                }
                match self.next() {
                    Token { tok: Tok::Pipe, .. } => continue,
                    Token {
                        tok: Tok::RParen, ..
                    } => break,
                    t => {
                        return Err(Self::error_at(
                            t.pos,
                            format!(
                                "expected ')' after a 'case' pattern, found {}",
                                describe(&t.tok)
                            ),
                        ))
                    }
                }
            }
            let body = self.script(&["esac"])?;
            arms.push((patterns, body));
            match self.peek().tok {
                Tok::DSemi => {
                    self.next();
                }
                _ => {
                    self.expect_keyword("esac", "a 'case' arm")?;
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(Command::Case { word, arms, pos })
    }

    /// `if …; then …; elif …; then …; else …; fi`
    fn if_command(&mut self, pos: Pos) -> Result<Command, ParseError> {
        self.next();
        self.deeper(pos)?;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let condition = self.script(&["then"])?;
            self.expect_keyword("then", "the condition of 'if'")?;
            let body = self.script(&["elif", "else", "fi"])?;
            branches.push((condition, body));
            match self.keyword() {
                Some("elif") => {
                    self.next();
                }
                Some("else") => {
                    self.next();
                    otherwise = Some(self.script(&["fi"])?);
                    self.expect_keyword("fi", "'else'")?;
                    break;
                }
                _ => {
                    self.expect_keyword("fi", "'then'")?;
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(Command::If {
            branches,
            otherwise,
            pos,
        })
    }

    /// `for NAME in WORDS; do …; done`
    fn for_command(&mut self, pos: Pos) -> Result<Command, ParseError> {
        self.next();
        self.deeper(pos)?;
        let var = match &self.peek().tok {
            Tok::Word(w) => w
                .plain()
                .filter(|v| is_name(v))
                .map(str::to_string)
                .ok_or_else(|| Self::error_at(self.peek().pos, "'for' needs a variable name"))?,
            _ => {
                return Err(Self::error_at(
                    self.peek().pos,
                    "'for' needs a variable name",
                ))
            }
        };
        self.next();
        let mut words = Vec::new();
        if self.at_keyword("in") {
            self.next();
            while let Tok::Word(w) = &self.peek().tok {
                words.push(w.clone());
                self.next();
            }
        } else {
            return Err(Self::error_at(self.peek().pos, "'for NAME' needs 'in'"));
        }
        self.expect_keyword("do", "the words of 'for'")?;
        let body = self.script(&["done"])?;
        self.expect_keyword("done", "'do'")?;
        self.depth -= 1;
        Ok(Command::For {
            var,
            words,
            body,
            pos,
        })
    }
    /// The word right after an `=` that ends the current one, if it is
    /// `(`: an array's elements up to `)`.
    fn array_value(
        &mut self,
        word_pos: Pos,
        word: &Word,
    ) -> Result<Option<ArrayItems>, ParseError> {
        let width = word.to_string().chars().count();
        let t = self.peek();
        if t.tok != Tok::LParen
            || t.pos.line != word_pos.line
            || t.pos.column != word_pos.column + width
        {
            return Ok(None);
        }
        self.next();
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let t = self.next();
            match t.tok {
                Tok::RParen => break,
                Tok::Word(w) => items.push(match split_assignment(&w) {
                    Some(Assign {
                        name,
                        index: Some(i),
                        append: false,
                        value: AssignValue::Scalar(v),
                    }) if name.is_empty() => (Some(i), v),
                    _ => (None, w),
                }),
                other => {
                    return Err(Self::error_at(
                        t.pos,
                        format!("expected ')' to end an array, found {}", describe(&other)),
                    ))
                }
            }
        }
        Ok(Some(items))
    }

    /// An assignment word (`a=1`, `a[i]=1`, `a=(…)`) at the current token.
    fn assignment(&mut self, w: &Word, word_pos: Pos) -> Result<Option<Assign>, ParseError> {
        let Some(mut assign) = split_assignment(w).filter(|a| !a.name.is_empty()) else {
            return Ok(None);
        };
        self.next();
        if matches!(&assign.value, AssignValue::Scalar(v) if v.parts.is_empty()) {
            if let Some(items) = self.array_value(word_pos, w)? {
                assign.value = AssignValue::Array(items);
            }
        }
        Ok(Some(assign))
    }

    fn simple(&mut self, pos: Pos) -> Result<Command, ParseError> {
        let mut assigns = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut redirects = Vec::new();
        loop {
            if let Some(r) = self.redirect()? {
                redirects.push(r);
                continue;
            }
            if let Tok::Process(script) = &self.peek().tok {
                // `diff <(a) <(b)`: a file name the simulator cannot make.
                let text = format!("<({script})");
                words.push(Word {
                    parts: vec![Part::Param {
                        param: Box::new(super::ast::Param {
                            text: text.clone(),
                            name: String::new(),
                            index: None,
                            op: super::ast::ParamOp::Unsupported(text),
                        }),
                        quoted: false,
                    }],
                });
                self.next();
                continue;
            }
            let Tok::Word(w) = &self.peek().tok else {
                break;
            };
            let (w, word_pos) = (w.clone(), self.peek().pos);
            if words.is_empty() {
                if let Some(assign) = self.assignment(&w, word_pos)? {
                    assigns.push(assign);
                    continue;
                }
            }
            if words.is_empty() && assigns.is_empty() && redirects.is_empty() {
                if let Some(builtin) = w.plain().filter(|b| DECLARERS.contains(b)) {
                    let builtin = builtin.to_string();
                    self.next();
                    return self.declare(builtin, pos);
                }
            }
            words.push(w);
            self.next();
        }
        // `name() { …; }`
        if self.peek().tok == Tok::LParen && assigns.is_empty() && words.len() == 1 {
            let name = words[0]
                .plain()
                .filter(|n| is_name(n) || n.contains(['-', ':', '.']))
                .map(str::to_string)
                .ok_or_else(|| {
                    Self::error_at(
                        self.peek().pos,
                        "'(' after a word that is not a function name",
                    )
                })?;
            self.next();
            if self.next().tok != Tok::RParen {
                return Err(Self::error_at(
                    pos,
                    format!("'{name}(' needs ')' to define a function"),
                ));
            }
            self.skip_newlines();
            let body = match self.command()? {
                Command::Group { body, .. } => body,
                _ => {
                    return Err(Self::error_at(
                        pos,
                        format!("the body of function '{name}' must be '{{ …; }}'"),
                    ))
                }
            };
            return Ok(Command::Function { name, body, pos });
        }
        if assigns.is_empty() && words.is_empty() && redirects.is_empty() {
            return Err(self.unexpected());
        }
        Ok(Command::Simple {
            assigns,
            words,
            redirects,
            pos,
        })
    }

    /// `declare -A m=([k]=v) x y=1`, `local a b=2`, …
    fn declare(&mut self, builtin: String, pos: Pos) -> Result<Command, ParseError> {
        let mut items = Vec::new();
        while let Tok::Word(w) = &self.peek().tok {
            let (w, word_pos) = (w.clone(), self.peek().pos);
            if let Some(assign) = self.assignment(&w, word_pos)? {
                items.push(DeclItem::Assign(assign));
            } else {
                items.push(DeclItem::Word(w));
                self.next();
            }
        }
        Ok(Command::Declare {
            builtin,
            items,
            pos,
        })
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Eof => "the end of the script".into(),
        Tok::Newline => "a new line".into(),
        Tok::RParen => "')'".into(),
        Tok::LParen => "'('".into(),
        Tok::Semi => "';'".into(),
        Tok::DSemi => "';;'".into(),
        Tok::Pipe => "'|'".into(),
        other => format!("{other:?}"),
    }
}

pub(super) fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `NAME=value`, `NAME+=value`, `NAME[i]=value` (the name unquoted, an
/// identifier) as an assignment with a scalar value; `[i]=value` (an array
/// element inside `( … )`) has an empty name.
fn split_assignment(word: &Word) -> Option<Assign> {
    let Part::Literal {
        text: first,
        quoted: false,
    } = word.parts.first()?
    else {
        return None;
    };
    // `name[` … `]=`: the subscript may span parts (`a[$i]=x`).
    let name_end = first.find(['=', '[', '+']).unwrap_or(first.len());
    let name = &first[..name_end];
    if !(is_name(name) || (name.is_empty() && first.starts_with('['))) {
        return None;
    }
    let mut rest_parts: Vec<Part> = Vec::new();
    let mut index = None;
    let after_name = &first[name_end..];
    let (after_index, later): (String, &[Part]) = if let Some(sub) = after_name.strip_prefix('[') {
        // Find `]=` or `]+=` in this literal or a later unquoted one.
        let mut sub_parts = Vec::new();
        let mut found = None;
        let mut pieces: Vec<(String, bool, Option<&Part>)> = vec![(sub.to_string(), false, None)];
        for p in &word.parts[1..] {
            match p {
                Part::Literal {
                    text,
                    quoted: false,
                } => pieces.push((text.clone(), false, Some(p))),
                other => pieces.push((String::new(), true, Some(other))),
            }
        }
        for (n, (text, is_other, part)) in pieces.iter().enumerate() {
            if *is_other {
                sub_parts.push(part.cloned()?);
                continue;
            }
            if let Some(close) = text.find("]=").or_else(|| text.find("]+=")) {
                if !text[..close].is_empty() {
                    sub_parts.push(Part::Literal {
                        text: text[..close].to_string(),
                        quoted: false,
                    });
                }
                found = Some((n, text[close + 1..].to_string()));
                break;
            }
            if !text.is_empty() {
                sub_parts.push(Part::Literal {
                    text: text.clone(),
                    quoted: false,
                });
            }
        }
        let (n, tail) = found?;
        index = Some(Word { parts: sub_parts });
        (tail, &word.parts[n + 1..])
    } else {
        (after_name.to_string(), &word.parts[1..])
    };
    let (append, value_text) = if let Some(v) = after_index.strip_prefix("+=") {
        (true, v)
    } else if let Some(v) = after_index.strip_prefix('=') {
        (false, v)
    } else {
        return None;
    };
    if !value_text.is_empty() {
        rest_parts.push(Part::Literal {
            text: value_text.to_string(),
            quoted: false,
        });
    }
    rest_parts.extend(later.iter().cloned());
    Some(Assign {
        name: name.to_string(),
        index,
        append,
        value: AssignValue::Scalar(Word { parts: rest_parts }),
    })
}
