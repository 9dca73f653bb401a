//! The syntax tree of a bash script, as the parser builds it and the
//! evaluator walks it. It prints back as bash (`Display`), which the parser's
//! tests use: the tree of a script is checked as text. Arithmetic is a tree
//! of its own ([`Arith`]), printed fully parenthesised.

use std::fmt;

/// Where something starts in the script (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A list of and-or lists, run one after the other (`;` or a newline).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub items: Vec<AndOr>,
}

/// Pipelines joined by `&&` and `||`, evaluated left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// Commands joined by `|`; `!` negates the last one's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub negate: bool,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `NAME=value … word … [redirections]`
    Simple {
        assigns: Vec<Assign>,
        words: Vec<Word>,
        redirects: Vec<Redirect>,
        pos: Pos,
    },
    /// `declare`, `local`, `typeset`, `export`, `readonly`: flags, then
    /// names and assignments (arrays included).
    Declare {
        builtin: String,
        items: Vec<DeclItem>,
        pos: Pos,
    },
    /// `case WORD in PATTERN|PATTERN) …;; esac`
    Case {
        word: Word,
        arms: Vec<(Vec<Word>, Script)>,
        pos: Pos,
    },
    /// `(( expression ))`
    Arith { expr: String, pos: Pos },
    /// A compound command with redirections (`done <<< "$list"`).
    Redirected {
        command: Box<Command>,
        redirects: Vec<Redirect>,
        pos: Pos,
    },
    /// `for NAME in WORDS; do …; done`
    For {
        var: String,
        words: Vec<Word>,
        body: Script,
        pos: Pos,
    },
    /// `if …; then …; elif …; then …; else …; fi`
    If {
        branches: Vec<(Script, Script)>,
        otherwise: Option<Script>,
        pos: Pos,
    },
    /// `while …; do …; done`, or `until` (`until` is true).
    Loop {
        until: bool,
        condition: Script,
        body: Script,
        pos: Pos,
    },
    /// `{ …; }` or `( … )` (`subshell`: it runs here, in the same shell).
    Group {
        body: Script,
        subshell: bool,
        pos: Pos,
    },
    /// `[[ … ]]`: its words, operators included.
    Test { words: Vec<Word>, pos: Pos },
    /// `name() { …; }`
    Function {
        name: String,
        body: Script,
        pos: Pos,
    },
}

impl Command {
    /// `if`, loops, `case` and `{ }` (redirected or not): when one fails
    /// because of a command `set -e` was ignoring, the script goes on.
    pub fn is_compound(&self) -> bool {
        match self {
            Command::If { .. }
            | Command::Loop { .. }
            | Command::For { .. }
            | Command::Case { .. }
            | Command::Group {
                subshell: false, ..
            } => true,
            Command::Redirected { command, .. } => command.is_compound(),
            _ => false,
        }
    }

    pub fn pos(&self) -> Pos {
        match self {
            Command::Simple { pos, .. }
            | Command::For { pos, .. }
            | Command::If { pos, .. }
            | Command::Loop { pos, .. }
            | Command::Group { pos, .. }
            | Command::Test { pos, .. }
            | Command::Function { pos, .. }
            | Command::Declare { pos, .. }
            | Command::Case { pos, .. }
            | Command::Arith { pos, .. }
            | Command::Redirected { pos, .. } => *pos,
        }
    }
}

/// `NAME=value`, `NAME+=value`, `NAME[i]=value`, `NAME=(a b c)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    pub index: Option<Word>,
    pub append: bool,
    pub value: AssignValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignValue {
    Scalar(Word),
    /// `(a b [k]=v)`: each element, with its explicit index if written.
    Array(Vec<(Option<Word>, Word)>),
}

/// One argument of `declare` and its kin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclItem {
    Assign(Assign),
    /// A flag (`-A`) or a name, as a word.
    Word(Word),
}

/// `<<EOF` bodies, `<<<` strings, `>`/`>>`/`<` files and `2>&1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `<<EOF` (the body, already a word) or `<<< word`: standard input.
    Input { text: Word, here_string: bool },
    /// `N>target`, `N>>target`, `N<target`, `N>&M`: `op` as written.
    File { fd: u32, op: String, target: Word },
    /// `< <(commands)`: their output is standard input.
    Process(Script),
}

/// A word: parts, each quoted (no field splitting) or not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Literal {
        text: String,
        quoted: bool,
    },
    /// `$name`, `${name}`, `$?`, `$1`…
    Var {
        name: String,
        quoted: bool,
    },
    /// `$( … )`
    Substitution {
        script: Script,
        quoted: bool,
    },
    /// `${…}` beyond a plain name: operators, arrays, `$@`.
    Param {
        param: Box<Param>,
        quoted: bool,
    },
    /// `$(( … ))`: the expression as written, and its tree (or why it does
    /// not parse, which the evaluator reports when it gets there).
    Arithmetic {
        expr: String,
        tree: Result<Arith, String>,
        quoted: bool,
    },
}

/// A parameter expansion: `${#v}`, `${v:-x}`, `${a[i]}`, `${a[@]}`, ….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The text between `${` and `}`, for printing.
    pub text: String,
    pub name: String,
    /// `[i]`, `[@]` or `[*]`.
    pub index: Option<Word>,
    pub op: ParamOp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamOp {
    Plain,
    /// `${#v}`, `${#a[@]}`
    Length,
    /// `${!a[@]}`
    Keys,
    /// `${!name}`: the variable `name` names.
    Indirect,
    /// `${v:-w}` (`-`), `${v:=w}`, `${v:+w}`, `${v:?w}`; `colon` false for `${v-w}`.
    Test {
        colon: bool,
        op: char,
        word: Word,
    },
    /// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`
    Trim {
        suffix: bool,
        longest: bool,
        pattern: Word,
    },
    /// `${v/p/w}`, `${v//p/w}`, `${v/#p/w}`, `${v/%p/w}`
    Replace {
        all: bool,
        anchor: Option<char>,
        pattern: Word,
        with: Word,
    },
    /// `${v^^}`, `${v^}`, `${v,,}`, `${v,}`
    Case {
        upper: bool,
        all: bool,
    },
    /// `${v:offset}`, `${v:offset:length}` (arithmetic)
    Slice {
        offset: String,
        length: Option<String>,
    },
    /// Something the simulator does not expand: fails when it runs.
    Unsupported(String),
}

/// An arithmetic expression, parsed with the script (see `arith`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arith {
    Num(i64),
    /// A variable (`x` or `$x`), read as a whole number when evaluated.
    Var(String),
    /// `-a`
    Neg(Box<Arith>),
    /// `+a`
    Plus(Box<Arith>),
    /// `!a`
    Not(Box<Arith>),
    /// `~a`
    BitNot(Box<Arith>),
    Binary(ArithOp, Box<Arith>, Box<Arith>),
    /// `a = b`, `a += b`, … (the operator of a compound assignment).
    Assign(Option<ArithOp>, String, Box<Arith>),
    /// `++a`, `a++`, `--a`, `a--`
    Step {
        name: String,
        delta: i64,
        prefix: bool,
    },
    /// `c ? a : b`
    Cond(Box<Arith>, Box<Arith>, Box<Arith>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl Arith {
    /// Levels from here to the deepest leaf (a leaf is 1).
    pub fn depth(&self) -> usize {
        match self {
            Arith::Num(_) | Arith::Var(_) => 1,
            Arith::Neg(a) | Arith::Plus(a) | Arith::Not(a) | Arith::BitNot(a) => 1 + a.depth(),
            Arith::Binary(_, a, b) => 1 + a.depth().max(b.depth()),
            Arith::Assign(_, _, a) => 1 + a.depth(),
            Arith::Step { .. } => 1,
            Arith::Cond(c, a, b) => 1 + c.depth().max(a.depth()).max(b.depth()),
        }
    }
}

impl Word {
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![Part::Literal {
                text: text.into(),
                quoted: false,
            }],
        }
    }

    /// The word as plain unquoted text, if it is only that (keywords,
    /// operators inside `[[ ]]`, function names).
    pub fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Literal {
                text,
                quoted: false,
            }] => Some(text.as_str()),
            _ => None,
        }
    }
}

// ---- printing back as bash ------------------------------------------------

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

impl fmt::Display for AndOr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (c, p) in &self.rest {
            let op = match c {
                Connector::And => "&&",
                Connector::Or => "||",
            };
            write!(f, " {op} {p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negate {
            f.write_str("! ")?;
        }
        for (i, c) in self.commands.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

fn words(f: &mut fmt::Formatter<'_>, words: &[Word]) -> fmt::Result {
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{w}")?;
    }
    Ok(())
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Simple {
                assigns,
                words: w,
                redirects,
                ..
            } => {
                for (i, a) in assigns.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{a}")?;
                }
                if !assigns.is_empty() && !w.is_empty() {
                    f.write_str(" ")?;
                }
                words(f, w)?;
                for r in redirects {
                    write!(f, " {r}")?;
                }
                Ok(())
            }
            Command::Declare { builtin, items, .. } => {
                f.write_str(builtin)?;
                for item in items {
                    match item {
                        DeclItem::Assign(a) => write!(f, " {a}")?,
                        DeclItem::Word(w) => write!(f, " {w}")?,
                    }
                }
                Ok(())
            }
            Command::Case { word, arms, .. } => {
                write!(f, "case {word} in")?;
                for (patterns, body) in arms {
                    f.write_str(" ")?;
                    for (i, p) in patterns.iter().enumerate() {
                        if i > 0 {
                            f.write_str("|")?;
                        }
                        write!(f, "{p}")?;
                    }
                    write!(f, ") {body};;")?;
                }
                f.write_str(" esac")
            }
            Command::Arith { expr, .. } => write!(f, "(({expr}))"),
            Command::Redirected {
                command, redirects, ..
            } => {
                write!(f, "{command}")?;
                for r in redirects {
                    write!(f, " {r}")?;
                }
                Ok(())
            }
            Command::For {
                var,
                words: w,
                body,
                ..
            } => {
                write!(f, "for {var} in ")?;
                words(f, w)?;
                write!(f, "; do {body}; done")
            }
            Command::If {
                branches,
                otherwise,
                ..
            } => {
                for (i, (cond, body)) in branches.iter().enumerate() {
                    let kw = if i == 0 { "if" } else { "; elif" };
                    write!(f, "{kw} {cond}; then {body}")?;
                }
                if let Some(e) = otherwise {
                    write!(f, "; else {e}")?;
                }
                f.write_str("; fi")
            }
            Command::Loop {
                until,
                condition,
                body,
                ..
            } => {
                let kw = if *until { "until" } else { "while" };
                write!(f, "{kw} {condition}; do {body}; done")
            }
            Command::Group {
                body,
                subshell: true,
                ..
            } => write!(f, "( {body} )"),
            Command::Group { body, .. } => write!(f, "{{ {body}; }}"),
            Command::Test { words: w, .. } => {
                f.write_str("[[ ")?;
                words(f, w)?;
                f.write_str(" ]]")
            }
            Command::Function { name, body, .. } => write!(f, "{name}() {{ {body}; }}"),
        }
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                // The empty string a `"…"` starts with, when more follows.
                Part::Literal { text, quoted: true } if text.is_empty() && self.parts.len() > 1 => {
                }
                Part::Literal {
                    text,
                    quoted: false,
                } => f.write_str(text)?,
                Part::Literal { text, quoted: true } => write!(f, "'{text}'")?,
                Part::Var {
                    name,
                    quoted: false,
                } => write!(f, "${{{name}}}")?,
                Part::Var { name, quoted: true } => write!(f, "\"${{{name}}}\"")?,
                Part::Substitution {
                    script,
                    quoted: false,
                } => write!(f, "$({script})")?,
                Part::Substitution {
                    script,
                    quoted: true,
                } => write!(f, "\"$({script})\"")?,
                Part::Param {
                    param,
                    quoted: false,
                } => write!(f, "${{{}}}", param.text)?,
                Part::Param {
                    param,
                    quoted: true,
                } => write!(f, "\"${{{}}}\"", param.text)?,
                Part::Arithmetic { expr, .. } => write!(f, "$(({expr}))")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Assign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(i) = &self.index {
            write!(f, "[{i}]")?;
        }
        f.write_str(if self.append { "+=" } else { "=" })?;
        match &self.value {
            AssignValue::Scalar(w) => write!(f, "{w}"),
            AssignValue::Array(items) => {
                f.write_str("(")?;
                for (n, (index, value)) in items.iter().enumerate() {
                    if n > 0 {
                        f.write_str(" ")?;
                    }
                    if let Some(i) = index {
                        write!(f, "[{i}]=")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Redirect::Input {
                text,
                here_string: true,
            } => write!(f, "<<< {text}"),
            Redirect::Input { text, .. } => write!(f, "<<EOF {text} EOF"),
            Redirect::File { fd, op, target } => write!(f, "{fd}{op}{target}"),
            Redirect::Process(script) => write!(f, "< <({script})"),
        }
    }
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithOp::Or => "||",
            ArithOp::And => "&&",
            ArithOp::BitOr => "|",
            ArithOp::BitXor => "^",
            ArithOp::BitAnd => "&",
            ArithOp::Shl => "<<",
            ArithOp::Shr => ">>",
            ArithOp::Pow => "**",
            ArithOp::Eq => "==",
            ArithOp::Ne => "!=",
            ArithOp::Lt => "<",
            ArithOp::Le => "<=",
            ArithOp::Gt => ">",
            ArithOp::Ge => ">=",
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        })
    }
}

/// Fully parenthesised, so the tree's grouping shows.
impl fmt::Display for Arith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arith::Num(n) => write!(f, "{n}"),
            Arith::Var(name) => f.write_str(name),
            Arith::Neg(a) => write!(f, "-{a}"),
            Arith::Plus(a) => write!(f, "+{a}"),
            Arith::Not(a) => write!(f, "!{a}"),
            Arith::BitNot(a) => write!(f, "~{a}"),
            Arith::Binary(op, a, b) => write!(f, "({a} {op} {b})"),
            Arith::Assign(None, name, a) => write!(f, "({name} = {a})"),
            Arith::Assign(Some(op), name, a) => write!(f, "({name} {op}= {a})"),
            Arith::Step {
                name,
                delta,
                prefix,
            } => {
                let op = if *delta > 0 { "++" } else { "--" };
                if *prefix {
                    write!(f, "{op}{name}")
                } else {
                    write!(f, "{name}{op}")
                }
            }
            Arith::Cond(c, a, b) => write!(f, "({c} ? {a} : {b})"),
        }
    }
}
