#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh [N] - measure zsquery against its ceilings (see bench/README.md).
#
# Builds the responder and the LMDB walker, generates N groups (default
# 100000) and a 1,000-group reference set, imports both, starts two
# zsquery-fcgi pools, one responder and one nginx (loopback, ports from
# $BENCH_PORT up), runs wrk and curl against them and prints one table.
# Everything it starts lives in a mktemp directory and is stopped and
# removed on exit.
#
# Environment (all optional):
#   builddir      where src/zsquery-admin and src/zsquery-fcgi are
#                 (default: the source tree, for an in-tree build)
#   BENCH_PORT    first of four ports (default 28080)
#   BENCH_D       wrk duration per run (default 5s)
#   BENCH_C       wrk connections (default 8; one wrk thread)
#   BENCH_R       rounds per comparison, best kept (default 3)
#   BENCH_W       FastCGI workers, zsquery and responder alike (default 4)
#   BENCH_KEEP    1: keep the work directory (stores, logs, wrk output)
#   BENCH_PG      0: skip the PostgreSQL baseline (default 1: needs
#                 PostgreSQL 15's server binaries, run as root)
#   CC            compiler for responder.c and walk.c (default cc)
set -eu

N=${1:-100000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${builddir:-$top}
PORT=${BENCH_PORT:-28080}
D=${BENCH_D:-5s}
C=${BENCH_C:-8}
R=${BENCH_R:-3}
W=${BENCH_W:-4}
CC=${CC:-cc}
KEEPALIVE=$(( W / 2 > 0 ? W / 2 : 1 ))
ADMIN_ACCOUNT=36c27e8ff05c4780bf6d2fa65700f22e
SID=0123456789abcdef0123456789abcdef
# The needles bench/gen.py plants (see its docstring).
NEEDLE_UUID=feedface00000000000000000000beef
NEEDLE_MS=feedface00000000000000000000be01
NEEDLE_IP=10.255.255.1
NEEDLE_IP_LONG=184549121	# 10.255.255.1 as ipInLong
NEEDLE_GW=10.255.0.1		# the gateway of the needle's vmNic
API=/zstack/v1/ai/model-services/instances/groups

admin=$builddir/src/zsquery-admin
fcgi=$builddir/src/zsquery-fcgi
for p in "$admin" "$fcgi"; do
	[ -x "$p" ] || { echo "run.sh: $p missing: set builddir" >&2; exit 1; }
done
case $N in ''|*[!0-9]*) echo "usage: run.sh [N]" >&2; exit 2;; esac

dir=$(mktemp -d /tmp/zsqbench.XXXXXX)
# nginx's workers reach the sockets in here; as root they run as www-data.
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then
	ngx_user="user www-data;"
	listen_group=(--listen-group www-data)
else
	ngx_user=
	listen_group=()
fi
pids=()
resp_pid=
cleanup() {
	local p
	for p in "${pids[@]}" $resp_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}" $resp_pid; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${pg:-}" ]; then
		runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast \
		    stop >/dev/null 2>&1 || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "run.sh: kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '== %s\n' "$*" >&2; }

# ---- build and generate ----------------------------------------------------
mkdir -p "$dir/bin" "$dir/www" "$dir/tmp"
$CC -O2 -o "$dir/bin/responder" "$here/responder.c" -lfcgi
$CC -O2 -o "$dir/bin/walk" "$here/walk.c" -llmdb

say "generating $N groups"
python3 "$here/gen.py" "$N" > "$dir/groups.json"
if [ "$N" != 1000 ]; then
	python3 "$here/gen.py" 1000 > "$dir/groups1k.json"
else
	ln -s groups.json "$dir/groups1k.json"
fi

# import_store STORE FILE LABEL: prints "seconds peak_rss_kib
# peak_anon_kib" of the import alone (measure.py).
import_store() {
	local store=$1 file=$2
	"$admin" -d "$store" --map-size 64G init >/dev/null
	python3 "$here/measure.py" "$dir/import-$3.out" -- \
	    "$admin" -d "$store" import "$file"
	"$admin" -d "$store" session create --account "$ADMIN_ACCOUNT" \
	    --uuid "$SID" >/dev/null
}
say "importing"
import_store "$dir/store" "$dir/groups.json" N >"$dir/import-N.res"
import_store "$dir/store1k" "$dir/groups1k.json" 1k >"$dir/import-1k.res"
read -r imp_s imp_rss imp_anon <"$dir/import-N.res"
read -r imp1k_s imp1k_rss imp1k_anon <"$dir/import-1k.res"

# refresh FILE LABEL: an import --replace of FILE into the N store, timed
# like import_store (seconds peak_rss_kib peak_anon_kib).
refresh() {
	python3 "$here/measure.py" "$dir/refresh-$2.out" -- \
	    "$admin" -d "$dir/store" import --replace "$1"
}
say "refreshing: unchanged, then 1% changed"
refresh "$dir/groups.json" same >"$dir/refresh-same.res"
python3 "$here/gen.py" "$N" --change-every 100 >"$dir/groups-1pct.json"
refresh "$dir/groups-1pct.json" 1pct >"$dir/refresh-1pct.res"
read -r ref_same_s ref_same_rss _ <"$dir/refresh-same.res"
read -r ref_1pct_s ref_1pct_rss _ <"$dir/refresh-1pct.res"
# Back to the plain data, so the queries below see it.
refresh "$dir/groups.json" back >/dev/null
store_mib=$(du -sm "$dir/store" | cut -f1)

# ---- PostgreSQL 15: the same documents as JSONB, GIN jsonb_path_ops ------
# A private cluster in the work directory on a port of its own; COPY of
# one document per line, then the GIN index, timed together.
pg=
pgbin=/usr/lib/postgresql/15/bin
if [ "${BENCH_PG:-1}" = 1 ] && [ -x "$pgbin/initdb" ] && [ "$(id -u)" = 0 ]
then
	say "PostgreSQL: loading the same documents"
	PGPORT=$((PORT + 10))
	mkdir -p "$dir/pg"
	chown postgres "$dir/pg"
	python3 "$here/gen.py" "$N" --lines >"$dir/groups.lines"
	chmod 644 "$dir/groups.lines"
	runuser -u postgres -- "$pgbin/initdb" -D "$dir/pg/data" -A trust \
	    -E UTF8 >"$dir/pg/initdb.log" 2>&1
	runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -w \
	    -l "$dir/pg/server.log" -o "-p $PGPORT -k $dir/pg -c listen_addresses=''" \
	    start >/dev/null
	pg=1
	psql_() { runuser -u postgres -- psql -X -q -h "$dir/pg" -p "$PGPORT" \
	    -d postgres -v ON_ERROR_STOP=1 "$@"; }
	psql_ -c 'CREATE TABLE g (doc jsonb)'
	pg_load_s=$(python3 -c 'import subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True)
print("%.2f" % (time.monotonic() - t))' runuser -u postgres -- psql -X -q \
	    -h "$dir/pg" -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 \
	    -c "COPY g (doc) FROM '$dir/groups.lines' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" \
	    -c 'CREATE INDEX g_gin ON g USING gin (doc jsonb_path_ops)' \
	    -c 'VACUUM ANALYZE g')
	pg_mib=$(du -sm "$dir/pg/data" | cut -f1)
fi

# ---- start the servers -----------------------------------------------------
"$fcgi" -d "$dir/store" -w "$W" --listen "$dir/zsquery.sock" \
    "${listen_group[@]}" 2>"$dir/zsquery.log" &
zsq_pid=$!
pids+=("$zsq_pid")
"$fcgi" -d "$dir/store1k" -w "$W" --listen "$dir/zsquery1k.sock" \
    "${listen_group[@]}" 2>"$dir/zsquery1k.log" &
pids+=($!)

sed -e "s|@DIR@|$dir|g" -e "s|@TOP@|$top|g" -e "s|@USER@|$ngx_user|" \
    -e "s|@KEEPALIVE@|$KEEPALIVE|g" \
    -e "s|@PORT_STATIC@|$PORT|g" -e "s|@PORT_RESP@|$((PORT + 1))|g" \
    -e "s|@PORT_ZSQ@|$((PORT + 2))|g" -e "s|@PORT_ZSQ1K@|$((PORT + 3))|g" \
    "$here/nginx-bench.conf" > "$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' &
pids+=($!)

STATIC=http://127.0.0.1:$PORT
RESP=http://127.0.0.1:$((PORT + 1))
ZSQ=http://127.0.0.1:$((PORT + 2))
ZSQ1K=http://127.0.0.1:$((PORT + 3))
AUTH="Authorization: OAuth $SID"

# responder FILE: (re)start the responder serving FILE's bytes.
responder() {
	if [ -n "$resp_pid" ]; then
		kill "$resp_pid"
		wait "$resp_pid" 2>/dev/null || true
	fi
	"$dir/bin/responder" -w "$W" --listen "$dir/responder.sock" "$1" &
	resp_pid=$!
	wait_up "$RESP/"
}

# wait_up URL: until it answers at all (any status but 502), 10 s at most.
wait_up() {
	local i code
	for i in $(seq 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$1") \
		    || true
		case $code in 000|502) sleep 0.1;; *) return 0;; esac
	done
	echo "run.sh: $1 did not come up" >&2
	exit 1
}

# fetch URL OUT [header]: body to OUT, prints the status; dies unless 200/304.
fetch() {
	local code
	code=$(curl -s -o "$2" -w '%{http_code}' -H "$AUTH" ${3:+-H "$3"} "$1")
	case $code in 200|304) echo "$code";;
	*) echo "run.sh: $1 answered $code: $(head -c 300 "$2")" >&2; exit 1;;
	esac
}

# etag URL: the ETag header of a GET, empty when there is none.
etag() {
	curl -s -D - -o /dev/null -H "$AUTH" "$1" |
	    awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'
}

# inventories FILE: how many inventories a reply holds.
inventories() {
	python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["inventories"]))' "$1"
}

# wrk_rps NAME URL [wrk args]: prints requests/s, or "bad" when any
# reply was not 2xx/3xx or a socket error happened (then see the file).
wrk_rps() {
	local out=$dir/wrk-$1.txt url=$2
	shift 2
	wrk -t1 -c"$C" -d"$D" -H "$AUTH" "$@" "$url" >"$out" 2>&1
	awk '/^Requests\/sec:/ { rps = $2 }
	    /Non-2xx or 3xx responses:/ { bad = 1 }
	    /Socket errors:/ { bad = 1 }
	    END { print (bad || rps == "") ? "bad" : rps }' "$out"
}

# wrk_p50 NAME URL [wrk args]: median latency in ms over one connection.
wrk_p50() {
	local out=$dir/wrk-$1.txt url=$2
	shift 2
	wrk -t1 -c1 -d"$D" --latency -H "$AUTH" "$@" "$url" >"$out" 2>&1
	awk '$1 == "50%" { v = $2
		if (v ~ /us$/) m = v / 1000
		else if (v ~ /ms$/) m = v + 0
		else if (v ~ /m$/) m = v * 60000
		else m = v * 1000 }
	    /Non-2xx or 3xx responses:/ { bad = 1 }
	    /Socket errors:/ { bad = 1 }
	    END { print (bad || m == "") ? "bad" : m }' "$out"
}

# bout rps|p50 NAME URL HEADER [URL HEADER]...: measure each contender
# $R times, round-robin, so load from elsewhere on the machine falls on
# all of them alike; prints each one's best (highest req/s, lowest p50),
# or "bad" for one that ever got a non-2xx/3xx reply.  HEADER may be "".
bout() {
	local metric=$1 name=$2 i j v
	local -a url=() hdr=() best=()
	shift 2
	while [ $# -gt 0 ]; do
		url+=("$1")
		hdr+=("$2")
		best+=("")
		shift 2
	done
	for i in $(seq "$R"); do
		for j in "${!url[@]}"; do
			v=$("wrk_$metric" "$name-$j-$i" "${url[$j]}" \
			    ${hdr[$j]:+-H "${hdr[$j]}"})
			best[$j]=$(awk -v a="${best[$j]}" -v b="$v" -v m="$metric" \
			    'BEGIN { if (a == "bad" || b == "bad") print "bad"
				else if (a == "") print b
				else if (m == "rps") print (b + 0 > a + 0 ? b : a)
				else print (b + 0 < a + 0 ? b : a) }')
		done
	done
	echo "${best[@]}"
}

# min of the numbers on stdin
least() {
	sort -g | head -1
}

# rss PID: "rss_kib rssanon_kib" of one process, which must still run
rss() {
	[ -r "/proc/$1/status" ] ||
	    { echo "run.sh: worker $1 is gone" >&2; exit 1; }
	awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
	    END { print r, a }' "/proc/$1/status"
}

rows=()
# row TEST ZSQ BASE RATIO TARGET VERDICT
row() { rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$@")"); }

# ratio A B: A/B to two decimals, "-" when either is not a number
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "-"
		else printf "%.2f\n", a / b }'
}
# verdict RATIO OP LIMIT: "ok" or "MISS"
verdict() {
	awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (r == "-") { print "n/a"; exit }
		ok = op == ">=" ? r >= l : r <= l
		print ok ? "ok" : "MISS" }'
}

wait_up "$ZSQ$API/"
wait_up "$ZSQ1K$API/"
wait_up "$STATIC/"

# ---- 1. GET by uuid --------------------------------------------------------
say "1. GET by uuid"
get=$ZSQ$API/$NEEDLE_UUID
fetch "$get" "$dir/get.json" >/dev/null
[ "$(inventories "$dir/get.json")" = 1 ] ||
    { echo "run.sh: GET $NEEDLE_UUID found no group" >&2; exit 1; }
cp "$dir/get.json" "$dir/www/body.json"
responder "$dir/get.json"
read -r z b s < <(bout rps get "$get" "" "$RESP/" "" "$STATIC/" "")
r=$(ratio "$z" "$b")
row "1 GET uuid ($(wc -c <"$dir/get.json") B body), req/s" "$z" \
    "$b responder" "$r" ">= 0.90" "$(verdict "$r" '>=' 0.90)"
r=$(ratio "$z" "$s")
row "1 GET uuid, req/s" "$z" "$s nginx static" "$r" "report" "-"

# ---- 5. 304 revalidation (the same responder) ------------------------------
# Judged against the responder sending the full 200 (what a revalidation
# saves); the responder's own 304, which does no work at all, is shown too.
say "5. 304 revalidation"
zt=$(etag "$get")
bt=$(etag "$RESP/")
if [ -n "$zt" ]; then
	code=$(fetch "$get" "$dir/304.out" "If-None-Match: $zt")
	[ "$code" = 304 ] || { echo "run.sh: no 304 for $zt" >&2; exit 1; }
	read -r z b b304 < <(bout rps 304 "$get" "If-None-Match: $zt" \
	    "$RESP/" "" "$RESP/" "If-None-Match: $bt")
	r=$(ratio "$z" "$b")
	row "5 304 If-None-Match, req/s" "$z" "$b responder 200" "$r" \
	    ">= 1.00" "$(verdict "$r" '>=' 1.00)"
	r=$(ratio "$z" "$b304")
	row "5 304 If-None-Match, req/s" "$z" "$b304 responder 304" "$r" \
	    "report" "-"
else
	row "5 304 If-None-Match, req/s" "no ETag" "-" "-" ">= 1.00" "MISS"
fi

# ---- 2. indexed list, few groups -------------------------------------------
say "2. indexed list"
for spec in "name=bench-needle" "modelServiceUuid=$NEEDLE_MS"; do
	key=${spec%%=*}
	url="$ZSQ$API/?q=$spec"
	fetch "$url" "$dir/list.json" >/dev/null
	n=$(inventories "$dir/list.json")
	responder "$dir/list.json"
	read -r z b < <(bout rps "list-$key" "$url" "" "$RESP/" "")
	r=$(ratio "$z" "$b")
	row "2 list q=$key ($n groups), req/s" "$z" "$b responder" \
	    "$r" ">= 0.80" "$(verdict "$r" '>=' 0.80)"
	read -r l l1 < <(bout p50 "lat-$key" "$url" "" \
	    "$ZSQ1K$API/?q=$spec" "")
	r=$(ratio "$l" "$l1")
	row "2 list q=$key p50 ms, N=$N vs N=1000" "$l" "$l1 at 1000" \
	    "$r" "<= 1.50" "$(verdict "$r" '<=' 1.50)"
done
# Not a target, but what a client opening the list sees: no condition.
read -r l l1 < <(bout p50 "lat-page" "$ZSQ$API/?limit=10" "" \
    "$ZSQ1K$API/?limit=10" "")
r=$(ratio "$l" "$l1")
row "2 list no q, limit=10: p50 ms, N=$N vs N=1000" "$l" "$l1 at 1000" \
    "$r" "report" "-"

# ---- 4. streaming every group ----------------------------------------------
# VmRSS counts the map pages a worker touched before, too (the kernel maps
# neighbouring cached pages on every fault): after a query that walked
# every record (test 3, or a list without q) it barely moves.  RssAnon is
# the worker's own memory, the number judged.
say "4. streaming all"
mapfile -t workers < <(ps -o pid= --ppid "$zsq_pid" | tr -d ' ')
[ "${#workers[@]}" -gt 0 ] ||
    { echo "run.sh: no workers under pid $zsq_pid" >&2; exit 1; }
before=()
for p in "${workers[@]}"; do before+=("$(rss "$p")"); done
st=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
    -H "$AUTH" "$ZSQ$API/?limit=$N")
read -r code size secs <<<"$st"
[ "$code" = 200 ] || { echo "run.sh: stream answered $code" >&2; exit 1; }
grow=0 grow_anon=0
for i in "${!workers[@]}"; do
	read -r r0 a0 <<<"${before[$i]}"
	read -r r1 a1 <<<"$(rss "${workers[$i]}")"
	[ $((r1 - r0)) -gt "$grow" ] && grow=$((r1 - r0))
	[ $((a1 - a0)) -gt "$grow_anon" ] && grow_anon=$((a1 - a0))
done
mb=$(awk -v k="$grow_anon" 'BEGIN { printf "%.1f", k / 1024 }')
row "4 stream limit=$N: max worker RssAnon growth, MiB" "$mb" "-" "-" \
    "< 16" "$(awk -v m="$mb" 'BEGIN { print m < 16 ? "ok" : "MISS" }')"
row "4 stream: max worker VmRSS growth (with map pages), MiB" \
    "$(awk -v k="$grow" 'BEGIN { printf "%.1f", k / 1024 }')" "-" "-" \
    "report" "-"
mibs=$(awk -v b="$size" -v s="$secs" 'BEGIN { printf "%.0f", b / 1048576 / s }')
row "4 stream: $((size >> 20)) MiB body, s / MiB/s" "$secs" "$mibs MiB/s" \
    "-" "report" "-"

# ---- 3. full scan on a nested field ----------------------------------------
# vmNics.ip is indexed (src/index.c), so it is reported for comparison;
# ipInLong (a Long) and gateway (a String) are not: those walk every record.
say "3. full scan"
keys=()
for spec in "instances.vm.vmNics.usedIps.ipInLong=$NEEDLE_IP_LONG" \
    "instances.vm.vmNics.gateway=$NEEDLE_GW" \
    "instances.vm.vmNics.ip=$NEEDLE_IP"; do
	key=${spec%%=*}
	keys+=("$key")
	url="$ZSQ$API/?q=$spec"
	fetch "$url" "$dir/scan.json" >/dev/null
	n=$(inventories "$dir/scan.json")
	[ "$n" = 1 ] ||
	    { echo "run.sh: $spec found $n groups, not 1" >&2; exit 1; }
	for i in 1 2 3 4 5; do
		curl -s -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$url" \
		    >>"$dir/scan-$key.times"
		"$dir/bin/walk" "$dir/store" >>"$dir/walk.out"
	done
done
walk_s=$(awk '{ print $6 }' "$dir/walk.out" | least)
mib=$(awk 'NR == 1 { print int($4 / 1048576) }' "$dir/walk.out")
for key in "${keys[@]}"; do
	z=$(least <"$dir/scan-$key.times")
	r=$(ratio "$z" "$walk_s")
	case $key in
	*.ip)	row "3 q=$key (indexed), s" "$z" "$walk_s walk $mib MiB" \
		    "$r" "report" "-";;
	*)	row "3 scan q=$key, s" "$z" "$walk_s walk $mib MiB" \
		    "$r" "<= 2.00" "$(verdict "$r" '<=' 2.00)";;
	esac
done

# ---- 7. equality on a leaf no ordered index covers, vs PostgreSQL's GIN ----
# zsquery: p50 of one connection through nginx, count=true.  PostgreSQL:
# pgbench, one connection, the same containment query (average latency:
# pgbench gives no median).
say "7. equality on any leaf"
eq_url="$ZSQ$API/?q=instances.vm.vmNics.gateway=$NEEDLE_GW&count=true"
fetch "$eq_url" "$dir/eq.json" >/dev/null
grep -q '"total":[1-9]' "$dir/eq.json" ||
    { echo "run.sh: equality found nothing: $(cat "$dir/eq.json")" >&2; exit 1; }
read -r z < <(bout p50 "eq" "$eq_url" "")
if [ -n "$pg" ]; then
	printf '%s\n' "SELECT count(*) FROM g WHERE doc @> '{\"instances\":[{\"vm\":{\"vmNics\":[{\"gateway\":\"$NEEDLE_GW\"}]}}]}';" \
	    >"$dir/pg-eq.sql"
	chmod 644 "$dir/pg-eq.sql"
	b=$(runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -n -c1 \
	    -T "${D%s}" -h "$dir/pg" -p "$PGPORT" -f "$dir/pg-eq.sql" postgres \
	    2>&1 | awk '/latency average/ { print $4 }')
else
	b=-
fi
r=$(ratio "$z" "$b")
row "7 eq gateway (no ordered index), p50 ms" "$z" "$b PostgreSQL GIN" "$r" \
    "<= 2.00" "$(verdict "$r" '<=' 2.00)"
row "7 eq gateway, p50 ms, absolute" "$z" "-" "-" "<= 1 ms" \
    "$(awk -v z="$z" 'BEGIN { print z <= 1 ? "ok" : "MISS" }')"

# ---- 8. scans no index serves, vs PostgreSQL's jsonpath --------------------
# Best of 5 of count=true through nginx; PostgreSQL: best of 3 of the
# same count with a jsonpath (\timing, so server and protocol time).
say "8. scans"
scans=(
	"instances.vm.cpuNum>=8|\$.instances[*].vm ? (@.cpuNum >= 8)"
	"instances.vm.vmNics.gateway!=$NEEDLE_GW|\$.instances[*].vm.vmNics[*] ? (@.gateway != \"$NEEDLE_GW\")"
	"description~=%25group%207%25|\$.description ? (@ like_regex \"group 7\")"
	"instances.vm.allVolumes.size>214748364800|\$.instances[*].vm.allVolumes[*] ? (@.size > 214748364800)"
)
for spec in "${scans[@]}"; do
	zq=${spec%%|*}
	jp=${spec#*|}
	url="$ZSQ$API/?q=$zq&count=true"
	fetch "$url" "$dir/scan8.json" >/dev/null
	zt=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' \
	    -H "$AUTH" "$url"; done | least)
	zt=$(awk -v t="$zt" 'BEGIN { printf "%.1f", t * 1000 }')
	if [ -n "$pg" ]; then
		bt=$(for i in 1 2 3; do psql_ -c '\timing on' \
		    -c "SELECT count(*) FROM g WHERE doc @? '$jp'" |
		    awk '/^Time:/ { print $2 }'; done | least)
	else
		bt=-
	fi
	r=$(ratio "$zt" "$bt")
	row "8 scan q=${zq%%[=!<>~]*} $(echo "$zq" | sed 's/^[a-zA-Z.]*//'), ms" \
	    "$zt" "$bt PostgreSQL jsonpath" "$r" "<= 0.02" \
	    "$(verdict "$r" '<=' 0.02)"
	row "8 scan ${zq%%[=!<>~]*}, ms, absolute" "$zt" "-" "-" "<= 50 ms" \
	    "$(awk -v z="$zt" 'BEGIN { print z <= 50 ? "ok" : "MISS" }')"
done

# ---- 9. refresh: import --replace unchanged / 1 % changed vs full --------
r=$(ratio "$ref_same_s" "$imp_s")
row "9 import --replace, all unchanged, s" "$ref_same_s" "$imp_s full import" \
    "$r" "<= 0.10" "$(verdict "$r" '<=' 0.10)"
r=$(ratio "$ref_1pct_s" "$imp_s")
row "9 import --replace, 1% changed, s" "$ref_1pct_s" "$imp_s full import" \
    "$r" "<= 0.15" "$(verdict "$r" '<=' 0.15)"

# ---- 6. import -------------------------------------------------------------
in_mib=$(($(wc -c <"$dir/groups.json") >> 20))
row "6 import N=$N ($in_mib MiB), s / peak RSS, RssAnon" "$imp_s" \
    "$((imp_rss >> 10)), $((imp_anon >> 10)) MiB" "-" "report" "-"
if [ -n "$pg" ]; then
	r=$(ratio "$imp_s" "$pg_load_s")
	row "6 import N=$N, s, vs PostgreSQL COPY + GIN" "$imp_s" \
	    "$pg_load_s PostgreSQL" "$r" "<= 1.00" "$(verdict "$r" '<=' 1.00)"
	row "6 store size, MiB (PostgreSQL's data directory)" "$store_mib" \
	    "$pg_mib PostgreSQL" "$(ratio "$store_mib" "$pg_mib")" "report" "-"
fi
row "6 import peak RSS, MiB" "$((imp_rss >> 10))" "-" "-" "<= 256" \
    "$(awk -v m="$((imp_rss >> 10))" 'BEGIN { print m <= 256 ? "ok" : "MISS" }')"
[ "$N" = 1000 ] ||
    row "6 import N=1000 (13 MiB), s / peak RSS, RssAnon" "$imp1k_s" \
    "$((imp1k_rss >> 10)), $((imp1k_anon >> 10)) MiB" "-" "report" "-"

# ---- the table -------------------------------------------------------------
printf 'zsquery bench: N=%s, wrk -t1 -c%s -d%s, best of %s, %s workers, '\
'keepalive %s, %s, %s cores, load %s\n' "$N" "$C" "$D" "$R" "$W" "$KEEPALIVE" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
{
	printf 'test\tzsquery\tbaseline\tratio\ttarget\tverdict\n'
	printf '%s\n' "${rows[@]}" | sort -s -n -k1,1
} | column -t -s "$(printf '\t')"
