#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# progress.sh - zsquery-admin import and sync show their progress on a
# terminal (src/admin_progress.c), run with stderr on a pseudo-terminal
# (tests/tools/pty_run.py):
#  * import of a regular file: one line rewritten with \r (groups read,
#    groups/s, MiB read of the file's size, percent, an ETA), then the
#    groups applied, ended with a newline after the last state (all of
#    them applied); the summary stays alone on stdout;
#  * import from a slow pipe: the same without a size, percent or ETA;
#  * drawn at most 4 times a second: no more draws than the run's
#    duration allows (the runs are made long with a slow producer or by
#    stopping the program now and then, so that there is something to
#    draw whatever the machine's speed);
#  * nothing on stderr when it is not a terminal, nothing with --quiet;
#  * sync against tests/tools/fake_zstack.py serving slow pages: the same line
#    ("sync: ..."), and nothing with --quiet.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd python3 curl
t_need_bins
t_init progress
export TZ=UTC
PTY="python3 $TOOLS/pty_run.py"

admin -d "$T/db" init >/dev/null || t_hard "init"
admin -d "$T/db2" init >/dev/null || t_hard "init"
# Groups: sample.json's, again and again under new uuids, one a line.
python3 - "$top_srcdir/tests/data/sample.json" "$T/big.jsonl" 3000 \
    "$T/small.jsonl" 400 <<'EOF' || t_hard "test data"
import json, sys
d = json.load(open(sys.argv[1]))
groups = d["inventories"] if isinstance(d, dict) else d
for path, n in ((sys.argv[2], int(sys.argv[3])), (sys.argv[4], int(sys.argv[5]))):
    with open(path, "w") as f:
        for i in range(n):
            g = dict(groups[i % len(groups)])
            g["uuid"] = "%032x" % (0x9000000 + i)
            f.write(json.dumps(g) + "\n")
EOF

# draws TERMFILE ELAPSED MODE N [SIZE]: what the terminal got is a progress
# line drawn at most 4 times a second (ELAPSED: the run's seconds) and at
# least twice, ended by one newline after the last state (N of N groups
# applied).  MODE: file (the lines give SIZE, a percent and an ETA), pipe
# (no size known) or sync (the sync's prefix, no size).
draws() {
	python3 - "$@" <<'EOF' >"$T/why"
import re, sys
term, elapsed, mode, n = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
size = sys.argv[5] if len(sys.argv) > 5 else None
# The terminal's output processing (ONLCR) made the newline "\r\n".
data = open(term, "rb").read().decode().replace("\r\n", "\n")
what = "sync" if mode == "sync" else "import"
eta = r"(, ETA (\d+h\d\dm|\d+m\d\ds|\d+s))?"
read_re = re.compile(r"%s: (\d+) groups read(, \d+/s)?, ([\d.]+)" % what +
                     (r"/([\d.]+) MiB \((\d+)%\)" + eta if mode == "file"
                      else " MiB") + "$")
applied_re = re.compile(r"%s: (\d+) of (\d+) groups applied \((\d+)%%\)"
                        r"(, \d+/s)?%s$" % (what, eta))
bad = []
if not data.startswith("\r") or not data.endswith("\n") or \
        data.count("\n") != 1:
    bad.append("not one line rewritten with \\r and ended with \\n")
lines = [l.rstrip(" \n") for l in data.split("\r")[1:]]
if len(lines) < 2:
    bad.append("%d draws, want 2 or more" % len(lines))
# The first a quarter of a second in, then at most every quarter.
if len(lines) > elapsed * 4 + 1:
    bad.append("%d draws in %.2f s: more than 4 a second" % (len(lines), elapsed))
last, phase2, etas = -1, False, 0
for l in lines:
    m, a = read_re.match(l), applied_re.match(l)
    if m and not phase2:
        if int(m.group(1)) < last:
            bad.append("groups read went back: %r" % l)
        last = int(m.group(1))
        if mode == "file":
            if m.group(4) != size:
                bad.append("size %s, want %s MiB: %r" % (m.group(4), size, l))
            etas += m.group(6) is not None
    elif a and int(a.group(2)) == n:
        phase2 = True
    else:
        bad.append("unexpected line %r" % l)
if mode == "file" and etas == 0:
    bad.append("no ETA")
if not lines or not applied_re.match(lines[-1]) or \
        not lines[-1].startswith("%s: %d of %d groups applied (100%%)" % (what, n, n)):
    bad.append("the last state is not all %d groups applied" % n)
print("; ".join(bad) + " (got %r)" % data[:600] if bad else "")
sys.exit(1 if bad else 0)
EOF
}

# ---- import ----------------------------------------------------------------------
size=$(python3 -c 'import os, sys; print("%.1f" % (os.path.getsize(sys.argv[1]) / 1048576))' \
    "$T/big.jsonl")
el=$($PTY --pace "$T/term" "$T/out" "$ADMIN" -d "$T/db" import "$T/big.jsonl") ||
    not_ok "import on a terminal failed: $(cat "$T/term")"
draws "$T/term" "$el" file 3000 "$size" && ok ||
    not_ok "import of a file on a terminal: $(cat "$T/why")"
[ "$(cat "$T/out")" = "added 3000, updated 0, unchanged 0, deleted 0" ] &&
    ok || not_ok "import's stdout: $(cat "$T/out")"

el=$($PTY --feed "$T/small.jsonl" --lines 20 --delay 0.1 "$T/term" "$T/out" \
    "$ADMIN" -d "$T/db" import -) ||
    not_ok "import - on a terminal failed: $(cat "$T/term")"
draws "$T/term" "$el" pipe 400 && ok ||
    not_ok "import from a pipe on a terminal: $(cat "$T/why")"
[ "$(cat "$T/out")" = "added 0, updated 0, unchanged 400, deleted 0" ] &&
    ok || not_ok "import -'s stdout: $(cat "$T/out")"

# Standard input a regular file: its size is known too.  (A new store:
# into the first, every group is unchanged, and an import that only
# compares digests may end before its first draw.)
el=$($PTY --pace "$T/term" "$T/out" sh -c 'exec "$@" <"$0"' "$T/big.jsonl" \
    "$ADMIN" -d "$T/db2" import -) || not_ok "import - <file failed"
draws "$T/term" "$el" file 3000 "$size" && ok ||
    not_ok "import - <file on a terminal: $(cat "$T/why")"

# Not a terminal, or --quiet: nothing but the summary.
admin -d "$T/db" import "$T/big.jsonl" >"$T/out" 2>"$T/err" ||
    not_ok "import without a terminal"
[ ! -s "$T/err" ] && ok || not_ok "stderr not a terminal got: $(head -c 300 "$T/err" | od -c | head)"
grep -qx "added 0, updated 0, unchanged 3000, deleted 0" "$T/out" && ok ||
    not_ok "stdout: $(cat "$T/out")"
$PTY --pace "$T/term" "$T/out" "$ADMIN" -d "$T/db" import --quiet \
    "$T/big.jsonl" >/dev/null || not_ok "import --quiet failed"
[ ! -s "$T/term" ] && ok || not_ok "import --quiet drew: $(od -c "$T/term" | head)"
grep -qx "added 0, updated 0, unchanged 3000, deleted 0" "$T/out" && ok ||
    not_ok "stdout with --quiet: $(cat "$T/out")"
# --quiet belongs to import and sync only.
admin -d "$T/db" stat --quiet >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "option --quiet does not apply" "$T/err" && ok ||
    not_ok "stat --quiet: $(cat "$T/err")"

# ---- sync ----------------------------------------------------------------------
UP=$T/upstream
python3 "$TOOLS/fake_data.py" "$UP" init || t_hard "fake_data.py"
printf '%s\n' "$(cat "$UP/session")" >"$T/sid"
chmod 600 "$T/sid"
t_spawn fake python3 "$TOOLS/fake_zstack.py" "$UP" "$T/fake.port"
wait_until 300 test -s "$T/fake.port" || t_hard "fake upstream: $(cat "$T/fake.log")"
FAKE_URL=http://127.0.0.1:$(cat "$T/fake.port")
# Every page of groups comes 0.4 s late: the groups arrive over seconds.
curl -sf -X POST "$FAKE_URL/_fake/misbehave?mode=slow&path=/instances/groups&times=-1&delay=0.4" \
    >/dev/null || t_hard "fake control"
admin -d "$T/sdb" init >/dev/null || t_hard "init"
SYNC=("$ADMIN" -d "$T/sdb" sync --from "$FAKE_URL" --session-file "$T/sid"
    --page-size 3)
el=$($PTY "$T/term" "$T/out" "${SYNC[@]}") ||
    not_ok "sync on a terminal failed: $(cat "$T/term")"
draws "$T/term" "$el" sync 12 && ok ||
    not_ok "sync on a terminal: $(cat "$T/why")"
grep -q "^sync: groups added 12," "$T/out" && ok || not_ok "sync's stdout: $(cat "$T/out")"
$PTY "$T/term" "$T/out" "${SYNC[@]}" --quiet >/dev/null ||
    not_ok "sync --quiet failed"
[ ! -s "$T/term" ] && ok || not_ok "sync --quiet drew: $(od -c "$T/term" | head)"
"${SYNC[@]}" >"$T/out" 2>"$T/err" || not_ok "sync without a terminal"
[ ! -s "$T/err" ] && ok || not_ok "sync, stderr not a terminal, got: $(cat "$T/err")"

t_done
