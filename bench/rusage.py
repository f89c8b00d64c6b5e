"""``python -m bench.rusage OUT COMMAND...``: run COMMAND, write its wall, CPU and peak RSS to OUT.

A small process measures the command so that its peak RSS is the command's own:
measured from the (large) benchmark process, ``ru_maxrss`` would include the pages the
forked child shares with its parent before it execs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(arguments: list[str]) -> int:
    """Run the command and write ``{"wall", "cpu", "max_rss_kib", "returncode"}``; exit 0."""
    out, command = arguments[0], arguments[1:]
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    measured = {
        "wall": time.perf_counter() - began,
        "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": usage.ru_maxrss,
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(out, "w", encoding="utf-8") as file:
        json.dump(measured, file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
