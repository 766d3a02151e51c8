#!/usr/bin/env python3
"""Runs a command (stdout to /dev/null, stderr kept) and prints, as the last line of stderr, its wall
seconds, user and system CPU seconds and peak resident memory (KiB), from wait4's rusage.

   rusage.py CMD ARGS...    ->  RUSAGE {"wall": ..., "user": ..., "sys": ..., "maxrssKiB": ..., "exit": ...}

The command's own stdout goes to the file named by $RUSAGE_STDOUT when set (the engine's child
prints its JSON there), else to /dev/null.
"""
import json
import os
import subprocess
import sys
import time

out_path = os.environ.get("RUSAGE_STDOUT")
out = open(out_path, "w") if out_path else subprocess.DEVNULL
start = time.monotonic()
child = subprocess.Popen(sys.argv[1:], stdout=out)
_, status, usage = os.wait4(child.pid, 0)
wall = time.monotonic() - start
code = os.waitstatus_to_exitcode(status)
print("RUSAGE " + json.dumps({"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "maxrssKiB": usage.ru_maxrss, "exit": code}), file=sys.stderr, flush=True)
