#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# stall.sh - writers never stall readers (issue 7 section 1, API.md §2):
# nothing a worker does waits for LMDB's write lock.
#
#  * Another process (tests/tools/lmdb_hold) holds the write lock for 8 s while
#    12 sessions, each due for renewal, send requests through nginx to a
#    pool of 4 workers, round after round: every request is answered 200
#    (curl --max-time 6: a request that waited for the lock could not be),
#    and nginx took less than 3 s for each (its access log's
#    $request_time, which a curl starved on a busy machine cannot
#    spoil).  While the lock is held no renewal is in the store; once it
#    is released, all 12 are.
#  * An import whose input is still arriving does not hold the write lock:
#    a renewal made meanwhile lands before the import has read its input.
#
# A failure prints what was seen: every reply that was not a 200 in time,
# the expiries found.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep
t_init stall
t_need_bins

export TZ=UTC
HOLD=$TOOLS_BIN/lmdb_hold
NSESS=12
HOLD_S=8
[ -x "$HOLD" ] || t_hard "$HOLD not built"

store_make "$T/store" || t_hard "store"
sids=()
for i in $(seq $NSESS); do
	sid=$(printf '5e55105000000000000000000000%04x' "$i")
	# Expires in ten minutes: due for renewal (API.md §2's 60 s rule).
	admin -d "$T/store" session create --account "$ACC_A" --ttl 600 \
	    --uuid "$sid" >/dev/null || t_hard "session $i"
	sids+=("$sid")
done
pool_start pool "$T/store" "$T/pool.sock" -w 4 || t_hard "pool"
nginx_start ngx "$T/pool.sock" || t_hard "nginx"
get "$SID_ADMIN" "$API?limit=1"
[ "$STATUS" = 200 ] || t_hard "first request: $STATUS"

# expiries: "SID EXPIRY" (ISO 8601 UTC, which sorts as it reads).
expiries() {
	admin -d "$T/store" session list | awk '{ print $1, $3 }'
}
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}
# renewed EPOCH: how many of our sessions expire at EPOCH or later.
renewed() {
	expiries | awk -v min="$(iso "$1")" -v want="${sids[*]}" '
	    BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) s[w[i]] = 1 }
	    ($1 in s) && $2 >= min { c++ } END { print c + 0 }'
}

# ---- the write lock held by another process --------------------------------
t_spawn hold "$HOLD" -d "$T/store" -w -t 60
HOLDER=$T_LASTPID
wait_until 300 grep -q '^ready$' "$T/hold.log" ||
    t_hard "lmdb_hold did not take the lock: $(cat "$T/hold.log")"
start=$(date +%s%N)
rounds=0
: >"$T/replies"
# Rounds of 12 concurrent requests, one per session, for HOLD_S seconds.
while [ $(($(date +%s%N) - start)) -lt $((HOLD_S * 1000000000)) ]; do
	pids=()
	for sid in "${sids[@]}"; do
		curl -s -o /dev/null --max-time 6 \
		    -w "$sid %{http_code} %{time_total}\n" \
		    -H "Authorization: OAuth $sid" "$BASE$API?limit=1" \
		    >>"$T/replies" &
		pids+=($!)
	done
	wait "${pids[@]}"
	rounds=$((rounds + 1))
done
held_ms=$((($(date +%s%N) - start) / 1000000))
n=$(wc -l <"$T/replies")
bad=$(awk '$2 != 200' "$T/replies")
t_log "lock held ${held_ms} ms: $rounds rounds, $n requests"
if [ "$n" -lt $NSESS ] || [ -n "$bad" ]; then
	not_ok "requests while the write lock was held: $(echo "$bad" |
	    head -n 5) ($(echo "$bad" | grep -c .) of $n not 200 within 6 s)"
else
	ok
fi
# nginx's own times: every API request of the rounds under 3 s.
slow=$(grep -F "GET $API?limit=1 " "$T/ngx/access.log" |
    awk '{ sub(/^rt=/, "", $6) } $6 + 0 >= 3 || $5 != 200')
nlog=$(grep -cF "GET $API?limit=1 " "$T/ngx/access.log")
if [ -n "$slow" ] || [ "$nlog" -lt "$n" ]; then
	not_ok "nginx's times while the lock was held ($nlog logged of" \
	    "$n + 1 sent): $(echo "$slow" | head -n 5)"
else
	ok
fi
alive "$HOLDER" && ok || not_ok "the lock holder went away: $(cat "$T/hold.log")"
# Nothing can have been written while the lock was held.
now=$(date +%s)
got=$(renewed $((now + 7200 - 120)))
[ "$got" = 0 ] && ok ||
    not_ok "$got sessions renewed while the write lock was held"
kill -TERM "$HOLDER"
wait_until 100 eval '! alive $HOLDER' || not_ok "lmdb_hold did not let go"
# Now every one of them lands (API.md §2: renewed to now + 7200 s).
if wait_until 300 eval '[ "$(renewed $((now + 7200 - 120)))" = $NSESS ]'; then
	ok
else
	not_ok "after the lock was released, $(renewed $((now + 7200 - 120))) of" \
	    "$NSESS sessions renewed: $(expiries | grep -F "${sids[0]:0:28}")"
fi
grep -E 'renew|killed by' "$T/pool.log" >&2

# ---- an import still reading its input does not hold the lock -------------
# The input arrives through a FIFO that stays open: the import reads and
# spools it before it takes the write lock.  A renewal made meanwhile
# must land while the import is still waiting for the rest.
SID_LATE=5e5510500000000000000000000000ff
admin -d "$T/store" session create --account "$ACC_A" --ttl 600 \
    --uuid "$SID_LATE" >/dev/null || t_hard "late session"
mkfifo "$T/in.fifo"
t_spawn import "$ADMIN" -d "$T/store" import --owner "$ACC_A" "$T/in.fifo"
IMPORT=$T_LASTPID
exec 7>"$T/in.fifo"
printf '[' >&7
get "$SID_LATE" "$API?limit=1"
[ "$STATUS" = 200 ] && ok || not_ok "request during a slow import: $STATUS"
late() {
	expiries | awk -v s="$SID_LATE" -v min="$(iso "$1")" \
	    '$1 == s && $2 >= min'
}
now=$(date +%s)
if wait_until 100 eval '[ -n "$(late $((now + 7200 - 120)))" ]'; then
	ok
else
	not_ok "no renewal while an import read its input:" \
	    "$(expiries | grep "$SID_LATE")"
fi
alive "$IMPORT" && ok || not_ok "the import ended before its input did"
printf '{"uuid":"f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","name":"late"}]' >&7
exec 7>&-
wait_until 300 eval '! alive $IMPORT' || not_ok "the import did not finish"
wait "$IMPORT"
rc=$?
t_forget "$IMPORT"
[ $rc = 0 ] && ok || not_ok "import through the FIFO: exit $rc: $(cat "$T/import.log")"

t_done
