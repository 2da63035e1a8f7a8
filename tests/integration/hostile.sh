#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile.sh - hostile clients (issue 4) through a real nginx in front of
# the real pool: the corpus tests/data/hostile/requests.txt (long and broken
# request lines, thousands of parameters, NULs and invalid UTF-8, numbers
# past every bound, deep paths, bad methods, HTTP/1.0, pipelining, slow
# senders, clients hanging up, huge and many headers) sent by
# tests/tools/hostile.py, which judges every answer against API.md §7 (or
# accepts nginx's own 4xx pages; never another 5xx).  Then GETs with bodies of
# every size around the bounds, through the shipped snippet and through a
# plain nginx that forwards them; then a crafted FastCGI PARAMS record
# straight to the pool's socket.  Afterwards the pool must be whole: the
# master alive, all its workers, a normal request served.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep
t_init hostile
t_need_bins

export TZ=UTC
WORKERS=3
CLIENT=$TOOLS_BIN/fcgi_client
CORPUS=$top_srcdir/tests/data/hostile/requests.txt

store_make "$T/store" || t_hard "store"
# A short client timeout: a client that stalls a worker costs it 5 s.
pool_start pool "$T/store" "$T/pool.sock" -w $WORKERS --client-timeout 5 ||
    t_hard "pool"
MASTER=$POOL_PID
nginx_start ngx "$T/pool.sock" || t_hard "nginx"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] || t_hard "first request: $STATUS"

# whole: the master and all its workers alive, a normal request served.
whole() {
	local desc=$1
	alive "$MASTER" && ok || not_ok "$desc: master gone"
	wait_until 100 eval \
	    '[ "$(pool_workers "$MASTER" | wc -l)" = $WORKERS ]' && ok ||
	    not_ok "$desc: $(pool_workers "$MASTER" | wc -l) workers, want $WORKERS"
	get "$SID_ADMIN" "$API/$G_A1"
	expect_golden "$desc: a normal request" nginx_get_a1_utc.json
}

# ---- the corpus ------------------------------------------------------------
python3 "$TOOLS/hostile.py" 127.0.0.1 "$NGINX_PORT" "$SID_ADMIN" \
    "$CORPUS" >"$T/hostile.out" 2>&1
rc=$?
cat "$T/hostile.out" >&2
[ $rc = 0 ] && ok ||
    not_ok "hostile corpus: $(grep -c '^FAIL' "$T/hostile.out") bad answers"
n=$(sed -n 's/^requests sent: \([0-9]*\).*/\1/p' "$T/hostile.out")
[ "${n:-0}" -ge 150 ] && ok || not_ok "corpus of ${n:-0} requests, want 150+"
# No worker died on the way (a crash is a 502 somewhere, but say so).
if grep -q 'killed by signal' "$T/pool.log"; then
	not_ok "a worker crashed: $(grep 'killed by signal' "$T/pool.log")"
else
	ok
fi
if grep -Eq 'upstream (prematurely closed|timed out)' "$T/ngx/error.log"; then
	not_ok "nginx lost the pool: $(grep upstream "$T/ngx/error.log" |
	    head -n 3)"
else
	ok
fi
whole "after the corpus"

# ---- request bodies (issue 7 section 5) ------------------------------------
# A worker must read a request's body before it answers: nginx stops
# sending a body once the reply's head has arrived, so a worker that
# answered first (a reply longer than libfcgi's buffer, ?limit=1000) and
# read the body afterwards waited for the rest until its client timeout,
# holding the worker.  GETs with bodies of sizes around every bound (0,
# 1, 64 KiB, 256 KiB, and nginx's and the worker's 1 MiB, one less and
# one more), six times each over nginx's kept connections to the pool
# (the snippet's fastcgi_keep_conn): through the shipped snippet, which
# drops bodies, and through a plain nginx that forwards them as Debian's
# fastcgi_params does.  Every one is answered in normal time (nginx's own
# request time under 3 s) or refused at once (nginx's 413 past its
# client_max_body_size); then a plain GET is served at once: no worker is
# held.  Straight to the pool, the worker's own bound: 1 MiB of body is
# read and answered, one byte more is refused with 413 and the
# connection closed.
sed -e 's/^fastcgi_pass_request_body.*/fastcgi_pass_request_body on;/' \
    "$SNIPPET" >"$T/plain.conf"
printf 'fastcgi_param\tCONTENT_LENGTH\t$content_length;\n' >>"$T/plain.conf"
printf 'fastcgi_param\tCONTENT_TYPE\t$content_type;\n' >>"$T/plain.conf"
MAIN_BASE=$BASE
SNIPPET=$T/plain.conf nginx_start ngx-plain "$T/pool.sock" ||
    t_hard "plain nginx"
PLAIN_BASE=$BASE
BASE=$MAIN_BASE
SIZES="0 1 65536 262144 1048575 1048576 1048577"
for n in $SIZES; do
	head -c "$n" /dev/zero | tr '\0' b >"$T/body.$n"
done
# bodies TAG URL-BASE: every size six times; "SIZE STATUS TIME" lines.
bodies() {
	local tag=$1 base=$2 n i
	: >"$T/bodies.$tag"
	for i in 1 2 3 4 5 6; do
		for n in $SIZES; do
			printf '%s ' "$n" >>"$T/bodies.$tag"
			curl -s -o /dev/null --max-time 20 -X GET \
			    --data-binary "@$T/body.$n" \
			    -w '%{http_code} %{time_total}\n' \
			    -H "Authorization: OAuth $SID_ADMIN" \
			    "$base$API?limit=1000" >>"$T/bodies.$tag"
		done
	done
}
# nginx_slow DIR FROM: API requests from line FROM on of DIR's access
# log that nginx took 3 s or more for.
nginx_slow() {
	tail -n "+$2" "$1/access.log" |
	    awk '{ t = $6; sub(/^rt=/, "", t) } $3 ~ /instances\/groups/ &&
	    t + 0 >= 3'
}
for tag in shipped plain; do
	if [ $tag = shipped ]; then b=$BASE; d=$T/ngx; else b=$PLAIN_BASE; d=$T/ngx-plain; fi
	from=$(($(wc -l <"$d/access.log") + 1))
	bodies $tag "$b"
	bad=$(awk '($1 <= 1048576 && $2 != 200) || ($1 > 1048576 && $2 != 413)' \
	    "$T/bodies.$tag")
	[ -z "$bad" ] && [ "$(wc -l <"$T/bodies.$tag")" = 42 ] && ok ||
	    not_ok "bodies through the $tag snippet: $(echo "$bad" | head -n 5)"
	slow=$(nginx_slow "$d" "$from")
	[ -z "$slow" ] && ok ||
	    not_ok "bodies through the $tag snippet, nginx took: $(echo "$slow" |
	    head -n 3)"
	# A plain GET afterwards, through the same nginx, at once.
	BASE=$b
	get "$SID_ADMIN" "$API/$G_A1"
	BASE=$MAIN_BASE
	expect_golden "a plain GET after the $tag bodies" nginx_get_a1_utc.json
	last=$(wc -l <"$d/access.log")
	[ -z "$(nginx_slow "$d" "$last")" ] && ok ||
	    not_ok "the plain GET after the $tag bodies: $(tail -n 1 "$d/access.log")"
done
out=$("$CLIENT" -s "$T/pool.sock" -b 1048576 -u "$API?limit=1000" \
    -a "OAuth $SID_ADMIN" 2>&1)
grep -q '^Status: 200' <<<"$out" && ok ||
    not_ok "1 MiB of body straight to the pool: $(head -c 200 <<<"$out")"
out=$("$CLIENT" -s "$T/pool.sock" -n 2 -b 1048577 -u "$API?limit=1000" \
    -a "OAuth $SID_ADMIN" 2>&1)
rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^Status: ' <<<"$out")" = 1 ] &&
    grep -q '^Status: 413 Payload Too Large' <<<"$out" &&
    grep -q 'request body too large' <<<"$out" &&
    grep -q 'connection closed' <<<"$out"; then
	ok
else
	not_ok "1 MiB + 1 straight to the pool (rc $rc): $(head -c 300 <<<"$out")"
fi
whole "after the bodies"

# ---- a crafted PARAMS record straight to the FastCGI socket ----------------
# The bytes of tests/integration/pool.sh: a BEGIN_REQUEST, then a PARAMS
# record whose name length 0x7ffffffe and value length 0x80000003
# overflow their sum in Debian 12's libfcgi 2.4.2, which aborts in its
# Malloc().  The worker
# dies; the master replaces it and nginx's next request is served.
before=$(pool_workers "$MASTER")
printf '\001\001\000\001\000\010\000\000\000\001\000\000\000\000\000\000' \
    >"$T/crafted"
printf '\001\004\000\001\000\010\000\000\377\377\377\376\200\000\000\003' \
    >>"$T/crafted"
"$CLIENT" -s "$T/pool.sock" -t 10 -r "$T/crafted" >/dev/null 2>&1
if wait_until 50 grep -q 'killed by signal 6' "$T/pool.log"; then
	t_log "crafted record: the worker aborted (libfcgi), as expected"
	wait_until 100 eval '[ "$(pool_workers "$MASTER")" != "$before" ]' &&
	    ok || not_ok "the aborted worker was not replaced"
else
	t_log "crafted record: libfcgi did not abort (patched?)"
fi
whole "after the crafted record"
for i in 1 2 3 4 5 6; do
	get "$SID_ADMIN" "$API?limit=1"
	[ "$STATUS" = 200 ] && ok ||
	    not_ok "request $i after the crafted record: $STATUS"
done

t_done
