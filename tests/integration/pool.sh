#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# pool.sh - the real zsquery-fcgi pool over a real store, driven by the
# in-tree FastCGI client: routes and errors end to end, socket mode,
# keep-alive, a stalled client, a crafted record, worker respawn, SIGHUP
# reload and SIGTERM under load, a wrong time zone, a worker ready and
# another failing in one wakeup of the master, a log nobody reads,
# spawn-fcgi (fd 0).
set -u
B=${top_builddir:-.}
S=${top_srcdir:-.}
FCGI=$B/src/zsquery-fcgi
ADMIN=$B/src/zsquery-admin
CLIENT=$B/tests/tools/fcgi_client
ADMIN_ACCOUNT=36c27e8ff05c4780bf6d2fa65700f22e
SID=0123456789abcdef0123456789abcdef
LIST=/zstack/v1/ai/model-services/instances/groups
GROUP=d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60

T=$(mktemp -d /tmp/zsq-pool.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() {	# check NAME COMMAND...: the command must succeed
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

# start_pool SOCKET ARGS...: start the master in the background, wait for
# the socket; sets MASTER.
start_pool() {
	local sock=$1 i
	shift
	"$FCGI" --listen "$sock" "$@" 2>>"$T/log" &
	MASTER=$!
	PIDS+=("$MASTER")
	for i in $(seq 100); do
		[ -S "$sock" ] && return 0
		sleep 0.05
	done
	echo "pool did not start:" >&2
	cat "$T/log" >&2
	return 1
}

# wait_gone PID SECONDS: true when PID exited within the bound.
wait_gone() {
	local i
	for i in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# The master's children but its renewer (which names itself).
workers() {
	ps -o pid=,comm= --ppid "$MASTER" |
	    awk '$2 != "zsquery-renewer" { print $1 }' | sort
}

# wait_all PID...: true when every one of them exited 0.
wait_all() {
	local p r=0
	for p; do
		wait "$p" || r=1
	done
	return $r
}

# Wait until the master has N workers (a bound, not a timing assertion).
wait_workers() {
	local i
	for i in $(seq 100); do
		[ "$(workers | wc -l)" -eq "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

req() { "$CLIENT" -s "$SOCK" "$@"; }

# The store: the sample groups and one admin session.
"$ADMIN" -d "$T/db" init >/dev/null || exit 99
"$ADMIN" -d "$T/db" import "$S/tests/data/sample.json" >/dev/null || exit 99
"$ADMIN" -d "$T/db" session create --account $ADMIN_ACCOUNT --uuid $SID \
    >/dev/null || exit 99

SOCK=$T/s.sock
start_pool "$SOCK" -d "$T/db" -w 2 --client-timeout 2 || exit 1

# --- socket and basic replies ----------------------------------------------
check "socket mode 0660" [ "$(stat -c %a "$SOCK")" = 660 ]

out=$(req -u "$LIST" -a "OAuth $SID")
check "list status" grep -q '^Status: 200 OK' <<<"$out"
check "list content type" \
    grep -q '^Content-Type: application/json; charset=utf-8' <<<"$out"
check "list etag" grep -Eq '^ETag: "[0-9a-f]{16}"' <<<"$out"
check "list body" grep -q '^{"schema":{.*"inventories":\[' <<<"$out"
etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' <<<"$out")

out=$(req -u "$LIST" -a "OAuth $SID" -p "HTTP_IF_NONE_MATCH=$etag")
check "304 on matching If-None-Match" \
    grep -q '^Status: 304 Not Modified' <<<"$out"
check "304 has no body" [ "$(tail -c 4 <<<"$out" | od -An -c | tr -d ' ')" = '\r\n\r\n' ]

out=$(req -u "$LIST//$GROUP" -a "OAuth $SID")
check "get status" grep -q '^Status: 200 OK' <<<"$out"
check "get body" grep -q "\"uuid\":\"$GROUP\"" <<<"$out"

out=$(req -u "/zstack/v1/nope%2Fthere?x=1" -a "OAuth $SID")
check "404" grep -q '^Status: 404 Not Found' <<<"$out"
check "404 text" [ "$(tail -n 1 <<<"$out")" = "no api mapping to /v1/nope/there" ]

out=$(req -m HEAD -u "$LIST")
check "405" grep -q '^Status: 405 Method Not Allowed' <<<"$out"
check "405 Allow" grep -q '^Allow: GET' <<<"$out"
check "405 text" [ "$(tail -n 1 <<<"$out")" = "method HEAD is not supported; use GET" ]

out=$(req -u "$LIST")
check "400 missing" [ "$(tail -n 1 <<<"$out")" = "missing header 'Authorization'" ]
out=$(req -u "$LIST" -a "ZStack ak:sig")
check "400 access key" [ "$(tail -n 1 <<<"$out")" = "access key authentication is not supported" ]
out=$(req -u "$LIST?limit=x" -a "OAuth unknown")
check "400 query before session" [ "$(tail -n 1 <<<"$out")" = \
    "Invalid query parameter. 'limit' must be an integer" ]
out=$(req -u "$LIST" -a "OAuth unknown")
check "503 session" grep -q '"code":"ID.1001"' <<<"$out"

# --- keep-alive: several requests on one connection --------------------------
# Bodies end without a newline: count the status lines anywhere.
check "keep-alive" [ "$(req -n 5 -u "$LIST" -a "OAuth $SID" | \
    grep -ao 'Status: 200 OK' | wc -l)" = 5 ]

# A body (meaningless to GET) must not eat the next kept request.
check "keep-alive with bodies" [ "$(req -n 3 -b 70000 -u "$LIST" \
    -a "OAuth $SID" | grep -ao 'Status: 200 OK' | wc -l)" = 3 ]

# --- a stalled client costs a worker only the client timeout -----------------
# BEGIN_REQUEST (keep-alive) and then nothing: both workers get one.
printf '\001\001\000\001\000\010\000\000\000\001\001\000\000\000\000\000' \
    >"$T/stall"
"$CLIENT" -s "$SOCK" -r "$T/stall" >/dev/null 2>&1 & st1=$!
"$CLIENT" -s "$SOCK" -r "$T/stall" >/dev/null 2>&1 & st2=$!
sleep 0.2
check "served past stalled clients" \
    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
wait $st1; r1=$?
wait $st2; r2=$?
check "stalled clients disconnected" [ $r1 = 0 -a $r2 = 0 ]

# --- a crafted PARAMS record ------------------------------------------------
# Name length 0x7ffffffe, value length 0x80000003: Debian 12's libfcgi
# 2.4.2 overflows the sum and aborts in its Malloc().  Whatever libfcgi
# does, the pool must go on serving with its full complement of workers.
before=$(workers)
printf '\001\001\000\001\000\010\000\000\000\001\000\000\000\000\000\000' \
    >"$T/crafted"
printf '\001\004\000\001\000\010\000\000\377\377\377\376\200\000\000\003' \
    >>"$T/crafted"
"$CLIENT" -s "$SOCK" -t 5 -r "$T/crafted" >/dev/null 2>&1
check "alive after crafted record" kill -0 "$MASTER"
check "serving after crafted record" wait_workers 2
for i in 1 2 3; do
	check "served after crafted record" \
	    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
done
if grep -q "killed by signal 6" "$T/log"; then
	check "aborted worker replaced" [ "$(workers)" != "$before" ]
fi

# --- kill -9 a worker: it is replaced ---------------------------------------
before=$(workers)
victim=$(head -n 1 <<<"$before")
kill -KILL "$victim"
check "worker replaced" wait_workers 2
check "new worker pid" [ -z "$(workers | grep -x "$victim")" ]
check "log names the dead worker" \
    grep -q "worker $victim killed by signal 9" "$T/log"
for i in 1 2 3 4; do
	check "served after respawn" \
	    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
done

# load: a loop of requests; "started" failures are counted, refused
# connections (exit 3: the socket is gone at shutdown) are not.
# Bounded, so a test gone wrong cannot leave it spinning.
load() {
	local n=0 rc i
	for ((i = 0; i < 5000; i++)); do
		[ -d "$T" ] && [ ! -e "$T/stop" ] || break
		out=$("$CLIENT" -s "$SOCK" -u "$LIST" -a "OAuth $SID" \
		    2>>"$T/load.err")
		rc=$?
		[ $rc = 3 ] && break
		if [ $rc != 0 ] || ! grep -q '^Status: 200' <<<"$out"; then
			echo "load: request failed (rc $rc)" >&2
			n=$((n + 1))
		fi
	done
	[ $n = 0 ]
}

# --- SIGHUP under load: a new generation, nothing dropped --------------------
old=$(workers)
rm -f "$T/stop"
load & lp=$!
load & lp2=$!
load & lp3=$!
sleep 0.3
kill -HUP "$MASTER"
for i in $(seq 100); do
	[ -z "$(comm -12 <(workers) <(echo "$old"))" ] && \
	    [ "$(workers | wc -l)" = 2 ] && break
	sleep 0.05
done
check "new generation after SIGHUP" [ -z "$(comm -12 <(workers) <(echo "$old"))" ]
sleep 0.3
touch "$T/stop"
check "no request failed across SIGHUP" wait_all $lp $lp2 $lp3

# --- SIGTERM under load: exit 0 within 10 s, no started request fails --------
rm -f "$T/stop"
load & lp=$!
load & lp2=$!
load & lp3=$!
sleep 0.3
kill -TERM "$MASTER"
check "master exits within 10 s" wait_gone "$MASTER" 10
wait "$MASTER"
check "master exit status 0" [ $? = 0 ]
touch "$T/stop"
check "no started request failed across SIGTERM" wait_all $lp $lp2 $lp3
check "socket removed" [ ! -e "$SOCK" ]

# --- a store rendered in another time zone: a clear error, no respawn loop ---
zone=$("$ADMIN" -d "$T/db" stat | sed -n 's/^time zone: //p')
other=Asia/Shanghai
[ "$zone" = "$other" ] && other=UTC
TZ=$other "$FCGI" --listen "$T/tz.sock" -d "$T/db" -w 2 2>"$T/tzlog" &
tzpid=$!
PIDS+=("$tzpid")
check "wrong zone: master gives up" wait_gone $tzpid 10
wait $tzpid
check "wrong zone: exit status 1" [ $? = 1 ]
check "wrong zone: message names both zones" \
    grep -q "time zone $zone but this service runs in $other" "$T/tzlog"

# --- a worker ready and another failing in one wakeup of the master ---------
# The master must read the ready pipe before it judges a death: a worker
# that could not start while another had just reported ready (in the same
# wakeup) is not "no worker can start".  Made deterministic: with the
# master stopped (SIGSTOP), its workers (and renewer) are killed and an
# fcntl lock on lock.mdb's first byte, as LMDB takes it, holds the
# replacements inside mdb_env_open(); one is let through and becomes
# ready, the store's schema version is bumped (mdb_load), the other is
# let through and fails; only then does the master run again, with both
# events waiting.  It must go on serving (and serve again once the
# version is back), not exit.
if [ -r /proc/locks ] && command -v mdb_dump >/dev/null &&
    command -v mdb_load >/dev/null; then
	"$ADMIN" -d "$T/racedb" init >/dev/null &&
	    "$ADMIN" -d "$T/racedb" import "$S/tests/data/sample.json" \
	    >/dev/null &&
	    "$ADMIN" -d "$T/racedb" session create --account $ADMIN_ACCOUNT \
	    --uuid $SID >/dev/null || exit 99
	SOCK=$T/race.sock
	: >"$T/race.log"
	"$FCGI" --listen "$SOCK" -d "$T/racedb" -w 2 2>>"$T/race.log" &
	MASTER=$!
	PIDS+=("$MASTER")
	python3 - "$MASTER" "$T/racedb" "$SOCK" "$CLIENT" "$LIST" "$SID" \
	    "$T/race.log" >"$T/race.out" 2>&1 <<'EOF'
import fcntl, os, signal, subprocess, sys, time
master, db, sock, client, path, sid, log = sys.argv[1:8]
master = int(master)

def fail(msg):
    print("FAIL:", msg)
    print(open(log).read())
    sys.exit(1)

def wait(cond, what, secs=30):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    fail("timed out waiting until " + what)

def children():
    out = subprocess.run(["ps", "-o", "pid=,stat=,comm=", "--ppid",
                          str(master)], capture_output=True, text=True)
    return [l.split() for l in out.stdout.splitlines() if l.strip()]

def workers(state=None):
    return [int(p) for p, st, c in children()
            if c != "zsquery-renewer" and (state is None or st[0] == state)]

def served():
    r = subprocess.run([client, "-s", sock, "-t", "5", "-u", path, "-a",
                        "OAuth " + sid], capture_output=True, timeout=30)
    return r.returncode == 0 and r.stdout.startswith(b"Status: 200")

def get_version():
    dump = subprocess.run(["mdb_dump", "-s", "meta", db], check=True,
                          timeout=30, capture_output=True,
                          text=True).stdout.splitlines()
    return int.from_bytes(bytes.fromhex(
        dump[dump.index(" 76657273696f6e") + 1].strip()), "little")

def set_version(v):
    # meta "version" (hex 76657273696f6e) is a little-endian u32.
    dump = subprocess.run(["mdb_dump", "-s", "meta", db], check=True,
                          timeout=30, capture_output=True,
                          text=True).stdout.splitlines()
    out, i = [], 0
    while i < len(dump):
        out.append(dump[i])
        if dump[i] == " 76657273696f6e":
            out.append(" %02x000000" % v)
            i += 1
        i += 1
    subprocess.run(["mdb_load", "-s", "meta", db], check=True, timeout=30,
                   input="\n".join(l for l in out
                                   if not l.startswith("db_pagesize=")) + "\n",
                   text=True)

def blocked_on_gate(pids):
    # /proc/locks shows a process waiting for a lock as "N: -> POSIX ...".
    waiting = set()
    for l in open("/proc/locks"):
        f = l.split()
        if len(f) > 5 and f[1] == "->":
            waiting.add(int(f[5]))
    return all(p in waiting for p in pids)

def restart_at_gate():
    """Kill every child with the master stopped; the master's
    replacements wait at the gate, the master stopped again.  Returns
    the gate's fd and the two new workers."""
    os.kill(master, signal.SIGSTOP)
    kids = [int(k[0]) for k in children()]
    for k in kids:
        os.kill(k, signal.SIGKILL)
    wait(lambda: all(k[1][0] == "Z" for k in children()), "the children died")
    gate = os.open(os.path.join(db, "lock.mdb"), os.O_RDWR)
    fcntl.lockf(gate, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
    os.kill(master, signal.SIGCONT)
    wait(lambda: len(workers()) == 2 and
         all(k[1][0] != "Z" for k in children()) and
         blocked_on_gate([int(k[0]) for k in children()]),
         "two new workers wait at the gate")
    os.kill(master, signal.SIGSTOP)
    return gate, workers()

def alive_and_serving(what):
    try:
        os.kill(master, 0)
    except ProcessLookupError:
        fail(what + ": the master exited")
    if "workers cannot start" in open(log).read():
        fail(what + ": the master gave up")
    wait(lambda: len(workers("S")) + len(workers("R")) == 2 and served(),
         what + ": two workers serve again", 60)

wait(lambda: len(workers()) == 2 and served(), "the pool serves")
# The store's own schema version, and one no binary reads.
GOOD, BAD = get_version(), 0x7f

# One ready (its pid unread) and one failed when the master wakes.
gate, (first, second) = restart_at_gate()
os.kill(second, signal.SIGSTOP)
fcntl.lockf(gate, fcntl.LOCK_UN, 1, 0)
os.close(gate)
wait(served, "the first new worker serves")
set_version(BAD)
os.kill(second, signal.SIGCONT)
wait(lambda: second in workers("Z"), "the second new worker failed")
n = open(log).read().count("cannot open store")
os.kill(master, signal.SIGCONT)
# The master goes on (respawns, which fails while the version is
# wrong) rather than exiting.
wait(lambda: open(log).read().count("cannot open store") >= n + 1,
     "the master respawned the failed worker")
set_version(GOOD)
alive_and_serving("ready and failed at once")

# One failed while the other is still starting: the master waits for it.
gate, (first, second) = restart_at_gate()
os.kill(first, signal.SIGSTOP)
os.kill(second, signal.SIGSTOP)
fcntl.lockf(gate, fcntl.LOCK_UN, 1, 0)
os.close(gate)
set_version(BAD)
os.kill(second, signal.SIGCONT)
wait(lambda: second in workers("Z"), "the second new worker failed")
os.kill(master, signal.SIGCONT)
wait(lambda: second not in workers(), "the master reaped it")
set_version(GOOD)
os.kill(first, signal.SIGCONT)
alive_and_serving("failed while another started")
print("ok")
EOF
	check "ready read before a death is judged" grep -qx ok "$T/race.out"
	grep -qx ok "$T/race.out" || cat "$T/race.out" >&2
	kill -TERM "$MASTER" 2>/dev/null
	check "race pool stops" wait_gone "$MASTER" 10
fi

# --- standard input must be a listening socket ---------------------------------
"$FCGI" -d "$T/db" </dev/null 2>"$T/stdinlog"
check "stdin not a socket: exit 1" [ $? = 1 ]
check "stdin not a socket: message" \
    grep -q "standard input is not a listening socket" "$T/stdinlog"

# --- configuration file ------------------------------------------------------------
printf 'workers = 3\n# comment\n\ndb = %s\nrenew = no\n' "$T/db" >"$T/conf"
SOCK=$T/c.sock
start_pool "$SOCK" --config "$T/conf" || exit 1
check "config file workers" wait_workers 3
check "config file serves" \
    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
# SIGHUP re-reads the file.
printf 'workers = 1\ndb = %s\n' "$T/db" >"$T/conf"
kill -HUP "$MASTER"
check "SIGHUP re-reads the file" wait_workers 1
# wait_log TEXT: the log mentions TEXT within a bound.
wait_log() {
	local i
	for i in $(seq 100); do
		grep -q "$1" "$T/log" && return 0
		sleep 0.05
	done
	return 1
}
# A broken file on SIGHUP: logged, the running configuration stays.
printf 'workers = lots\n' >"$T/conf"
kill -HUP "$MASTER"
check "bad file on SIGHUP is logged" \
    wait_log "conf:1: 'workers' must be .*keeping the running configuration"
check "bad file on SIGHUP: still serving" \
    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
# A store the new workers cannot open: the old generation keeps serving.
printf 'workers = 1\ndb = %s\n' "$T/nosuchdb" >"$T/conf"
kill -HUP "$MASTER"
check "unusable store on SIGHUP is logged" \
    wait_log "cannot start workers; keeping the old ones"
check "unusable store on SIGHUP: still serving" \
    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
check "unusable store on SIGHUP: master alive" kill -0 "$MASTER"
# A reload during a reload: generation 4 still starting (its worker waits
# in open(2) of a FIFO where data.mdb should be) when generation 5 fails.
# The pool goes back to generation 3 with generation 3's configuration
# (not 4's): a worker of it that dies is replaced by one that serves.
printf 'workers = 1\ndb = %s\nrenew = no\n' "$T/db" >"$T/conf"
before=$(workers)
kill -HUP "$MASTER"
# One worker, and not the one before: generation 3's.
for i in $(seq 100); do
	gen3=$(workers)
	[ "$(wc -l <<<"$gen3")" = 1 ] && [ "$gen3" != "$before" ] && break
	sleep 0.05
done
check "reload in a reload: generation 3 alone" \
    [ "$(wc -l <<<"$gen3")" = 1 -a "$gen3" != "$before" ]
check "reload in a reload: serving before" \
    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
mkdir "$T/fifo" && mkfifo "$T/fifo/data.mdb"
printf 'workers = 1\ndb = %s\nrenew = no\n' "$T/fifo" >"$T/conf"
kill -HUP "$MASTER"
wait_log "\[$MASTER\]: reloading: starting generation 4" && wait_workers 2
printf 'workers = 1\ndb = %s\nrenew = no\n' "$T/nosuchdb" >"$T/conf"
kill -HUP "$MASTER"
fellback() {
	[ "$(grep -c 'cannot start workers; keeping the old ones' "$T/log")" = 2 ]
}
for i in $(seq 100); do
	fellback && break
	sleep 0.05
done
check "reload in a reload: falls back" fellback
kill -KILL $gen3
check "reload in a reload: the replacement serves" \
    grep -q '^Status: 200' <<<"$(req -t 5 -u "$LIST" -a "OAuth $SID")"
exec 7<>"$T/fifo/data.mdb"	# lets generation 4's worker fail
exec 7>&-
printf 'workers = 1\ndb = %s\n' "$T/db" >"$T/conf"
kill -TERM "$MASTER"
check "config pool stops" wait_gone "$MASTER" 10
# The command line wins over the file; --listen-group sets the group.
group=$(id -gn nobody 2>/dev/null || echo nogroup)
start_pool "$SOCK" --config "$T/conf" -w 2 --listen-group "$group" || exit 1
check "command line wins" wait_workers 2
check "socket group" [ "$(stat -c %G "$SOCK")" = "$group" ]
kill -TERM "$MASTER"
check "config pool stops" wait_gone "$MASTER" 10
printf 'workers = many\n' >"$T/bad.conf"
"$FCGI" --config "$T/bad.conf" 2>"$T/badlog"
check "bad config: exit 2" [ $? = 2 ]
check "bad config: names file and line" grep -q "bad.conf:1: 'workers'" "$T/badlog"
printf '# ok\nnosuch = 1\n' >"$T/bad.conf"
"$FCGI" --config "$T/bad.conf" 2>"$T/badlog"
check "unknown key: exit 2" [ $? = 2 ]
check "unknown key: message" grep -q "bad.conf:2: unknown setting 'nosuch'" "$T/badlog"
head -c 2000 /dev/zero | tr '\0' x >"$T/bad.conf"
"$FCGI" --config "$T/bad.conf" 2>"$T/badlog"
check "long line: exit 2" [ $? = 2 ]
check "long line: message" grep -q "bad.conf:1: line longer than 1024 bytes" "$T/badlog"
"$FCGI" --config "$T/none.conf" 2>"$T/badlog"
check "missing --config file: exit 2" [ $? = 2 ]

# --- a log nobody reads does not stop the workers ----------------------------
# stderr is a stream socket, as journald's is, whose reader never reads,
# with the smallest send buffer.  Clients that send a request and go away
# make a log line each ("client went away"), far more than the socket
# holds; a worker that waited for the log would answer nobody after them.
SOCK=$T/stuck.sock
python3 - "$FCGI" "$SOCK" "$T/db" "$T/stuck.pid" <<'EOF' &
import os, socket, sys
fcgi, sock, db, pidf = sys.argv[1:]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1)	# the kernel's least
pid = os.fork()
if pid == 0:
    os.dup2(a.fileno(), 2)
    os.execv(fcgi, [fcgi, '--listen', sock, '-d', db, '-w', '2'])
with open(pidf + '.tmp', 'w') as f:
    f.write(str(pid))
os.rename(pidf + '.tmp', pidf)
os.waitpid(pid, 0)	# b stays open, unread, while the pool lives
EOF
PIDS+=($!)
for i in $(seq 100); do
	[ -S "$SOCK" ] && [ -s "$T/stuck.pid" ] && break
	sleep 0.05
done
MASTER=$(cat "$T/stuck.pid" 2>/dev/null)
PIDS+=("$MASTER")
python3 - "$SOCK" "$LIST" "OAuth $SID" <<'EOF'
import socket, struct, sys
sock, uri, auth = sys.argv[1:]
def rec(t, body):
    return struct.pack('>BBHHBx', 1, t, 1, len(body), 0) + body
def pair(n, v):
    n, v = n.encode(), v.encode()
    return bytes([len(n), len(v)]) + n + v
params = pair('REQUEST_METHOD', 'GET') + pair('REQUEST_URI', uri) + \
    pair('HTTP_AUTHORIZATION', auth)
msg = rec(1, struct.pack('>HB5x', 1, 0)) + rec(4, params) + rec(4, b'') + \
    rec(5, b'')
for i in range(400):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall(msg)
    s.close()
EOF
check "a log nobody reads: requests still answered" \
    grep -q '^Status: 200' <<<"$(req -t 5 -u "$LIST" -a "OAuth $SID")"
check "a log nobody reads: and again" \
    grep -q '^Status: 200' <<<"$(req -t 5 -u "$LIST" -a "OAuth $SID")"
kill -TERM "$MASTER" 2>/dev/null
check "a log nobody reads: the pool stops" wait_gone "$MASTER" 10

# --- spawn-fcgi -n: the socket on fd 0 -------------------------------------------
if command -v spawn-fcgi >/dev/null; then
	SOCK=$T/sp.sock
	spawn-fcgi -n -s "$SOCK" -M 0660 -- "$FCGI" -d "$T/db" -w 2 \
	    2>>"$T/log" &
	MASTER=$!
	PIDS+=("$MASTER")
	for i in $(seq 100); do
		[ -S "$SOCK" ] && break
		sleep 0.05
	done
	check "spawn-fcgi serves" \
	    grep -q '^Status: 200' <<<"$(req -u "$LIST" -a "OAuth $SID")"
	kill -TERM "$MASTER"
	check "spawn-fcgi pool stops" wait_gone "$MASTER" 10
fi

[ $fails = 0 ] || cat "$T/log" >&2
echo "$pass passed, $fails failed"
[ $fails = 0 ]
