#!/usr/bin/env python3
"""Stand-in for terraform-provider-rds that records the provider's peak memory.

scripts/bench-read.sh copies this file into a dev_overrides directory as
`terraform-provider-rds`, next to the real binary linked as
`terraform-provider-rds.real`. Terraform starts it like the real provider; it
runs the real binary as a child with the same arguments, environment, stdin,
stdout and stderr (the plugin handshake line and the gRPC traffic pass through
untouched), waits for it, then writes the child's peak resident set size
(`getrusage(RUSAGE_CHILDREN).ru_maxrss`, KiB on Linux) to `rss/<pid>` beside
this file, and exits with the child's exit code.

SIGINT is ignored, as the real provider ignores it (Terraform stops providers
over gRPC); SIGTERM is passed on to the child.
"""

import os
import resource
import signal
import subprocess
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    real = os.path.join(here, os.path.basename(__file__) + ".real")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = subprocess.Popen([real] + sys.argv[1:])
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    code = child.wait()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss_dir = os.path.join(here, "rss")
    os.makedirs(rss_dir, exist_ok=True)
    with open(os.path.join(rss_dir, str(child.pid)), "w") as out:
        out.write(f"{peak_kib}\n")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
