//! Splits the text of one template expression (between `[` and `]`) into
//! tokens: `'strings'` with `''` for a quote, integers, names, and the
//! punctuation `( ) , . [ ]`. Anything else becomes [`Token::Other`], so
//! the parser can say where it was unexpected.

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub token: Token,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Str(String),
    Int(i64),
    /// A function or property name: a letter or `_`, then letters, digits, `_`.
    Name(String),
    LParen,
    RParen,
    Comma,
    Dot,
    LBracket,
    RBracket,
    Other(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Token::Int(n) => write!(f, "{n}"),
            Token::Name(n) => f.write_str(n),
            Token::LParen => f.write_str("("),
            Token::RParen => f.write_str(")"),
            Token::Comma => f.write_str(","),
            Token::Dot => f.write_str("."),
            Token::LBracket => f.write_str("["),
            Token::RBracket => f.write_str("]"),
            Token::Other(c) => write!(f, "{c}"),
        }
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `text`, or why it cannot be split (an unclosed string, a
/// number out of range). One pass, no backtracking.
pub fn lex(text: &str) -> Result<Vec<Spanned>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) if chars.peek().map(|p| p.1) == Some('\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some((_, '\'')) => break,
                        Some((_, c)) => s.push(c),
                        None => return Err("a string in the expression is not closed".into()),
                    }
                }
                Token::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut end = at + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    end = i + 1;
                    chars.next();
                }
                let digits = &text[at..end];
                Token::Int(
                    digits
                        .parse()
                        .map_err(|_| format!("'{digits}' is not a number"))?,
                )
            }
            c if is_name_start(c) => {
                let mut name = String::from(c);
                while let Some(&(_, d)) = chars.peek() {
                    if !is_name_char(d) {
                        break;
                    }
                    name.push(d);
                    chars.next();
                }
                Token::Name(name)
            }
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            '.' => Token::Dot,
            '[' => Token::LBracket,
            ']' => Token::RBracket,
            other => Token::Other(other),
        };
        tokens.push(Spanned { token, at });
    }
    Ok(tokens)
}

/// Is `name` a name the lexer reads back as one [`Token::Name`]?
#[cfg(test)]
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        lex(text).unwrap().into_iter().map(|s| s.token).collect()
    }

    #[test]
    fn strings_numbers_names_and_punctuation() {
        assert_eq!(
            tokens("concat( 'it''s', -12 )[0].name"),
            [
                Token::Name("concat".into()),
                Token::LParen,
                Token::Str("it's".into()),
                Token::Comma,
                Token::Int(-12),
                Token::RParen,
                Token::LBracket,
                Token::Int(0),
                Token::RBracket,
                Token::Dot,
                Token::Name("name".into()),
            ]
        );
        assert_eq!(tokens("a@"), [Token::Name("a".into()), Token::Other('@')]);
        assert_eq!(
            lex("x( 'é").unwrap_err(),
            "a string in the expression is not closed"
        );
        assert_eq!(lex("-").unwrap_err(), "'-' is not a number");
        assert_eq!(
            lex("99999999999999999999").unwrap_err(),
            "'99999999999999999999' is not a number"
        );
        let spans: Vec<usize> = lex(" a ( 'b'").unwrap().iter().map(|s| s.at).collect();
        assert_eq!(spans, [1, 3, 5]);
    }
}
