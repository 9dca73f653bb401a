//! Bash's tokens: words (with their quoting, variables and substitutions)
//! and operators, each with its line and column. A `$( … )` is parsed
//! right here into a syntax tree of its own (with the real line and column
//! of its text), so a script is checked whole before anything runs.

use super::ast::{Part, Pos, Script, Word};
use super::parser;
use super::ParseError;

/// Scripts nested deeper than this (`$( $( … ) )`, loops in loops) are
/// refused: they would exhaust the stack (1 MiB in wasm) long before any
/// real script needs them.
pub const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(Word),
    /// `;`
    Semi,
    Newline,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `|`
    Pipe,
    LParen,
    RParen,
    Eof,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

pub struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
    /// How deep in `$( … )` this text is.
    depth: usize,
}

impl Lexer {
    /// A lexer for `text`, which starts at `pos` of the whole script.
    pub fn new(text: &str, pos: Pos, depth: usize) -> Lexer {
        Lexer {
            chars: text.chars().collect(),
            at: 0,
            line: pos.line,
            column: pos.column,
            depth,
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.at + n).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }

    /// Every token of the text, ending with `Eof`.
    pub fn tokens(mut self) -> Result<Vec<Token>, ParseError> {
        let mut out = Vec::new();
        loop {
            let token = self.next_token()?;
            let end = token.tok == Tok::Eof;
            out.push(token);
            if end {
                return Ok(out);
            }
        }
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        // Blanks, line continuations and comments separate tokens.
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let pos = self.pos();
        let op = |tok| Ok(Token { tok, pos });
        match (self.peek(), self.peek_at(1)) {
            (None, _) => op(Tok::Eof),
            (Some('\n'), _) => {
                self.bump();
                op(Tok::Newline)
            }
            (Some(';'), _) => {
                self.bump();
                op(Tok::Semi)
            }
            (Some('&'), Some('&')) => {
                self.bump();
                self.bump();
                op(Tok::AndAnd)
            }
            (Some('|'), Some('|')) => {
                self.bump();
                self.bump();
                op(Tok::OrOr)
            }
            (Some('|'), _) => {
                self.bump();
                op(Tok::Pipe)
            }
            (Some('('), _) => {
                self.bump();
                op(Tok::LParen)
            }
            (Some(')'), _) => {
                self.bump();
                op(Tok::RParen)
            }
            (Some(c @ ('&' | '>' | '<' | '`')), _) => Err(self.error(format!(
                "'{c}' (background jobs, redirections, backquotes) is not supported by the simulator's shell"
            ))),
            _ => Ok(Token {
                tok: Tok::Word(self.word()?),
                pos,
            }),
        }
    }

    fn push_literal(word: &mut Word, c: char, quoted: bool) {
        if let Some(Part::Literal { text, quoted: q }) = word.parts.last_mut() {
            if *q == quoted {
                text.push(c);
                return;
            }
        }
        word.parts.push(Part::Literal {
            text: c.to_string(),
            quoted,
        });
    }

    /// One word: up to a blank or an operator.
    fn word(&mut self) -> Result<Word, ParseError> {
        let mut word = Word::default();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' | '`' => break,
                '\\' if self.peek_at(1) == Some('\n') => break,
                '\\' => {
                    self.bump();
                    let escaped = self
                        .bump()
                        .ok_or_else(|| self.error("a backslash at the end of the script"))?;
                    Self::push_literal(&mut word, escaped, true);
                }
                '\'' => {
                    self.bump();
                    let mut text = String::new();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(c) => text.push(c),
                            None => return Err(self.error("a single quote is not closed")),
                        }
                    }
                    word.parts.push(Part::Literal { text, quoted: true });
                }
                '"' => {
                    self.bump();
                    // An empty "" is still a word.
                    word.parts.push(Part::Literal {
                        text: String::new(),
                        quoted: true,
                    });
                    loop {
                        match self.peek() {
                            None => return Err(self.error("a double quote is not closed")),
                            Some('"') => {
                                self.bump();
                                break;
                            }
                            Some('\\') => {
                                self.bump();
                                match self.bump() {
                                    Some(c @ ('$' | '"' | '\\' | '`')) => {
                                        Self::push_literal(&mut word, c, true)
                                    }
                                    Some('\n') => {}
                                    Some(c) => {
                                        Self::push_literal(&mut word, '\\', true);
                                        Self::push_literal(&mut word, c, true);
                                    }
                                    None => return Err(self.error("a double quote is not closed")),
                                }
                            }
                            Some('$') => {
                                let part = self.dollar(true)?;
                                word.parts.push(part);
                            }
                            Some(c) => {
                                self.bump();
                                Self::push_literal(&mut word, c, true);
                            }
                        }
                    }
                }
                '$' => {
                    let part = self.dollar(false)?;
                    word.parts.push(part);
                }
                c => {
                    self.bump();
                    Self::push_literal(&mut word, c, false);
                }
            }
        }
        Ok(word)
    }

    /// The text up to the `)` that closes an opening already read, with
    /// quotes respected; and where the text starts.
    fn balanced(&mut self, what: &str) -> Result<(String, Pos), ParseError> {
        let start = self.pos();
        let (mut depth, mut text, mut quote) = (1usize, String::new(), None::<char>);
        loop {
            let c = self
                .bump()
                .ok_or_else(|| self.error(format!("'{what}' is not closed with ')'")))?;
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some('"'), '\\') => {
                    text.push(c);
                    if let Some(n) = self.bump() {
                        text.push(n);
                    }
                    continue;
                }
                (Some(_), _) => {}
                (None, '\\') => {
                    text.push(c);
                    if let Some(n) = self.bump() {
                        text.push(n);
                    }
                    continue;
                }
                (None, '\'' | '"') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok((text, start));
                    }
                }
                _ => {}
            }
            text.push(c);
        }
    }

    /// At a `$`: `$( … )`, `$(( … ))`, `${name}`, `$name`, `$?`, `$1`, or a lone `$`.
    fn dollar(&mut self, quoted: bool) -> Result<Part, ParseError> {
        self.bump();
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.bump();
                self.bump();
                let (expr, _) = self.balanced("$((")?;
                // The inner text ends with the first of the two closing parens.
                if self.bump() != Some(')') {
                    return Err(self.error("'$((' is not closed with '))'"));
                }
                let tree = super::arith::parse(&expr);
                Ok(Part::Arithmetic { expr, tree, quoted })
            }
            Some('(') => {
                self.bump();
                if self.depth + 1 > MAX_NESTING {
                    return Err(self.error(format!(
                        "command substitutions nest deeper than {MAX_NESTING} levels"
                    )));
                }
                let (text, start) = self.balanced("$(")?;
                let script: Script = parser::parse_at(&text, start, self.depth + 1)?;
                Ok(Part::Substitution { script, quoted })
            }
            Some('{') => {
                self.bump();
                let mut name = String::new();
                loop {
                    match self.bump() {
                        Some('}') => break,
                        Some(c) if c.is_alphanumeric() || c == '_' => name.push(c),
                        Some(c) => {
                            return Err(self.error(format!(
                                "'{c}' in '${{...}}': only a variable name is supported"
                            )))
                        }
                        None => return Err(self.error("'${' is not closed with '}'")),
                    }
                }
                if name.is_empty() {
                    return Err(self.error("'${}' names no variable"));
                }
                Ok(Part::Var { name, quoted })
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
                    self.bump();
                    name.push(c);
                }
                Ok(Part::Var { name, quoted })
            }
            Some(c @ ('?' | '#' | '0'..='9')) => {
                self.bump();
                Ok(Part::Var {
                    name: c.to_string(),
                    quoted,
                })
            }
            _ => Ok(Part::Literal {
                text: "$".into(),
                quoted,
            }),
        }
    }
}
