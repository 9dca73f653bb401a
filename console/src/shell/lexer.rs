//! Bash's tokens: words (with their quoting, variables and substitutions)
//! and operators, each with its line and column. A `$( … )` is parsed
//! right here into a syntax tree of its own (with the real line and column
//! of its text), so a script is checked whole before anything runs.

use super::ast::{Param, ParamOp, Part, Pos, Script, Word};
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
    /// `;;` (the end of a `case` arm)
    DSemi,
    /// `&` (a background job: the simulator runs it in the foreground)
    Amp,
    /// `>`, `>>`, `<`, `>&`, `<&`, `&>`, `<<<`, with the descriptor
    /// written before it (or its default).
    Redir {
        fd: u32,
        op: &'static str,
    },
    /// `<<EOF` with its body, read from the lines that follow.
    HereDoc(Word),
    /// `(( … ))` where a command starts.
    Arith(String),
    /// `<( … )`: process substitution.
    Process(Script),
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
    /// Inside `${ … }`: blanks and operators are part of the word.
    braced: bool,
    /// Here-document bodies read ahead: where the first starts (just after
    /// the line's newline), where the last ends, and the lines they hold.
    heredocs: Option<(usize, usize, usize)>,
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
            braced: false,
            heredocs: None,
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
                if let Some((start, end, lines)) = self.heredocs.take() {
                    if self.at == start {
                        self.at = end;
                        self.line += lines;
                        self.column = 1;
                    }
                }
                op(Tok::Newline)
            }
            (Some(';'), Some(';')) => {
                self.bump();
                self.bump();
                op(Tok::DSemi)
            }
            (Some('('), Some('(')) => {
                self.bump();
                self.bump();
                let (expr, _) = self.balanced("((")?;
                if self.bump() != Some(')') {
                    return Err(self.error("'((' is not closed with '))'"));
                }
                op(Tok::Arith(expr))
            }
            (Some('<' | '>'), Some('(')) => {
                self.bump();
                self.bump();
                if self.depth + 1 > MAX_NESTING {
                    return Err(self.error(format!(
                        "command substitutions nest deeper than {MAX_NESTING} levels"
                    )));
                }
                let (text, start) = self.balanced("<(")?;
                let script = parser::parse_at(&text, start, self.depth + 1)?;
                op(Tok::Process(script))
            }
            (Some(d @ '0'..='9'), Some('>' | '<')) => {
                self.bump();
                self.redirection(d.to_digit(10).unwrap_or(1), pos)
            }
            (Some('&'), Some('>')) => {
                self.bump();
                self.bump();
                op(Tok::Redir { fd: 1, op: "&>" })
            }
            (Some('>' | '<'), _) => {
                let fd = if self.peek() == Some('>') { 1 } else { 0 };
                self.redirection(fd, pos)
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
            (Some('&'), _) => {
                self.bump();
                op(Tok::Amp)
            }
            _ => Ok(Token {
                tok: Tok::Word(self.word()?),
                pos,
            }),
        }
    }

    /// At `>` or `<` (after its descriptor, if any).
    fn redirection(&mut self, fd: u32, pos: Pos) -> Result<Token, ParseError> {
        let first = self.bump();
        let second = self.peek();
        let op: &'static str = match (first, second) {
            (Some('>'), Some('>')) => ">>",
            (Some('>'), Some('&')) => ">&",
            (Some('>'), Some('|')) => ">|",
            (Some('<'), Some('&')) => "<&",
            (Some('<'), Some('<')) => {
                self.bump();
                if self.peek() == Some('<') {
                    self.bump();
                    return Ok(Token {
                        tok: Tok::Redir { fd, op: "<<<" },
                        pos,
                    });
                }
                return Ok(Token {
                    tok: Tok::HereDoc(self.heredoc()?),
                    pos,
                });
            }
            (Some('>'), _) => {
                return Ok(Token {
                    tok: Tok::Redir { fd, op: ">" },
                    pos,
                })
            }
            _ => {
                return Ok(Token {
                    tok: Tok::Redir { fd, op: "<" },
                    pos,
                })
            }
        };
        self.bump();
        Ok(Token {
            tok: Tok::Redir { fd, op },
            pos,
        })
    }

    /// After `<<`: the delimiter, then the body from the next line on
    /// (which the lexer skips when it gets there).
    fn heredoc(&mut self) -> Result<Word, ParseError> {
        let strip = self.peek() == Some('-');
        if strip {
            self.bump();
        }
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        let delimiter = self.word()?;
        let quoted = delimiter
            .parts
            .iter()
            .any(|p| matches!(p, Part::Literal { quoted: true, .. }));
        let delimiter: String = delimiter
            .parts
            .iter()
            .map(|p| match p {
                Part::Literal { text, .. } => text.clone(),
                other => Word {
                    parts: vec![other.clone()],
                }
                .to_string(),
            })
            .collect();
        if delimiter.is_empty() {
            return Err(self.error("'<<' needs a delimiter word"));
        }
        let start = match self.heredocs {
            Some((_, end, _)) => end,
            None => match self.chars[self.at..].iter().position(|c| *c == '\n') {
                Some(n) => self.at + n + 1,
                None => self.chars.len(),
            },
        };
        let (first, lines_before) = match self.heredocs {
            Some((first, _, lines)) => (first, lines),
            None => (start, 0),
        };
        let body_line = self.line + 1 + lines_before;
        let mut body = String::new();
        let mut at = start;
        let mut lines = 0;
        while at < self.chars.len() {
            let end = self.chars[at..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(self.chars.len(), |n| at + n);
            let mut line: String = self.chars[at..end].iter().collect();
            lines += 1;
            at = (end + 1).min(self.chars.len());
            if strip {
                line = line.trim_start_matches('\t').to_string();
            }
            if line == delimiter {
                break;
            }
            body.push_str(&line);
            body.push('\n');
        }
        self.heredocs = Some((first, at, lines_before + lines));
        if quoted {
            return Ok(Word {
                parts: vec![Part::Literal {
                    text: body,
                    quoted: true,
                }],
            });
        }
        let mut inner = Lexer::new(
            &body,
            Pos {
                line: body_line,
                column: 1,
            },
            self.depth,
        );
        inner.heredoc_body()
    }

    /// A here-document's body: `$` expansions and `\$`, `\\`, `` \` ``
    /// escapes; quotes are plain text.
    fn heredoc_body(&mut self) -> Result<Word, ParseError> {
        let mut word = Word {
            parts: vec![Part::Literal {
                text: String::new(),
                quoted: true,
            }],
        };
        while let Some(c) = self.peek() {
            match c {
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some(c @ ('$' | '`' | '\\')) => Self::push_literal(&mut word, c, true),
                        Some('\n') => {}
                        Some(c) => {
                            Self::push_literal(&mut word, '\\', true);
                            Self::push_literal(&mut word, c, true);
                        }
                        None => Self::push_literal(&mut word, '\\', true),
                    }
                }
                '$' => {
                    let part = self.dollar(true)?;
                    word.parts.push(part);
                }
                '`' => {
                    let part = self.backquote(true)?;
                    word.parts.push(part);
                }
                c => {
                    self.bump();
                    Self::push_literal(&mut word, c, true);
                }
            }
        }
        Ok(word)
    }

    /// `` `…` ``: an old-style command substitution.
    fn backquote(&mut self, quoted: bool) -> Result<Part, ParseError> {
        self.bump();
        let start = self.pos();
        let mut text = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('$' | '`' | '\\')) => text.push(c),
                    Some(c) => {
                        text.push('\\');
                        text.push(c);
                    }
                    None => return Err(self.error("a backquote is not closed")),
                },
                Some(c) => text.push(c),
                None => return Err(self.error("a backquote is not closed")),
            }
        }
        if self.depth + 1 > MAX_NESTING {
            return Err(self.error(format!(
                "command substitutions nest deeper than {MAX_NESTING} levels"
            )));
        }
        let script: Script = parser::parse_at(&text, start, self.depth + 1)?;
        Ok(Part::Substitution { script, quoted })
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
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
                    if !self.braced =>
                {
                    break
                }
                '\\' if self.peek_at(1) == Some('\n') && !self.braced => break,
                '`' => {
                    let part = self.backquote(false)?;
                    word.parts.push(part);
                }
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
                            // Kept as text inside double quotes (bash would run
                            // it): az's JMESPath literals in a double-quoted
                            // `--query` have always worked here.
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
            // `$'…'`: ANSI-C quoting (outside double quotes).
            Some('\'') if !quoted => {
                self.bump();
                let mut text = String::new();
                loop {
                    match self.bump() {
                        Some('\'') => break,
                        Some('\\') => match self.bump() {
                            Some('n') => text.push('\n'),
                            Some('t') => text.push('\t'),
                            Some('r') => text.push('\r'),
                            Some('a') => text.push('\u{7}'),
                            Some('e' | 'E') => text.push('\u{1b}'),
                            Some(c @ ('\\' | '\'' | '"' | '?')) => text.push(c),
                            Some(c) => {
                                text.push('\\');
                                text.push(c);
                            }
                            None => return Err(self.error("a $' quote is not closed")),
                        },
                        Some(c) => text.push(c),
                        None => return Err(self.error("a $' quote is not closed")),
                    }
                }
                Ok(Part::Literal { text, quoted: true })
            }
            Some('{') => {
                self.bump();
                let start = self.pos();
                let text = self.braced_text()?;
                self.param(&text, start, quoted)
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
                    self.bump();
                    name.push(c);
                }
                Ok(Part::Var { name, quoted })
            }
            Some(c @ ('?' | '#' | '0'..='9' | '$' | '!' | '-')) => {
                self.bump();
                Ok(Part::Var {
                    name: c.to_string(),
                    quoted,
                })
            }
            Some(c @ ('@' | '*')) => {
                self.bump();
                Ok(Part::Param {
                    param: Box::new(Param {
                        text: c.to_string(),
                        name: c.to_string(),
                        index: None,
                        op: ParamOp::Plain,
                    }),
                    quoted,
                })
            }
            _ => Ok(Part::Literal {
                text: "$".into(),
                quoted,
            }),
        }
    }

    /// An arithmetic expression's text as one word, to expand the `${ }`
    /// and `$( )` in it before it is evaluated.
    pub fn expression_word(&mut self) -> Result<Word, ParseError> {
        self.braced = true;
        self.word()
    }

    /// The text of `${ … }` up to its `}`, quotes and nested `${ }`,
    /// `$( )` respected.
    fn braced_text(&mut self) -> Result<String, ParseError> {
        let (mut depth, mut text, mut quote) = (1usize, String::new(), None::<char>);
        loop {
            let c = self
                .bump()
                .ok_or_else(|| self.error("'${' is not closed with '}'"))?;
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some('\''), _) => {}
                (_, '\\') => {
                    text.push(c);
                    if let Some(n) = self.bump() {
                        text.push(n);
                    }
                    continue;
                }
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '{') => depth += 1,
                (None, '}') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(text);
                    }
                }
                _ => {}
            }
            text.push(c);
        }
    }

    /// A word inside `${ … }` (blanks included), quoted if the `${` was.
    fn inner_word(&self, text: &str, pos: Pos, quoted: bool) -> Result<Word, ParseError> {
        let mut inner = Lexer::new(text, pos, self.depth);
        inner.braced = true;
        let mut word = inner.word()?;
        if quoted {
            for part in &mut word.parts {
                match part {
                    Part::Literal { quoted, .. }
                    | Part::Var { quoted, .. }
                    | Part::Param { quoted, .. }
                    | Part::Substitution { quoted, .. }
                    | Part::Arithmetic { quoted, .. } => *quoted = true,
                }
            }
        }
        Ok(word)
    }

    /// `${ … }`'s text as a parameter expansion.
    fn param(&self, text: &str, pos: Pos, quoted: bool) -> Result<Part, ParseError> {
        if text.is_empty() {
            return Err(self.error("'${}' names no variable"));
        }
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let mut op = None;
        if chars.len() > 1 && chars[0] == '#' {
            op = Some(ParamOp::Length);
            at = 1;
        } else if chars.len() > 1 && chars[0] == '!' {
            op = Some(ParamOp::Keys);
            at = 1;
        }
        let name_start = at;
        if chars
            .get(at)
            .is_some_and(|c| matches!(c, '@' | '*' | '#' | '?' | '$' | '!' | '-'))
        {
            at += 1;
        } else if chars.get(at).is_some_and(char::is_ascii_digit) {
            while chars.get(at).is_some_and(char::is_ascii_digit) {
                at += 1;
            }
        } else {
            while chars
                .get(at)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                at += 1;
            }
        }
        let name: String = chars[name_start..at].iter().collect();
        let unsupported = |why: &str| {
            Ok(Part::Param {
                param: Box::new(Param {
                    text: text.to_string(),
                    name: name.clone(),
                    index: None,
                    op: ParamOp::Unsupported(why.to_string()),
                }),
                quoted,
            })
        };
        if name.is_empty() {
            return unsupported("a parameter expansion the simulator does not know");
        }
        let mut index = None;
        if chars.get(at) == Some(&'[') {
            let mut depth = 0;
            let start = at + 1;
            let mut end = None;
            for (i, c) in chars.iter().enumerate().skip(at) {
                match c {
                    '[' => depth += 1,
                    ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else {
                return unsupported("'[' without ']'");
            };
            let sub: String = chars[start..end].iter().collect();
            index = Some(self.inner_word(&sub, pos, false)?);
            at = end + 1;
        }
        let rest: String = chars[at..].iter().collect();
        let word = |t: &str| self.inner_word(t, pos, quoted);
        // A pattern is a pattern inside double quotes too (`"${v%"$x"}"`
        // quotes only its own quoted parts).
        let pattern = |t: &str| self.inner_word(t, pos, false);
        let op = match op {
            Some(ParamOp::Keys) if rest.is_empty() && index.is_some() => ParamOp::Keys,
            Some(ParamOp::Keys) if rest.is_empty() && index.is_none() => ParamOp::Indirect,
            Some(ParamOp::Keys) => {
                return unsupported("names by prefix or an indirect expansion with an operator")
            }
            Some(op) if rest.is_empty() => op,
            Some(_) => return unsupported("a parameter expansion the simulator does not know"),
            None if rest.is_empty() => ParamOp::Plain,
            None => {
                let mut it = rest.chars();
                let first = it.next().unwrap_or_default();
                let after: String = it.collect();
                match first {
                    ':' if after.starts_with(['-', '=', '+', '?']) => ParamOp::Test {
                        colon: true,
                        op: after.chars().next().unwrap_or('-'),
                        word: word(&after[1..])?,
                    },
                    '-' | '=' | '+' | '?' => ParamOp::Test {
                        colon: false,
                        op: first,
                        word: word(&after)?,
                    },
                    '#' | '%' => {
                        let longest = after.starts_with(first);
                        let text = if longest { &after[1..] } else { &after[..] };
                        ParamOp::Trim {
                            suffix: first == '%',
                            longest,
                            pattern: pattern(text)?,
                        }
                    }
                    '/' => {
                        let (all, anchor, body) = match after.chars().next() {
                            Some('/') => (true, None, &after[1..]),
                            Some(c @ ('#' | '%')) => (false, Some(c), &after[1..]),
                            _ => (false, None, &after[..]),
                        };
                        let (from, with) = split_slash(body);
                        ParamOp::Replace {
                            all,
                            anchor,
                            pattern: pattern(&from)?,
                            with: word(&with)?,
                        }
                    }
                    '^' | ',' if after.is_empty() || after == first.to_string() => ParamOp::Case {
                        upper: first == '^',
                        all: !after.is_empty(),
                    },
                    ':' => {
                        let (offset, length) = match after.split_once(':') {
                            Some((o, l)) => (o.to_string(), Some(l.to_string())),
                            None => (after.clone(), None),
                        };
                        ParamOp::Slice { offset, length }
                    }
                    _ => return unsupported("a parameter expansion the simulator does not know"),
                }
            }
        };
        Ok(Part::Param {
            param: Box::new(Param {
                text: text.to_string(),
                name,
                index,
                op,
            }),
            quoted,
        })
    }
}

/// `pattern/with` at the first `/` outside quotes and not escaped.
fn split_slash(text: &str) -> (String, String) {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            _ if escaped => escaped = false,
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '/') => return (text[..i].to_string(), text[i + 1..].to_string()),
            _ => {}
        }
    }
    (text.to_string(), String::new())
}
