//! PowerShell's tokens, each with its line and column.

use crate::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Var(String),
    /// Double-quoted (interpolated) or single-quoted (literal) string.
    Str(String, bool),
    Num(f64),
    Word(String),
    /// `-Name`: a parameter or an operator, by context.
    Dash(String),
    Punct(char),
    /// A statement ends: newline or `;`.
    End,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

pub(crate) fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0, 1, 1);
    let mut out = Vec::new();
    let err = |line, column, m: &str| ParseError {
        line,
        column,
        message: m.to_string(),
    };
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let adv = |n: usize, i: &mut usize, line: &mut usize, col: &mut usize| {
            for _ in 0..n {
                if chars.get(*i) == Some(&'\n') {
                    *line += 1;
                    *col = 1;
                } else {
                    *col += 1;
                }
                *i += 1;
            }
        };
        let push = |out: &mut Vec<Token>, tok| {
            out.push(Token {
                tok,
                line: tl,
                column: tc,
            })
        };
        match c {
            ' ' | '\t' | '\r' => adv(1, &mut i, &mut line, &mut col),
            '`' if chars.get(i + 1) == Some(&'\n') => adv(2, &mut i, &mut line, &mut col),
            '\n' | ';' => {
                push(&mut out, Tok::End);
                adv(1, &mut i, &mut line, &mut col);
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    adv(1, &mut i, &mut line, &mut col);
                }
            }
            '$' => {
                adv(1, &mut i, &mut line, &mut col);
                if chars.get(i) == Some(&'(') {
                    push(&mut out, Tok::Punct('$'));
                    continue;
                }
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':')
                {
                    adv(1, &mut i, &mut line, &mut col);
                }
                if start == i {
                    return Err(err(tl, tc, "'$' must be followed by a variable name"));
                }
                push(
                    &mut out,
                    Tok::Var(chars[start..i].iter().collect::<String>().to_lowercase()),
                );
            }
            '"' | '\'' => {
                adv(1, &mut i, &mut line, &mut col);
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(err(tl, tc, "a string is not closed")),
                        Some(q) if *q == c => {
                            if chars.get(i + 1) == Some(&c) {
                                s.push(c);
                                adv(2, &mut i, &mut line, &mut col);
                                continue;
                            }
                            adv(1, &mut i, &mut line, &mut col);
                            break;
                        }
                        Some('`') if c == '"' => {
                            adv(1, &mut i, &mut line, &mut col);
                            if let Some(e) = chars.get(i) {
                                s.push(match e {
                                    'n' => '\n',
                                    't' => '\t',
                                    other => *other,
                                });
                                adv(1, &mut i, &mut line, &mut col);
                            }
                        }
                        Some(ch) => {
                            s.push(*ch);
                            adv(1, &mut i, &mut line, &mut col);
                        }
                    }
                }
                push(&mut out, Tok::Str(s, c == '"'));
            }
            '-' if chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) => {
                adv(1, &mut i, &mut line, &mut col);
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    adv(1, &mut i, &mut line, &mut col);
                }
                push(&mut out, Tok::Dash(chars[start..i].iter().collect()));
                // `-Name:value`: the colon binds the value to the parameter
                // (the only way to give a switch one: `-Force:$false`).
                if chars.get(i) == Some(&':') {
                    push(&mut out, Tok::Punct(':'));
                    adv(1, &mut i, &mut line, &mut col);
                }
            }
            '(' | ')' | '{' | '}' | ',' | '=' | '.' | '!' | '@' | '[' | ']' | '+' | '-' | '*'
            | '/' | '|' | '?' | '%' => {
                push(&mut out, Tok::Punct(c));
                adv(1, &mut i, &mut line, &mut col);
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    adv(1, &mut i, &mut line, &mut col);
                }
                let text: String = chars[start..i].iter().collect();
                push(
                    &mut out,
                    Tok::Num(
                        text.parse()
                            .map_err(|_| err(tl, tc, "a number is malformed"))?,
                    ),
                );
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.'))
                {
                    adv(1, &mut i, &mut line, &mut col);
                }
                push(&mut out, Tok::Word(chars[start..i].iter().collect()));
            }
            other => {
                return Err(err(
                    tl,
                    tc,
                    &format!("'{other}' is not supported by the simulator's PowerShell"),
                ))
            }
        }
    }
    out.push(Token {
        tok: Tok::End,
        line,
        column: col,
    });
    Ok(out)
}

/// A token as an error message names it.
pub(crate) fn describe(t: &Tok) -> String {
    match t {
        Tok::End => "end of line".into(),
        Tok::Punct(c) => format!("'{c}'"),
        Tok::Dash(d) => format!("'-{d}'"),
        other => format!("{other:?}"),
    }
}
