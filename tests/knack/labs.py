"""Random labs and the az command lines run on them, from one seed.

Everything here is plain data: which resources a lab has, which commands
print results, and which `--query` expressions and `-o` formats each result
is printed with. The differential (test_knack_differential.py) runs them
through `snaplab run` and through knack.
"""

import json
import random

FORMATS = ["json", "jsonc", "table", "tsv", "yaml", "none"]

# Resource group names Azure allows: Unicode letters and digits, `_ ( ) - .`,
# not ending with a period.
GROUP_NAMES = [
    "rg-basic",
    "Grüße_(test).v2",
    "日本語-disks",
    "(paren)",
    "under_score.dots",
    "ÆØÅ-ñ",
    "MiXeD-Case-42",
    "Ωmega",
]
LOCATIONS = ["westeurope", "eastus", "northeurope", "eastus2"]
DISK_SKUS = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS"]
SNAPSHOT_SKUS = [None, "Standard_LRS", "Standard_ZRS", "Premium_LRS"]
SIZES = [4, 8, 32, 64, 128, 512, 1024, 4095]
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def compute_name(rng, taken):
    """A disk or snapshot name Azure allows (letters, digits, `_ . -`,
    starting with a letter or digit, ending with one or `_`)."""
    while True:
        middle = "".join(rng.choice(NAME_CHARS + "_.-") for _ in range(rng.randint(0, 10)))
        name = rng.choice(NAME_CHARS) + middle + rng.choice(NAME_CHARS + "_")
        if name.lower() not in taken:
            taken.add(name.lower())
            return name


def quote(word):
    """One shell word, single-quoted."""
    return "'" + word.replace("'", "'\\''") + "'"


def line(words):
    plain = set(NAME_CHARS + "-_./=")
    return " ".join(w if w and set(w) <= plain else quote(w) for w in words)


class Lab:
    """One lab: the commands that make it, then the blocks of commands that
    print results. Each block is one command line whose `-o json` result
    (without `--query`) is knack's input, and its variants."""

    def __init__(self, rng, index):
        self.index = index
        self.setup = []
        self.blocks = []
        taken = set()
        groups = rng.sample(GROUP_NAMES, rng.randint(1, 3))
        disks, snapshots = [], []
        for group in groups:
            self.setup.append(["az", "group", "create", "-n", group, "-l", rng.choice(LOCATIONS)])
            # Some groups stay empty: their lists are [].
            for _ in range(rng.choice([0, 1, 2, 3])):
                name = compute_name(rng, taken)
                sku = rng.choice(DISK_SKUS)
                words = ["az", "disk", "create", "-g", group, "-n", name,
                         "--size-gb", str(rng.choice(SIZES)), "--sku", sku]
                if sku.endswith("_LRS") and rng.random() < 0.4:
                    words += ["--zone", rng.choice("123")]
                self.setup.append(words)
                disks.append((group, name, words))
        for group, disk, _ in disks:
            for _ in range(rng.choice([0, 1, 2])):
                name = compute_name(rng, taken)
                words = ["az", "snapshot", "create", "-g", group, "-n", name, "--source", disk]
                if rng.random() < 0.6:
                    words += ["--incremental", "true"]
                sku = rng.choice(SNAPSHOT_SKUS)
                if sku:
                    words += ["--sku", sku]
                self.setup.append(words)
                snapshots.append((group, name, words))
        # A copy of a snapshot (in its group).
        for group, snap, _ in list(snapshots):
            if rng.random() < 0.3:
                name = compute_name(rng, taken)
                words = ["az", "snapshot", "create", "-g", group, "-n", name, "--source", snap]
                self.setup.append(words)
                snapshots.append((group, name, words))

        group = rng.choice(groups)
        self.block(rng, ["az", "group", "list"], "list")
        self.block(rng, ["az", "group", "show", "-n", group], "dict")
        self.block(rng, ["az", "account", "show"], "dict")
        self.block(rng, ["az", "account", "list"], "list")
        self.block(rng, ["az", "snapshot", "list"], "list")
        for group in groups:
            self.block(rng, ["az", "disk", "list", "-g", group], "list")
            self.block(rng, ["az", "snapshot", "list", "-g", group], "list")
        for group, name, words in rng.sample(disks, min(len(disks), 3)):
            self.block(rng, ["az", "disk", "show", "-g", group, "-n", name], "dict")
        for group, name, words in rng.sample(snapshots, min(len(snapshots), 3)):
            self.block(rng, ["az", "snapshot", "show", "-g", group, "-n", name], "dict")
        # Creating what exists again changes nothing and prints the resource:
        # the create commands' own transformers meet the same result each time.
        for group, name, words in rng.sample(disks, min(len(disks), 1)):
            self.block(rng, words, "dict")
        for group, name, words in rng.sample(snapshots, min(len(snapshots), 1)):
            self.block(rng, words, "dict")
        for group, name, words in rng.sample(disks, min(len(disks), 1)):
            self.block(rng, ["az", "disk", "grant-access", "-g", group, "-n", name,
                             "--duration-in-seconds", str(rng.choice([60, 3600]))], "dict")

    def block(self, rng, words, shape):
        queries = [None] + [random_query(rng, shape) for _ in range(rng.randint(3, 6))]
        self.blocks.append({"command": words, "queries": queries})

    def setup_script(self):
        return "\n".join(line(w) + " -o none" for w in self.setup) + "\n"


# Fields a disk, snapshot, group or account may have (missing ones are null).
FIELDS = [
    "name", "diskSizeGB", "sku.name", "sku.tier", "sku", "location", "zones", "tags",
    "incremental", "timeCreated", "provisioningState", "diskState", "encryption",
    "osType", "creationData.createOption", "creationData", "id", "type",
    "resourceGroup", "uniqueId", "properties.provisioningState", "isDefault",
    "state", "managedBy", "completionPercent", "diskSizeBytes", "accessSAS",
    "nothing", "length(zones || `[]`)", "to_string(diskSizeGB)", "zones[0]",
]
# JSON literals for the values no resource has: floats, nested lists and
# objects, nulls, booleans, Unicode, strings YAML reads as something else.
LITERALS = [
    '`{"b": 1, "a": [1, 2.5, null, true, "é\\t\\"q"], "c": {}}`',
    "`[]`", "`{}`", "`null`", "`true`", "`false`", "`0`", "`-7`", "`2.5`", "`1e3`",
    '`"yes"`', '`"no"`', '`"on"`', '`"null"`', '`"~"`', '`"123"`', '`"1.5"`', '`"0x1F"`',
    '`"2024-01-01"`', '`"2024-01-01T00:00:00Z"`', '`""`', '`" padded "`', '`"a: b"`',
    '`"- item"`', '`"#hash"`', '`"it\'s"`', '`"ünïcödé ✓"`', '`"tab\\there"`',
    '`"line\\nbreak"`', '`"@at"`', '`"*star"`', '`"%pct"`', '`"{brace}"`', '`"[x]"`',
    '`"a long string with spaces that goes on and on past the eighty column width of yaml"`',
    '`[[1, 2], {"k": "v"}, [], {}]`', '`{"Name": "x", "id": "hidden", "type": "t", "etag": "e"}`',
    '`[1, "two", null, false]`', '`{"zz": 1, "aa": 2, "Mm": 3}`', '`12345678901234567890`',
    '`0.1`', '`100.0`', '`-0.0`', '`1.5e-7`',
]
KEYS = ["Name", "size", "sku", "b", "a", "Zone", "z", "Ünï", "id", "type", "x y", "etag", "aa"]


def value_expr(rng):
    if rng.random() < 0.3:
        return rng.choice(LITERALS)
    return rng.choice(FIELDS)


def key(rng):
    k = rng.choice(KEYS)
    return '"%s"' % k if not k.isidentifier() or not k.isascii() else k


def hash_expr(rng):
    keys = []
    while len(keys) < rng.randint(1, 5):
        k = key(rng)
        if k not in keys:
            keys.append(k)
    return "{" + ", ".join("%s: %s" % (k, value_expr(rng)) for k in keys) + "}"


def random_query(rng, shape):
    """A `--query` for a list or a dict result: projections to lists and
    to dicts with a chosen key order, scalars, filters (some empty), and
    literals."""
    if shape == "dict":
        choices = [
            lambda: hash_expr(rng),
            lambda: value_expr(rng),
            lambda: "[" + ", ".join(value_expr(rng) for _ in range(rng.randint(1, 4))) + "]",
            lambda: "keys(@)",
            lambda: "sku",
            lambda: "creationData",
            lambda: "@",
            lambda: "not_null(nothing, name)",
            lambda: "type(@)",
            lambda: "length(keys(@))",
            lambda: "contains(keys(@), 'name')",
        ]
    else:
        size = rng.choice(SIZES)
        choices = [
            lambda: "[]." + hash_expr(rng),
            lambda: "[]." + value_expr(rng),
            lambda: "[0]",
            lambda: "[0]." + value_expr(rng),
            lambda: "[-1]." + hash_expr(rng),
            lambda: "length(@)",
            lambda: "[?diskSizeGB > `%d`].%s" % (size, hash_expr(rng)),
            lambda: "[?diskSizeGB <= `%d`].name" % size,
            lambda: "[?name == 'no-such-thing']",
            lambda: "[?name == 'no-such-thing'].name | [0]",
            lambda: "[?incremental].{n: name, i: incremental}",
            lambda: "[].[name, diskSizeGB, zones]",
            lambda: "sort_by(@, &name)[].name",
            lambda: "sum([].diskSizeGB || `[]`)",
            lambda: "max_by(@, &diskSizeGB).{n: name, s: diskSizeGB}",
            lambda: "avg([].diskSizeGB)",
            lambda: "[].sku.name | sort(@)",
            lambda: "contains([].name, 'nope')",
            lambda: "[].{a: name, b: " + rng.choice(LITERALS) + "}",
            lambda: "@",
            lambda: rng.choice(LITERALS),
        ]
    return rng.choice(choices)()


def generate(seed, labs=4):
    rng = random.Random(seed)
    return [Lab(rng, i) for i in range(labs)]


def describe(lab):
    return json.dumps({"setup": lab.setup, "blocks": lab.blocks}, ensure_ascii=False)
