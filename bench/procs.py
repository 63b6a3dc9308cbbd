"""Resident memory of process trees, read from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may contain spaces; the fields after it are fixed.
    return raw[raw.rindex(")") + 2 :].split()


def process_groups_rss_bytes(pgids: list[int]) -> int:
    """Sum of the resident memory of every process in these process groups."""
    wanted = set(pgids)
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or int(fields[2]) not in wanted:  # field 5 of stat: pgrp
            continue
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total
