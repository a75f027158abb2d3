#!/usr/bin/env bash
# Builds a release of the provider into dist/ in the Terraform Registry's layout, for the
# version in Cargo.toml (V):
#   terraform-provider-rds_V_OS_ARCH.zip        one per target, holding terraform-provider-rds_vV
#   terraform-provider-rds_V_manifest.json      the registry manifest (terraform-registry-manifest.json)
#   terraform-provider-rds_V_SHA256SUMS         SHA-256 of the zips and the manifest
#   terraform-provider-rds_V_SHA256SUMS.sig     binary detached signature, when GPG_FINGERPRINT is set
#   mirror/registry.terraform.io/tfrds/rds/...  a packed filesystem mirror of the zips,
#   mirror/registry.opentofu.org/tfrds/rds/...  for Terraform and for OpenTofu
#   network-mirror/...                          the same zips with the JSON of the provider
#                                               network mirror protocol, to serve over HTTPS
#
# linux_amd64 is always built, with cargo-zigbuild against glibc 2.17 (the manylinux2014
# floor: RHEL/CentOS 7, Amazon Linux 2, Ubuntu 14.04 and later); linux_arm64, darwin_amd64,
# darwin_arm64 and windows_amd64 are built when their Rust standard library is installed
# (`rustup target add ...`), and the script says which it skipped and why. cargo-zigbuild and
# zig (the PyPI packages cargo-zigbuild and ziglang, pinned in tests/python/requirements.txt)
# come from the project's git-ignored .venv, installed on first use; zig is also the C compiler
# of *ring*'s C and assembly parts.
#
# Environment:
#   GPG_FINGERPRINT   sign SHA256SUMS with this key, from the keyring GNUPGHOME points at
#                     (as in HashiCorp's release workflow); unset: no signature
#   DIST_DIR          where to write (default: dist/ in the repository, git-ignored)
#   RELEASE_PROFILE   cargo profile (default: release). tests/release.rs uses release-test,
#                     the same target without optimisation, to keep CI short.
#
# Re-running gives byte-identical zips for the same binaries (fixed entry times and order).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
readonly ROOT
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

readonly PROVIDER="terraform-provider-rds"
readonly PROFILE="${RELEASE_PROFILE:-release}"
DIST="${DIST_DIR:-$ROOT/dist}"
case "$DIST" in /*) ;; *) DIST="$ROOT/$DIST" ;; esac
readonly DIST
# cargo puts the dev profile in target/.../debug, every other profile under its own name.
if [ "$PROFILE" = dev ]; then PROFILE_DIR=debug; else PROFILE_DIR="$PROFILE"; fi
readonly PROFILE_DIR

# Registry platform, Rust target, and the target cargo-zigbuild is given (a .2.17 suffix pins
# the glibc version the binary may need).
readonly TARGETS=(
    "linux_amd64 x86_64-unknown-linux-gnu x86_64-unknown-linux-gnu.2.17"
    "linux_arm64 aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu.2.17"
    "darwin_amd64 x86_64-apple-darwin x86_64-apple-darwin"
    "darwin_arm64 aarch64-apple-darwin aarch64-apple-darwin"
    "windows_amd64 x86_64-pc-windows-gnu x86_64-pc-windows-gnu"
)
# The platform every release has; the others are optional.
readonly REQUIRED_PLATFORM="linux_amd64"

# --- Tools -------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 ||
    fail "cargo not found. Install Rust from https://rustup.rs and run this script again."
require_python

zig_tools_work() {
    [ -x "$VENV/bin/cargo-zigbuild" ] && "$VENV/bin/python" -m ziglang version >/dev/null 2>&1
}
if ! zig_tools_work; then
    step "Installing cargo-zigbuild and zig into .venv (tests/python/requirements.txt)"
    install_pinned_terraform
    zig_tools_work || fail "cargo-zigbuild or zig is missing from $VENV after installing tests/python/requirements.txt."
fi
# cargo-zigbuild runs `python3 -m ziglang` when no `zig` is on PATH: the venv's python3 first.
export PATH="$VENV/bin:$PATH"
step "Using cargo-zigbuild $("$VENV/bin/cargo-zigbuild" --version | awk '{print $2}') and zig $("$VENV/bin/python" -m ziglang version)"

# The version to release and where cargo builds (CARGO_TARGET_DIR may move target/).
METADATA="$(cargo metadata --no-deps --format-version 1 --locked |
    "$VENV/bin/python" -c 'import json, sys
metadata = json.load(sys.stdin)
version = next(p["version"] for p in metadata["packages"] if p["name"] == "terraform-provider-rds")
print(version, metadata["target_directory"])')" ||
    fail "could not read the version of terraform-provider-rds from Cargo.toml (cargo metadata)."
read -r VERSION TARGET_DIR <<<"$METADATA"
readonly VERSION TARGET_DIR
step "Releasing $PROVIDER $VERSION (profile $PROFILE) into $DIST"

if [ -n "${GPG_FINGERPRINT:-}" ]; then
    command -v gpg >/dev/null 2>&1 || fail "GPG_FINGERPRINT is set but gpg is not installed."
    gpg --batch --list-secret-keys "$GPG_FINGERPRINT" >/dev/null 2>&1 ||
        fail "GPG_FINGERPRINT=$GPG_FINGERPRINT names no secret key in the keyring of GNUPGHOME=${GNUPGHOME:-~/.gnupg}."
fi

# --- Build -------------------------------------------------------------------------
SYSROOT="$(rustc --print sysroot)"
readonly SYSROOT
pack_args=()
skipped=()
for entry in "${TARGETS[@]}"; do
    read -r platform rust_target zig_target <<<"$entry"
    if [ ! -d "$SYSROOT/lib/rustlib/$rust_target/lib" ]; then
        reason="the Rust standard library for $rust_target is not installed (rustup target add $rust_target)"
        [ "$platform" != "$REQUIRED_PLATFORM" ] || fail "cannot build $platform: $reason."
        skipped+=("$platform: $reason")
        continue
    fi
    step "Building $platform ($zig_target)"
    cargo zigbuild --locked --profile "$PROFILE" --target "$zig_target" \
        -p terraform-provider-rds --bin "$PROVIDER" ||
        fail "the build for $platform failed (see cargo's message above)."
    suffix=""
    case "$platform" in windows_*) suffix=".exe" ;; esac
    binary="$TARGET_DIR/$rust_target/$PROFILE_DIR/$PROVIDER$suffix"
    [ -f "$binary" ] || fail "the build for $platform did not produce $binary."
    pack_args+=("$platform=$binary")
done

# --- Pack --------------------------------------------------------------------------
# Only what this script writes is removed: DIST_DIR may name a directory holding other files.
mkdir -p "$DIST"
rm -f "$DIST/${PROVIDER}_"*
rm -rf "$DIST/mirror" "$DIST/network-mirror"
step "Packing"
"$VENV/bin/python" "$ROOT/scripts/release_pack.py" "$DIST" "$VERSION" \
    "$ROOT/terraform-registry-manifest.json" "${pack_args[@]}"

readonly SUMS="$DIST/${PROVIDER}_${VERSION}_SHA256SUMS"
if [ -n "${GPG_FINGERPRINT:-}" ]; then
    step "Signing ${SUMS##*/} with $GPG_FINGERPRINT"
    gpg --batch --yes --local-user "$GPG_FINGERPRINT" --output "$SUMS.sig" --detach-sign "$SUMS" ||
        fail "gpg could not sign $SUMS (see its message above)."
else
    step "GPG_FINGERPRINT is not set: ${SUMS##*/} is not signed"
fi

for reason in "${skipped[@]}"; do
    step "Skipped $reason"
done
step "Release $VERSION written to $DIST"
