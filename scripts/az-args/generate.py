#!/usr/bin/env python3
"""Writes console/data/az-args.json: the argument surface of every `az`
command the console implements, read from azure-cli's own command table.

Run it through scripts/az-args.sh, which installs a pinned azure-cli into a
throwaway virtualenv. It loads azure-cli in-process, exactly as `az` builds
its parser (create_invoker_and_load_cmds_and_args, the same loader azure-cli
uses for its documentation), and reads each command's argparse parser: the
parser is what decides what `az` accepts, so it is the source, not the help.

The commands are read from the console's own table (`path: &["az", ...]` in
console/src/az/mod.rs), so a command added there is described the next time
this runs, and the console's test fails until it is.
"""

import argparse
import json
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(ROOT, "console", "src", "az", "mod.rs")
OUT = os.path.join(ROOT, "console", "data", "az-args.json")


def console_commands():
    """The az commands of the console's table, as 'disk create' etc."""
    with open(TABLE, encoding="utf-8") as f:
        text = f.read()
    found = set()
    for m in re.finditer(r'path:\s*&\[\s*"az"\s*,([^\]]*)\]', text):
        words = re.findall(r'"([^"]+)"', m.group(1))
        found.add(" ".join(words))
    return sorted(found)


def jsonable(value):
    """A default as JSON: plain values as they are, anything else (an enum
    member, a callable) as its string, so the file stays deterministic."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    from azure.cli.core.aaz import AAZUndefined

    if value is AAZUndefined:
        return None  # aaz's "not given": az sends nothing
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, (str, int)):
        return value.value
    return str(value)


def kind(action):
    """How the option takes its words, as argparse consumes them."""
    if action.nargs == 0:
        return "flag"
    if action.nargs is None:
        return "value"
    if action.nargs == "?":
        return "optional"
    if action.nargs == "+":
        return "one_or_more"
    if action.nargs == "*":
        return "zero_or_more"
    if isinstance(action.nargs, int):
        return "exactly_%d" % action.nargs
    return str(action.nargs)


def describe(command, parser):
    """Every option argparse knows for `command`, in the parser's order
    (the order argparse lists missing required arguments and ambiguous
    prefixes in)."""
    from knack.arguments import CaseInsensitiveList

    args = []
    for action in parser._actions:  # pylint: disable=protected-access
        if not action.option_strings:
            continue  # the command words themselves
        registered = command.arguments.get(action.dest) if command else None
        settings = registered.type.settings if registered else {}
        deprecated = [
            str(o) for o in action.option_strings if getattr(o, "deprecate_info", None)
        ]
        entry = {
            "options": [str(o) for o in action.option_strings],
            "dest": action.dest,
            "takes": kind(action),
            "required": bool(action.required),
        }
        if action.choices is not None:
            entry["choices"] = [str(c) for c in action.choices]
            entry["case_insensitive"] = isinstance(action.choices, CaseInsensitiveList)
        default = jsonable(action.default)
        if default is not None and default != argparse.SUPPRESS:
            entry["default"] = default
        if settings.get("id_part"):
            entry["id_part"] = settings["id_part"]
        if deprecated:
            entry["deprecated"] = deprecated
        if action.help == argparse.SUPPRESS:
            # argparse still accepts it; az's help does not show it.
            entry["hidden"] = True
        args.append(entry)
    return args


def ids_metadata(cli):
    """azure-cli's `ids_metadata`: for each command with id parts, the
    arguments it requires when `--ids` is not given. It lives in the
    closure of the `parse_ids_arguments` handler register_ids_argument
    registers, so it is read from there."""
    for handlers in cli._event_handlers.values():  # pylint: disable=protected-access
        for handler in handlers:
            if getattr(handler, "__name__", "") != "parse_ids_arguments":
                continue
            for cell in handler.__closure__ or ():
                if isinstance(cell.cell_contents, dict):
                    return cell.cell_contents
    sys.exit("azure-cli's parse_ids_arguments handler was not found")


def main():
    os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "no")
    os.environ["AZURE_CONFIG_DIR"] = tempfile.mkdtemp(prefix="az-args-")
    from azure.cli.core import get_default_cli, __version__ as core_version
    from azure.cli.core.file_util import create_invoker_and_load_cmds_and_args

    cli = get_default_cli()
    create_invoker_and_load_cmds_and_args(cli)
    invocation = cli.invocation
    table = invocation.commands_loader.command_table
    # The parser of each command, as azure-cli's own parser keeps them.
    parsers = invocation.parser.subparser_map
    ids = ids_metadata(cli)

    commands = {}
    missing = []
    for name in console_commands():
        parser = parsers.get(name)
        if name not in table or parser is None:
            missing.append(name)
            continue
        entry = {"arguments": describe(table[name], parser)}
        required = ids.get(name, {}).get("required", [])
        if required:
            entry["ids_required"] = [
                str(table[name].arguments[dest].type.settings["options_list"][0])
                for dest in required
            ]
        commands[name] = entry
    if missing:
        sys.exit("azure-cli %s has no command: %s" % (core_version, ", ".join(missing)))

    from importlib.metadata import version

    doc = {
        "generator": "scripts/az-args/generate.py (run scripts/az-args.sh)",
        "azure-cli": version("azure-cli"),
        "azure-cli-core": core_version,
        "knack": version("knack"),
        "python": "%d.%d" % sys.version_info[:2],
        "commands": commands,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote %s: %d commands, azure-cli %s" % (OUT, len(commands), doc["azure-cli"]))


if __name__ == "__main__":
    main()
