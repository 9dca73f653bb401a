#!/usr/bin/env bash
# The knack differential (issue 21, item 5): the console's -o json|jsonc|
# table|tsv|yaml|none output against knack's own formatters and azure-cli's
# table transformers, byte for byte, over hundreds of generated cases
# (tests/knack/); and the real az against `snaplab serve` (tests/realaz/):
# every az script of the docs corpus run by /bin/bash with the real azure-cli
# in process, line for line against the console's run of it. knack, azure-cli and their formatting dependencies are
# pinned in tests/knack/requirements.txt and live in a project-local
# virtualenv, .venv-az/ (gitignored), made from PyPI when it cannot import
# them at those versions. Ends with pytest's counts on a line of its own:
#   knack-tests: N passed, M failed
# Exits non-zero if anything failed or if no test ran.
# SNAPLAB_KNACK_SEED=N reproduces a run (each run prints its seed). Unset, the
# seed is the checked-out commit's (its first 8 hex digits): a commit's run is
# the same wherever it runs, so CI never fails by chance, and every new commit
# still tries new labs. SNAPLAB_KNACK_SEED=random draws one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-az"
REQUIREMENTS="$ROOT/tests/knack/requirements.txt"
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The venv is (re)made when it cannot import these at their pinned versions;
# set-up (scripts/setup.sh) asks only whether it works, or to make it.
# shellcheck source=scripts/pyvenv.sh
source "$ROOT/scripts/pyvenv.sh"
pyvenv_setup "[knack-tests]" "$VENV" "$REQUIREMENTS" "azure.cli.core azure.cli.command_modules.vm knack.output jmespath yaml tabulate pytest" "${1:-}"

if [ -z "${SNAPLAB_KNACK_SEED:-}" ] && COMMIT="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null)"; then
    export SNAPLAB_KNACK_SEED=$((16#${COMMIT:0:8}))
elif [ "${SNAPLAB_KNACK_SEED:-}" = random ]; then
    unset SNAPLAB_KNACK_SEED
fi

native cargo build --quiet -p snaplab-console --bin snaplab
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
set +e
SNAPLAB_BIN="$ROOT/target/debug/snaplab" AZURE_CORE_COLLECT_TELEMETRY=no \
    "$VENV/bin/python" -m pytest -p no:cacheprovider -q -s -rx "$ROOT/tests/knack" "$ROOT/tests/realaz" 2>&1 | tee "$WORK/pytest.log"
PYTEST=${PIPESTATUS[0]}
set -e
PASSED=$(grep -Eo '[0-9]+ passed' "$WORK/pytest.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
FAILED=$({ grep -Eo '[0-9]+ (failed|errors?)' "$WORK/pytest.log" || true; } | awk '{s += $1} END {print s + 0}')
echo "knack-tests: ${PASSED:-0} passed, ${FAILED:-0} failed"
[ "$PYTEST" -eq 0 ] && [ "${PASSED:-0}" -gt 0 ]
