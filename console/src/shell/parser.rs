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

use super::ast::{AndOr, Command, Connector, Part, Pipeline, Pos, Script, Word};
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

const CLOSERS: &[&str] = &["then", "elif", "else", "fi", "do", "done", "}"];

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
        while matches!(self.peek().tok, Tok::Semi | Tok::Newline) {
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
                Tok::Eof | Tok::RParen => break,
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
                Tok::Semi | Tok::Newline | Tok::Eof | Tok::RParen => {}
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
            Some("{") => {
                self.next();
                self.deeper(pos)?;
                let body = self.script(&["}"])?;
                self.expect_keyword("}", "'{'")?;
                self.depth -= 1;
                Ok(Command::Group { body, pos })
            }
            Some("[[") => {
                self.next();
                let mut words = Vec::new();
                loop {
                    let t = self.next();
                    match t.tok {
                        Tok::Word(w) if w.plain() == Some("]]") => break,
                        Tok::Word(w) => words.push(w),
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
                Ok(Command::Group { body, pos })
            }
            _ => self.simple(pos),
        }
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
    fn simple(&mut self, pos: Pos) -> Result<Command, ParseError> {
        let mut assigns = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        while let Tok::Word(w) = &self.peek().tok {
            let w = w.clone();
            if words.is_empty() {
                if let Some(assign) = split_assignment(&w) {
                    assigns.push(assign);
                    self.next();
                    continue;
                }
            }
            words.push(w);
            self.next();
        }
        // `name() { …; }`
        if self.peek().tok == Tok::LParen && assigns.is_empty() && words.len() == 1 {
            let name = words[0]
                .plain()
                .filter(|n| is_name(n))
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
        if assigns.is_empty() && words.is_empty() {
            return Err(self.unexpected());
        }
        Ok(Command::Simple {
            assigns,
            words,
            pos,
        })
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Eof => "the end of the script".into(),
        Tok::Newline => "a new line".into(),
        other => format!("{other:?}"),
    }
}

fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `NAME=value` (the name unquoted, an identifier) → (NAME, value word).
fn split_assignment(word: &Word) -> Option<(String, Word)> {
    let Part::Literal {
        text: first,
        quoted: false,
    } = word.parts.first()?
    else {
        return None;
    };
    let (name, rest) = first.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut value = Word::default();
    if !rest.is_empty() {
        value.parts.push(Part::Literal {
            text: rest.to_string(),
            quoted: false,
        });
    }
    value.parts.extend(word.parts[1..].iter().cloned());
    Some((name.to_string(), value))
}
