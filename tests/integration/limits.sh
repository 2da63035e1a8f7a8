#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# limits.sh - a bounded cost per request (issue 7 section 3, API.md §7),
# through a real nginx with the shipped snippet and the shipped site's
# header limits (zsquery.conf: 16 KiB request lines):
#
#  * --max-request-time 1: the costliest query the bounds let through
#    (64 different `not like` conditions, each a 232-byte pattern of `_`
#    that costs the backtracking matcher the product of the lengths, on
#    2,000 groups whose names are 2 KiB long) ends with 503 SYS.1001
#    naming the limit within 2.5 s of nginx's own time; a plain GET sent
#    meanwhile to the other worker is answered first, at once.
#  * a reply read too slowly (straight from the pool, one record every
#    20 ms) is cut one max-request-time after the query's limit, the
#    connection dropped without FastCGI's end of request.
#  * a client that gives up: with --max-request-time 30, two such queries
#    whose clients hang up after 1 s; both workers stop working for them
#    (the log says so) and a plain GET is answered at once, not after the
#    30 s the queries would have taken.
#  * the parse-time bounds: 400 in API.md §7's text form, before the session
#    is looked at.
# Times are nginx's ($request_time in its access log), bounds far above
# what the requests need; a failure prints what was seen.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep
t_init limits
t_need_bins

export TZ=UTC
NGROUPS=2000

# The shipped site's header limits on top of lib.sh's test nginx.
eval "lib_$(declare -f nginx_conf)"
nginx_conf() {
	lib_nginx_conf "$@"
	sed -i 's|^http {$|http {\n\tlarge_client_header_buffers 4 16k;|' \
	    "$1/nginx.conf"
}

store_make "$T/store" || t_hard "store"
BUSY_BASE=
python3 - "$NGROUPS" >"$T/long.json" <<'EOF'
import json, sys
n = int(sys.argv[1])
json.dump([{"uuid": "1a000000%024x" % i, "name": "a" * 2048,
            "description": "long", "status": "Running"} for i in range(n)],
          sys.stdout)
EOF
admin -d "$T/store" import "$T/long.json" >/dev/null || t_hard "import"

# The costly query: 64 distinct conditions name!~=%___..._X (not like
# is true for every group, so each condition is evaluated on each).
COSTLY=$(python3 - <<'EOF'
import urllib.parse
tails = "bcdefghijklmnopqrstuvwxyz0123456789BCDEFGHIJKLMNOPQRSTUVWXYZ-.~!"
print("&".join("q=" + urllib.parse.quote("name!~=%" + "_" * 230 + c,
                                         safe="!~=-.")
               for c in tails[:64]) + "&count=true")
EOF
)
[ ${#COSTLY} -lt 16000 ] || t_hard "the costly query is ${#COSTLY} bytes"

# rt_of DIR PATTERN: nginx's time for the last request matching PATTERN.
rt_of() {
	grep -F -- "$2" "$1/access.log" | tail -n 1 |
	    awk '{ t = $6; sub(/^rt=/, "", t); print t }'
}
# cpu_ticks PID: user + system CPU time so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}
# busy_worker MASTER: some worker of MASTER spent 20 ticks more CPU than
# when this was first asked (BUSY_BASE, "pid ticks" lines).
busy_worker() {
	local w t b
	if [ -z "${BUSY_BASE:-}" ]; then
		for w in $(pool_workers "$1"); do
			BUSY_BASE+="$w $(cpu_ticks "$w")"$'\n'
		done
	fi
	for w in $(pool_workers "$1"); do
		t=$(cpu_ticks "$w")
		b=$(awk -v w="$w" '$1 == w { print $2 }' <<<"$BUSY_BASE")
		[ -n "$t" ] && [ -n "$b" ] && [ $((t - b)) -ge 20 ] && return 0
	done
	return 1
}
# under A B: A < B, numerically.
under() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'
}

# ---- the time limit --------------------------------------------------------
pool_start pool "$T/store" "$T/pool.sock" -w 2 --max-request-time 1 ||
    t_hard "pool"
nginx_start ngx "$T/pool.sock" || t_hard "nginx"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] || t_hard "first request: $STATUS"

curl -s -o "$T/costly.body" -w '%{http_code}' --max-time 30 \
    -H "Authorization: OAuth $SID_ADMIN" "$BASE$API?$COSTLY" \
    >"$T/costly.status" &
costly=$!
# The plain GET once the costly query runs (a worker has spent a fifth
# of a second of CPU on it): the other worker answers it.
wait_until 100 busy_worker "$POOL_PID" ||
    not_ok "no worker took up the costly query"
get "$SID_A" "$API/$G_A1"
expect_golden "a plain GET beside the costly query" nginx_get_a1_utc.json
wait "$costly"
want='{"error":{"code":"SYS.1001","description":"A message or a operation timeout","details":"the query ran longer than the limit of 1 s (max-request-time) and was stopped"}}'
if [ "$(cat "$T/costly.status")" = 503 ] &&
    [ "$(cat "$T/costly.body")" = "$want" ]; then
	ok
else
	not_ok "costly query: $(cat "$T/costly.status") $(head -c 300 "$T/costly.body")"
fi
rt=$(rt_of "$T/ngx" "count=true")
under "$rt" 2.5 && ok || not_ok "costly query: nginx took ${rt:-?} s, want < 2.5"
# The plain GET was answered before the costly query ended, at once.
order=$(grep -F -e "$API/$G_A1 " -e "count=true" "$T/ngx/access.log" |
    tail -n 2 | awk '{ print ($3 ~ /count=true/) ? "costly" : "plain" }' |
    tr '\n' ' ')
[ "$order" = "plain costly " ] && ok ||
    not_ok "the plain GET was not answered first: $order"
rt=$(rt_of "$T/ngx" "$API/$G_A1 ")
under "$rt" 1 && ok || not_ok "plain GET beside it: nginx took ${rt:-?} s"
grep -q 'query stopped after 1 s (max-request-time)' "$T/pool.log" && ok ||
    not_ok "the pool log does not say the query was stopped"

# ---- a reply read too slowly -----------------------------------------------
# All 2,000 groups (over 4 MB) straight to the pool, to a client that
# reads one FastCGI record every 20 ms (records of 8 KiB at most: over
# 10 s to read it all): the reply stops one max-request-time after the
# query's, and the connection is dropped without FastCGI's end of request
# (the old code let the client hold the worker for as long as it read).
"$TOOLS_BIN/fcgi_client" -s "$T/pool.sock" -u "$API?limit=2000" \
    -a "OAuth $SID_ADMIN" -w 20 -t 60 >"$T/slow.out" 2>"$T/slow.err"
rc=$?
if [ $rc = 1 ] && grep -q 'connection closed before END_REQUEST' "$T/slow.err"
then
	ok
else
	not_ok "a slow reader: exit $rc, $(head -c 300 "$T/slow.err")"
fi
head -n 1 "$T/slow.out" | grep -q '^Status: 200' && ok ||
    not_ok "a slow reader's reply began with $(head -c 80 "$T/slow.out")"
n=$(wc -c <"$T/slow.out")
[ "$n" -gt 100000 ] && [ "$n" -lt 4000000 ] && ok ||
    not_ok "a slow reader got $n bytes: not part of the reply"
wait_until 100 grep -q 'reply cut after 2 s (twice max-request-time)' \
    "$T/pool.log" && ok || not_ok "the pool log does not say the reply was cut"
get "$SID_A" "$API/$G_A1"
expect_golden "a plain GET after the cut" nginx_get_a1_utc.json

# ---- a client that goes away -----------------------------------------------
pool_start pool-gone "$T/store" "$T/gone.sock" -w 2 --max-request-time 30 ||
    t_hard "pool (client gone)"
nginx_start ngx-gone "$T/gone.sock" || t_hard "nginx (client gone)"
pids=()
for i in 1 2; do
	curl -s -o /dev/null --max-time 1 -H "Authorization: OAuth $SID_ADMIN" \
	    "$BASE$API?$COSTLY" &
	pids+=($!)
done
wait "${pids[@]}"
# Both workers notice within a poll interval of nginx's close.
wait_until 100 eval '[ "$(grep -c "the client went away" "$T/pool-gone.log")" -ge 2 ]' &&
    ok || not_ok "workers kept working for clients gone: $(cat "$T/pool-gone.log")"
get "$SID_A" "$API/$G_A1"
expect_golden "a plain GET after two clients gave up" nginx_get_a1_utc.json
rt=$(rt_of "$T/ngx-gone" "$API/$G_A1 ")
under "$rt" 3 && ok || not_ok "plain GET after clients gave up: nginx took ${rt:-?} s"

# ---- parse-time bounds: 400, before the session ---------------------------
q65=$(printf 'q=name!=n&%.0s' $(seq 65))
get nosuchsession "$API?${q65}limit=1"
expect_text "65 conditions" 400 "Invalid query parameter. parameter[q] holds \
65 conditions; at most 64 are accepted"
get nosuchsession "$API?q=name~=$(printf 'a%.0s' $(seq 257))"
expect_text "a 257-byte like pattern" 400 "Invalid query parameter. The \
pattern of 'name like' in parameter[q] is 257 bytes long; at most 256 are \
accepted"
get nosuchsession "$API?q=uuid?=$(printf 'x,%.0s' $(seq 1000))"
expect_text "an in list of 1001 items" 400 "Invalid query parameter. The list \
of 'uuid in' in parameter[q] has 1001 items; at most 1000 are accepted"
get "$SID_A" "$API?count=true"
all=$(total)
q64=$(printf 'q=name!=n&%.0s' $(seq 64))
get "$SID_A" "$API?${q64}count=true"
expect_total "64 conditions (the bound) are served" "$all"

t_done
