#!/usr/bin/env python3
"""Times a Terraform provider plugin from exec to its go-plugin handshake line.

Usage: bench_handshake.py RUNS PROTOCOL CLIENT_CERT_PEM_FILE SOCKET_DIR BINARY

Starts BINARY as Terraform would, with AutoMTLS (PLUGIN_CLIENT_CERT holds the PEM), RUNS times
after 3 untimed warm-up starts, and prints one line: `median_ms min_ms max_ms runs`. Each run is
timed from just before posix_spawn to the moment the handshake line has been read from the
plugin's stdout; the plugin is then stopped with SIGTERM and reaped before the next run.
posix_spawn keeps the launcher's own cost to a minimum and equal for every binary. A handshake
line that does not announce a TLS certificate is an error: the figure must be AutoMTLS's.
"""

import os
import signal
import statistics
import sys
import time

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
WARM_UP = 3


def one_run(binary, env):
    """Milliseconds from spawn to the handshake line."""
    read_end, write_end = os.pipe()
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    started = time.perf_counter_ns()
    pid = os.posix_spawn(binary, [binary], env, file_actions=actions)
    os.close(write_end)
    output = b""
    while b"\n" not in output:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        output += chunk
    elapsed_ms = (time.perf_counter_ns() - started) / 1e6
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(read_end)
    os.close(devnull)
    line = output.split(b"\n", 1)[0].decode(errors="replace")
    fields = line.split("|")
    if len(fields) != 6 or not fields[5]:
        sys.exit(f"{binary}: not an AutoMTLS handshake line: {line!r}")
    return elapsed_ms


def main(argv):
    runs, protocol, cert_file, socket_dir, binary = argv
    with open(cert_file, encoding="ascii") as pem:
        certificate = pem.read()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": protocol,
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
        "PLUGIN_CLIENT_CERT": certificate,
        "PLUGIN_UNIX_SOCKET_DIR": socket_dir,
    }
    for _ in range(WARM_UP):
        one_run(binary, env)
    times = [one_run(binary, env) for _ in range(int(runs))]
    print(f"{statistics.median(times):.2f} {min(times):.2f} {max(times):.2f} {len(times)}")


if __name__ == "__main__":
    main(sys.argv[1:])
