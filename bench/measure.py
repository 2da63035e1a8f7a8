#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""measure.py OUT [--cgroup DIR] -- CMD...: run CMD, its stdout to OUT, and
print "seconds peak_rss_kib peak_anon_kib" on one line.

seconds        wall time of CMD
peak_rss_kib   ru_maxrss of the child: what /usr/bin/time -v reports; it
               counts the file pages CMD touched (an LMDB map's), which are
               page cache, shared and reclaimable
peak_anon_kib  the highest RssAnon seen polling /proc/PID/status every
               50 ms: what the process itself costs (its heap)

--cgroup DIR   a cgroup v1 memory directory: CMD starts inside it (its pid
               is written to DIR/cgroup.procs before it runs anything)

Exits with CMD's status when it fails.  Shared by run.sh and memlimit.sh.
"""
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    out = args.pop(0)
    cgroup = None
    if args[0] == "--cgroup":
        cgroup = args[1]
        args = args[2:]
    if args[0] == "--":
        args = args[1:]
    if cgroup:
        # The shell joins the cgroup, then becomes CMD: nothing of CMD runs
        # outside the limit.
        args = ["sh", "-c", 'echo $$ >"$0/cgroup.procs" && exec "$@"',
                cgroup] + args
    t = time.monotonic()
    p = subprocess.Popen(args, stdout=open(out, "w"))
    anon = 0
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        anon = max(anon, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    t = time.monotonic() - t
    if p.returncode:
        sys.stderr.write("measure.py: %s failed (%d), see %s\n"
                         % (args[0], p.returncode, out))
        sys.exit(p.returncode if p.returncode > 0 else 1)
    print("%.2f %d %d" % (t, resource.getrusage(
        resource.RUSAGE_CHILDREN).ru_maxrss, anon))


main()
