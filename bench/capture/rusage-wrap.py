#!/usr/bin/env python3
"""Runs a capture command and reports the CPU time of it and of every process it started.

    rusage-wrap.py PID_FILE COMMAND...

The benchmark signals the command's own pid (written to PID_FILE), never this wrapper, so the
command sees SIGINT exactly as it would from a terminal. The command's stdout goes to /dev/null;
its stderr is passed through, and its last line is followed by one line of JSON:

    RUSAGE {"user", "sys", "exit", "wall", "self", "reaped", "sampled", "listening"}

- user, sys: getrusage(RUSAGE_CHILDREN) once the command has been reaped: the command and every
  descendant it waited for (sievecap waits for its capture helper, so the helper is in here).
- self, reaped: read from /proc/PID/stat after the command exited but before it was reaped
  (waitid WNOWAIT): its own utime+stime, and cutime+cstime, the CPU of the children *it* reaped.
  user + sys == self + reaped says the whole tree is counted; reaped > 0 says the helper's is.
- sampled: per descendant pid, {comm, cpu} as last seen in /proc while it ran (every 50 ms): a
  check of `reaped` by another route, a little low (it misses the last moments of each process).
- listening: when "listening on" first appeared on stderr: seconds since the command was started
  and the CPU seconds the command and its descendants had used by then (from /proc).
"""
import json
import os
import resource
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """Fields of /proc/PID/stat after the command name: [0] is state, [11] utime, ... ."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    comm = text[text.index("(") + 1 : text.rindex(")")]
    return comm, text[text.rindex(")") + 2 :].split()


def cpu_of(pid):
    try:
        comm, f = stat_fields(pid)
    except OSError:
        return None
    return comm, (int(f[11]) + int(f[12])) / TICK


def children_of(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def descendants(pid):
    found, queue = [], [pid]
    while queue:
        p = queue.pop()
        for c in children_of(p):
            found.append(c)
            queue.append(c)
    return found


def tree_cpu(pid):
    total = 0.0
    for p in [pid] + descendants(pid):
        seen = cpu_of(p)
        if seen:
            total += seen[1]
    return total


pid_file, cmd = sys.argv[1], sys.argv[2:]
# Whatever this interpreter's own start reaped (a pyenv shim forks helpers) is not the command's.
before = resource.getrusage(resource.RUSAGE_CHILDREN)
started = time.monotonic()
child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
with open(pid_file, "w") as f:
    f.write(str(child.pid))

listening = None
sampled = {}
done = threading.Event()


def pass_stderr():
    global listening
    seen = b""
    for chunk in iter(lambda: os.read(child.stderr.fileno(), 65536), b""):
        if listening is None:
            seen = (seen + chunk)[-4096:]
            if b"listening on" in seen:
                listening = {"seconds": time.monotonic() - started, "cpu": tree_cpu(child.pid)}
        sys.stderr.buffer.write(chunk)
        sys.stderr.buffer.flush()


def sample():
    while not done.wait(0.05):
        for p in descendants(child.pid):
            seen = cpu_of(p)
            if seen:
                sampled[str(p)] = {"comm": seen[0], "cpu": seen[1]}


reader = threading.Thread(target=pass_stderr, daemon=True)
reader.start()
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()

# Wait for the exit without reaping, read the zombie's own and reaped-children CPU, then reap.
os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
wall = time.monotonic() - started
done.set()
try:
    _, f = stat_fields(child.pid)
    own = (int(f[11]) + int(f[12])) / TICK
    reaped = (int(f[13]) + int(f[14])) / TICK
except OSError:
    own = reaped = None
code = child.wait()
reader.join(timeout=5)
sampler.join(timeout=1)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
report = {
    "user": usage.ru_utime - before.ru_utime,
    "sys": usage.ru_stime - before.ru_stime,
    "exit": code,
    "wall": wall,
    "self": own,
    "reaped": reaped,
    "sampled": sampled,
    "listening": listening,
}
print("RUSAGE " + json.dumps(report), file=sys.stderr, flush=True)
