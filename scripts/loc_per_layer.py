#!/usr/bin/env python3
"""Lines of Rust per layer at a commit, for notes: non-blank, non-comment lines outside the
`#[cfg(test)]` module at the end of each file (code only, tests not counted).

Usage: python3 scripts/loc_per_layer.py [COMMIT]    (default HEAD)
"""

import subprocess
import sys

LAYERS = ["crates/tfplugin/src", "crates/hwcloud/src", "src", "crates/rds-simulator/src"]


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def code_lines(text):
    count = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#[cfg(test)]"):
            break
        if stripped and not stripped.startswith("//"):
            count += 1
    return count


def main(argv):
    commit = argv[0] if argv else "HEAD"
    totals = dict.fromkeys(LAYERS, 0)
    for path in git("ls-tree", "-r", "--name-only", commit).split():
        layer = next((l for l in LAYERS if path.startswith(l + "/")), None)
        if layer and path.endswith(".rs"):
            totals[layer] += code_lines(git("show", f"{commit}:{path}"))
    for layer, total in totals.items():
        print(f"{layer:28} {total}")


if __name__ == "__main__":
    main(sys.argv[1:])
