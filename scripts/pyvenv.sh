# Sourced by sdk-tests.sh and knack-tests.sh: a project-local virtualenv
# made from PyPI out of a pinned requirements file, and remade whenever it
# cannot import what the tests need at the pinned versions.
#   pyvenv_setup TAG VENV REQUIREMENTS "module module…" [--check-venv|--make-venv|""]
# --check-venv exits with whether the venv works (scripts/setup.sh asks
# that); otherwise the venv is made if needed, and --make-venv then exits.

pyvenv_ok() {
    [ -x "$1/bin/python" ] || return 1
    "$1/bin/python" - "$2" "$3" <<'PY' >/dev/null 2>&1
import importlib, sys
from importlib.metadata import version
for module in sys.argv[2].split():
    importlib.import_module(module)
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, pinned = line.split("==")
        assert version(name) == pinned, (name, version(name), pinned)
PY
}

pyvenv_setup() {
    local tag="$1" venv="$2" requirements="$3" modules="$4" mode="${5:-}"
    case "$mode" in
        --check-venv) pyvenv_ok "$venv" "$requirements" "$modules"; exit $? ;;
        --make-venv|"") ;;
        *) echo "usage: $0 [--check-venv|--make-venv]" >&2; exit 2 ;;
    esac
    if ! pyvenv_ok "$venv" "$requirements" "$modules"; then
        echo "$tag creating $venv from PyPI ($requirements)"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
        pyvenv_ok "$venv" "$requirements" "$modules" \
            || { echo "$tag the venv still cannot import $modules at the pinned versions" >&2; exit 1; }
    fi
    [ "$mode" = --make-venv ] && exit 0
    return 0
}
