#!/bin/bash
# hostile.sh - hostile clients (issue 4) through a real nginx in front of
# the real pool: the corpus tests/hostile/requests.txt (long and broken
# request lines, thousands of parameters, NULs and invalid UTF-8, numbers
# past every bound, deep paths, bad methods, HTTP/1.0, pipelining, slow
# senders, clients hanging up, huge and many headers) sent by
# tests/hostile.py, which judges every answer against SPEC 7 (or accepts
# nginx's own 4xx pages; never another 5xx).  Then a crafted FastCGI
# PARAMS record straight to the pool's socket.  Afterwards the pool must
# be whole: the master alive, all its workers, a normal request served.

. "${top_srcdir:?}/tests/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep
t_init hostile
t_need_bins

export TZ=UTC
WORKERS=3
CLIENT=$top_builddir/tests/fcgi_client
CORPUS=$top_srcdir/tests/hostile/requests.txt

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
python3 "$top_srcdir/tests/hostile.py" 127.0.0.1 "$NGINX_PORT" "$SID_ADMIN" \
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

# ---- a crafted PARAMS record straight to the FastCGI socket ----------------
# The bytes of tests/pool.sh: a BEGIN_REQUEST, then a PARAMS record whose
# name length 0x7ffffffe and value length 0x80000003 overflow their sum
# in Debian 12's libfcgi 2.4.2, which aborts in its Malloc().  The worker
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
