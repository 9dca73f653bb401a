//! Parses the tokens of one template expression into an [`Expr`]:
//!
//! ```text
//! expr    := primary step*
//! primary := 'string' | integer | name '(' [expr (',' expr)*] ')'
//! step    := '.' name | '[' expr ']'
//! ```
//!
//! Function arguments and indexes may nest [`MAX_NESTING`] levels (a
//! hostile template nests thousands, which would overflow the stack).

use super::ast::{Expr, Step};
use super::lexer::{lex, Spanned, Token};
use super::MAX_NESTING;

/// The expression written between `[` and `]`, or what is wrong with it.
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    if let Some(extra) = parser.tokens.get(parser.at) {
        let c = text[extra.at..].chars().next().unwrap_or(' ');
        return Err(format!("unexpected '{c}' in the expression [{text}]"));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Spanned>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|s| &s.token)
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).map(|s| s.token.clone());
        self.at += usize::from(token.is_some());
        token
    }

    /// One level deeper (arguments, an index), refused past [`MAX_NESTING`].
    fn nested<T>(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "the expression nests function calls deeper than {MAX_NESTING} levels"
            ));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let base = self.primary()?;
        let mut steps = Vec::new();
        loop {
            if self.eat(&Token::Dot) {
                match self.next() {
                    Some(Token::Name(name)) => steps.push(Step::Property(name)),
                    _ => return Err("expected a property name after '.'".into()),
                }
            } else if self.eat(&Token::LBracket) {
                let index = self.nested(Self::expr)?;
                if !self.eat(&Token::RBracket) {
                    return Err("expected ']' after the index".into());
                }
                steps.push(Step::Index(index));
            } else {
                break;
            }
        }
        Ok(if steps.is_empty() {
            base
        } else {
            Expr::Access {
                base: Box::new(base),
                steps,
            }
        })
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Expr::Str(s)),
            Some(Token::Int(n)) => Ok(Expr::Int(n)),
            Some(Token::Name(name)) => {
                if !self.eat(&Token::LParen) {
                    return Err(format!("'{name}' must be called: {name}(...)"));
                }
                let args = self.nested(|p| p.arguments(&name))?;
                Ok(Expr::Call { name, args })
            }
            Some(other) => Err(format!("unexpected \"{other}\" in the expression")),
            None => Err("unexpected \"end\" in the expression".into()),
        }
    }

    /// The arguments after `name(`, through its `)`.
    fn arguments(&mut self, name: &str) -> Result<Vec<Expr>, String> {
        let mut args = Vec::new();
        if self.eat(&Token::RParen) {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat(&Token::RParen) {
                return Ok(args);
            }
            if !self.eat(&Token::Comma) {
                return Err(format!("expected ',' or ')' in the arguments of {name}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::lexer::is_name;
    use proptest::prelude::*;

    #[test]
    fn calls_properties_indexes_and_their_canonical_text() {
        let e = parse(" concat( 'a''b' ,variables( 'x' ) )[ 0 ].name ").unwrap();
        assert_eq!(e.to_string(), "concat('a''b', variables('x'))[0].name");
        let Expr::Access { base, steps } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            steps,
            &[Step::Index(Expr::Int(0)), Step::Property("name".into())]
        );
        assert!(
            matches!(&**base, Expr::Call { name, args } if name == "concat" && args.len() == 2)
        );
        assert_eq!(
            parse("true()").unwrap(),
            Expr::Call {
                name: "true".into(),
                args: vec![]
            }
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let cases = [
            (
                "concat('a') 'b'",
                "unexpected ''' in the expression [concat('a') 'b']",
            ),
            ("", "unexpected \"end\" in the expression"),
            (")", "unexpected \")\" in the expression"),
            ("@", "unexpected \"@\" in the expression"),
            ("parameters", "'parameters' must be called: parameters(...)"),
            (
                "concat('a' 'b')",
                "expected ',' or ')' in the arguments of concat",
            ),
            (
                "concat('a'",
                "expected ',' or ')' in the arguments of concat",
            ),
            ("a().", "expected a property name after '.'"),
            ("a()[0", "expected ']' after the index"),
            ("'open", "a string in the expression is not closed"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn nesting_is_bounded_by_calls_and_indexes() {
        let calls = |n: usize| format!("{}'a'{}", "concat(".repeat(n), ")".repeat(n));
        assert!(parse(&calls(MAX_NESTING)).is_ok());
        let refused = "the expression nests function calls deeper than 64 levels";
        assert_eq!(parse(&calls(MAX_NESTING + 1)).unwrap_err(), refused);
        assert_eq!(parse(&calls(100_000)).unwrap_err(), refused);
        let indexes = format!(
            "{}0{}",
            "a()[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert_eq!(parse(&indexes).unwrap_err(), refused);
        // A long chain of steps is a flat list, not nesting.
        let chain = format!("a(){}", ".b".repeat(10_000));
        assert!(
            matches!(parse(&chain).unwrap(), Expr::Access { steps, .. } if steps.len() == 10_000)
        );
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("a name", |n| is_name(n))
    }

    /// Any tree the parser can produce: an `Access` never empty, never the
    /// base of another.
    fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            any::<String>().prop_map(Expr::Str),
            any::<i64>().prop_map(Expr::Int),
            name().prop_map(|name| Expr::Call { name, args: vec![] }),
        ];
        leaf.prop_recursive(6, 48, 4, |inner| {
            let step = prop_oneof![
                name().prop_map(Step::Property),
                inner.clone().prop_map(Step::Index),
            ];
            prop_oneof![
                (name(), prop::collection::vec(inner.clone(), 0..4))
                    .prop_map(|(name, args)| Expr::Call { name, args }),
                (inner, prop::collection::vec(step, 1..4)).prop_map(|(base, mut steps)| {
                    match base {
                        Expr::Access { base, steps: first } => {
                            let mut all = first;
                            all.append(&mut steps);
                            Expr::Access { base, steps: all }
                        }
                        base => Expr::Access {
                            base: Box::new(base),
                            steps,
                        },
                    }
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_text_parses_or_is_refused_and_what_parses_prints_canonically(
            text in "[a-z_()'\\[\\]., 0-9-]{0,40}"
        ) {
            if let Ok(e) = parse(&text) {
                let printed = e.to_string();
                prop_assert_eq!(parse(&printed), Ok(e), "{} printed as {}", text, printed);
            }
        }

        #[test]
        fn printing_a_tree_parses_back_to_it(e in expr()) {
            let text = e.to_string();
            prop_assert_eq!(parse(&text), Ok(e), "{}", text);
        }
    }
}
