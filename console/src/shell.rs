//! The bash subset the seed's scripts use: comments, `name="value"`
//! assignments, `$name` / `${name}` expansion (not inside single quotes),
//! `$(...)` command substitution, `\` line continuation, `;` and `&&`,
//! `echo`, and `set -e` (stop at the first failing command, only when asked).
//!
//! Parsing never panics: bad input is a [`ParseError`] with line and column.

use std::collections::BTreeMap;

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

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Var(String),
    Substitution(String),
}

/// A word: segments, each quoted (no word splitting) or not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Word {
    segments: Vec<(Segment, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    words: Vec<Word>,
    line: usize,
    /// Run only if the previous statement succeeded (`&&`).
    after_success: bool,
}

/// A statement, or a `for NAME in WORDS; do …; done` loop around statements.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Simple(Statement),
    For {
        var: String,
        words: Vec<Word>,
        body: Vec<Node>,
        after_success: bool,
    },
}

/// The word as plain unquoted text, if it is that (for keywords).
fn keyword(word: &Word) -> Option<&str> {
    match word.segments.as_slice() {
        [(Segment::Literal(s), false)] => Some(s.as_str()),
        _ => None,
    }
}

/// Groups statements into loops: `for` … `do` … `done`.
fn structure(statements: Vec<Statement>) -> Result<Vec<Node>, ParseError> {
    let mut iter = statements.into_iter().peekable();
    let nodes = block(&mut iter, false)?;
    Ok(nodes)
}

fn block(
    iter: &mut std::iter::Peekable<std::vec::IntoIter<Statement>>,
    inside: bool,
) -> Result<Vec<Node>, ParseError> {
    let mut nodes = Vec::new();
    while let Some(mut st) = iter.next() {
        match st.words.first().and_then(keyword) {
            Some("done") if inside => {
                if st.words.len() > 1 {
                    return Err(ParseError {
                        line: st.line,
                        column: 1,
                        message: "'done' must end its statement".into(),
                    });
                }
                return Ok(nodes);
            }
            Some("done") | Some("do") => {
                return Err(ParseError {
                    line: st.line,
                    column: 1,
                    message: format!(
                        "'{}' without a 'for'",
                        keyword(&st.words[0]).unwrap_or_default()
                    ),
                })
            }
            Some("for") => {
                let line = st.line;
                let bad = |m: &str| ParseError {
                    line,
                    column: 1,
                    message: m.into(),
                };
                let var = st
                    .words
                    .get(1)
                    .and_then(keyword)
                    .filter(|v| v.chars().all(|c| c.is_alphanumeric() || c == '_'))
                    .ok_or_else(|| bad("'for' needs a variable name"))?
                    .to_string();
                if st.words.get(2).and_then(keyword) != Some("in") {
                    return Err(bad("'for NAME' needs 'in'"));
                }
                let words = st.words.split_off(3);
                // The body starts with a statement beginning with 'do'.
                let mut first = iter.next().ok_or_else(|| bad("'for' needs '; do'"))?;
                if first.words.first().and_then(keyword) != Some("do") {
                    return Err(ParseError {
                        line: first.line,
                        column: 1,
                        message: "expected 'do'".into(),
                    });
                }
                first.words.remove(0);
                let mut body = Vec::new();
                if !first.words.is_empty() {
                    if first.words.first().and_then(keyword) == Some("done")
                        && first.words.len() == 1
                    {
                        nodes.push(Node::For {
                            var,
                            words,
                            body,
                            after_success: st.after_success,
                        });
                        continue;
                    }
                    first.after_success = false;
                    let mut rest = vec![first];
                    rest.extend(iter.by_ref());
                    let mut inner = rest.into_iter().peekable();
                    body = block(&mut inner, true)?;
                    nodes.push(Node::For {
                        var,
                        words,
                        body,
                        after_success: st.after_success,
                    });
                    let remaining: Vec<Statement> = inner.collect();
                    *iter = remaining.into_iter().peekable();
                    continue;
                }
                body.extend(block(iter, true)?);
                nodes.push(Node::For {
                    var,
                    words,
                    body,
                    after_success: st.after_success,
                });
            }
            _ => nodes.push(Node::Simple(st)),
        }
    }
    if inside {
        return Err(ParseError {
            line: 0,
            column: 0,
            message: "'for … do' is not closed with 'done'".into(),
        });
    }
    Ok(nodes)
}

struct Lexer<'a> {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
    _text: &'a str,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            chars: text.chars().collect(),
            at: 0,
            line: 1,
            column: 1,
            _text: text,
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.chars.get(self.at + 1).copied()
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

    fn parse(mut self) -> Result<Vec<Statement>, ParseError> {
        let mut statements = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut word: Option<Word> = None;
        let mut after_success = false;
        let mut line = 1;
        let end_word = |word: &mut Option<Word>, words: &mut Vec<Word>| {
            if let Some(w) = word.take() {
                words.push(w);
            }
        };
        let push_literal = |word: &mut Option<Word>, c: char, quoted: bool| {
            let w = word.get_or_insert_with(Word::default);
            match w.segments.last_mut() {
                Some((Segment::Literal(s), q)) if *q == quoted => s.push(c),
                _ => w.segments.push((Segment::Literal(c.to_string()), quoted)),
            }
        };
        while let Some(c) = self.peek() {
            if words.is_empty() && word.is_none() {
                line = self.line;
            }
            match c {
                ' ' | '\t' | '\r' => {
                    self.bump();
                    end_word(&mut word, &mut words);
                }
                '\\' if self.peek2() == Some('\n') => {
                    self.bump();
                    self.bump();
                    end_word(&mut word, &mut words);
                }
                '\\' => {
                    self.bump();
                    let escaped = self
                        .bump()
                        .ok_or_else(|| self.error("a backslash at the end of the script"))?;
                    push_literal(&mut word, escaped, true);
                }
                '\n' | ';' => {
                    self.bump();
                    end_word(&mut word, &mut words);
                    if !words.is_empty() {
                        statements.push(Statement {
                            words: std::mem::take(&mut words),
                            line,
                            after_success,
                        });
                    }
                    after_success = false;
                }
                '&' if self.peek2() == Some('&') => {
                    self.bump();
                    self.bump();
                    end_word(&mut word, &mut words);
                    if words.is_empty() {
                        return Err(self.error("'&&' needs a command before it"));
                    }
                    statements.push(Statement {
                        words: std::mem::take(&mut words),
                        line,
                        after_success,
                    });
                    after_success = true;
                }
                '#' if word.is_none() => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '|' | '>' | '<' | '&' | '`' => {
                    return Err(self.error(format!("'{c}' (pipes, redirections, background jobs, backquotes) is not supported by the simulator's shell")));
                }
                '\'' => {
                    self.bump();
                    let w = word.get_or_insert_with(Word::default);
                    let mut text = String::new();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(c) => text.push(c),
                            None => return Err(self.error("a single quote is not closed")),
                        }
                    }
                    w.segments.push((Segment::Literal(text), true));
                }
                '"' => {
                    self.bump();
                    word.get_or_insert_with(Word::default);
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
                                        push_literal(&mut word, c, true)
                                    }
                                    Some('\n') => {}
                                    Some(c) => {
                                        push_literal(&mut word, '\\', true);
                                        push_literal(&mut word, c, true);
                                    }
                                    None => return Err(self.error("a double quote is not closed")),
                                }
                            }
                            Some('$') => {
                                let segment = self.dollar()?;
                                word.get_or_insert_with(Word::default)
                                    .segments
                                    .push((segment, true));
                            }
                            Some(c) => {
                                self.bump();
                                push_literal(&mut word, c, true);
                            }
                        }
                    }
                }
                '$' => {
                    let segment = self.dollar()?;
                    word.get_or_insert_with(Word::default)
                        .segments
                        .push((segment, false));
                }
                c => {
                    self.bump();
                    push_literal(&mut word, c, false);
                }
            }
        }
        end_word(&mut word, &mut words);
        if !words.is_empty() {
            statements.push(Statement {
                words,
                line,
                after_success,
            });
        } else if after_success {
            return Err(self.error("'&&' needs a command after it"));
        }
        Ok(statements)
    }

    /// At a `$`: `$(...)`, `${name}`, `$name`, or a lone `$`.
    fn dollar(&mut self) -> Result<Segment, ParseError> {
        self.bump();
        match self.peek() {
            Some('(') => {
                self.bump();
                let (mut depth, mut text, mut quote) = (1, String::new(), None::<char>);
                loop {
                    let c = self
                        .bump()
                        .ok_or_else(|| self.error("'$(' is not closed with ')'"))?;
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '(') => depth += 1,
                        (None, ')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    text.push(c);
                }
                Ok(Segment::Substitution(text))
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
                Ok(Segment::Var(name))
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
                    self.bump();
                    name.push(c);
                }
                Ok(Segment::Var(name))
            }
            Some('?') => {
                self.bump();
                Ok(Segment::Var("?".into()))
            }
            _ => Ok(Segment::Literal("$".into())),
        }
    }
}

/// Checks a script parses, without running it.
pub fn check(script: &str) -> Result<(), ParseError> {
    structure(Lexer::new(script).parse()?).map(|_| ())
}

/// What runs commands for the shell (the console: `az`, `sim`, …).
pub trait Host {
    /// Runs `argv`; returns standard output, standard error and the exit status.
    fn run(&mut self, argv: &[String]) -> (String, String, i32);
}

/// One line of a console transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Out(String),
    Err(String),
}

#[derive(Debug, Clone, Default)]
pub struct Shell {
    pub vars: BTreeMap<String, String>,
    pub errexit: bool,
    pub status: i32,
}

impl Shell {
    /// Runs `script`, appending what it prints to `transcript`; returns the last exit status.
    pub fn run(&mut self, script: &str, host: &mut dyn Host, transcript: &mut Vec<Line>) -> i32 {
        let nodes = match Lexer::new(script).parse().and_then(structure) {
            Ok(s) => s,
            Err(e) => {
                transcript.push(Line::Err(format!("bash: syntax error: {e}")));
                self.status = 2;
                return 2;
            }
        };
        self.nodes(&nodes, host, transcript);
        self.status
    }

    /// Runs nodes; false once `set -e` stops the script.
    fn nodes(&mut self, nodes: &[Node], host: &mut dyn Host, transcript: &mut Vec<Line>) -> bool {
        for node in nodes {
            match node {
                Node::Simple(statement) => {
                    if statement.after_success && self.status != 0 {
                        continue;
                    }
                    self.status = self.statement(statement, host, transcript);
                }
                Node::For {
                    var,
                    words,
                    body,
                    after_success,
                } => {
                    if *after_success && self.status != 0 {
                        continue;
                    }
                    let mut values = Vec::new();
                    for w in words {
                        values.extend(self.expand(w, host, transcript));
                    }
                    self.status = 0;
                    for value in values {
                        self.vars.insert(var.clone(), value);
                        if !self.nodes(body, host, transcript) {
                            return false;
                        }
                    }
                }
            }
            if self.status != 0 && self.errexit {
                return false;
            }
        }
        true
    }

    fn statement(
        &mut self,
        statement: &Statement,
        host: &mut dyn Host,
        transcript: &mut Vec<Line>,
    ) -> i32 {
        // NAME=value words at the start are assignments.
        let mut words = statement.words.as_slice();
        let mut assigned = false;
        while let Some((name, value)) = words.first().and_then(split_assignment) {
            let value = self.expand_joined(&value, host, transcript);
            self.vars.insert(name, value);
            words = &words[1..];
            assigned = true;
        }
        if words.is_empty() {
            return if assigned {
                self.status_after_substitutions()
            } else {
                0
            };
        }
        let mut argv = Vec::new();
        for word in words {
            argv.extend(self.expand(word, host, transcript));
        }
        let Some(program) = argv.first().cloned() else {
            return 0;
        };
        match program.as_str() {
            "echo" => {
                transcript.push(Line::Out(argv[1..].join(" ")));
                0
            }
            "set" => {
                for flag in &argv[1..] {
                    match flag.as_str() {
                        "-e" => self.errexit = true,
                        "+e" => self.errexit = false,
                        _ => {}
                    }
                }
                0
            }
            "export" => {
                for a in &argv[1..] {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                }
                0
            }
            "true" => 0,
            "false" => 1,
            "seq" => {
                let nums: Vec<i64> = argv[1..].iter().filter_map(|a| a.parse().ok()).collect();
                let (first, last) = match nums.as_slice() {
                    [last] => (1, *last),
                    [first, last, ..] => (*first, *last),
                    _ => {
                        transcript.push(Line::Err("seq: needs LAST or FIRST LAST".into()));
                        return 1;
                    }
                };
                if last - first > 100_000 {
                    transcript.push(Line::Err(
                        "seq: at most 100,000 numbers in the simulator".into(),
                    ));
                    return 1;
                }
                for n in first..=last {
                    transcript.push(Line::Out(n.to_string()));
                }
                0
            }
            _ => {
                let (out, err, status) = host.run(&argv);
                transcript.extend(out.lines().map(|l| Line::Out(l.to_string())));
                transcript.extend(err.lines().map(|l| Line::Err(l.to_string())));
                status
            }
        }
    }

    fn status_after_substitutions(&self) -> i32 {
        self.status
    }

    /// A word's value with no word splitting (for assignments).
    fn expand_joined(
        &mut self,
        word: &Word,
        host: &mut dyn Host,
        transcript: &mut Vec<Line>,
    ) -> String {
        let mut out = String::new();
        for (segment, _) in &word.segments {
            out.push_str(&self.segment(segment, host, transcript));
        }
        out
    }

    /// A word's fields: unquoted expansions split on whitespace, and vanish when empty.
    fn expand(
        &mut self,
        word: &Word,
        host: &mut dyn Host,
        transcript: &mut Vec<Line>,
    ) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has_text = false;
        for (segment, quoted) in &word.segments {
            let value = self.segment(segment, host, transcript);
            let splits = !quoted && !matches!(segment, Segment::Literal(_));
            if splits {
                let mut parts = value.split_whitespace().peekable();
                if value.starts_with(char::is_whitespace) && has_text {
                    fields.push(std::mem::take(&mut current));
                    has_text = false;
                }
                while let Some(part) = parts.next() {
                    current.push_str(part);
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
                has_text = true;
            }
        }
        if has_text {
            fields.push(current);
        }
        fields
    }

    fn segment(
        &mut self,
        segment: &Segment,
        host: &mut dyn Host,
        transcript: &mut Vec<Line>,
    ) -> String {
        match segment {
            Segment::Literal(s) => s.clone(),
            Segment::Var(name) if name == "?" => self.status.to_string(),
            Segment::Var(name) => self.vars.get(name).cloned().unwrap_or_default(),
            Segment::Substitution(script) => {
                // Standard output is captured; standard error still shows.
                let mut inner = Vec::new();
                let saved = self.errexit;
                self.errexit = false;
                self.run(script, host, &mut inner);
                self.errexit = saved;
                let mut out = String::new();
                for line in inner {
                    match line {
                        Line::Out(s) => {
                            out.push_str(&s);
                            out.push('\n');
                        }
                        err => transcript.push(err),
                    }
                }
                out.trim_end_matches('\n').to_string()
            }
        }
    }
}

/// `NAME=value` (the name unquoted, an identifier) → (NAME, value word).
fn split_assignment(word: &Word) -> Option<(String, Word)> {
    let (Segment::Literal(first), false) = word.segments.first()? else {
        return None;
    };
    let (name, rest) = first.split_once('=')?;
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let mut value = Word::default();
    if !rest.is_empty() {
        value
            .segments
            .push((Segment::Literal(rest.to_string()), false));
    }
    value.segments.extend(word.segments[1..].iter().cloned());
    Some((name.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host that echoes its argv as JSON, and fails for "fail".
    struct Echo;
    impl Host for Echo {
        fn run(&mut self, argv: &[String]) -> (String, String, i32) {
            if argv[0] == "fail" {
                return (String::new(), "failed".into(), 1);
            }
            (format!("{argv:?}\n"), String::new(), 0)
        }
    }

    fn run(script: &str) -> (Vec<Line>, Shell) {
        let mut shell = Shell::default();
        let mut out = Vec::new();
        shell.run(script, &mut Echo, &mut out);
        (out, shell)
    }

    #[test]
    fn variables_expand_in_double_quotes_and_bare_words_but_not_single_quotes() {
        let (out, _) = run(
            "rg=\"my rg\"\nname=disk1 # a comment\ncmd --a \"$rg\" --b '$rg' --c ${name}x $name",
        );
        assert_eq!(
            out,
            vec![Line::Out(
                r#"["cmd", "--a", "my rg", "--b", "$rg", "--c", "disk1x", "disk1"]"#.into()
            )]
        );
    }

    #[test]
    fn command_substitution_and_line_continuation() {
        let (out, shell) =
            run("id=$(echo /subscriptions/x)\ncmd \\\n  --source \"$id\" --list $(echo a b)");
        assert_eq!(shell.vars["id"], "/subscriptions/x");
        assert_eq!(
            out,
            vec![Line::Out(
                r#"["cmd", "--source", "/subscriptions/x", "--list", "a", "b"]"#.into()
            )]
        );
    }

    #[test]
    fn set_e_stops_at_the_first_failure_only_when_asked() {
        let (out, _) = run("fail\necho after");
        assert_eq!(
            out,
            vec![Line::Err("failed".into()), Line::Out("after".into())]
        );
        let (out, shell) = run("set -e\nfail\necho after");
        assert_eq!(out, vec![Line::Err("failed".into())]);
        assert_eq!(shell.status, 1);
        let (out, _) = run("fail && echo no; echo yes");
        assert_eq!(
            out,
            vec![Line::Err("failed".into()), Line::Out("yes".into())]
        );
    }

    #[test]
    fn for_loops_over_words_and_seq_nest_and_stop_under_set_e() {
        let (out, _) = run("for i in $(seq 1 3); do echo n$i; done\nfor a in x y\ndo\n  for b in 1 2; do echo $a$b; done\ndone");
        let texts: Vec<String> = out
            .iter()
            .map(|l| match l {
                Line::Out(s) | Line::Err(s) => s.clone(),
            })
            .collect();
        assert_eq!(texts, ["n1", "n2", "n3", "x1", "x2", "y1", "y2"]);
        let (out, _) = run("set -e\nfor i in 1 2; do fail; echo no; done\necho no");
        assert_eq!(out, vec![Line::Err("failed".into())]);
        assert!(check("for i in 1 2; do echo $i").is_err());
        assert!(check("done").is_err());
        assert!(check("for in x; do echo; done").is_err());
    }

    #[test]
    fn bad_input_is_a_parse_error_with_line_and_column() {
        assert_eq!(
            check("echo ok\necho \"open").unwrap_err(),
            ParseError {
                line: 2,
                column: 11,
                message: "a double quote is not closed".into()
            }
        );
        assert_eq!(check("az x | grep y").unwrap_err().column, 6);
        assert!(check("x=$(echo")
            .unwrap_err()
            .message
            .contains("not closed"));
        assert!(check("echo ${a-b}").is_err());
        assert!(check("&& echo").is_err());
    }
}
