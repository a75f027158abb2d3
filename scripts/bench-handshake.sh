#!/usr/bin/env bash
# Benchmark of a plugin start: exec to handshake line with AutoMTLS, as Terraform starts a
# provider (three times per `terraform plan`). Figures for notes, not a test: nothing here
# passes or fails on a number.
#
# It builds the release provider, makes a client certificate like Terraform's (ECDSA P-521,
# self-signed, with openssl), and reports the median, fastest and slowest of RUNS starts
# (scripts/bench_handshake.py does the timing). When BENCH_GO_PROVIDER names a Go provider
# binary (protocol 5, e.g. HashiCorp's null provider), it is measured the same way, for scale.
#
# Usage: scripts/bench-handshake.sh [RUNS]    (default 50, after 3 warm-up starts)
#        also reached as `scripts/bench-read.sh handshake [RUNS]`
# Environment: BENCH_GO_PROVIDER  path of a Go provider binary to compare with (optional)
#              BENCH_PROVIDER     a terraform-provider-rds binary to measure instead of this
#                                 tree's release build (e.g. one built from another commit)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly ROOT="$PWD"
readonly RUNS="${1:-50}"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed (timing)"
command -v openssl >/dev/null || fail "openssl is needed (the client certificate)"
if [ -n "${BENCH_GO_PROVIDER:-}" ]; then
    [ -x "$BENCH_GO_PROVIDER" ] || fail "BENCH_GO_PROVIDER=$BENCH_GO_PROVIDER is not executable"
fi

echo "==> cargo build --release (provider)"
cargo build --release -p terraform-provider-rds --bin terraform-provider-rds

work="$(mktemp -d "${TMPDIR:-/tmp}/bench-handshake.XXXXXX")"
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -sha512 -nodes \
    -keyout "$work/client.key" -out "$work/client.pem" -days 1 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:TRUE" \
    2>/dev/null || fail "openssl could not make the P-521 client certificate"
mkdir -p "$work/sockets"

echo "==> exec to handshake line, AutoMTLS, $RUNS starts after 3 warm-ups"
printf '%-48s %9s %9s %9s %5s\n' "provider" "median ms" "min ms" "max ms" "runs"
measure() {
    local name="$1" protocol="$2" binary="$3"
    read -r median fastest slowest runs <<<"$(python3 "$ROOT/scripts/bench_handshake.py" \
        "$RUNS" "$protocol" "$work/client.pem" "$work/sockets" "$binary")"
    printf '%-48s %9s %9s %9s %5s\n' "$name" "$median" "$fastest" "$slowest" "$runs"
}
provider_binary="${BENCH_PROVIDER:-$ROOT/target/release/terraform-provider-rds}"
[ -x "$provider_binary" ] || fail "no provider binary at '$provider_binary'"
measure "terraform-provider-rds (protocol 6)" 6 "$provider_binary"
if [ -n "${BENCH_GO_PROVIDER:-}" ]; then
    measure "$(basename "$BENCH_GO_PROVIDER") (protocol 5)" 5 "$BENCH_GO_PROVIDER"
fi
