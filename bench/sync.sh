#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/sync.sh [N] - measure the feeds and several nodes (bench/README.md,
# "Sync and several nodes").
#
# Generates N groups (bench/gen.py, default 100000) and a tenancy for them,
# serves them from tests/tools/fake_zstack.py (the stand-in ZStack), and
# measures:
#   S1  sync into an empty store            wall s, CPU s, peak RSS (ru_maxrss)
#   S2  sync again, nothing changed
#   S3  sync with 1 % of the groups changed
#   I1  import of the same groups into an empty store (the baseline of S1)
#   I2  import --replace of the 1 %-changed groups (the baseline of S3)
#   N1  GET-by-uuid req/s: one node directly; the front nginx
#       (nginx/zsquery-lb.conf, TLS to the nodes) over two nodes; over one
#   W1  GET-by-uuid req/s on a node while a sync rewrites every group of
#       its store, against the same with no sync (target >= 0.8)
# then prints one table with the load average.  S and I run at the same
# priority; for W1 the sync runs at nice 10, as its unit runs it
# (systemd/zsquery-sync.service), and the fake at nice 19, as the remote
# machine it stands for.
#
# Environment: builddir (where src/zsquery-admin and src/zsquery-fcgi
# are; default the source tree), BENCH_D (wrk duration, default 10s),
# BENCH_C (connections, default 8), BENCH_R (rounds, best kept, default
# 3), BENCH_W (workers a pool, default 4), BENCH_KEEP=1 (keep the work
# directory).  Needs wrk, nginx, curl, openssl, python3.
set -eu

N=${1:-100000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${builddir:-$top}
D=${BENCH_D:-10s}
C=${BENCH_C:-8}
R=${BENCH_R:-3}
W=${BENCH_W:-4}
ADMIN_ACCOUNT=36c27e8ff05c4780bf6d2fa65700f22e
NEEDLE=feedface00000000000000000000beef	# gen.py's named group
API=/zstack/v1/ai/model-services/instances/groups
admin=$builddir/src/zsquery-admin
fcgi=$builddir/src/zsquery-fcgi
for p in "$admin" "$fcgi"; do
	[ -x "$p" ] || { echo "sync.sh: $p missing: set builddir" >&2; exit 1; }
done
case $N in ''|*[!0-9]*) echo "usage: sync.sh [N]" >&2; exit 2;; esac
export TZ=UTC

dir=$(mktemp -d /tmp/zsqsync.XXXXXX)
chmod 755 "$dir"
ngx_user=
listen_group=()
if [ "$(id -u)" = 0 ]; then
	ngx_user="user www-data www-data;"
	listen_group=(--listen-group www-data)
fi
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "sync.sh: kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '== %s\n' "$*" >&2; }
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- the upstream ---------------------------------------------------------------
say "generating $N groups and their tenancy"
python3 "$here/gen.py" "$N" >"$dir/groups.json"
mkdir -p "$dir/up"
# groups.jsonl (one group a line, as the fake serves them) and the lists:
# 31 accounts; owners round-robin over 30 tenants (every 10th group the
# admin's); 1 % of the groups shared with the next tenant, 0.5 % public;
# a system tag on 10 %, a user tag on 5 %.
python3 - "$dir/groups.json" "$dir/up" "$ADMIN_ACCOUNT" <<'EOF'
import json, sys
src, up, admin = sys.argv[1:4]
tenants = ["%032x" % (0xacc0000 + i) for i in range(30)]
rt = "ModelServiceInstanceGroupVO"
date = "Nov 29, 2026 10:00:00 AM"
accounts = [{"uuid": admin, "name": "admin", "type": "SystemAdmin"}] + \
    [{"uuid": t, "name": "tenant-%d" % i, "type": "Normal"}
     for i, t in enumerate(tenants)]
refs, shares, st, ut = [], [], [], []
with open(src) as f, open(up + "/groups.jsonl", "w") as out:
    for i, line in enumerate(f):
        line = line.rstrip("\n")
        if i == 0:
            line = line[len('{"inventories":['):]
        line = line[:-1] if line.endswith(",") else line[:-2]
        if not line:
            continue
        out.write(line + "\n")
        u = json.loads(line)["uuid"]
        owner = admin if i % 10 == 0 else tenants[i % 30]
        refs.append({"accountUuid": owner, "resourceUuid": u,
                     "resourceType": rt})
        if i % 100 == 1:
            shares.append({"ownerAccountUuid": owner, "toPublic": False,
                           "receiverAccountUuid": tenants[(i + 1) % 30],
                           "resourceType": rt, "resourceUuid": u})
        if i % 200 == 2:
            shares.append({"ownerAccountUuid": owner, "toPublic": True,
                           "resourceType": rt, "resourceUuid": u})
        if i % 10 == 3:
            st.append({"uuid": "%032x" % (0x5ee0000000 + i), "resourceUuid": u,
                       "resourceType": rt, "tag": "priority::high",
                       "createDate": date})
        if i % 20 == 4:
            ut.append({"uuid": "%032x" % (0x7ee0000000 + i), "resourceUuid": u,
                       "resourceType": rt, "tag": "team-bench",
                       "createDate": date})
for name, rows in (("accounts", accounts), ("refs", refs),
                   ("shares", shares), ("system-tags", st),
                   ("user-tags", ut)):
    json.dump(rows, open("%s/%s.json" % (up, name), "w"))
open(up + "/session", "w").write("0dd5e55100000000000000000000be01\n")
EOF
(umask 077 && cp "$dir/up/session" "$dir/sid")
python3 "$top/tests/tools/fake_zstack.py" "$dir/up" "$dir/fake.port" \
    2>"$dir/fake.log" &
fake_pid=$!
pids+=($fake_pid)
for i in $(seq 600); do
	[ -s "$dir/fake.port" ] && break
	sleep 0.1
done
FAKE=http://127.0.0.1:$(cat "$dir/fake.port")
curl -sf -o /dev/null -H "Authorization: OAuth $(cat "$dir/sid")" \
    "$FAKE$API?limit=1" || { echo "sync.sh: the fake did not start" >&2; exit 1; }

# measured LABEL CMD...: run CMD, print "seconds cpu_seconds peak_rss_kib"
# (user + system time and ru_maxrss of CMD, what /usr/bin/time -v
# reports; RSS counts the LMDB map pages the process touched).  CMD's
# output goes to $dir/LABEL.out.
measured() {
	local label=$1
	shift
	python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"),
                   stderr=subprocess.STDOUT)
t = time.monotonic() - t
if p.returncode:
    sys.exit("sync.sh: %s failed: %s" % (sys.argv[2:],
             open(sys.argv[1]).read()))
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f %.2f %d" % (t, r.ru_utime + r.ru_stime, r.ru_maxrss))
' "$dir/$label.out" "$@"
}
sync_cmd() {	# sync_cmd STORE: the sync
	echo "$admin" -d "$1" sync --from "$FAKE" --session-file "$dir/sid" \
	    --max-delete 100
}
# change PCT: rewrite that share of the groups' descriptions upstream.
change() {
	python3 - "$dir/up/groups.jsonl" "$1" <<'EOF'
import sys
p, pct = sys.argv[1], int(sys.argv[2])
step = 100 // pct
lines = open(p, "rb").read().split(b"\n")
for i in range(0, len(lines), step):
    lines[i] = lines[i].replace(b'"description":"', b'"description":"x', 1)
open(p, "wb").write(b"\n".join(lines))
EOF
	curl -sf -X POST "$FAKE/_fake/reload" >/dev/null
}
# reply FILE: the upstream's groups as one ZStack reply, for import.
reply() {
	python3 - "$dir/up/groups.jsonl" >"$1" <<'EOF'
import sys
sys.stdout.write('{"inventories":[')
first = True
for line in open(sys.argv[1], "rb"):
    line = line.rstrip(b"\n")
    if line:
        sys.stdout.write("" if first else ",")
        sys.stdout.flush()
        sys.stdout.buffer.write(line)
        first = False
sys.stdout.write("]}\n")
EOF
}

# ---- S and I: sync and import -----------------------------------------------
"$admin" -d "$dir/store" --map-size 64G init >/dev/null
"$admin" -d "$dir/istore" --map-size 64G init >/dev/null
say "I1 import into an empty store"
read -r i1_s i1_cpu i1_rss < <(measured i1 "$admin" -d "$dir/istore" import \
    "$dir/groups.json")
say "S1 sync into an empty store"
read -r s1_s s1_cpu s1_rss < <(measured s1 $(sync_cmd "$dir/store"))
say "S2 sync, nothing changed"
read -r s2_s s2_cpu s2_rss < <(measured s2 $(sync_cmd "$dir/store"))
say "S3 sync, 1 % changed"
change 1
read -r s3_s s3_cpu s3_rss < <(measured s3 $(sync_cmd "$dir/store"))
say "I2 import --replace, 1 % changed"
reply "$dir/groups1.json"
read -r i2_s i2_cpu i2_rss < <(measured i2 "$admin" -d "$dir/istore" import \
    --replace "$dir/groups1.json")
for f in s1 s2 s3 i1 i2; do
	printf '   %s: %s\n' "$f" "$(tail -n 1 "$dir/$f.out")" >&2
done

# ---- the nodes and the front ---------------------------------------------------
SID=0123456789abcdef0123456789abcdef
"$admin" -d "$dir/store" session create --account "$ADMIN_ACCOUNT" \
    --uuid "$SID" --ttl 86400 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=api.example.com \
    -addext subjectAltName=DNS:api.example.com \
    -addext basicConstraints=critical,CA:TRUE \
    -keyout "$dir/tls.key" -out "$dir/tls.pem" >/dev/null 2>&1
# Both nodes serve the one store (a read-only path; separate stores would
# be byte for byte the same): each its own pool and nginx.
# ngx_conf DIR: DIR/nginx.conf with every path nginx writes inside DIR and
# the http block's own lines read from stdin.
ngx_conf() {
	local d=$1
	mkdir -p "$d/tmp"
	{
		cat <<EOF
$ngx_user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
EOF
		cat
		echo "}"
	} >"$d/nginx.conf"
}
node() {	# node N: pool and nginx; NODE<N> its URL
	local n=$1 d=$dir/node$1 port
	port=$(free_port)
	mkdir -p "$d/tmp"
	"$fcgi" -d "$dir/store" -w "$W" --listen "$d/sock" \
	    "${listen_group[@]}" 2>"$d/pool.log" &
	pids+=($!)
	ngx_conf "$d" <<EOF
	upstream zsquery { server unix:$d/sock; keepalive $((W / 2)); }
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $dir/tls.pem;
		ssl_certificate_key $dir/tls.key;
		location /zstack/v1/ {
			include $top/nginx/zsquery-fastcgi.conf;
			fastcgi_pass zsquery;
		}
	}
EOF
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' &
	pids+=($!)
	eval "NODE$n=127.0.0.1:$port"
}
front() {	# front NAME NODES...: the shipped zsquery-lb.conf over NODES
	local name=$1 d=$dir/$1 p80 p443 servers=
	shift
	p80=$(free_port)
	p443=$(free_port)
	mkdir -p "$d/tmp"
	for n in "$@"; do
		servers="$servers	server	$n max_fails=3 fail_timeout=10s;\\n"
	done
	sed -e "/node1.example.com:443/s|.*|$servers|" \
	    -e "/node2.example.com:443/d" \
	    -e "s|/etc/ssl/certs/zsquery-lb.pem|$dir/tls.pem|" \
	    -e "s|/etc/ssl/private/zsquery-lb.key|$dir/tls.key|" \
	    -e "s|/etc/ssl/certs/zsquery-nodes-ca.pem|$dir/tls.pem|" \
	    -e '/listen.*\[::\]/d' \
	    -e "s|listen\([[:space:]]*\)80;|listen\1127.0.0.1:$p80;|" \
	    -e "s|listen\([[:space:]]*\)443 |listen\1127.0.0.1:$p443 |" \
	    -e 's|rate=20r/s|rate=1000000r/s|' \
	    -e 's|zsquery_lb_conn 4;|zsquery_lb_conn 60000;|' \
	    "$top/nginx/zsquery-lb.conf" >"$d/site.conf"
	echo "	include $d/site.conf;" | ngx_conf "$d"
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' &
	pids+=($!)
	eval "FRONT_$name=127.0.0.1:$p443"
}
node 1
node 2
front two "$NODE1" "$NODE2"
front one "$NODE1"
AUTH="Authorization: OAuth $SID"
up() {	# up URL: wait until it answers 200
	local i
	for i in $(seq 300); do
		[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "$AUTH" "$1")" = 200 ] &&
		    return 0
		sleep 0.1
	done
	echo "sync.sh: $1 does not answer 200" >&2
	exit 1
}
for u in "$NODE1" "$NODE2" "$FRONT_two" "$FRONT_one"; do
	up "https://$u$API/$NEEDLE"
done

# wrk_rps NAME URL [wrk args]: req/s, or "bad" on any non-2xx or socket error.
wrk_rps() {
	local out=$dir/wrk-$1.txt url=$2
	shift 2
	wrk -t1 -c"$C" -d"$D" --timeout 10s -H "$AUTH" "$@" "$url" >"$out" 2>&1
	awk '/^Requests\/sec:/ { rps = $2 }
	    /Non-2xx or 3xx responses:/ { bad = 1 }
	    /Socket errors:/ { bad = 1 }
	    END { print (bad || rps == "") ? "bad" : rps }' "$out"
}
best() {	# best A B: the higher req/s, "bad" wins
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "bad" || b == "bad") print "bad"
	    else if (a == "") print b; else print (b + 0 > a + 0 ? b : a) }'
}
say "N1 GET-by-uuid: one node, the front over two nodes, over one"
n1= f2= f1=
for i in $(seq "$R"); do
	n1=$(best "$n1" "$(wrk_rps node-$i "https://$NODE1$API/$NEEDLE")")
	f2=$(best "$f2" "$(wrk_rps front2-$i "https://$FRONT_two$API/$NEEDLE")")
	f1=$(best "$f1" "$(wrk_rps front1-$i "https://$FRONT_one$API/$NEEDLE")")
done

# ---- W1: GET-by-uuid while a sync rewrites every group -----------------------
say "W1 GET-by-uuid while a sync rewrites all $N groups"
w0=
for i in $(seq "$R"); do
	w0=$(best "$w0" "$(wrk_rps nosync-$i "https://$NODE1$API/$NEEDLE")")
done
change 100
renice -n 19 -p "$fake_pid" >/dev/null
wrk -t1 -c"$C" -d3600s --timeout 10s -H "$AUTH" "https://$NODE1$API/$NEEDLE" \
    >"$dir/wrk-during.txt" 2>&1 &
wrk_pid=$!
sleep 1
read -r w_s w_cpu w_rss < <(measured w1 nice -n 10 $(sync_cmd "$dir/store"))
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
w1=$(awk '/^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = 1 }
    /Socket errors:/ { bad = 1 }
    END { print (bad || rps == "") ? "bad" : rps }' "$dir/wrk-during.txt")
w_counts=$(tail -n 1 "$dir/w1.out" | sed 's/;.*//')

# ---- the table ---------------------------------------------------------------
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "-"
		else printf "%.2f\n", a / b }'
}
mib() { echo $(($1 >> 10)); }
in_mib=$(($(wc -c <"$dir/groups.json") >> 20))
r=$(ratio "$w1" "$w0")
verdict=$(awk -v r="$r" 'BEGIN { print r == "-" ? "n/a" : r >= 0.8 ? "ok" : "MISS" }')
printf 'zsquery sync bench: N=%s (%s MiB of JSON), wrk -t1 -c%s -d%s, best of %s, %s workers a pool, %s, %s cores, load %s\n' \
    "$N" "$in_mib" "$C" "$D" "$R" "$W" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
{
	printf 'test\tvalue\tbaseline\tratio\ttarget\tverdict\n'
	printf 'S1 sync into an empty store: s, CPU s, peak RSS MiB\t%s, %s, %s\timport %s, %s, %s\t%s\treport\t-\n' \
	    "$s1_s" "$s1_cpu" "$(mib "$s1_rss")" "$i1_s" "$i1_cpu" "$(mib "$i1_rss")" \
	    "$(ratio "$s1_s" "$i1_s")"
	printf 'S2 sync, nothing changed: s, CPU s, peak RSS MiB\t%s, %s, %s\tS1 %s\t%s\treport\t-\n' \
	    "$s2_s" "$s2_cpu" "$(mib "$s2_rss")" "$s1_s" "$(ratio "$s2_s" "$s1_s")"
	printf 'S3 sync, 1 %% changed: s, CPU s, peak RSS MiB\t%s, %s, %s\timport --replace %s, %s, %s\t%s\treport\t-\n' \
	    "$s3_s" "$s3_cpu" "$(mib "$s3_rss")" "$i2_s" "$i2_cpu" "$(mib "$i2_rss")" \
	    "$(ratio "$s3_s" "$i2_s")"
	printf 'N1 GET uuid: front over 2 nodes, req/s\t%s\tone node %s\t%s\treport\t-\n' \
	    "$f2" "$n1" "$(ratio "$f2" "$n1")"
	printf 'N1 GET uuid: front over 1 node, req/s\t%s\tone node %s\t%s\treport\t-\n' \
	    "$f1" "$n1" "$(ratio "$f1" "$n1")"
	printf 'W1 GET uuid during a %s s sync (%s), req/s\t%s\tno sync %s\t%s\t>= 0.80\t%s\n' \
	    "$w_s" "$w_counts" "$w1" "$w0" "$r" "$verdict"
} | column -t -s "$(printf '\t')"
