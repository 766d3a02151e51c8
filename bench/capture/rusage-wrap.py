#!/usr/bin/env python3
"""Runs a command and prints the user+sys CPU seconds of it and all its descendants.

The benchmark signals the command's own pid (written to the file given as the first argument),
never this wrapper, so the command sees SIGINT exactly as it would from a terminal.
"""
import json
import resource
import subprocess
import sys

pid_file, cmd = sys.argv[1], sys.argv[2:]
child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
with open(pid_file, "w") as f:
    f.write(str(child.pid))
code = child.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("RUSAGE " + json.dumps({"user": usage.ru_utime, "sys": usage.ru_stime, "exit": code}), file=sys.stderr, flush=True)
