//! The syntax tree of one template expression. `Display` prints the
//! canonical text (`concat('a', variables('b'))[0].name`), which parses
//! back to the same tree: the property test in `parser.rs` holds it to that.
//!
//! A chain of property accesses and indexes is one [`Expr::Access`] with a
//! list of steps, not a box per step, so a long chain is a flat list: only
//! function arguments and indexes nest, and the parser bounds that.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `'text'` (a quote written `''`).
    Str(String),
    Int(i64),
    /// `name(args…)`: every name in an expression is a function call.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// `base.name[index]…`: never empty, and its base is never an `Access`.
    Access {
        base: Box<Expr>,
        steps: Vec<Step>,
    },
}

/// One step of an [`Expr::Access`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name`
    Property(String),
    /// `[index]`: an array's element or an object's property.
    Index(Expr),
}

impl Expr {
    /// Calls `visit` on this expression and every one inside it.
    pub fn walk(&self, visit: &mut impl FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::Str(_) | Expr::Int(_) => {}
            Expr::Call { args, .. } => args.iter().for_each(|a| a.walk(visit)),
            Expr::Access { base, steps } => {
                base.walk(visit);
                for step in steps {
                    if let Step::Index(index) = step {
                        index.walk(visit);
                    }
                }
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Expr::Int(n) => write!(f, "{n}"),
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
            Expr::Access { base, steps } => {
                write!(f, "{base}")?;
                for step in steps {
                    match step {
                        Step::Property(name) => write!(f, ".{name}")?,
                        Step::Index(index) => write!(f, "[{index}]")?,
                    }
                }
                Ok(())
            }
        }
    }
}
