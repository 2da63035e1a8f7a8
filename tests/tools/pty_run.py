#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""pty_run.py - run a command with its stderr on a pseudo-terminal.

    pty_run.py [--pace] [--feed FILE --lines N --delay S] TERMFILE OUTFILE
        CMD...

The command's stderr, and only its stderr, is the slave side of a new
pseudo-terminal, as when an operator runs it; its stdout goes to OUTFILE,
its stdin is this script's (but see --feed).  Every byte the command
writes to the terminal is saved in TERMFILE.  Prints the command's
wall-clock time in seconds and exits with its status.

  --feed FILE   the command's stdin is a pipe fed FILE's lines, N at a
                time with S seconds between (a slow producer, such as a
                download); the pipe is closed at the end of FILE
  --pace        the command is stopped (SIGSTOP) for 0.3 s after every
                0.05 s it runs, so that even a fast run lasts long enough
                for a display redrawn a few times a second to be redrawn
"""
import os
import pty
import signal
import subprocess
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    pace = feed = None
    lines, delay = 1, 0.0
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--pace":
            pace = True
        elif opt == "--feed":
            feed = args.pop(0)
        elif opt == "--lines":
            lines = int(args.pop(0))
        elif opt == "--delay":
            delay = float(args.pop(0))
        else:
            sys.exit("pty_run.py: unknown option %s" % opt)
    if len(args) < 3:
        sys.exit(__doc__)
    termfile, outfile, cmd = args[0], args[1], args[2:]

    master, slave = pty.openpty()
    out = open(outfile, "wb")
    start = time.monotonic()
    p = subprocess.Popen(cmd, stderr=slave, stdout=out,
                         stdin=subprocess.PIPE if feed else None)
    os.close(slave)
    out.close()
    got = []

    def read_terminal():
        # EIO once every copy of the slave side is closed: the command ended.
        while True:
            try:
                b = os.read(master, 4096)
            except OSError:
                return
            if not b:
                return
            got.append(b)

    def feed_stdin():
        with open(feed, "rb") as f:
            batch = []
            for line in f:
                batch.append(line)
                if len(batch) == lines:
                    p.stdin.write(b"".join(batch))
                    p.stdin.flush()
                    batch = []
                    time.sleep(delay)
            p.stdin.write(b"".join(batch))
        p.stdin.close()

    def pace_run():
        while p.poll() is None:
            time.sleep(0.05)
            try:
                p.send_signal(signal.SIGSTOP)
                time.sleep(0.3)
                p.send_signal(signal.SIGCONT)
            except ProcessLookupError:
                return

    threads = [threading.Thread(target=read_terminal)]
    if feed:
        threads.append(threading.Thread(target=feed_stdin))
    if pace:
        threads.append(threading.Thread(target=pace_run))
    for t in threads:
        t.start()
    status = p.wait()
    elapsed = time.monotonic() - start
    for t in threads:
        t.join()
    os.close(master)
    with open(termfile, "wb") as f:
        f.write(b"".join(got))
    print("%.3f" % elapsed)
    sys.exit(status if status >= 0 else 128 - status)


main()
