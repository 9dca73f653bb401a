#!/usr/bin/env bash
# Regenerates console/data/az-args.json from the real azure-cli: installs the
# pinned version from PyPI into a throwaway virtualenv (under target/, never
# the system Python) and runs scripts/az-args/generate.py in it, offline.
# To follow a newer az: change AZURE_CLI_VERSION, run this, review the diff,
# and update docs/fidelity.md.
set -euo pipefail
AZURE_CLI_VERSION=2.91.0
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${AZ_ARGS_VENV:-$root/target/az-args-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('azure-cli') != '$AZURE_CLI_VERSION')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "azure-cli==$AZURE_CLI_VERSION"
fi
AZURE_CORE_COLLECT_TELEMETRY=no "$venv/bin/python" "$root/scripts/az-args/generate.py"
