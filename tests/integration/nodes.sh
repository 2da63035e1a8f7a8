#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# nodes.sh - several nodes behind nginx/zsquery-lb.conf, on loopback: two
# nodes (each a store, a pool and an nginx serving TLS), one front nginx
# run from the shipped zsquery-lb.conf (addresses, ports, certificates and
# its rate moved, nothing else), one fake ZStack (tests/tools/fake_zstack.py)
# and one MariaDB holding SessionVO; each node's store filled by the two
# feeds as the timers would run them (zsquery-admin sync and the shipped
# zsquery-session-feed), run here by hand:
#  * under wrk through the front, one node's pool is killed (SIGKILL to
#    master and workers): not one request fails at the front (wrk reports
#    no non-2xx reply and no socket error) while the killed node answered
#    502s that the front retried on the other;
#  * a 503 (a bad session) is an answer: never retried on another node;
#  * a group, an owner, a share and a session changed upstream show on
#    both nodes after one sync each; a node that was down (its pool
#    killed, its store behind) catches up on its next sync.
# Skips (77) without nginx, wrk, curl, openssl or mariadb-server.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
. "$TOOLS/lib_mariadb.sh" || exit 99
t_need_cmd nginx wrk curl openssl python3
maria_need
t_need_bins
t_init nodes
export TZ=UTC

UP=$T/upstream
LB=$top_srcdir/nginx/zsquery-lb.conf
FEED=$top_srcdir/scripts/zsquery-session-feed
SA=5e5510500000000000000000000a0001	# tenant-a's session
SC=5e5510500000000000000000000c0001	# tenant-c's, logged out later

# --- certificates: one for the nodes (the name the front checks), one for
# the front itself --------------------------------------------------------
cert() {	# cert NAME CN
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$2" \
	    -addext "subjectAltName=DNS:$2" -addext "basicConstraints=critical,CA:TRUE" \
	    -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1 ||
	    t_hard "openssl: certificate $1"
}
cert node api.example.com
cert front api.example.com

# --- the upstream: fake ZStack and MariaDB ---------------------------------------
python3 "$TOOLS/fake_data.py" "$UP" init || t_hard "fake data"
t_spawn fake python3 "$TOOLS/fake_zstack.py" "$UP" "$T/fake.port"
wait_until 300 test -s "$T/fake.port" || t_hard "fake upstream"
FAKE_URL=http://127.0.0.1:$(cat "$T/fake.port")
(umask 077 && cp "$UP/session" "$T/zstack-session")
up() {
	python3 "$TOOLS/fake_data.py" "$UP" "$@" || t_hard "fake_data $*"
	curl -sf -X POST "$FAKE_URL/_fake/reload" >/dev/null || t_hard reload
}
maria_start
maria_login "$SA" "$ACC_A"
maria_login "$SC" "$ACC_C"

# feeds N: one run of both feeds on node N, as its timers would.
feeds() {
	local out
	out=$("$ADMIN" -d "$T/store$1" sync --from "$FAKE_URL" \
	    --session-file "$T/zstack-session" 2>&1) &&
	    out=$(ZSQUERY_MYSQL_CNF=$MARIA_CNF ZSQUERY_ADMIN=$ADMIN \
	    sh "$FEED" -d "$T/store$1" 2>&1) && ok ||
	    not_ok "feeds on node $1: $out"
}

# node_start N: store N's pool and an nginx serving it over TLS; NODE<N>.
node_conf() {
	local d=$1 port=$2 sock=$3 user=
	[ "$(id -u)" = 0 ] && user="user www-data www-data;"
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
$user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log notice;
events { worker_connections 512; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	upstream zsquery {
		server unix:$sock;
		keepalive 2;
	}
	server {
		listen 127.0.0.1:$port ssl;
		server_name api.example.com;
		ssl_certificate $T/node.pem;
		ssl_certificate_key $T/node.key;
		location /zstack/v1/ {
			include $SNIPPET;
			fastcgi_pass zsquery;
		}
	}
}
EOF
}
pool_up() {
	rm -f "$T/node$1.sock"
	pool_start "pool$1" "$T/store$1" "$T/node$1.sock" -w 3 ||
	    t_hard "pool of node $1"
	eval "POOL$1=\$POOL_PID"
}
node_start() {
	local n=$1 d=$T/node$1 port
	admin -d "$T/store$n" init >/dev/null || t_hard "init node $n"
	feeds "$n"
	pool_up "$n"
	port=$(free_port)
	node_conf "$d" "$port" "$T/node$n.sock"
	t_spawn "nginx$n" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" \
	    -g 'daemon off;'
	wait_until 300 test -s "$d/nginx.pid" || t_hard "nginx of node $n"
	eval "NODE$n=https://127.0.0.1:$port"
}
node_start 1
node_start 2

# --- the front, from the shipped zsquery-lb.conf ------------------------------
F=$T/front
mkdir -p "$F/tmp"
P80=$(free_port)
P443=$(free_port)
sed -e "s|node1.example.com:443|${NODE1#https://}|" \
    -e "s|node2.example.com:443|${NODE2#https://}|" \
    -e "s|/etc/ssl/certs/zsquery-lb.pem|$T/front.pem|" \
    -e "s|/etc/ssl/private/zsquery-lb.key|$T/front.key|" \
    -e "s|/etc/ssl/certs/zsquery-nodes-ca.pem|$T/node.pem|" \
    -e '/listen.*\[::\]/d' \
    -e "s|listen\([[:space:]]*\)80;|listen\1127.0.0.1:$P80;|" \
    -e "s|listen\([[:space:]]*\)443 |listen\1127.0.0.1:$P443 |" \
    -e 's|rate=20r/s|rate=100000r/s|' \
    -e 's|zsquery_lb_conn 4;|zsquery_lb_conn 1000;|' "$LB" >"$F/site.conf"
for s in "${NODE1#https://} max_fails" "${NODE2#https://} max_fails" \
    "$T/front.pem" "$T/front.key" "$T/node.pem" "127.0.0.1:$P80;" \
    "127.0.0.1:$P443 ssl" rate=100000r/s "zsquery_lb_conn 1000;"; do
	grep -qF "$s" "$F/site.conf" || t_hard "zsquery-lb.conf changed: no '$s' after sed"
done
nginx_wrap "$F" 1 'worker_connections 1024;' \
    "log_format up '\$request_uri \$status \$upstream_addr \$upstream_status'; access_log $F/access.log up;"
out=$(nginx -t -p "$F" -c "$F/nginx.conf" -e "$F/error.log" 2>&1) && ok ||
    t_hard "nginx -t on zsquery-lb.conf: $out"
t_spawn front nginx -p "$F" -c "$F/nginx.conf" -e "$F/error.log" -g 'daemon off;'
wait_until 300 test -s "$F/nginx.pid" || t_hard "the front did not start"
FRONT=https://127.0.0.1:$P443

# gv BASE SID PATH: status and body (in $T/body) of a GET.
gv() {
	BASE=$1 get "$2" "$3" -k
}
# name_on BASE GROUP: the group's name as the admin sees it there.
name_on() {
	gv "$1" "$SID_ADMIN_UP" "$API/$2"
	python3 -c 'import json, sys
inv = json.load(open(sys.argv[1]))["inventories"]
print(inv[0]["name"] if inv else "-")' "$T/body" 2>/dev/null
}
SID_ADMIN_UP=5e551050000000000000000000ad0001
maria_login "$SID_ADMIN_UP" "$ACC_ADMIN"
feeds 1
feeds 2

gv "$FRONT" "$SA" "$API/$G_A1"
expect_golden "through the front" nginx_get_a1_utc.json
BASE=$FRONT req -k "/nope"
[ "$STATUS" = 404 ] && ok || not_ok "front: outside /zstack/v1/: $STATUS"

# --- a 503 is an answer: no second node asked ---------------------------------
gv "$FRONT" nosuchsession "$API/?limit=1&marker=503once"
expect_503 "bad session through the front" ID.1001
n=$(cat "$T/node1/access.log" "$T/node2/access.log" | grep -c 'marker=503once')
[ "$n" = 1 ] && ok || not_ok "a 503 reached $n nodes, want 1"

# --- kill one node's pool under wrk -------------------------------------------
wrk -t2 -c8 -d8s --timeout 10s -H "Authorization: OAuth $SA" \
    "$FRONT$API/$G_A1" >"$T/wrk.out" 2>&1 &
WRK=$!
# Kill once node 1 is serving part of the load.
wait_until 100 eval '[ "$(grep -c " 200 " "$T/node1/access.log")" -gt 50 ]' ||
    not_ok "node 1 got no load"
kill -KILL -- "-$POOL1"
wait "$WRK"
cat "$T/wrk.out" >&2
if grep -qE 'Non-2xx|Socket errors' "$T/wrk.out"; then
	not_ok "failed requests at the front: $(grep -E 'Non-2xx|Socket errors' "$T/wrk.out")"
else
	ok
fi
n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$T/wrk.out")
[ "${n:-0}" -gt 100 ] && ok || not_ok "wrk made only '$n' requests"
# The kill mattered: node 1 answered 502s, and the front retried them.
n502=$(grep -c '" 502 ' "$T/node1/access.log")
[ "$n502" -gt 0 ] && ok || not_ok "node 1 never answered 502 after the kill"
# (499: wrk itself closing its connections when its time is up.)
awk '$2 != 200 && $2 != 499' "$T/front/access.log" |
    grep -v -e 503once -e '/nope' >"$T/bad"
[ ! -s "$T/bad" ] && ok || not_ok "the front answered non-200: $(head -n 3 "$T/bad")"
grep -q ' 200 .*, .* 502, 200$' "$T/front/access.log" && ok ||
    not_ok "no request was retried on the other node after a 502"
t_forget "$POOL1"

# --- changes upstream while node 1 is down --------------------------------------
up set "$G_A1" name renamed-upstream
up owner "$G_A2" "$ACC_C"
up share "$G_B1" "$ACC_C"
maria "DELETE FROM zstack.SessionVO WHERE uuid = '$SC'"
feeds 2
[ "$(name_on "$NODE2" "$G_A1")" = renamed-upstream ] && ok ||
    not_ok "node 2: group name after its sync"
seen_on() {	# seen_on BASE SID: the uuids that session sees
	gv "$1" "$2" "$API/"
	python3 -c 'import json, sys
print(" ".join(g["uuid"] for g in json.load(open(sys.argv[1]))["inventories"]))' \
	    "$T/body" 2>/dev/null
}
[ "$(seen_on "$NODE2" "$SA")" = "$G_A1 $G_B2 $G_B3" ] && ok ||
    not_ok "node 2: tenant-a sees '$(seen_on "$NODE2" "$SA")' after the owner change"
gv "$NODE2" "$SC" "$API/"
expect_503 "node 2: the logged-out session" ID.1001

# Node 1 comes back behind: its pool serves the old store ...
pool_up 1
[ "$(name_on "$NODE1" "$G_A1")" = "alpha <b>&'=\"x\"" ] && ok ||
    not_ok "node 1 before its sync: '$(name_on "$NODE1" "$G_A1")'"
gv "$NODE1" "$SC" "$API/"
[ "$STATUS" = 200 ] && ok || not_ok "node 1 before its sync: session $STATUS"
# ... and catches up on its next sync.
feeds 1
[ "$(name_on "$NODE1" "$G_A1")" = renamed-upstream ] && ok ||
    not_ok "node 1: group name after its sync"
[ "$(seen_on "$NODE1" "$SA")" = "$G_A1 $G_B2 $G_B3" ] && ok ||
    not_ok "node 1: tenant-a sees '$(seen_on "$NODE1" "$SA")'"
gv "$NODE1" "$SC" "$API/"
expect_503 "node 1: the logged-out session" ID.1001
# Tenant-c (another session of it) now owns a2 and has b1 shared: both
# nodes agree, so the front does too, whichever node answers.
SC2=5e5510500000000000000000000c0002
maria_login "$SC2" "$ACC_C"
feeds 1
feeds 2
for base in "$NODE1" "$NODE2" "$FRONT" "$FRONT"; do
	got=$(seen_on "$base" "$SC2")
	[ "$got" = "$G_A2 $G_B1 $G_B3" ] && ok ||
	    not_ok "$base: tenant-c sees '$got'"
done

t_done
