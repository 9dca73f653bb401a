"""Generated az scripts for the real-az differential (issue 21 item 1,
issue 22 items 8 and 12): random command lines over the disk and snapshot
commands the console implements (and resource groups), each option az has for them drawn in or
left out, names that exist and names that do not, valid and invalid
values. Both real az (against `snaplab serve`) and the console run the same
script on the same fresh lab; their transcripts and the requests each
command sends must agree. What az's validators and custom code do on the
client (defaults it fills in, CopyStart it guesses, values it refuses) is
thereby checked for every option, not only where a docs page looked.

Plain data from one seed: `script(seed)` is a bash script of az lines.
"""

import random

LOCATIONS = ["eastus", "westus", "westeurope"]
DISK_SKUS = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS",
             "PremiumV2_LRS", "UltraSSD_LRS", "premium_lrs"]
SNAPSHOT_SKUS = ["Standard_LRS", "Standard_ZRS", "Premium_LRS"]
FORMATS = [["-o", "none"], ["-o", "json"], ["-o", "tsv"], ["-o", "table"], []]
QUERIES = [
    "{name:name, sku:sku.name, size:diskSizeGB}",
    "[name, provisioningState]",
    "creationData.createOption",
    "[].name",
]


class Script:
    def __init__(self, rng):
        self.rng = rng
        self.disks = []
        self.snapshots = []
        self.lines = []

    def pick(self, pool, missing="nope"):
        """An existing name mostly; sometimes one that is not there."""
        if pool and self.rng.random() < 0.85:
            return self.rng.choice(pool)
        return missing

    def maybe(self, p=0.5):
        return self.rng.random() < p

    def out(self, query_ok=True):
        words = list(self.rng.choice(FORMATS))
        if query_ok and self.maybe(0.3) and words != ["-o", "none"]:
            words = ["--query", self.rng.choice(QUERIES[:3])] + words
        return words

    def disk_create(self):
        r = self.rng
        name = f"d{len(self.disks) + 1}"
        words = ["az", "disk", "create", "-g", "rg-gen", "-n", name]
        source = self.maybe(0.3) and (self.disks or self.snapshots)
        if source:
            pool = self.snapshots if self.snapshots and self.maybe() else self.disks or self.snapshots
            src = r.choice(pool)
            words += ["--source", src if self.maybe() else f"{self.group_id}/providers/Microsoft.Compute/"
                      f"{'snapshots' if src in self.snapshots else 'disks'}/{src}"]
            if self.maybe(0.3):
                words += ["--size-gb", str(r.choice([4, 64, 256]))]
        elif self.maybe(0.1):
            words += ["--upload-type", "Upload", "--upload-size-bytes", str(r.choice([20971520 + 512, 1073741824 + 512, 100]))]
        elif self.maybe(0.95):
            words += ["--size-gb", str(r.choice([1, 4, 32, 64, 128, 512, 40000]))]
        if self.maybe(0.7):
            words += ["--sku", r.choice(DISK_SKUS)]
        if self.maybe(0.3):
            words += ["-l", r.choice(LOCATIONS)]
        if self.maybe(0.15):
            words += ["--zone", r.choice(["1", "2"])]
        if self.maybe(0.1):
            words += ["--logical-sector-size", r.choice(["512", "4096"])]
        if self.maybe(0.1):
            words += ["--disk-iops-read-write", r.choice(["3000", "5000"]), "--disk-mbps-read-write", r.choice(["125", "200"])]
        if self.maybe(0.1):
            words += ["--tier", r.choice(["P10", "P30", "P4"])]
        self.lines.append(words + self.out())
        self.disks.append(name)

    def snapshot_create(self):
        r = self.rng
        name = f"s{len(self.snapshots) + 1}"
        words = ["az", "snapshot", "create", "-g", "rg-gen", "-n", name]
        src = self.pick(self.disks + self.snapshots)
        if src != "nope" and self.maybe(0.3):
            kind = "snapshots" if src in self.snapshots else "disks"
            src = f"{self.group_id}/providers/Microsoft.Compute/{kind}/{src}"
        words += ["--source", src]
        if self.maybe(0.7):
            words += ["--incremental"] + ([r.choice(["true", "false"])] if self.maybe() else [])
        if self.maybe(0.4):
            words += ["--sku", r.choice(SNAPSHOT_SKUS)]
        if self.maybe(0.2):
            words += ["-l", r.choice(LOCATIONS)]
        if self.maybe(0.1):
            words += ["--copy-start"]
        self.lines.append(words + self.out())
        self.snapshots.append(name)

    def other(self):
        r = self.rng
        kind = r.choice(["disk", "snapshot"])
        pool = self.disks if kind == "disk" else self.snapshots
        target = ["-g", "rg-gen", "-n", self.pick(pool)]
        verb = r.choice(["show", "show", "list", "update", "grant-access", "revoke-access", "delete", "write", "clock",
                         "group"])
        if verb == "show":
            self.lines.append(["az", kind, "show"] + target + self.out())
        elif verb == "list":
            self.lines.append(["az", kind, "list", "-g", "rg-gen"] + self.out())
        elif verb == "update" and kind == "disk":
            words = ["az", "disk", "update"] + target
            if self.maybe(0.6):
                words += ["--size-gb", str(r.choice([2, 64, 256, 1024]))]
            if self.maybe(0.3):
                words += ["--sku", r.choice(DISK_SKUS[:5])]
            if self.maybe(0.15):
                words += ["--disk-iops-read-write", "4000"]
            self.lines.append(words + self.out())
        elif verb == "update":
            self.lines.append(["az", "snapshot", "update"] + target + ["--sku", r.choice(SNAPSHOT_SKUS)] + self.out())
        elif verb == "grant-access":
            words = ["az", kind, "grant-access"] + target + ["--duration-in-seconds", r.choice(["600", "3600"])]
            if self.maybe(0.3):
                words += ["--access-level", r.choice(["Read", "Write"])]
            self.lines.append(words + ["--query", "accessSAS", "-o", "tsv"])
        elif verb == "revoke-access":
            self.lines.append(["az", kind, "revoke-access"] + target)
        elif verb == "delete":
            words = ["az", kind, "delete"] + target + (["--yes"] if kind == "disk" else [])
            self.lines.append(words)
            if target[3] in pool and self.maybe(0.5):
                pool.remove(target[3])
        elif verb == "write" and self.disks:
            self.lines.append(["sim", "write", "-g", "rg-gen", "--disk", r.choice(self.disks),
                               "--offset", str(r.choice([0, 4, 64])) + "M", "--length", "1M"])
        elif verb == "group":
            # Resource groups: another group made, shown, listed, or one
            # that is not there shown or deleted (az's own 404 and exit 3).
            self.lines.append(r.choice([
                ["az", "group", "create", "-n", "rg-other", "-l", r.choice(LOCATIONS)] + self.out(),
                ["az", "group", "show", "-n", r.choice(["rg-gen", "rg-other", "rg-nope"])] + self.out(),
                ["az", "group", "list", "--query", "[].name", "-o", "tsv"],
                ["az", "group", "delete", "-n", "rg-nope", "--yes"],
            ]))
        else:
            self.lines.append(["sim", "clock", "advance", r.choice(["5m", "1h"])])

    group_id = "/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourceGroups/rg-gen"


def quote(word):
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=")
    return word if word and set(word) <= plain else "'" + word.replace("'", "'\\''") + "'"


def script(seed, commands=40):
    """One generated script (bash), from `seed`."""
    rng = random.Random(seed)
    s = Script(rng)
    s.lines.append(["az", "group", "create", "-n", "rg-gen", "-l", "eastus", "-o", "none"])
    for _ in range(commands):
        roll = rng.random()
        if roll < 0.3 or not s.disks:
            s.disk_create()
        elif roll < 0.55:
            s.snapshot_create()
        else:
            s.other()
    return "".join(" ".join(quote(w) for w in words) + "\n" for words in s.lines)
