//! Tab completion and "did you mean" while typing, for the console's input.
//!
//! [`complete`] reads the simple command the cursor is in (after the last
//! `|`, `;`, `&&` or newline, inside the innermost open `$(…)`, `(…)` or, in
//! PowerShell, `{…}`; quotes respected) and offers what can come next, from
//! the same tables the shells run: az command groups and commands from
//! [`az::COMMANDS`], their options from az's argument description
//! ([`args::completable`]), an option's choices, names of resources in the
//! lab for the options that name one; PowerShell cmdlets and their
//! parameters from the cmdlet table. [`advise`] says what az (or
//! PowerShell) would refuse in the words typed so far, with the same
//! messages and "did you mean" the commands print when they run.
//!
//! Both are bounded: a line longer than [`MAX_LINE`] or nesting deeper than
//! [`MAX_NESTING`] gets no answer, so a hostile paste cannot stall typing.

use std::ops::Range;

use snaplab_engine::model::Placement;
use snaplab_engine::Lab;

use crate::az::{self, args, Spec};
use crate::pwsh::cmdlets;
use crate::pwsh::table::{Cmdlet, Type};
use crate::suggest::closest;
use crate::Language;

/// The longest line (in bytes) completed: far longer than a command is typed.
pub const MAX_LINE: usize = 16 * 1024;
/// How deep `$(…)`, `(…)` and `{…}` may nest before completion gives up.
pub const MAX_NESTING: usize = 64;
/// Candidates listed at most (the common prefix is from all of them).
pub const MAX_CANDIDATES: usize = 100;

/// What Tab may put in place of the word being typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// The bytes of the line the word being typed occupies (to the cursor).
    pub replace: Range<usize>,
    /// What may replace it, sorted; empty when nothing fits.
    pub candidates: Vec<String>,
    /// The longest beginning every candidate shares (in the first
    /// candidate's spelling): what Tab inserts when there are several.
    pub common_prefix: String,
}

impl Completion {
    /// The line after Tab, and where the cursor goes: with one candidate,
    /// the candidate and a space (the next word starts); with several,
    /// their common prefix (the list shows the rest); with none, the line
    /// as it was.
    pub fn apply(&self, line: &str) -> (String, usize) {
        let insert = match self.candidates.as_slice() {
            [] => return (line.to_string(), self.replace.end),
            [only] => format!("{only} "),
            _ => self.common_prefix.clone(),
        };
        let mut out = String::with_capacity(line.len() + insert.len());
        out.push_str(&line[..self.replace.start]);
        out.push_str(&insert);
        let cursor = out.len();
        out.push_str(&line[self.replace.end..]);
        (out, cursor)
    }
}

/// One word of the command being typed.
#[derive(Debug, Clone, Default)]
struct Word {
    /// Where it starts in the line (its opening quote, if any).
    start: usize,
    /// Its text, quotes and escapes removed; a command substitution in it
    /// reads `$(…)`.
    text: String,
    /// Written plainly: `text` is exactly the line's bytes from `start`.
    plain: bool,
}

/// A command being read: its words so far, the word being read, and the
/// quote it is in.
#[derive(Default)]
struct Frame {
    words: Vec<Word>,
    current: Option<Word>,
    quote: Option<char>,
}

impl Frame {
    fn word(&mut self, at: usize) -> &mut Word {
        self.current.get_or_insert_with(|| Word {
            start: at,
            text: String::new(),
            plain: true,
        })
    }
    fn push(&mut self, at: usize, c: char) {
        self.word(at).text.push(c);
    }
    fn end_word(&mut self) {
        if let Some(w) = self.current.take() {
            self.words.push(w);
        }
    }
    /// A `|`, `;`, `&` or newline: the next word starts a new command.
    fn end_command(&mut self) {
        self.current = None;
        self.words.clear();
    }
}

/// The simple command `prefix` (the line up to the cursor) ends in: its
/// complete words and the word being typed (empty after a space). `None`
/// in a comment or past [`MAX_NESTING`].
fn current_command(prefix: &str, shell: Language) -> Option<(Vec<Word>, Word)> {
    let pwsh = shell == Language::PowerShell;
    let escape = if pwsh { '`' } else { '\\' };
    let mut stack = vec![Frame::default()];
    let mut chars = prefix.char_indices().peekable();
    let mut comment = false;
    while let Some((i, c)) = chars.next() {
        let nested = stack.len() > 1;
        let f = stack.last_mut().expect("the outermost frame stays");
        if comment {
            comment = c != '\n';
            continue;
        }
        if c == escape && f.quote != Some('\'') {
            f.word(i).plain = false;
            if let Some((_, next)) = chars.next() {
                f.push(i, next);
            }
            continue;
        }
        match (f.quote, c) {
            (Some(q), _) if c == q => f.quote = None,
            (Some('\''), _) => f.push(i, c),
            (Some(_) | None, '$' | '@')
                if (c == '$' || pwsh) && chars.peek().is_some_and(|(_, n)| *n == '(') =>
            {
                chars.next();
                f.word(i).text.push_str("$(…)");
                f.word(i).plain = false;
                stack.push(Frame::default());
            }
            (Some(_), _) => f.push(i, c),
            (None, '\'' | '"') => {
                let w = f.word(i);
                w.plain = false;
                f.quote = Some(c);
            }
            (None, '(') => stack.push(Frame::default()),
            (None, '{') if pwsh => stack.push(Frame::default()),
            (None, ')') | (None, '}') if nested && (c == ')' || pwsh) => {
                stack.pop();
            }
            (None, '|' | ';' | '&' | '\n' | ')') => f.end_command(),
            (None, '#') if f.current.is_none() => comment = true,
            (None, c) if c.is_whitespace() => f.end_word(),
            (None, c) => f.push(i, c),
        }
        if stack.len() > MAX_NESTING {
            return None;
        }
    }
    if comment {
        return None;
    }
    let mut f = stack.pop().expect("the outermost frame stays");
    let word = f.current.take().unwrap_or(Word {
        start: prefix.len(),
        text: String::new(),
        plain: true,
    });
    Some((f.words, word))
}

/// The words that name the command: bash's leading assignments and
/// keywords (`x=1 az …`, `then az …`, `explain az …`) and PowerShell's
/// `$x = ` left out.
fn command_words(words: &[Word], shell: Language) -> Vec<&str> {
    let mut words: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    match shell {
        Language::Bash => {
            const KEYWORDS: &[&str] = &[
                "if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "explain",
            ];
            let assignment = |w: &str| {
                w.split_once('=').is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
            };
            let skip = words
                .iter()
                .take_while(|w| KEYWORDS.contains(w) || assignment(w))
                .count();
            words.drain(..skip);
        }
        Language::PowerShell => {
            while words.len() >= 2 && words[0].starts_with('$') && words[1] == "=" {
                words.drain(..2);
            }
        }
    }
    words
}

/// Completes the word before `cursor` (a byte offset into `line`).
pub fn complete(line: &str, cursor: usize, lab: &Lab, shell: Language) -> Completion {
    let mut cursor = cursor.min(line.len());
    while !line.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let nothing = Completion {
        replace: cursor..cursor,
        ..Completion::default()
    };
    if line.len() > MAX_LINE {
        return nothing;
    }
    let Some((words, word)) = current_command(&line[..cursor], shell) else {
        return nothing;
    };
    let command = command_words(&words, shell);
    let mut start = word.start;
    let mut typed = word.text.as_str();
    let candidates = match shell {
        Language::Bash => {
            // `--sku=Prem`: the value after `=` is what is completed.
            let glued = typed
                .strip_prefix("--")
                .and_then(|_| typed.split_once('='))
                .filter(|_| word.plain);
            match glued {
                Some((option, value)) => {
                    start += option.len() + 1;
                    typed = value;
                    let mut command = command.clone();
                    command.push(option);
                    bash(lab, &command, typed)
                }
                None => bash(lab, &command, typed),
            }
        }
        Language::PowerShell => powershell(lab, &command, typed),
    };
    if candidates.is_empty() {
        return nothing;
    }
    finish(start..cursor, candidates)
}

/// Sorts and bounds the candidates and finds their common prefix.
fn finish(replace: Range<usize>, mut candidates: Vec<String>) -> Completion {
    candidates.sort_by_key(|c| c.to_lowercase());
    candidates.dedup();
    let mut common: Option<&str> = None;
    for c in &candidates {
        common = Some(match common {
            None => c,
            Some(p) => {
                let shared: usize = p
                    .chars()
                    .zip(c.chars())
                    .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                    .map(|(a, _)| a.len_utf8())
                    .sum();
                &p[..shared]
            }
        });
    }
    let common_prefix = common.unwrap_or_default().to_string();
    candidates.truncate(MAX_CANDIDATES);
    Completion {
        replace,
        candidates,
        common_prefix,
    }
}

/// The items of `names` that begin with `typed`, in any case (Azure's
/// names and PowerShell's words are case-insensitive).
fn starting<'a>(names: impl IntoIterator<Item = &'a str>, typed: &str) -> Vec<String> {
    let typed = typed.to_lowercase();
    names
        .into_iter()
        .filter(|n| n.to_lowercase().starts_with(&typed))
        .map(str::to_string)
        .collect()
}

/// What comes next in a bash command: az, sim or explain; then a group or
/// command; then an option or an option's value.
fn bash(lab: &Lab, words: &[&str], typed: &str) -> Vec<String> {
    let Some((&program, rest)) = words.split_first() else {
        return starting(["az", "sim", "explain"], typed);
    };
    if program != "az" && program != "sim" {
        return Vec::new();
    }
    let mut path = vec![program];
    for w in rest {
        let longer = |s: &&Spec| s.path.len() > path.len() && s.path[..path.len()] == path[..];
        if az::COMMANDS
            .iter()
            .filter(longer)
            .any(|s| s.path[path.len()] == *w)
        {
            path.push(w);
        } else {
            break;
        }
    }
    if let Some(spec) = az::COMMANDS.iter().find(|s| s.path == path.as_slice()) {
        return az_arguments(lab, spec, &words[path.len()..], typed);
    }
    if path.len() < words.len() {
        return Vec::new(); // a word no command continues with
    }
    let next = az::COMMANDS
        .iter()
        .filter(|s| s.path.len() > path.len() && s.path[..path.len()] == path[..])
        .map(|s| s.path[path.len()]);
    next.filter(|n| n.starts_with(typed))
        .map(str::to_string)
        .collect()
}

/// The option a word names, as argparse reads it: exactly, or by a unique
/// abbreviation of a long option.
fn option_named<'a>(word: &str, options: &'a [args::Completable]) -> Option<&'a args::Completable> {
    let word = word.split('=').next().unwrap_or(word);
    if let Some(o) = options.iter().find(|o| o.names.contains(&word)) {
        return Some(o);
    }
    let mut abbreviates = options
        .iter()
        .filter(|o| word.starts_with("--") && o.names.iter().any(|n| n.starts_with(word)));
    match (abbreviates.next(), abbreviates.next()) {
        (Some(o), None) => Some(o),
        _ => None,
    }
}

/// An az command's options (those not given yet), or the value of the
/// option before the cursor.
fn az_arguments(lab: &Lab, spec: &Spec, rest: &[&str], typed: &str) -> Vec<String> {
    let options = args::completable(spec);
    let value_of = rest
        .last()
        .filter(|w| w.starts_with('-') && !w.contains('='))
        .and_then(|w| option_named(w, &options))
        .filter(|o| o.takes_value);
    if let Some(option) = value_of {
        return az_values(lab, spec, option, rest, typed);
    }
    if !typed.is_empty() && !typed.starts_with('-') {
        return Vec::new();
    }
    let given = |o: &args::Completable| {
        rest.iter()
            .any(|w| option_named(w, &options).is_some_and(|g| g.names == o.names))
    };
    options
        .iter()
        .filter(|o| !given(o))
        .flat_map(|o| o.names.iter().copied())
        .filter(|n| n.starts_with(if typed.is_empty() { "--" } else { typed }))
        .map(str::to_string)
        .collect()
}

/// Which resources an option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    Disk,
    Snapshot,
    Vm,
    Subscription,
}

/// What an az option names, following the command (`az snapshot show -n`
/// names a snapshot, `az disk show -n` a disk).
fn az_kinds(path: &[&str], option: &str) -> &'static [Kind] {
    use Kind::*;
    match (option, path.get(1).copied(), path.get(2).copied()) {
        ("--resource-group" | "--destination-group", _, _) => &[Group],
        ("--name", Some("snapshot"), _) => &[Snapshot],
        ("--name", Some("group"), _) => &[Group],
        ("--name", Some("vm"), Some("disk")) => &[Disk],
        ("--name", Some("vm"), _) => &[Vm],
        ("--name", Some("disk"), _) => &[Disk],
        // A disk is made from a snapshot (or a disk); a snapshot of a disk
        // (or a copy of a snapshot).
        ("--source", Some("disk"), _) => &[Snapshot, Disk],
        ("--source", _, _) => &[Disk, Snapshot],
        ("--disk-name" | "--disk", _, _) => &[Disk],
        ("--snapshot" | "--prev", _, _) => &[Snapshot],
        ("--vm-name", _, _) => &[Vm],
        ("--subscription", _, _) => &[Subscription],
        _ => &[],
    }
}

/// The value of `option`: one of its choices, an output format, or the
/// name of a resource in the lab (in the group the command names, if it
/// names one).
fn az_values(
    lab: &Lab,
    spec: &Spec,
    option: &args::Completable,
    rest: &[&str],
    typed: &str,
) -> Vec<String> {
    if let Some(choices) = option.argument.and_then(|a| a.choices.as_ref()) {
        return starting(choices.iter().map(String::as_str), typed);
    }
    if option.names.contains(&"--output") {
        return starting(crate::output::Format::NAMES, typed);
    }
    let group = rest
        .windows(2)
        .find_map(|w| (w[0] == "-g" || w[0] == "--resource-group").then_some(w[1]));
    // An argument's option strings may come in any order (`-n`, `--name`,
    // `--snapshot-name`): the first that names a kind of resource says.
    let kinds = option
        .names
        .iter()
        .map(|n| az_kinds(spec.path, n))
        .find(|k| !k.is_empty())
        .unwrap_or_default();
    resources(lab, kinds, group, typed)
}

/// Names of resources of `kinds` in the current subscription (and in
/// `group`, if given) that begin with `typed`.
fn resources(lab: &Lab, kinds: &[Kind], group: Option<&str>, typed: &str) -> Vec<String> {
    let current = lab.current_subscription().id.clone();
    let here = |p: &Placement| {
        p.subscription.eq_ignore_ascii_case(&current)
            && group.is_none_or(|g| p.group.eq_ignore_ascii_case(g))
    };
    let mut names: Vec<&str> = Vec::new();
    for kind in kinds {
        match kind {
            Kind::Group => names.extend(
                lab.groups()
                    .filter(|g| g.subscription.eq_ignore_ascii_case(&current))
                    .map(|g| g.name.as_str()),
            ),
            Kind::Disk => names.extend(
                lab.disks()
                    .filter(|d| here(&d.at))
                    .map(|d| d.at.name.as_str()),
            ),
            Kind::Snapshot => names.extend(
                lab.snapshots()
                    .filter(|s| here(&s.at))
                    .map(|s| s.at.name.as_str()),
            ),
            Kind::Vm => names.extend(
                lab.vms()
                    .filter(|v| here(&v.at))
                    .map(|v| v.at.name.as_str()),
            ),
            Kind::Subscription => names.extend(lab.subscriptions().map(|s| s.name.as_str())),
        }
    }
    starting(names, typed)
}

/// What comes next in a PowerShell command: a cmdlet, then a parameter or
/// a parameter's value.
fn powershell(lab: &Lab, words: &[&str], typed: &str) -> Vec<String> {
    let Some((&name, rest)) = words.split_first() else {
        return starting(cmdlets::all().map(|c| c.name), typed);
    };
    let Some(cmdlet) = cmdlets::find(name) else {
        return Vec::new();
    };
    let value_of = rest
        .last()
        .and_then(|w| w.strip_prefix('-'))
        .and_then(|p| cmdlet.param(p))
        .filter(|p| p.ty != Type::Switch);
    if let Some(param) = value_of {
        let group = rest.windows(2).find_map(|w| {
            let p = w[0].strip_prefix('-').and_then(|p| cmdlet.param(p))?;
            (p.name == "ResourceGroupName").then_some(w[1])
        });
        return resources(lab, pwsh_kinds(cmdlet, param.name), group, typed);
    }
    let Some(typed) = typed.strip_prefix('-') else {
        return Vec::new();
    };
    let given = |name: &str| {
        rest.iter().any(|w| {
            w.strip_prefix('-')
                .and_then(|p| cmdlet.param(p))
                .is_some_and(|p| p.name == name)
        })
    };
    let names = cmdlet
        .params
        .iter()
        .filter(|p| !given(p.name))
        .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()));
    starting(names, typed)
        .into_iter()
        .map(|n| format!("-{n}"))
        .collect()
}

/// What a cmdlet's parameter names: `-ResourceGroupName` a group,
/// `-DiskName` a disk, `-Name` what the cmdlet's noun says.
fn pwsh_kinds(cmdlet: &Cmdlet, param: &str) -> &'static [Kind] {
    use Kind::*;
    let noun = cmdlet.name.split_once('-').map_or("", |(_, noun)| noun);
    match param {
        "ResourceGroupName" => &[Group],
        "DiskName" => &[Disk],
        "SnapshotName" => &[Snapshot],
        "VMName" => &[Vm],
        "Name" if noun.contains("Snapshot") => &[Snapshot],
        "Name" if noun.contains("Disk") => &[Disk],
        "Name" if noun.contains("ResourceGroup") => &[Group],
        "Name" if noun.ends_with("VM") => &[Vm],
        _ => &[],
    }
}

/// What az (or PowerShell) would refuse in the command at `cursor`, from
/// the words typed whole so far (the word being typed is not judged yet):
/// the message the command prints when it runs, "did you mean" included.
/// Words a shell expands (`$x`, `$(…)`) are left out, with the option they
/// are the value of: their value is not known before the script runs.
pub fn advise(line: &str, cursor: usize, shell: Language) -> Option<String> {
    if line.len() > MAX_LINE || !line.is_char_boundary(cursor.min(line.len())) {
        return None;
    }
    let (words, _) = current_command(&line[..cursor.min(line.len())], shell)?;
    let command = command_words(&words, shell);
    // A command named by a variable or an expression is not judged.
    let name = command.first()?;
    if !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
        return None;
    }
    let mut known: Vec<String> = Vec::new();
    for w in &command {
        if w.contains('$') || w.contains('*') {
            if known
                .last()
                .is_some_and(|k| k.starts_with('-') && !k.contains('='))
            {
                known.pop();
            }
        } else {
            known.push(w.to_string());
        }
    }
    let first = known.first()?;
    match shell {
        Language::Bash if first == "az" || first == "sim" => {
            let failure = az::advise(&known)?;
            Some(failure.printed().0.trim_end().to_string())
        }
        Language::Bash => None,
        Language::PowerShell => pwsh_advice(first, &known[1..]),
    }
}

/// PowerShell's common parameters (`about_CommonParameters`) and Az's
/// `-DefaultProfile`: every cmdlet takes them.
const COMMON: &[&str] = &[
    "Verbose",
    "Debug",
    "ErrorAction",
    "WarningAction",
    "InformationAction",
    "ProgressAction",
    "ErrorVariable",
    "WarningVariable",
    "InformationVariable",
    "OutVariable",
    "OutBuffer",
    "PipelineVariable",
    "WhatIf",
    "Confirm",
    "DefaultProfile",
];

/// PowerShell's words for a cmdlet it does not know, or a parameter the
/// cmdlet does not have.
fn pwsh_advice(name: &str, rest: &[String]) -> Option<String> {
    let Some(cmdlet) = cmdlets::find(name) else {
        // Variables and expressions (`$x.Name`, `(…)`) are not cmdlets.
        if !name.contains('-') {
            return None;
        }
        return Some(cmdlets::not_recognized(name));
    };
    // PowerShell binds a unique beginning of a parameter's name, and the
    // common parameters every cmdlet has.
    let known = |p: &str| {
        let p = p.to_lowercase();
        COMMON.iter().any(|c| c.to_lowercase().starts_with(&p))
            || cmdlet.params.iter().any(|q| {
                std::iter::once(q.name)
                    .chain(q.aliases.iter().copied())
                    .any(|n| n.to_lowercase().starts_with(&p))
            })
    };
    let unknown = rest
        .iter()
        .filter_map(|w| w.strip_prefix('-'))
        .map(|w| w.split(':').next().unwrap_or(w))
        .find(|p| !p.is_empty() && p.chars().all(char::is_alphanumeric) && !known(p))?;
    let names: Vec<&str> = cmdlet.params.iter().map(|p| p.name).collect();
    let hint = closest(unknown, &names)
        .map(|c| format!(" Did you mean '-{c}'?"))
        .unwrap_or_default();
    Some(format!(
        "{}: A parameter cannot be found that matches parameter name '{unknown}'.{hint}",
        cmdlet.name
    ))
}
