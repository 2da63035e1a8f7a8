#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# faults.sh - the service under faults (issue 4): a worker killed -9
# during a load run through nginx, zsquery-admin import killed -9 at
# random points, an import during a load run (every reply from one
# snapshot), a full map, and stores the programs cannot use (no write
# permission, missing, a newer schema version).
#
# Then a map grown while the pool runs (MDB_MAP_RESIZED), a store whose
# data.mdb is read-only (served, sessions not renewed), and reader tables
# (a -w that cannot fit is refused; the table holds a large pool beside
# the admin tools).
#
# The data is generated here in two versions over the same uuids: every
# group of v1 says "v1" in its description (V1_N groups), every group of
# v2 says "v2" (V2_N groups, a superset), so a reply mixing versions, or
# a total that is neither count, shows a torn snapshot.  Failure rates
# are counted from the replies, never from timings.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep mdb_stat mdb_dump mdb_load
t_init faults
t_need_bins

export TZ=UTC
WORKERS=3
V1_N=3000
V2_N=3100
CLIENT=$TOOLS_BIN/fcgi_client

# gen N VERSION: {"inventories":[...]} of N small groups tagged VERSION.
gen() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
n, ver = int(sys.argv[1]), sys.argv[2]
inv = [{"uuid": "fa000000%024x" % i, "name": "g%05d" % i,
        "description": ver, "status": "Running", "type": "t",
        "instances": [{"uuid": "fb000000%024x" % i, "status": "Running",
                       "name": "i%d-%s" % (i, ver)}]} for i in range(n)]
json.dump({"inventories": inv}, sys.stdout)
EOF
}

# no_crash DESC RC LOG: a program that must fail cleanly exited 1, not by
# a signal (no crash, no core) and not by the timeout (no hang).
no_crash() {
	local desc=$1 rc=$2 log=$3
	if [ "$rc" != 1 ]; then
		not_ok "$desc: exit $rc, want 1"
	elif grep -q 'killed by signal' "$log"; then
		not_ok "$desc: a worker crashed: $(grep 'killed by' "$log")"
	else
		ok
	fi
}

# has DESC FILE TEXT: FILE mentions TEXT (fixed string).
has() {
	if grep -qF -- "$3" "$2"; then
		ok
	else
		not_ok "$1: no '$3' in: $(head -c 400 "$2")"
	fi
}

# dead_readers DIR: pids in DIR's LMDB reader table that are not alive.
dead_readers() {
	local pid
	mdb_stat -r "$1" | awk '$1 ~ /^[0-9]+$/ { print $1 }' | sort -u |
	    while read -r pid; do
		kill -0 "$pid" 2>/dev/null || echo "$pid"
	done
}

in_readers() {
	mdb_stat -r "$1" | awk -v p="$2" '$1 == p { f = 1 } END { exit !f }'
}

gen $V1_N v1 >"$T/v1.json" || t_hard "generate v1"
gen $V2_N v2 >"$T/v2.json" || t_hard "generate v2"
DB=$T/db
admin -d "$DB" init >/dev/null || t_hard "init"
admin -d "$DB" import "$T/v1.json" >/dev/null || t_hard "import v1"
admin -d "$DB" session create --account "$ACC_ADMIN" --uuid "$SID_ADMIN" \
    >/dev/null || t_hard "session"
admin -d "$DB" export >"$T/exp-v1" || t_hard "export v1"
# The v2 state, and back.  How long an import takes here bounds the
# random delays of the kills below, so they land before, within and
# after the commit.
t0=$(date +%s%N)
admin -d "$DB" import --replace "$T/v2.json" >/dev/null || t_hard "import v2"
admin -d "$DB" export >"$T/exp-v2" || t_hard "export v2"
admin -d "$DB" import --replace "$T/v1.json" >/dev/null || t_hard "import v1"
IMPORT_MS=$((($(date +%s%N) - t0) / 2000000 + 1))
cmp -s "$T/exp-v1" "$T/exp-v2" && t_hard "the two versions export alike"
HAVE_CHECK=0
"$ADMIN" -h 2>&1 | grep -q '^ *check' && HAVE_CHECK=1

pool_start pool "$DB" "$T/pool.sock" -w $WORKERS || t_hard "pool"
MASTER=$POOL_PID
nginx_start ngx "$T/pool.sock" || t_hard "nginx"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] || t_hard "first request: $STATUS"

# ---- kill -9 a worker during a load run ------------------------------------
# A load runs through nginx and one worker is killed in the middle of it:
# wrk, stopped (SIGINT: it prints its summary) once nginx has logged 300
# requests after the kill, or without wrk four curls, each a bounded run
# of requests over one connection.  The kill waits for the load to be
# under way (300 requests logged), not for a time.  Only the request
# the worker was answering may be lost (nginx retries one that fails on
# a cached connection), so at most 2 may fail, however many ran: a ratio
# would tighten on a busy machine that runs fewer.  wrk's "timeout"
# counts replies slower than --timeout: generous, since a slow reply is
# not a failed one, but a stall past it counts.
URL=$BASE$API/fa000000000000000000000000000005
ACCESS=$T/ngx/access.log
logged() {
	wc -l <"$ACCESS"
}
LOADERS=()
if command -v wrk >/dev/null; then
	t_spawn wrk-kill wrk -t2 -c8 -d120s --timeout 20s \
	    -H "Authorization: OAuth $SID_ADMIN" "$URL"
	LOADERS+=("$T_LASTPID")
else
	t_log "no wrk: loading with curl"
	for c in 1 2 3 4; do
		# The get route ignores the query string: i only numbers.
		t_spawn curl-kill-$c curl -s -m 20 -o /dev/null \
		    -w '%{http_code}\n' -H "Authorization: OAuth $SID_ADMIN" \
		    "$URL?i=[1-2500]"
		LOADERS+=("$T_LASTPID")
	done
fi
base=$(logged)
wait_until 600 eval '[ $(($(logged) - base)) -ge 300 ]' ||
    not_ok "the load did not get under way: $(($(logged) - base)) requests"
# A victim that holds a reader slot (every worker has served by now).
victim=
for i in $(seq 100); do
	for w in $(pool_workers "$MASTER"); do
		in_readers "$DB" "$w" && victim=$w && break 2
	done
	sleep 0.1
done
if [ -z "$victim" ]; then
	not_ok "no worker in the reader table: $(mdb_stat -r "$DB")"
	victim=$(pool_workers "$MASTER" | head -n 1)
fi
kill -KILL "$victim"
at_kill=$(logged)
if [ ${#LOADERS[@]} = 1 ]; then
	wait_until 600 eval '[ $(($(logged) - at_kill)) -ge 300 ]' ||
	    not_ok "the load stalled after the kill:" \
	    "$(($(logged) - at_kill)) requests"
	kill -INT "${LOADERS[0]}"
fi
for p in "${LOADERS[@]}"; do
	wait "$p"
	t_forget "$p"
done
if [ ${#LOADERS[@]} = 1 ]; then
	out=$T/wrk-kill.log
	total=$(awk '/requests in/ { print $1 }' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	# "Socket errors: connect 0, read 0, write 0, timeout 0"
	sockerr=$(awk '/Socket errors:/ { gsub(/,/, "")
	    print $4 + $6 + $8 + $10 }' "$out")
	failed=$((${non2xx:-0} + ${sockerr:-0}))
else
	out=$T/curl-kill-1.log
	total=$(cat "$T"/curl-kill-*.log | wc -l)
	failed=$(cat "$T"/curl-kill-*.log | grep -cvx 200)
fi
t_log "kill -9 under load: $total requests, $failed failed"
if [ -z "$total" ] || [ "$total" -lt 300 ]; then
	not_ok "the load ran ${total:-no} requests: $(cat "$out")"
elif [ "$failed" -gt 2 ]; then
	not_ok "kill -9 under load: $failed of $total requests failed (> 2):" \
	    "$(cat "$out"; grep -v '" 200 ' "$ACCESS" | tail -n 5)"
else
	ok
fi
replaced() {
	[ "$(pool_workers "$MASTER" | wc -l)" = $WORKERS ] &&
	    ! pool_workers "$MASTER" | grep -qx "$victim"
}
wait_until 300 replaced && ok ||
    not_ok "killed worker $victim not replaced: $(pool_workers "$MASTER")"
grep -q "worker $victim killed by signal 9" "$T/pool.log" && ok ||
    not_ok "the log does not name the killed worker"
# The replacement clears the dead worker's reader slot when it opens the
# store (mdb_reader_check); the table must show no dead pid.
wait_until 300 eval '[ -z "$(dead_readers "$DB")" ]' && ok ||
    not_ok "dead pids in the reader table: $(dead_readers "$DB")"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] && ok || not_ok "after kill -9: status $STATUS"

# ---- kill -9 zsquery-admin import at random points -------------------------
# Each round imports the other version with --replace and kills the
# import after a random delay: the store must open and hold exactly the
# old or the new state.  The pool keeps reading the same store meanwhile.
cur=v1
n_old=0
n_new=0
for round in $(seq 20); do
	if [ $cur = v1 ]; then next=v2; else next=v1; fi
	"$ADMIN" -d "$DB" import --replace "$T/$next.json" \
	    >/dev/null 2>&1 &
	ipid=$!
	sleep "$(printf '0.%03d' $((RANDOM % IMPORT_MS % 1000)))"
	kill -KILL "$ipid" 2>/dev/null
	wait "$ipid" 2>/dev/null
	if ! admin -d "$DB" export >"$T/exp-now" 2>"$T/exp.err"; then
		not_ok "round $round: export after kill: $(cat "$T/exp.err")"
		break
	fi
	if cmp -s "$T/exp-now" "$T/exp-$cur"; then
		n_old=$((n_old + 1))
	elif cmp -s "$T/exp-now" "$T/exp-$next"; then
		n_new=$((n_new + 1))
		cur=$next
	else
		not_ok "round $round: the store holds neither $cur nor $next"
		break
	fi
	ok
	if [ $HAVE_CHECK = 1 ]; then
		admin -d "$DB" check >"$T/check.out" 2>&1 && ok ||
		    not_ok "round $round: check: $(cat "$T/check.out")"
	fi
done
t_log "kill -9 import: $n_old rounds kept the old state, $n_new the new"
# The store still takes writes, and the service still reads it.
admin -d "$DB" import --replace "$T/v1.json" >/dev/null && ok ||
    not_ok "import after the kills"
cur=v1
get "$SID_ADMIN" "$API?limit=1&replyWithCount=true"
expect_total "served after the killed imports" $V1_N

# ---- an import during a load run: one snapshot per reply -------------------
# Four python threads send lists (random pages, with totals) and counts
# of one version through nginx until told to stop; the shell imports the
# versions in turn meanwhile, each once the loader has had 20 more replies
# (it counts them in $T/sent), so replies interleave with the imports
# however busy the machine is.  Every reply must be 200, all of one
# version, with that version's total.
rm -f "$T/stop" "$T/sent"
python3 - "$BASE" "$API" "$SID_ADMIN" "$T/stop" $V1_N $V2_N "$T/sent" \
    >"$T/load.out" 2>&1 <<'EOF' &
import http.client, json, os, random, sys, threading, urllib.parse
base, api, sid, stop = sys.argv[1:5]
want = {"v1": int(sys.argv[5]), "v2": int(sys.argv[6])}
sentfile = sys.argv[7]
host, port = urllib.parse.urlsplit(base).netloc.split(":")
lock = threading.Lock()
st = {"sent": 0, "failed": 0, "torn": 0, "seen": set()}
def bad(kind, msg):
    with lock:
        st[kind] += 1
        if st[kind] <= 5:
            print("%s: %s" % (kind, msg), flush=True)
def run(seed):
    r = random.Random(seed)
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    # Bounded: the shell stops us long before this.
    for _ in range(100000):
        if os.path.exists(stop):
            return
        v = r.choice(("v1", "v2"))
        if r.random() < 0.7:
            path = "%s?limit=100&start=%d&replyWithCount=true" % (
                api, r.randrange(3200))
        else:
            path = "%s?count=true&q=description=%s" % (api, v)
        try:
            c.request("GET", path, headers={"Authorization": "OAuth " + sid})
            resp = c.getresponse()
            body = resp.read()
        except Exception as e:
            bad("failed", "%s: %r" % (path, e))
            c.close()
            c = http.client.HTTPConnection(host, int(port), timeout=30)
            continue
        with lock:
            st["sent"] += 1
            with open(sentfile + ".tmp", "w") as f:
                f.write("%d\n" % st["sent"])
            os.rename(sentfile + ".tmp", sentfile)
        if resp.status != 200:
            bad("failed", "%s: %d %r" % (path, resp.status, body[:200]))
            continue
        d = json.loads(body)
        if "inventories" not in d:
            # A count of one version: 0 (the other one is stored) or all.
            if d["total"] not in (0, want[v]):
                bad("torn", "%s: total %d" % (path, d["total"]))
            continue
        vs = {i["description"] for i in d["inventories"]}
        if len(vs) > 1:
            bad("torn", "%s: versions %s in one reply" % (path, vs))
        elif len(vs) == 1:
            got = vs.pop()
            with lock:
                st["seen"].add(got)
            if d["total"] != want[got]:
                bad("torn", "%s: %s with total %d" % (path, got, d["total"]))
        elif d["total"] not in want.values() or \
                int(path.split("start=")[1].split("&")[0]) < d["total"]:
            bad("torn", "%s: empty page, total %d" % (path, d["total"]))
ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("sent %d failed %d torn %d seen %s" % (st["sent"], st["failed"],
      st["torn"], " ".join(sorted(st["seen"]))))
sys.exit(1 if st["failed"] or st["torn"] else 0)
EOF
LOADER=$!
sent() {
	cat "$T/sent" 2>/dev/null || echo 0
}
# replies N: the loader has had N replies (or has stopped).
replies() {
	[ "$(sent)" -ge "$1" ] || ! alive "$LOADER"
}
imports=0
for i in 1 2 3 4 5 6; do
	wait_until 600 replies $((i * 20)) ||
	    not_ok "the loader got only $(sent) replies before import $i"
	if [ $cur = v1 ]; then cur=v2; else cur=v1; fi
	admin -d "$DB" import --replace "$T/$cur.json" >/dev/null &&
	    imports=$((imports + 1))
done
wait_until 600 replies $((7 * 20))
touch "$T/stop"
wait "$LOADER"
rc=$?
t_log "import under load: $imports imports; loader: $(tail -n 1 "$T/load.out")"
[ $imports = 6 ] && ok || not_ok "only $imports of 6 imports under load"
[ $rc = 0 ] && ok || not_ok "import under load: $(cat "$T/load.out")"
grep -q '^sent [1-9]' "$T/load.out" && ok || not_ok "the loader sent nothing"
get "$SID_ADMIN" "$API?limit=1&replyWithCount=true"
if [ $cur = v1 ]; then n=$V1_N; else n=$V2_N; fi
expect_total "the last import is what is served" $n

# ---- a full map: a clear error, nothing lost, still serving ----------------
SMALL=$T/small
admin -d "$SMALL" --map-size 512K init >/dev/null || t_hard "small init"
admin -d "$SMALL" import "$top_srcdir/tests/data/sample.json" >/dev/null ||
    t_hard "small import"
admin -d "$SMALL" session create --account "$ACC_ADMIN" \
    --uuid "$SID_ADMIN" >/dev/null || t_hard "small session"
admin -d "$SMALL" export >"$T/small-before" || t_hard "small export"
pool_start pool-small "$SMALL" "$T/small.sock" -w 2 || t_hard "small pool"
SMALL_MASTER=$POOL_PID
MAIN_BASE=$BASE
nginx_start ngx-small "$T/small.sock" || t_hard "small nginx"
get "$SID_ADMIN" "$API?replyWithCount=true"
expect_total "small store served" 7
admin -d "$SMALL" import "$T/v1.json" >"$T/full.out" 2>"$T/full.err"
rc=$?
[ $rc = 1 ] && ok || not_ok "import into a full map: exit $rc, want 1"
has "full map error" "$T/full.err" "--map-size"
[ "$(wc -l <"$T/full.err")" = 1 ] && ok ||
    not_ok "full map: not one line: $(cat "$T/full.err")"
admin -d "$SMALL" export >"$T/small-after"
cmp -s "$T/small-before" "$T/small-after" && ok ||
    not_ok "the full-map import changed the store"
get "$SID_ADMIN" "$API?replyWithCount=true"
expect_total "served after the full map" 7
alive "$SMALL_MASTER" && ok || not_ok "small pool master gone"

# ---- a map grown while the pool runs (MDB_MAP_RESIZED) ---------------------
# The full-map error advises a larger --map-size: run that import.  Its
# data lands beyond the map that the workers, the renewer and a running
# zsquery-admin opened, which LMDB reports as MDB_MAP_RESIZED; each adopts
# the new size and goes on: the next request sees the import (no 503, and
# LMDB's text reaches no client), a session renewal lands, and an import
# that opened the store before the map grew (its input still arriving
# through a FIFO) commits.
mkfifo "$T/late.fifo"
t_spawn late-import "$ADMIN" -d "$SMALL" import "$T/late.fifo"
LATE=$T_LASTPID
exec 8>"$T/late.fifo"
# It has the store open (mapped) before the map grows.
wait_until 300 grep -q "$SMALL/data.mdb" "/proc/$LATE/maps" ||
    not_ok "the late import did not open the store: $(cat "$T/late-import.log")"
admin -d "$SMALL" --map-size 64M import "$T/v1.json" >"$T/grow.out" 2>&1 &&
    ok || not_ok "import with a larger --map-size: $(cat "$T/grow.out")"
get "$SID_ADMIN" "$API?replyWithCount=true&limit=1"
expect_total "served after the map grew" $((V1_N + 7))
if grep -q 'MDB_' "$T/body"; then
	not_ok "LMDB's text reached a client: $(head -c 300 "$T/body")"
else
	ok
fi
SID_GROW=5e551050000000000000000000000a77
admin -d "$SMALL" session create --account "$ACC_ADMIN" --ttl 600 \
    --uuid "$SID_GROW" >/dev/null || not_ok "session after the map grew"
get "$SID_GROW" "$API?limit=1"
[ "$STATUS" = 200 ] && ok || not_ok "request of a due session: $STATUS"
grown() {
	admin -d "$SMALL" session list | awk -v s="$SID_GROW" \
	    -v min="$(date -u -d "@$(($(date +%s) + 7000))" +%Y-%m-%dT%H:%M:%SZ)" \
	    '$1 == s && $3 >= min { f = 1 } END { exit !f }'
}
wait_until 300 grown && ok ||
    not_ok "no renewal after the map grew: $(admin -d "$SMALL" session list |
    grep "$SID_GROW"; grep renew "$T/pool-small.log")"
printf '[{"uuid":"f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","name":"late"}]' >&8
exec 8>&-
wait_until 300 eval '! alive $LATE' || not_ok "the late import did not end"
wait "$LATE"
rc=$?
t_forget "$LATE"
[ $rc = 0 ] && ok ||
    not_ok "import that opened the store before it grew: exit $rc:" \
    "$(cat "$T/late-import.log")"
get "$SID_ADMIN" "$API?count=true"
expect_total "the late import is served" $((V1_N + 8))
kill -TERM "$SMALL_MASTER"
BASE=$MAIN_BASE

# ---- stores the programs cannot use ----------------------------------------
# Each program must exit 1 with a clear one-line reason, not crash or
# hang (timeout bounds it; its 124 fails the test).
mkdir -p "$T/sock"
chmod 1777 "$T/sock"
# fcgi_fails DESC STORE TEXT [wrapper...]: the pool (FCGI_W workers, 2
# unless set) gives up on STORE.
fcgi_fails() {
	local desc=$1 store=$2 text=$3 rc
	shift 3
	: >"$T/bad.log"
	# --config /dev/null: as nobody, the default file's directory may be
	# out of reach (distcheck's prefix in a checkout in /root).
	"$@" timeout 30 "$FCGI" -d "$store" --config /dev/null \
	    --listen "$T/sock/bad.sock" -w "${FCGI_W:-2}" >>"$T/bad.log" 2>&1 \
	    </dev/null
	rc=$?
	no_crash "zsquery-fcgi, $desc" $rc "$T/bad.log"
	has "zsquery-fcgi, $desc" "$T/bad.log" "$text"
	[ ! -e "$T/sock/bad.sock" ] && ok ||
	    not_ok "zsquery-fcgi, $desc: socket left behind"
}
# admin_fails DESC STORE TEXT CMD...: one clear line, exit 1.  $NOPRIV,
# when set, runs the tool as another user.
admin_fails() {
	local desc=$1 store=$2 text=$3 rc
	shift 3
	${NOPRIV:-} timeout 30 "$ADMIN" -d "$store" "$@" >"$T/bad.out" \
	    2>"$T/bad.err" </dev/null
	rc=$?
	no_crash "zsquery-admin $*, $desc" $rc /dev/null
	has "zsquery-admin $*, $desc" "$T/bad.err" "$text"
	[ "$(wc -l <"$T/bad.err")" = 1 ] && ok ||
	    not_ok "zsquery-admin $*, $desc: not one line: $(cat "$T/bad.err")"
}

# No write permission: a copy owned by root, readable by all, writable by
# none but root, used as nobody (root would bypass the permissions).
RO=$T/readonly
cp -r "$DB" "$RO"
chmod 0755 "$RO"
chmod 0644 "$RO"/*.mdb
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	NOPRIV="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	# nobody may not reach the build tree (a checkout in /root, 0700):
	# it runs copies of the programs from the temp dir.
	cp "$FCGI" "$ADMIN" "$T/" || t_hard "copying the programs"
	chmod 0644 "$T/v2.json"
	FCGI=$T/zsquery-fcgi ADMIN=$T/zsquery-admin
	fcgi_fails "read-only store" "$RO" \
	    "cannot open store $RO: Permission denied" $NOPRIV
	admin_fails "read-only store" "$RO" "Permission denied" stat
	admin_fails "read-only store" "$RO" "Permission denied" import "$T/v2.json"
	NOPRIV=
	FCGI=$top_builddir/src/zsquery-fcgi ADMIN=$top_builddir/src/zsquery-admin
	cmp -s <(admin -d "$RO" export) "$T/exp-$cur" && ok ||
	    not_ok "the read-only store changed"
else
	t_log "not root or no setpriv: permission cases skipped"
fi

fcgi_fails "missing store" "$T/nosuch" "cannot open store $T/nosuch"
admin_fails "missing store" "$T/nosuch" "no zsquery store at $T/nosuch" stat
admin_fails "missing store" "$T/nosuch" "no zsquery store at $T/nosuch" \
    import "$T/v1.json"
[ ! -e "$T/nosuch" ] && ok || not_ok "import created the missing store"

# A newer schema version: rewrite meta "version" as
# tests/integration/admin.sh does.
NEWER=$T/newer
cp -r "$DB" "$NEWER"
mdb_dump -s meta "$NEWER" | sed -e '/^db_pagesize=/d' \
    -e '/^ 76657273696f6e$/{n;s/.*/ 09000000/}' >"$T/meta.dump"
grep -q '^ 09000000$' "$T/meta.dump" || t_hard "could not patch the version"
mdb_load -s meta -f "$T/meta.dump" "$NEWER" || t_hard "mdb_load"
fcgi_fails "newer schema" "$NEWER" "schema version"
admin_fails "newer schema" "$NEWER" "newer schema version" stat
admin_fails "newer schema" "$NEWER" "newer schema version" export

# ---- a read-only data.mdb ---------------------------------------------------
# Workers open the store read-only: with lock.mdb writable (the reader
# table) and data.mdb not, the pool serves; the renewer, which needs to
# write, says so once and renews nothing.  Run as nobody (root would
# bypass the permissions).
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	RODATA=$T/rodata
	cp -r "$DB" "$RODATA"
	chmod 0755 "$RODATA"
	chmod 0644 "$RODATA/data.mdb"
	chown nobody "$RODATA/lock.mdb"
	t_spawn ro-pool setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$FCGI" -d "$RODATA" --listen "$T/sock/ro.sock" -w 2
	wait_until 300 test -S "$T/sock/ro.sock" ||
	    not_ok "pool on a read-only data.mdb: $(cat "$T/ro-pool.log")"
	out=$("$CLIENT" -s "$T/sock/ro.sock" -u "$API?count=true" \
	    -a "OAuth $SID_ADMIN" 2>&1)
	if grep -q '^Status: 200' <<<"$out" &&
	    grep -q '"total":[1-9]' <<<"$out"; then
		ok
	else
		not_ok "read-only data.mdb: $(head -c 300 <<<"$out")"
	fi
	wait_until 100 grep -q 'renewer: cannot open store .* for writing' \
	    "$T/ro-pool.log" && ok ||
	    not_ok "the renewer did not say it cannot write: $(cat "$T/ro-pool.log")"
	grep -q 'killed by signal\|exited with status' "$T/ro-pool.log" &&
	    not_ok "read-only data.mdb: $(cat "$T/ro-pool.log")" || ok
else
	t_log "not root or no setpriv: read-only data.mdb case skipped"
fi

# ---- reader tables ----------------------------------------------------------
# A table sized by another program (LMDB's tools ask for 126 slots) that
# holds the store when the pool starts: 130 workers cannot fit (two
# generations during a reload, the renewers, room for the admin tools),
# so the pool refuses to start with a clear reason; 4 fit.
HOLD=$TOOLS_BIN/lmdb_hold
SMALLT=$T/smalltable
cp -r "$DB" "$SMALLT"
rm -f "$SMALLT/lock.mdb"
t_spawn hold-small "$HOLD" -d "$SMALLT" -x -t 120
HOLDER=$T_LASTPID
wait_until 300 grep -q '^ready$' "$T/hold-small.log" ||
    not_ok "lmdb_hold -x: $(cat "$T/hold-small.log")"
FCGI_W=130 fcgi_fails "a 126-slot reader table, 130 workers" "$SMALLT" \
    "its reader table (lock.mdb) has 126 slots but 130 workers need 270"
: >"$T/bad.log"
t_spawn fits "$FCGI" -d "$SMALLT" --listen "$T/sock/fits.sock" -w 4
FITS=$T_LASTPID
wait_until 300 test -S "$T/sock/fits.sock" || not_ok "4 workers, 126 slots"
out=$("$CLIENT" -s "$T/sock/fits.sock" -u "$API?limit=1" \
    -a "OAuth $SID_ADMIN" 2>&1)
grep -q '^Status: 200' <<<"$out" && ok ||
    not_ok "4 workers on a 126-slot table: $(head -c 300 <<<"$out")"
kill -TERM "$FITS" "$HOLDER"
# The pool sizes the table itself when it opens the store first: 130
# workers, and beside them 300 more readers (another program's), and the
# admin tools all work.
BIG=$T/bigpool
cp -r "$DB" "$BIG"
rm -f "$BIG/lock.mdb"
t_spawn big-pool "$FCGI" -d "$BIG" --listen "$T/sock/big.sock" -w 130
BIGPOOL=$T_LASTPID
wait_until 600 eval '[ "$(pool_workers "$BIGPOOL" | wc -l)" = 130 ] &&
    test -S "$T/sock/big.sock"' ||
    not_ok "130 workers: $(pool_workers "$BIGPOOL" | wc -l) $(tail -n 3 "$T/big-pool.log")"
n=0
for i in $(seq 20); do
	"$CLIENT" -s "$T/sock/big.sock" -u "$API?limit=1" \
	    -a "OAuth $SID_ADMIN" 2>&1 | grep -q '^Status: 200' && n=$((n + 1))
done
[ $n = 20 ] && ok || not_ok "130 workers: $n of 20 requests served"
t_spawn hold-big "$HOLD" -d "$BIG" -r 300 -t 120
HOLDER=$T_LASTPID
wait_until 300 grep -q '^ready$' "$T/hold-big.log" && ok ||
    not_ok "300 readers beside 130 workers: $(cat "$T/hold-big.log")"
admin -d "$BIG" stat >"$T/big.out" 2>&1 && ok ||
    not_ok "stat beside 130 workers and 300 readers: $(cat "$T/big.out")"
admin -d "$BIG" session create --account "$ACC_ADMIN" >"$T/big.out" 2>&1 &&
    ok || not_ok "session create beside them: $(cat "$T/big.out")"
admin -d "$BIG" import "$T/v1.json" >"$T/big.out" 2>&1 && ok ||
    not_ok "import beside them: $(cat "$T/big.out")"
if [ $HAVE_CHECK = 1 ]; then
	admin -d "$BIG" check >"$T/big.out" 2>&1 && ok ||
	    not_ok "check beside them: $(cat "$T/big.out")"
fi
out=$("$CLIENT" -s "$T/sock/big.sock" -u "$API?limit=1" \
    -a "OAuth $SID_ADMIN" 2>&1)
grep -q '^Status: 200' <<<"$out" && ok ||
    not_ok "a request beside 300 readers: $(head -c 300 <<<"$out")"
kill -TERM "$HOLDER" "$BIGPOOL"

# ---- the main pool is whole after all of it --------------------------------
alive "$MASTER" && ok || not_ok "master gone"
[ "$(pool_workers "$MASTER" | wc -l)" = $WORKERS ] && ok ||
    not_ok "workers: $(pool_workers "$MASTER" | wc -l), want $WORKERS"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] && ok || not_ok "final request: status $STATUS"

t_done
