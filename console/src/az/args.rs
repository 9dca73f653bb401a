//! az's argument surface, from azure-cli itself: `console/data/az-args.json`
//! (written by `scripts/az-args.sh` from the pinned azure-cli's own parser)
//! says, for every az command the console implements, each argument's
//! option strings, how it takes its words, its choices, whether it is
//! required and its id part. The parser here matches words as argparse
//! does in az: exact option strings, unique prefixes (argparse's
//! abbreviations), `-nNAME`, `--opt=value`, several words for `nargs='+'`.
//! An argument the simulator models goes to its handler; one az has and the
//! simulator does not model is accepted and named in a warning; a word az
//! does not know is "unrecognized arguments". Errors are az's own: invalid
//! choices as azure-cli's `_check_value` prints them, missing required
//! arguments as argparse lists them, `--ids` as azure-cli's
//! `parse_ids_arguments` expands them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::{Args, Env, Failure, Opt, Out, Spec, Takes, GLOBAL, TAKES_POSITIONALS};
use crate::runner::Runner;
use crate::suggest::closest;

/// The description the generator wrote (pretty-printed, sorted keys).
pub const DESCRIPTION_JSON: &str = include_str!("../../data/az-args.json");

/// What the pinned azure-cli accepts, command by command.
#[derive(Debug, Deserialize)]
pub struct Description {
    /// The azure-cli version the description was generated from.
    #[serde(rename = "azure-cli")]
    pub azure_cli: String,
    /// By command name without `az`: "disk create".
    pub commands: BTreeMap<String, Command>,
}

/// One command's arguments, in its argparse parser's order (the order
/// argparse lists missing arguments and ambiguous prefixes in).
#[derive(Debug, Deserialize)]
pub struct Command {
    pub arguments: Vec<Argument>,
    /// The id-part arguments az requires when `--ids` is not given, by their
    /// first option string (`ids_metadata[...]['required']` in azure-cli).
    #[serde(default)]
    pub ids_required: Vec<String>,
}

/// One argument as argparse knows it.
#[derive(Debug, Deserialize)]
pub struct Argument {
    /// Option strings, in az's order (`--name`, `-n`).
    pub options: Vec<String>,
    pub dest: String,
    pub takes: Nargs,
    pub required: bool,
    pub choices: Option<Vec<String>>,
    /// knack's `CaseInsensitiveList`: `premium_lrs` is `Premium_LRS`.
    #[serde(default)]
    pub case_insensitive: bool,
    pub default: Option<Value>,
    /// Which part of an ARM id (`--ids`) fills it: `name`, `resource_group`.
    pub id_part: Option<String>,
    /// Option strings az still accepts with a deprecation warning.
    #[serde(default)]
    pub deprecated: Vec<String>,
    /// argparse accepts it; az's help does not show it (`help=SUPPRESS`).
    #[serde(default)]
    pub hidden: bool,
}

/// argparse's `nargs`, as the generator names it.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Nargs {
    /// `store_true` and the like: no word.
    Flag,
    /// Exactly one word.
    Value,
    /// `nargs=1`: one word (stored as a list of one).
    #[serde(rename = "exactly_1")]
    Exactly1,
    /// `nargs='?'`: one word if the next is not an option.
    Optional,
    /// `nargs='+'`.
    OneOrMore,
    /// `nargs='*'`.
    ZeroOrMore,
}

/// The description, parsed once.
pub fn description() -> &'static Description {
    static PARSED: OnceLock<Description> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(DESCRIPTION_JSON).expect("console/data/az-args.json parses")
    })
}

/// The described command for a console command path (`["az", "disk", "create"]`).
pub fn described(path: &[&str]) -> Option<&'static Command> {
    match path.split_first() {
        Some((&"az", rest)) => description().commands.get(&rest.join(" ")),
        _ => None,
    }
}

/// One option the parser knows: az's argument, the simulator's model of
/// it, or both.
struct Action {
    names: Vec<&'static str>,
    modelled: Option<Opt>,
    described: Option<&'static Argument>,
}

impl Action {
    /// argparse's `_get_action_name`: the option strings joined by `/`.
    fn display(&self) -> String {
        self.names.join("/")
    }
    /// The key the handlers read it by.
    fn key(&self) -> &'static str {
        self.modelled.map_or(self.names[0], |o| o.long)
    }
    fn nargs(&self) -> Nargs {
        match (self.described, self.modelled) {
            (Some(d), _) => d.takes,
            (None, Some(o)) => match o.takes {
                Takes::Value => Nargs::Value,
                Takes::Bool => Nargs::Optional,
                Takes::Switch => Nargs::Flag,
            },
            (None, None) => Nargs::Value,
        }
    }
}

/// The options of one command: az's (in its parser's order), then the
/// simulator's own that az lacks (the `sim` verbs have only these).
fn actions(spec: &Spec) -> Vec<Action> {
    let modelled: Vec<Opt> = spec.options.iter().chain(GLOBAL).copied().collect();
    let mut out: Vec<Action> = Vec::new();
    if let Some(command) = described(spec.path) {
        for arg in &command.arguments {
            let names: Vec<&'static str> = arg.options.iter().map(String::as_str).collect();
            let model = modelled
                .iter()
                .find(|o| names.contains(&o.long) || o.short.is_some_and(|s| names.contains(&s)))
                .copied()
                // `--ids` is modelled for every command with id parts: `invoke` expands it.
                .or_else(|| (names == ["--ids"] && has_id_parts(command)).then_some(IDS));
            out.push(Action {
                names,
                modelled: model,
                described: Some(arg),
            });
        }
    }
    // What az lacks, an az command does not take either (`az account list
    // --subscription` is unrecognized in az); the `sim` verbs take theirs.
    let own = out.is_empty();
    for opt in modelled.into_iter().filter(|_| own) {
        if !out
            .iter()
            .any(|a| a.modelled.is_some_and(|m| m.long == opt.long))
        {
            out.push(Action {
                names: std::iter::once(opt.long).chain(opt.short).collect(),
                modelled: Some(opt),
                described: None,
            });
        }
    }
    out
}

/// azure-cli gives `--ids` to the commands with a resource name among
/// their id parts (`add_ids_arguments`); `az resource move` has its own.
fn has_id_parts(command: &Command) -> bool {
    command
        .arguments
        .iter()
        .any(|a| matches!(a.id_part.as_deref(), Some("name" | "resource_name")))
}

/// The simulator's `--ids`, for the commands az gives id parts.
const IDS: Opt = Opt {
    long: "--ids",
    short: None,
    takes: Takes::Value,
    help: "One or more resource IDs (space-delimited).",
};

/// How a word reads to argparse.
enum Word {
    /// An option (its index), with the value given after `=` or glued to a
    /// short option.
    Option(usize, Option<String>),
    /// Looks like an option, and no option is called so.
    Unknown,
    /// A value or a positional word.
    Plain,
}

/// argparse's `_parse_optional`: exact option strings first, then
/// `--opt=value`, then unique prefixes (argparse's `allow_abbrev`, which
/// azure-cli leaves on), `-nVALUE`; a negative number or a word with a
/// space is a value.
fn classify(word: &str, actions: &[Action]) -> Result<Word, Failure> {
    if !word.starts_with('-') || word.len() < 2 {
        return Ok(Word::Plain);
    }
    let exact = |name: &str| actions.iter().position(|a| a.names.contains(&name));
    if let Some(a) = exact(word) {
        return Ok(Word::Option(a, None));
    }
    if let Some((name, value)) = word.split_once('=') {
        if let Some(a) = exact(name) {
            return Ok(Word::Option(a, Some(value.to_string())));
        }
    }
    // Every option string the word may abbreviate, in the parser's order.
    let mut matches: Vec<(usize, &str, Option<String>)> = Vec::new();
    if word.starts_with("--") {
        let (prefix, value) = match word.split_once('=') {
            Some((p, v)) => (p, Some(v.to_string())),
            None => (word, None),
        };
        for (a, action) in actions.iter().enumerate() {
            for name in action.names.iter().filter(|n| n.starts_with(prefix)) {
                matches.push((a, name, value.clone()));
            }
        }
    } else if !word[1..].starts_with('-') {
        let (short, glued) = word.split_at(2);
        for (a, action) in actions.iter().enumerate() {
            for name in &action.names {
                if *name == short {
                    matches.push((a, name, Some(glued.to_string())));
                } else if name.starts_with(word) {
                    matches.push((a, name, None));
                }
            }
        }
    }
    match matches.len() {
        1 => {
            let (a, _, value) = matches.remove(0);
            return Ok(Word::Option(a, value));
        }
        0 => {}
        _ => {
            let names: Vec<&str> = matches.iter().map(|(_, n, _)| *n).collect();
            return Err(Failure::Usage(format!(
                "ambiguous option: {word} could match {}",
                names.join(", ")
            )));
        }
    }
    if word.parse::<f64>().is_ok() || word.contains(' ') {
        return Ok(Word::Plain);
    }
    Ok(Word::Unknown)
}

/// azure-cli's `_check_value` for a value outside an argument's choices:
/// the message, then difflib's closest choice (cutoff 0.7) as its advice.
fn invalid_choice(prog: &str, action: &Action, value: &str, choices: &[String]) -> Failure {
    let parameter = action.names[0];
    let mut message = format!(
        "{prog}: '{value}' is not a valid value for '{parameter}'. Allowed values: {}.",
        choices.join(", ")
    );
    let names: Vec<&str> = choices.iter().map(String::as_str).collect();
    if let Some(best) = close_matches(value, &names, 0.7).first() {
        message += &format!("\nDid you mean '{best}' ?");
    }
    Failure::Usage(message)
}

/// The value as argparse stores it: checked against the choices, and, for
/// az's case-insensitive enums (`get_enum_type`), spelled as the choice.
fn checked(prog: &str, action: &Action, value: String) -> Result<String, Failure> {
    let Some(arg) = action.described else {
        return Ok(value);
    };
    let Some(choices) = &arg.choices else {
        return Ok(value);
    };
    let found = choices.iter().find(|c| {
        if arg.case_insensitive {
            c.eq_ignore_ascii_case(&value)
        } else {
            **c == value
        }
    });
    let boolean = choices.iter().any(|c| c == "true") && choices.iter().any(|c| c == "false");
    match found {
        // A boolean's word (aaz's `--no-wait no`, a three-state
        // `--incremental False`) as the handler reads it: true or false.
        Some(choice) if boolean => Ok(match choice.to_lowercase().as_str() {
            "false" | "f" | "no" | "n" | "0" => "false",
            _ => "true",
        }
        .to_string()),
        Some(choice) => Ok(choice.clone()),
        None => Err(invalid_choice(prog, action, &value, choices)),
    }
}

/// The words an option takes, as argparse consumes them.
fn take_values(
    action: &Action,
    inline: Option<String>,
    rest: &[String],
    i: &mut usize,
    actions: &[Action],
) -> Result<Vec<String>, Failure> {
    let is_value = |w: &String| matches!(classify(w, actions), Ok(Word::Plain));
    let name = action.display();
    match (action.nargs(), inline) {
        (Nargs::Flag, Some(v)) => Err(Failure::Usage(format!(
            "argument {name}: ignored explicit argument '{v}'"
        ))),
        (Nargs::Flag, None) => Ok(vec!["true".into()]),
        (_, Some(v)) => Ok(vec![v]),
        (n @ (Nargs::Value | Nargs::Exactly1), None) => {
            match rest.get(*i).filter(|w| is_value(w)) {
                Some(v) => {
                    *i += 1;
                    Ok(vec![v.clone()])
                }
                // argparse's two wordings (_match_argument).
                None if n == Nargs::Value => Err(Failure::Usage(format!(
                    "argument {name}: expected one argument"
                ))),
                None => Err(Failure::Usage(format!(
                    "argument {name}: expected 1 argument"
                ))),
            }
        }
        (Nargs::Optional, None) => match rest.get(*i).filter(|w| is_value(w)) {
            Some(v) => {
                *i += 1;
                Ok(vec![v.clone()])
            }
            // A three-state flag alone means true (ThreeStateAction).
            None => Ok(vec!["true".into()]),
        },
        (n @ (Nargs::OneOrMore | Nargs::ZeroOrMore), None) => {
            let start = *i;
            while rest.get(*i).is_some_and(is_value) {
                *i += 1;
            }
            if *i == start && n == Nargs::OneOrMore {
                return Err(Failure::Usage(format!(
                    "argument {name}: expected at least one argument"
                )));
            }
            Ok(rest[start..*i].to_vec())
        }
    }
}

/// What argparse's loop over a command's words found, before it checks
/// what is missing and what it could not place.
struct Scan {
    args: Args,
    /// Words argparse could not place, in order ("unrecognized arguments").
    extras: Vec<String>,
    first_unknown: Option<String>,
    /// The actions given, by index.
    given: Vec<usize>,
}

/// argparse's loop: each word an option (with its values) or a positional.
fn scan(spec: &Spec, rest: &[String], actions: &[Action]) -> Result<Scan, Failure> {
    let prog = spec.path.join(" ");
    let mut found = Scan {
        args: Args {
            values: Vec::new(),
            positional: Vec::new(),
            unmodelled: Vec::new(),
        },
        extras: Vec::new(),
        first_unknown: None,
        given: Vec::new(),
    };
    let args = &mut found.args;
    let mut i = 0;
    while i < rest.len() {
        let word = &rest[i];
        i += 1;
        let (index, inline) = match classify(word, actions)? {
            Word::Plain => {
                args.positional.push(word.clone());
                continue;
            }
            Word::Unknown => {
                found.first_unknown.get_or_insert_with(|| word.clone());
                found.extras.push(word.clone());
                continue;
            }
            Word::Option(index, inline) => (index, inline),
        };
        let action = &actions[index];
        let values = take_values(action, inline, rest, &mut i, actions)?;
        found.given.push(index);
        for value in values {
            let value = checked(&prog, action, value)?;
            args.values.push((action.key(), value));
        }
        if action.modelled.is_none() && !args.unmodelled.contains(&action.names[0]) {
            args.unmodelled.push(action.names[0]);
        }
    }
    if !TAKES_POSITIONALS.contains(&spec.path) {
        found.extras.append(&mut found.args.positional);
    }
    Ok(found)
}

/// "unrecognized arguments", with the simulator's own hint (az prints
/// examples instead): the closest option it models, so the hint is one
/// that acts.
fn unrecognized(spec: &Spec, actions: &[Action], scan: &Scan) -> Failure {
    let names: Vec<&str> = spec
        .options
        .iter()
        .chain(GLOBAL)
        .map(|o| o.long)
        .filter(|long| actions.iter().any(|a| a.names.contains(long)))
        .collect();
    let hint = scan
        .first_unknown
        .as_deref()
        .and_then(|w| closest(w.split('=').next().unwrap_or(w), &names))
        .map(|c| format!("\nDid you mean '{c}'?"))
        .unwrap_or_default();
    Failure::Usage(format!(
        "unrecognized arguments: {}{hint}",
        scan.extras.join(" ")
    ))
}

/// Parses a command's words as az's parser does (see the module comment).
pub(super) fn parse_args(spec: &Spec, rest: &[String]) -> Result<Args, Failure> {
    let actions = actions(spec);
    let found = scan(spec, rest, &actions)?;
    let missing: Vec<String> = actions
        .iter()
        .enumerate()
        .filter(|(i, a)| a.described.is_some_and(|d| d.required) && !found.given.contains(i))
        .map(|(_, a)| a.display())
        .collect();
    if !missing.is_empty() {
        return Err(Failure::Usage(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )));
    }
    if !found.extras.is_empty() {
        return Err(unrecognized(spec, &actions, &found));
    }
    Ok(found.args)
}

/// What az would say now about the words of a command typed so far (all
/// complete: the word being typed is left out), before it runs: a word it
/// does not know, with its "did you mean", an invalid choice, an ambiguous
/// abbreviation. What typing on can still fix (a missing required
/// argument, an option still waiting for its value) is not an error yet.
pub fn advise(spec: &Spec, rest: &[String]) -> Option<Failure> {
    if rest.iter().any(|w| w == "--help" || w == "-h") {
        return None;
    }
    let actions = actions(spec);
    match scan(spec, rest, &actions) {
        Err(Failure::Usage(m)) if m.contains(": expected ") => None,
        Err(failure) => Some(failure),
        Ok(found) if !found.extras.is_empty() => Some(unrecognized(spec, &actions, &found)),
        Ok(_) => None,
    }
}

/// One option of a command as Tab completes it.
pub struct Completable {
    /// Its option strings (`--name`, `-n`).
    pub names: Vec<&'static str>,
    /// az's description of it (`None` for the `sim` verbs' own options).
    pub argument: Option<&'static Argument>,
    /// It takes a word after it (not a plain switch).
    pub takes_value: bool,
}

/// Every option of a command az's help shows (hidden ones left out), in
/// its parser's order: what Tab completes.
pub fn completable(spec: &Spec) -> Vec<Completable> {
    actions(spec)
        .into_iter()
        .filter(|a| a.described.is_none_or(|d| !d.hidden))
        .map(|a| Completable {
            takes_value: a.nargs() != Nargs::Flag,
            argument: a.described,
            names: a.names,
        })
        .collect()
}

/// The `--help` section for the arguments az has and the simulator does not
/// model (az's hidden ones left out, as az's help leaves them out).
pub fn unmodelled_help(spec: &Spec) -> String {
    let names: Vec<String> = actions(spec)
        .iter()
        .filter(|a| a.modelled.is_none() && a.described.is_some_and(|d| !d.hidden))
        .map(|a| a.names.join(" "))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nAccepted and not modelled (simulated: az {} has them; the simulator warns and ignores them)\n",
        description().azure_cli
    );
    for name in names {
        out += &format!("    {name}\n");
    }
    out
}

/// The labelled warnings for what az accepts and the simulator does not
/// model: accepted, never silently.
pub fn unmodelled_warnings(args: &Args) -> String {
    args.unmodelled
        .iter()
        .map(|name| format!("WARNING: simulated: {name} is accepted and not modelled\n"))
        .collect()
}

/// The ids `--ids` names, as azure-cli reads them: each word may be a JSON
/// list of objects with an `id` (piped from `az ... list`) or lines of ids
/// (piped from `-o tsv`).
fn expand_ids(words: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for word in words {
        match serde_json::from_str::<Value>(word) {
            Ok(Value::Array(items)) => ids.extend(
                items
                    .iter()
                    .filter_map(|v| v["id"].as_str().map(str::to_string)),
            ),
            Ok(Value::Object(o)) => {
                ids.extend(o.get("id").and_then(Value::as_str).map(str::to_string))
            }
            _ => ids.extend(
                word.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            ),
        }
    }
    ids
}

/// Runs a parsed command: once, or, with `--ids` on a command az gives id
/// parts, once per id with its name and resource group filled from the id
/// (azure-cli's `parse_ids_arguments`); several ids give a list.
pub(super) fn invoke(
    spec: &Spec,
    rt: &mut Runner,
    args: &Args,
    env: &Env,
    warnings: &mut String,
    shown: &mut Option<String>,
) -> Result<Out, Failure> {
    let Some(command) = described(spec.path).filter(|c| has_id_parts(c)) else {
        return super::requests::run(spec, rt, args, env, shown);
    };
    let id_args: Vec<&'static Argument> = command
        .arguments
        .iter()
        .filter(|a| a.id_part.is_some())
        .collect();
    let words: Vec<&str> = args
        .values
        .iter()
        .filter(|(k, _)| *k == "--ids")
        .map(|(_, v)| v.as_str())
        .collect();
    if words.is_empty() {
        let missing: Vec<&str> = command
            .ids_required
            .iter()
            .filter(|name| {
                let arg = id_args.iter().find(|a| a.options[0] == **name);
                !arg.is_some_and(|a| a.options.iter().any(|o| args.get(o).is_some()))
            })
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Failure::Error(format!(
                "({} | --ids) are required",
                missing.join(" ")
            )));
        }
        return super::requests::run(spec, rt, args, env, shown);
    }
    // az warns for each id-part option given beside --ids, the required
    // ones first (ids_metadata's 'required', then 'optional').
    let given = |a: &Argument| a.options.iter().any(|o| args.get(o).is_some());
    let (required, optional): (Vec<&Argument>, Vec<&Argument>) = id_args
        .iter()
        .copied()
        .partition(|a| command.ids_required.contains(&a.options[0]));
    for arg in required.into_iter().chain(optional).filter(|a| given(a)) {
        *warnings += &format!(
            "WARNING: option '{}' will be ignored due to use of '--ids'.\n",
            arg.options[0]
        );
    }
    let ids = expand_ids(&words);
    let mut results = Vec::new();
    for id in &ids {
        let one = args_for_id(spec, args, &id_args, id, rt)?;
        match super::requests::run(spec, rt, &one, env, shown)? {
            Out::Json(v) => results.push(v),
            Out::Text(t) => return Ok(Out::Text(t)),
        }
    }
    Ok(Out::Json(if results.len() == 1 {
        results.remove(0)
    } else {
        Value::Array(results)
    }))
}

/// One id's arguments: the id-part options (`--name`, `--resource-group`,
/// a parent's name) replaced by the id's parts, `--ids` set to the id.
fn args_for_id(
    spec: &Spec,
    args: &Args,
    id_args: &[&'static Argument],
    id: &str,
    rt: &mut Runner,
) -> Result<Args, Failure> {
    let parts = snaplab_engine::lab::parse_arm_id(id)
        .ok_or_else(|| Failure::Usage(format!("'{id}' is not a valid resource ID")))?;
    let current = rt.lab().current_subscription().id.clone();
    if !parts.subscription.eq_ignore_ascii_case(&current) {
        if rt.lab().subscription(&parts.subscription).is_none() {
            return Err(Failure::Refused(
                snaplab_engine::EngineError::SubscriptionNotFound {
                    subscription: parts.subscription.clone(),
                },
            ));
        }
        // `show` reads the id itself, in any subscription; the other
        // handlers act in the current one, so they must not be handed a
        // name that could be another resource there.
        if !spec.options.iter().any(|o| o.long == "--ids") {
            return Err(Failure::Usage(format!(
                "--ids in another subscription ('{}'): use 'az account set' first in the simulator",
                parts.subscription
            )));
        }
    }
    let keys: Vec<&str> = id_args
        .iter()
        .flat_map(|a| a.options.iter().map(String::as_str))
        .collect();
    let mut one = Args {
        values: args
            .values
            .iter()
            .filter(|(k, _)| *k != "--ids" && !keys.contains(k))
            .cloned()
            .collect(),
        positional: args.positional.clone(),
        unmodelled: args.unmodelled.clone(),
    };
    one.values.push(("--ids", id.to_string()));
    for arg in id_args {
        let value = match arg.id_part.as_deref() {
            Some("name") => parts.name.clone(),
            Some("resource_group") => parts.group.clone(),
            _ => continue,
        };
        one.values.push((key_of(spec, arg), value));
    }
    Ok(one)
}

/// The key a handler reads an argument by: the simulator's long name for
/// it where it models it, else az's first option string.
fn key_of(spec: &Spec, arg: &'static Argument) -> &'static str {
    spec.options
        .iter()
        .chain(GLOBAL)
        .find(|o| {
            arg.options
                .iter()
                .any(|n| n == o.long || Some(n.as_str()) == o.short)
        })
        .map_or(arg.options[0].as_str(), |o| o.long)
}

/// The matching characters of Python's `difflib.SequenceMatcher` (no junk:
/// the words here are far shorter than its 200-character heuristic), so
/// `ratio()` is the same number.
fn matching_chars(a: &[char], b: &[char]) -> usize {
    // The longest common block, earliest in `a`, then in `b`, as
    // find_longest_match picks it; then the same on each side of it.
    let (mut best_i, mut best_j, mut best) = (0, 0, 0);
    for i in 0..a.len() {
        for j in 0..b.len() {
            let mut k = 0;
            while i + k < a.len() && j + k < b.len() && a[i + k] == b[j + k] {
                k += 1;
            }
            if k > best {
                (best_i, best_j, best) = (i, j, k);
            }
        }
    }
    if best == 0 {
        return 0;
    }
    best + matching_chars(&a[..best_i], &b[..best_j])
        + matching_chars(&a[best_i + best..], &b[best_j + best..])
}

/// `difflib.SequenceMatcher(None, a, b).ratio()`.
pub fn ratio(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * matching_chars(&a, &b) as f64 / (a.len() + b.len()) as f64
}

/// `difflib.get_close_matches(word, possibilities, n=3, cutoff)`: best
/// first, ties by the larger string, as its `heapq.nlargest` orders them.
/// `SequenceMatcher` compares `possibility` (its `a`) with `word` (its `b`).
pub fn close_matches<'a>(word: &str, possibilities: &[&'a str], cutoff: f64) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &'a str)> = possibilities
        .iter()
        .map(|p| (ratio(p, word), *p))
        .filter(|(r, _)| *r >= cutoff)
        .collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| y.1.cmp(x.1)));
    scored.into_iter().take(3).map(|(_, p)| p).collect()
}

/// What a command line sets, parsed as `az` parses it, without
/// running it: `(key, value)` by the names handlers read, and the
/// arguments accepted without being modelled. Tests and tools check the
/// description against the parser with it.
pub type Parsed = (Vec<(&'static str, String)>, Vec<&'static str>);

/// Parses a whole command line (`az disk create ...`) without running it.
pub fn parse_only(argv: &[String]) -> Result<Parsed, Failure> {
    let spec = super::find(argv)
        .ok_or_else(|| Failure::Usage(format!("no command: {}", argv.join(" "))))?;
    let args = parse_args(spec, &argv[spec.path.len()..])?;
    Ok((args.values, args.unmodelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difflib_numbers_are_pythons() {
        // Each value printed by CPython 3.11's difflib for the same pair.
        for (a, b, expected) in [
            ("Premium_LRS", "premium_lr", 0.6666666666666666),
            ("Standard_LRS", "Standrd_LRS", 0.9565217391304348),
            ("xml", "yaml", 0.5714285714285714),
            ("abcd", "bcda", 0.75),
            ("Premium_ZRS", "Premium_LRS", 0.9090909090909091),
            ("tsv", "tvs", 0.6666666666666666),
        ] {
            assert!(
                (ratio(a, b) - expected).abs() < 1e-12,
                "{a} {b}: {}",
                ratio(a, b)
            );
        }
        let skus = [
            "PremiumV2_LRS",
            "Premium_LRS",
            "Premium_ZRS",
            "StandardSSD_LRS",
            "StandardSSD_ZRS",
            "Standard_LRS",
            "UltraSSD_LRS",
        ];
        assert_eq!(
            close_matches("Premium_LR", &skus, 0.7),
            ["Premium_LRS", "PremiumV2_LRS", "Premium_ZRS"]
        );
        assert_eq!(close_matches("Standard", &skus, 0.7), ["Standard_LRS"]);
    }

    #[test]
    fn every_option_the_console_models_is_one_az_has() {
        let mut extra = Vec::new();
        for spec in super::super::COMMANDS.iter().filter(|s| s.path[0] == "az") {
            let command = described(spec.path).expect("described");
            for opt in spec.options {
                for name in std::iter::once(opt.long).chain(opt.short) {
                    if !command
                        .arguments
                        .iter()
                        .any(|a| a.options.iter().any(|o| o == name))
                    {
                        extra.push(format!("{} {name}", spec.path.join(" ")));
                    }
                }
            }
        }
        assert!(extra.is_empty(), "{extra:?}");
        // A global option az lacks on a command is not taken there either.
        let argv: Vec<String> = ["az", "account", "list", "--subscription", "x"]
            .map(String::from)
            .to_vec();
        assert!(matches!(
            parse_only(&argv),
            Err(Failure::Usage(m)) if m == "unrecognized arguments: --subscription x"
        ));
    }

    #[test]
    fn the_description_names_its_azure_cli_and_every_az_command_of_the_table() {
        assert_eq!(description().azure_cli, "2.91.0");
        let table: Vec<String> = super::super::COMMANDS
            .iter()
            .filter(|s| s.path[0] == "az")
            .map(|s| s.path[1..].join(" "))
            .collect();
        for name in &table {
            assert!(
                description().commands.contains_key(name),
                "{name} is not described"
            );
        }
        for name in description().commands.keys() {
            assert!(
                table.contains(name),
                "{name} is described, not in the table"
            );
        }
    }
}
