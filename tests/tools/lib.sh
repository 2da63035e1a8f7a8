# SPDX-License-Identifier: Apache-2.0
# lib.sh - shared by the integration scripts (nginx.sh, socket_activate.sh,
# memcheck.sh): a temp dir that is always cleaned up, stores filled with the
# real zsquery-admin, the real pool, a real nginx built around the FastCGI
# snippet we ship, curl helpers and "N passed, N failed" accounting.
#
# Usage:  . "$top_srcdir/tests/tools/lib.sh"; t_init name
# T_KEEP=1 keeps the temp dir (stores, configurations, logs) afterwards;
# a failing test prints the tail of every server log.
#
# Every process started here is started in its own process group
# (setsid) and recorded; the EXIT trap signals each group by id, so no
# worker, nginx or valgrind outlives the script, whatever way it ends.
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$PWD}"
export top_srcdir top_builddir

ADMIN=$top_builddir/src/zsquery-admin
FCGI=$top_builddir/src/zsquery-fcgi
SNIPPET=$top_srcdir/nginx/zsquery-fastcgi.conf
GOLDEN=$top_srcdir/tests/data/golden
# The helpers the scripts drive (fakes, checkers, the FastCGI client).
TOOLS=$top_srcdir/tests/tools
TOOLS_BIN=$top_builddir/tests/tools

# Accounts and sessions every store gets (store_make).  The admin account
# is API.md §3's; the tenants own the fixture groups
# (tests/data/golden/nginx_input_*.json).
ACC_ADMIN=36c27e8ff05c4780bf6d2fa65700f22e
ACC_A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1
ACC_B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2
ACC_C=ccccccccccccccccccccccccccccccc3
SID_ADMIN=5e55105000000000000000000000ad01
SID_A=5e5510500000000000000000000000a1
SID_B=5e5510500000000000000000000000b2
SID_C=5e5510500000000000000000000000c3
SID_EXPIRED=5e551050000000000000000000000e99

# Fixture group uuids (tests/data/golden/nginx_input_*.json).
G_A1=a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
G_A2=a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2
G_B1=b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1
G_B2=b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2
G_B3=b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3

T=
T_PASS=0
T_FAIL=0
T_PGIDS=()

t_log() { printf '%s\n' "$*" >&2; }

t_skip() {
	t_log "SKIP: $*"
	exit 77
}

t_hard() {
	t_log "ERROR: $*"
	T_FAIL=$((T_FAIL + 1))	# so that t_cleanup shows the server logs
	exit 99
}

t_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || t_skip "$c not installed"
	done
}

t_need_bins() {
	[ -x "$ADMIN" ] || t_hard "$ADMIN not built"
	[ -x "$FCGI" ] || t_hard "$FCGI not built"
}

# alive PID: the process exists and is not a zombie (our children stay
# zombies until reaped, and kill -0 succeeds on those).
alive() {
	ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'
}

# pg_alive PGID: some process of the group is alive.
pg_alive() {
	ps -e -o pgid=,stat= |
	    awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# Kill every process group we started: TERM, a bounded grace, then KILL.
t_cleanup() {
	local pg i busy f
	for pg in "${T_PGIDS[@]}"; do
		kill -TERM -- "-$pg" 2>/dev/null
	done
	for i in $(seq 50); do
		busy=0
		for pg in "${T_PGIDS[@]}"; do
			pg_alive "$pg" && busy=1
		done
		[ $busy = 0 ] && break
		sleep 0.1
	done
	for pg in "${T_PGIDS[@]}"; do
		kill -KILL -- "-$pg" 2>/dev/null
	done
	[ -n "$T" ] && [ -d "$T" ] || return
	if [ "$T_FAIL" != 0 ]; then
		# The test's log is all a CI run keeps: add the servers' own.
		for f in "$T"/*.log "$T"/*/error.log; do
			[ -s "$f" ] || continue
			t_log "--- ${f#"$T"/} (last 20 lines)"
			tail -n 20 "$f" >&2
		done
	fi
	if [ "${T_KEEP:-0}" = 1 ]; then
		t_log "kept $T"
	else
		rm -rf "$T"
	fi
}

t_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/zsq-$1.XXXXXX") || t_hard mktemp
	# nginx workers run as www-data when we are root (see nginx_start):
	# they must be able to traverse the temp dir to reach the socket.
	chmod 0711 "$T"
	trap t_cleanup EXIT
	trap 'exit 99' INT TERM HUP
}

# Start "$@" in the background in a new process group whose id is the
# pid; T_LASTPID holds it.  Output goes to $T/<tag>.log.
t_spawn() {
	local tag=$1
	shift
	setsid "$@" >>"$T/$tag.log" 2>&1 </dev/null &
	T_LASTPID=$!
	T_PGIDS+=("$T_LASTPID")
}

# Stop tracking a process group that is already gone.
t_forget() {
	local pid=$1 pg keep=()
	for pg in "${T_PGIDS[@]}"; do
		[ "$pg" = "$pid" ] || keep+=("$pg")
	done
	T_PGIDS=("${keep[@]}")
}

ok() {
	T_PASS=$((T_PASS + 1))
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	t_log "FAIL: $*"
}

t_done() {
	printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	[ "$T_FAIL" = 0 ] || exit 1
	exit 0
}

# wait_until TRIES CMD...: run CMD every 0.1 s until it succeeds.
wait_until() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- stores -----------------------------------------------------------------

# ADMIN_WRAP (memcheck.sh: valgrind ...) runs in front of the tool.
admin() {
	${ADMIN_WRAP:-} "$ADMIN" "$@"
}

# store_make DIR: init, import the sample data (admin-owned) and the
# tenant fixture, add accounts, shares and the sessions named above.  The
# zone is the caller's $TZ: run it as "TZ=X store_make DIR".
store_make() {
	local d=$1
	admin -d "$d" init || return 1
	if [ -f "$top_srcdir/tests/data/sample.json" ]; then
		admin -d "$d" import "$top_srcdir/tests/data/sample.json" ||
		    return 1
	fi
	admin -d "$d" account add "$ACC_ADMIN" --name admin || return 1
	admin -d "$d" account add "$ACC_A" --name tenant-a || return 1
	admin -d "$d" account add "$ACC_B" --name tenant-b || return 1
	admin -d "$d" account add "$ACC_C" --name tenant-c || return 1
	admin -d "$d" import --owner "$ACC_A" "$GOLDEN/nginx_input_a.json" ||
	    return 1
	admin -d "$d" import --owner "$ACC_B" "$GOLDEN/nginx_input_b.json" ||
	    return 1
	# b's group ...b2 is shared with a; ...b3 is public; ...b1 is b's own.
	admin -d "$d" share "$G_B2" --account "$ACC_A" || return 1
	admin -d "$d" share "$G_B3" --public || return 1
	admin -d "$d" session create --account "$ACC_ADMIN" \
	    --uuid "$SID_ADMIN" >/dev/null || return 1
	admin -d "$d" session create --account "$ACC_A" \
	    --uuid "$SID_A" >/dev/null || return 1
	admin -d "$d" session create --account "$ACC_B" \
	    --uuid "$SID_B" >/dev/null || return 1
	admin -d "$d" session create --account "$ACC_C" \
	    --uuid "$SID_C" >/dev/null || return 1
	admin -d "$d" session create --account "$ACC_A" --ttl -3600 \
	    --uuid "$SID_EXPIRED" >/dev/null || return 1
}

# store_snap FILE DIR: every database of the store DIR as text in FILE,
# minus the feeds' status records in meta, which a feed writes on
# failure too (on purpose); the rest must be as it was after a failure.
store_snap() {
	mdb_dump -a -p "$2" | python3 -c '
import sys
out, db, skip = [], None, False
for line in sys.stdin:
    if line.startswith("database="):
        db = line
    if skip:
        skip = False
        continue
    if db == "database=meta\n" and line.startswith(" feed:"):
        skip = True
        continue
    out.append(line)
sys.stdout.write("".join(out))' >"$1"
}

# ---- the pool -----------------------------------------------------------------

# pool_start TAG STORE SOCK [zsquery-fcgi options...]: the pool on its own
# unix socket.  As root the socket's group is www-data, as in production
# (zsquery.socket), so nginx's www-data workers reach it through the group
# bit and nothing else.  POOL_PID is the master.  POOL_WRAP (memcheck.sh:
# valgrind ...) runs in front of the pool.
pool_start() {
	local tag=$1 store=$2 sock=$3
	shift 3
	local grp=()
	[ "$(id -u)" = 0 ] && grp=(--listen-group www-data)
	t_spawn "$tag" ${POOL_WRAP:-} "$FCGI" -d "$store" --listen "$sock" \
	    "${grp[@]}" "$@"
	POOL_PID=$T_LASTPID
	wait_until 300 test -S "$sock" || {
		t_log "pool $tag did not create $sock"
		cat "$T/$tag.log" >&2
		return 1
	}
}

# Workers of a pool master (its direct children but the renewer, which
# names itself zsquery-renewer), sorted for comm(1).
pool_workers() {
	ps -o pid=,comm= --ppid "$1" |
	    awk '$2 != "zsquery-renewer" { print $1 }' | sort
}

# The pool's renewer (src/renew.h), if one runs.
pool_renewer() {
	ps -o pid=,comm= --ppid "$1" | awk '$2 == "zsquery-renewer" { print $1 }'
}

# ---- nginx -------------------------------------------------------------------

# nginx_conf DIR PORT SOCK: a test nginx.conf in DIR.  Every path nginx
# would write (pid, logs, all five temp dirs) is inside DIR; the locations
# (the API and /zsquery/metrics) include the shipped snippet itself.  Plain HTTP on 127.0.0.1.  The
# upstream keepalive (2) is below the test pools' worker count (3+), as
# zsquery.conf requires; workers run as www-data when we are root, like
# Debian's nginx, which exercises the socket's group permissions.
nginx_conf() {
	local d=$1 port=$2 sock=$3 user=
	[ "$(id -u)" = 0 ] && user="user www-data www-data;"
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
$user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log notice;
events {
	worker_connections 256;
}
http {
	# rt: nginx's own time for the request, for "answered in normal
	# time" checks that a starved curl process cannot spoil.
	log_format zsq '\$remote_addr "\$request" \$status rt=\$request_time '
	    'us=\$upstream_status ut=\$upstream_response_time';
	access_log $d/access.log zsq;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	default_type application/octet-stream;
	upstream zsquery {
		server unix:$sock;
		keepalive 2;
	}
	server {
		listen 127.0.0.1:$port;
		server_name localhost;
		location /zstack/v1/ {
			include $SNIPPET;
			fastcgi_pass zsquery;
		}
		# The metrics page (this nginx listens on 127.0.0.1 only).
		location = /zsquery/metrics {
			include $SNIPPET;
			fastcgi_pass zsquery;
		}
		location / {
			return 404;
		}
	}
}
EOF
}

# nginx_wrap DIR [PROCS [EVENTS [HTTP]]]: DIR/nginx.conf around the site
# DIR/site.conf (a shipped site made local by the caller): every path
# nginx would write inside DIR, PROCS worker processes (default 1), the
# events block's contents EVENTS, HTTP lines before the include (a
# log_format and access_log, say; default a plain access log).  Workers
# run as www-data when we are root, like Debian's nginx.
nginx_wrap() {
	local d=$1 procs=${2:-1} events=${3:-} http=${4:-"access_log $1/access.log;"}
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user www-data www-data;")
worker_processes $procs;
pid $d/nginx.pid;
error_log $d/error.log notice;
events { $events }
http {
	$http
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	include $d/site.conf;
}
EOF
}

# nginx_start TAG SOCK: nginx in $T/TAG on a free port; sets NGINX_PORT,
# NGINX_PID and BASE (http://127.0.0.1:port).  Retries with a new port if
# another process took the one we picked.
nginx_start() {
	local tag=$1 sock=$2 d=$T/$1 try
	mkdir -p "$d"
	for try in 1 2 3; do
		NGINX_PORT=$(free_port)
		nginx_conf "$d" "$NGINX_PORT" "$sock"
		: >"$d/error.log"
		t_spawn "$tag" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" \
		    -g 'daemon off;'
		NGINX_PID=$T_LASTPID
		BASE=http://127.0.0.1:$NGINX_PORT
		rm -f "$d/nginx.pid"
		# nginx writes its pid file only once it has bound the port
		# (and exits when it cannot): until then the port may answer
		# for someone else.
		wait_until 300 eval 'test -s "$d/nginx.pid" || ! alive $NGINX_PID'
		if alive "$NGINX_PID" &&
		    wait_until 300 curl -s -o /dev/null "$BASE/"; then
			return 0
		fi
		kill -KILL -- "-$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		t_forget "$NGINX_PID"
	done
	t_log "nginx $tag did not start"
	cat "$d/error.log" "$T/$tag.log" >&2
	return 1
}

# ---- requests ----------------------------------------------------------------

API=/zstack/v1/ai/model-services/instances/groups

# req [curl options...] URL-PATH: one request through nginx.  Sets STATUS
# and leaves the headers (CR stripped) in $T/hdrs and the body, byte for
# byte, in $T/body.  The path is sent as written (--path-as-is, --globoff).
req() {
	local path=${!#} rc
	local opts=("${@:1:$#-1}")
	# curl leaves -o's file alone when there is no body (304, HEAD).
	: >"$T/body"
	STATUS=$(curl -sS --path-as-is --globoff -o "$T/body" -D "$T/hdrs.raw" \
	    -w '%{http_code}' "${opts[@]}" "$BASE$path")
	rc=$?
	tr -d '\r' <"$T/hdrs.raw" >"$T/hdrs"
	[ $rc = 0 ] || STATUS="curl-$rc"
}

# get SID PATH [curl options]: a GET with "Authorization: OAuth SID".
get() {
	local sid=$1 path=$2
	shift 2
	req -H "Authorization: OAuth $sid" "$@" "$path"
}

# header NAME: the value of a response header (first one), or nothing.
header() {
	awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
	    tolower(substr($0, 1, length(n))) == n {
		sub(/^[^:]*:[ \t]*/, ""); print; exit }' "$T/hdrs"
}

# body_diff GOT WANT: where two bodies part, with some context.
body_diff() {
	python3 - "$1" "$2" <<'EOF' >&2
import sys
g, w = (open(f, 'rb').read() for f in sys.argv[1:3])
i = next((i for i in range(min(len(g), len(w))) if g[i] != w[i]),
    min(len(g), len(w)))
a = max(0, i - 60)
print('  lengths %d/%d, first difference at byte %d' % (len(g), len(w), i))
print('  got:  ...%r' % g[a:i + 60])
print('  want: ...%r' % w[a:i + 60])
EOF
}

# expect DESC STATUS CONTENT-TYPE BODY: the whole reply, body exact.
expect() {
	local desc=$1 st=$2 ct=$3 want=$4 got
	got=$(cat "$T/body"; echo x)
	got=${got%x}
	if [ "$STATUS" != "$st" ]; then
		not_ok "$desc: status $STATUS, want $st; body: $(head -c 300 "$T/body")"
	elif [ "$(header Content-Type)" != "$ct" ]; then
		not_ok "$desc: Content-Type '$(header Content-Type)', want '$ct'"
	elif [ "$got" != "$want" ]; then
		not_ok "$desc: body differs"
		printf '%s' "$want" >"$T/want"
		body_diff "$T/body" "$T/want"
	else
		ok
	fi
}

JSON_CT='application/json; charset=utf-8'
TEXT_CT='text/plain; charset=utf-8'

expect_text() {
	expect "$1" "$2" "$TEXT_CT" "$3"
}

expect_json() {
	expect "$1" 200 "$JSON_CT" "$2"
}

# expect_golden DESC NAME: a 200 JSON reply whose body is byte-identical
# to tests/data/golden/NAME.  (The golden files are written by hand from
# docs/API.md 6/8, not captured from the program.)
expect_golden() {
	local desc=$1 f=$GOLDEN/$2 want
	want=$(cat "$f"; echo x)
	want=${want%x}
	expect "$desc" 200 "$JSON_CT" "$want"
}

expect_503() {
	local desc=$1 code=$2 got
	if [ "$STATUS" != 503 ] ||
	    [ "$(header Content-Type)" != "$JSON_CT" ] ||
	    ! grep -q "^{\"error\":{\"code\":\"$code\"," "$T/body"; then
		not_ok "$desc: want 503 $code, got $STATUS $(head -c 300 "$T/body")"
	else
		ok
	fi
}

# uuids DESC WANT...: the inventories' uuids, in order, are exactly WANT.
# (A structural check where a golden body would add nothing.)
expect_uuids() {
	local desc=$1 got want
	shift
	want="$*"
	got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(i["uuid"] for i in d["inventories"]))' "$T/body" 2>/dev/null)
	if [ "$STATUS" != 200 ] || [ "$got" != "$want" ]; then
		not_ok "$desc: status $STATUS uuids '$got', want '$want'"
	else
		ok
	fi
}

# total: the "total" of the last reply (empty when absent).
total() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1])).get("total", ""))' "$T/body" 2>/dev/null
}

expect_total() {
	local desc=$1 want=$2 got
	got=$(total)
	if [ "$STATUS" != 200 ] || [ "$got" != "$want" ]; then
		not_ok "$desc: status $STATUS total '$got', want '$want'"
	else
		ok
	fi
}
