#!/usr/bin/env bash
# The knack differential (issue 21, item 5): the console's -o json|jsonc|
# table|tsv|yaml|none output against knack's own formatters and azure-cli's
# table transformers, byte for byte, over hundreds of generated cases
# (tests/knack/). knack, azure-cli and their formatting dependencies are
# pinned in tests/knack/requirements.txt and live in a project-local
# virtualenv, .venv-az/ (gitignored), made from PyPI when it cannot import
# them at those versions. Ends with pytest's counts on a line of its own:
#   knack-tests: N passed, M failed
# Exits non-zero if anything failed or if no test ran.
# SNAPLAB_KNACK_SEED=N reproduces a run (each run prints its seed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-az"
REQUIREMENTS="$ROOT/tests/knack/requirements.txt"
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The venv is (re)made when it cannot import the oracle at its pinned versions.
venv_ok() {
    [ -x "$VENV/bin/python" ] || return 1
    "$VENV/bin/python" - "$REQUIREMENTS" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
import azure.cli.core, azure.cli.command_modules.vm, knack.output, jmespath, yaml, tabulate, pytest
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, pinned = line.split("==")
        assert version(name) == pinned, (name, version(name), pinned)
PY
}
# Set-up (scripts/setup.sh) asks only whether the venv works, or to make it.
case "${1:-}" in
    --check-venv) venv_ok; exit $? ;;
    --make-venv) ;;
    "") ;;
    *) echo "usage: $0 [--check-venv|--make-venv]" >&2; exit 2 ;;
esac
if ! venv_ok; then
    echo "[knack-tests] creating $VENV from PyPI ($REQUIREMENTS)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    venv_ok || { echo "[knack-tests] the venv still cannot import the pinned azure-cli and knack" >&2; exit 1; }
fi

[ "${1:-}" = --make-venv ] && exit 0

native cargo build --quiet -p snaplab-console --bin snaplab
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
set +e
SNAPLAB_BIN="$ROOT/target/debug/snaplab" AZURE_CORE_COLLECT_TELEMETRY=no \
    "$VENV/bin/python" -m pytest -p no:cacheprovider -q -s -rx "$ROOT/tests/knack" 2>&1 | tee "$WORK/pytest.log"
PYTEST=${PIPESTATUS[0]}
set -e
PASSED=$(grep -Eo '[0-9]+ passed' "$WORK/pytest.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
FAILED=$({ grep -Eo '[0-9]+ (failed|errors?)' "$WORK/pytest.log" || true; } | awk '{s += $1} END {print s + 0}')
echo "knack-tests: ${PASSED:-0} passed, ${FAILED:-0} failed"
[ "$PYTEST" -eq 0 ] && [ "${PASSED:-0}" -gt 0 ]
