#!/usr/bin/env python3
"""Prints what the demo found, from `terraform output -json` of examples/demo.

Used by scripts/demo.sh; standard library only. Reads the JSON from the file named
as the only argument (or standard input) and prints a table of the backups, newest
first, the most recent completed backup, and the instances of the region with the latest
point in time each can be restored to.

Every time is shown in UTC: the API answers each backup's times with the offset of the region
that made it (+0800, +0100, ...), and a "newest first" column that mixes offsets looks out of
order even when it is not.
"""

import json
import sys
from datetime import datetime, timezone

# More rows than this are summarised: the demo instance has about 120 backups.
MAX_ROWS = 15


def started(backup):
    """The backup's start as an instant (API times are like 2026-11-27T10:15:00+0800)."""
    try:
        return datetime.strptime(backup["begin_time"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, TypeError, ValueError):
        return None


def in_utc(text):
    """An API time (2026-11-27T10:15:00+0800) as UTC (2026-11-27 02:15:00); "-" when absent,
    the text itself when it is no such time."""
    if text is None:
        return "-"
    try:
        instant = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        return str(text)
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def newest_first(backups):
    dated = [b for b in backups if started(b) is not None]
    undated = [b for b in backups if started(b) is None]
    return sorted(dated, key=started, reverse=True) + undated


def human_size(kilobytes):
    if not isinstance(kilobytes, (int, float)):
        return "-"
    size = float(kilobytes)
    for unit in ("KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "KB" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def table(rows, headers):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def value(outputs, name):
    entry = outputs.get(name)
    return entry.get("value") if isinstance(entry, dict) else None


def report(outputs):
    backups = value(outputs, "backups") or []
    total = value(outputs, "total_count")
    chosen = value(outputs, "most_recent_completed")

    print(f"Cross-region backups found: {len(backups)} (the API reports {total})")
    print()
    shown = newest_first(backups)[:MAX_ROWS]
    rows = [
        (
            b.get("name", "-"),
            b.get("status", "-"),
            b.get("engine", "-"),
            human_size(b.get("size_kb")),
            in_utc(b.get("begin_time")),
        )
        for b in shown
    ]
    print(table(rows, ("NAME", "STATUS", "ENGINE", "SIZE", "BEGIN TIME (UTC)")))
    if len(backups) > len(shown):
        print(f"... and {len(backups) - len(shown)} older backups")
    print()
    if chosen:
        print("Most recent completed backup (most_recent = true, status = \"COMPLETED\"):")
        print(f"  id          {chosen.get('id')}")
        print(f"  name        {chosen.get('name')}")
        print(f"  engine      {chosen.get('engine')}")
        print(f"  size        {human_size(chosen.get('size_kb'))}")
        print(f"  began       {in_utc(chosen.get('begin_time'))} UTC")
        print(f"  ended       {in_utc(chosen.get('end_time'))} UTC")
    else:
        print("No completed backup: there is nothing to restore from.")

    instances = value(outputs, "instances")
    if instances is not None:
        print()
        print(f"Instances with cross-region backups in this region: {len(instances)}")
        print()
        rows = [
            (
                i.get("name") or "-",
                i.get("id") or "-",
                i.get("engine") or "-",
                i.get("keep_days") if i.get("keep_days") is not None else "-",
                i.get("latest_restorable_time") or "none",
            )
            for i in instances
        ]
        print(table(rows, ("NAME", "ID", "ENGINE", "KEEP DAYS", "RESTORABLE UP TO (UTC)")))


def main(argv):
    try:
        if len(argv) > 1:
            with open(argv[1], encoding="utf-8") as source:
                outputs = json.load(source)
        else:
            outputs = json.load(sys.stdin)
    except (OSError, ValueError) as err:
        sys.stderr.write(f"demo_report: cannot read Terraform's outputs: {err}\n")
        return 1
    if not isinstance(outputs, dict):
        sys.stderr.write("demo_report: Terraform's outputs are not a JSON object\n")
        return 1
    report(outputs)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing left to say.
        sys.stderr.close()
        sys.exit(1)
