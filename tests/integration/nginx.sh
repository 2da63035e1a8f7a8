#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# nginx.sh - the wire contract (API.md §1-4, 6, 7, 10) end to end: curl ->
# a real nginx using the shipped nginx/zsquery-fastcgi.conf -> the real
# zsquery-fcgi pool -> real LMDB stores filled by the real zsquery-admin.
#
# Two stores hold the same data imported under different time zones
# (UTC and Asia/Shanghai), each served by a pool started in its zone; the
# fixture's dates are epoch milliseconds, so the same instant must render
# as two different Gson strings.  Bodies are compared byte for byte with
# tests/data/golden/nginx_*.json, written from API.md §6/8 (not captured
# from the program).  The pool lifecycle is checked last: a killed worker is
# replaced, SIGHUP replaces every worker, SIGTERM under load (see below).

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid pgrep
t_init nginx
t_need_bins

WORKERS=3

export TZ=UTC
store_make "$T/store-utc" || t_hard "store (UTC)"
pool_start pool-utc "$T/store-utc" "$T/utc.sock" -w $WORKERS ||
    t_hard "pool (UTC)"
POOL_UTC=$POOL_PID
if [ "$(id -u)" = 0 ]; then
	# What nginx's www-data workers rely on, as zsquery.socket sets it.
	perm=$(stat -c '%a %G' "$T/utc.sock")
	[ "$perm" = "660 www-data" ] && ok ||
	    not_ok "socket mode/group '$perm', want '660 www-data'"
fi
nginx_start ngx-utc "$T/utc.sock" || t_hard "nginx (UTC)"
BASE_UTC=$BASE

export TZ=Asia/Shanghai
store_make "$T/store-sh" || t_hard "store (Asia/Shanghai)"
# This pool never renews sessions (API.md §2's switch).
pool_start pool-sh "$T/store-sh" "$T/sh.sock" -w $WORKERS --no-renew ||
    t_hard "pool (Asia/Shanghai)"
nginx_start ngx-sh "$T/sh.sock" || t_hard "nginx (Asia/Shanghai)"
BASE_SH=$BASE

export TZ=UTC
BASE=$BASE_UTC

EMPTY='{"schema":{},"inventories":[]}'
ID1001='{"error":{"code":"ID.1001","description":"The session is invalid, either wrong session id or the session has been expired","details":"Session expired"}}'
NOOP="Invalid query parameter. The 'nothing' in the parameter[q] doesn't contain any query operator. Valid query operators are [[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, not null]]"
G_A1_UP=$(echo "$G_A1" | tr a-f A-F)

# ---- API.md §1: routes ------------------------------------------------------
get "$SID_A" "$API/"
expect_golden "list, trailing slash" nginx_list_a_utc.json
get "$SID_A" "$API"
expect_golden "list, no slash" nginx_list_a_utc.json
get "$SID_A" "$API/$G_A1"
expect_golden "get /uuid" nginx_get_a1_utc.json
get "$SID_A" "$API//$G_A1"
expect_golden "get //uuid (Go SDK)" nginx_get_a1_utc.json
get "$SID_A" "$API/$G_A1_UP"
expect_golden "get upper-case uuid" nginx_get_a1_utc.json
get "$SID_A" "$API/$G_A1?limit=x&start=-1&q=nothing&sort=nope&fields=nope"
expect_golden "get ignores every parameter" nginx_get_a1_utc.json
get "$SID_A" "$API/not-a-uuid"
expect_json "get non-hex uuid: empty" "$EMPTY"
get "$SID_A" "$API/0123456789abcdef0123456789abcdef"
expect_json "get unknown uuid: empty" "$EMPTY"
get "$SID_A" "$API/${G_A1}0"
expect_json "get 33 hex digits: empty" "$EMPTY"

req /zstack/v1/foo/bar
expect_text "404 other path" 404 "no api mapping to /v1/foo/bar"
req "/zstack/v1/ai/%7Bx%7D%20y"
expect_text "404 text decodes the path" 404 "no api mapping to /v1/ai/{x} y"
req "$API/$G_A1/"
expect_text "404 slash after uuid" 404 \
    "no api mapping to /v1/ai/model-services/instances/groups/$G_A1/"
req "$API/$G_A1/instances"
expect_text "404 below a uuid" 404 \
    "no api mapping to /v1/ai/model-services/instances/groups/$G_A1/instances"
req /zstack/v2/anything
[ "$STATUS" = 404 ] && ok || not_ok "outside /zstack/v1/: $STATUS, want 404"

for m in POST PUT DELETE PATCH; do
	req -X $m -H "Authorization: OAuth $SID_A" "$API/"
	if [ "$STATUS" = 405 ] && [ "$(header Allow)" = GET ] &&
	    [ "$(header Content-Type)" = "$TEXT_CT" ] && [ -s "$T/body" ]; then
		ok
	else
		not_ok "$m list: $STATUS Allow '$(header Allow)'"
	fi
done
req -X POST -d 'a=b' "$API/$G_A1"
[ "$STATUS" = 405 ] && [ "$(header Allow)" = GET ] && ok ||
    not_ok "POST get route: $STATUS Allow '$(header Allow)'"
req --head -H "Authorization: OAuth $SID_A" "$API"
[ "$STATUS" = 405 ] && [ "$(header Allow)" = GET ] && ok ||
    not_ok "HEAD: $STATUS Allow '$(header Allow)'"
req -X POST /zstack/v1/foo
expect_text "404 wins over 405" 404 "no api mapping to /v1/foo"

# ---- API.md §2: authentication and sessions ---------------------------------
req "$API/"
expect_text "no Authorization" 400 "missing header 'Authorization'"
req -H "Authorization;" "$API/"
expect_text "empty Authorization" 400 "Authorization type must be 'OAuth'"
req -H "Authorization: Basic YTpi" "$API/"
expect_text "Basic" 400 "Authorization type must be 'OAuth'"
req -H "Authorization: oauth $SID_A" "$API/"
expect_text "oauth (case)" 400 "Authorization type must be 'OAuth'"
req -H "Authorization: ZStack ak:sig" "$API/"
expect_text "ZStack ak:sig" 400 "access key authentication is not supported"
req -H "Authorization: ZStackxyz" "$API/"
expect_text "ZStack prefix" 400 "access key authentication is not supported"
req -H "Authorization: OAuth$SID_A" "$API/"
expect_golden "OAuth without space" nginx_list_a_utc.json
req -H "Authorization: OAuth    $SID_A   " "$API/"
expect_golden "OAuth, id trimmed" nginx_list_a_utc.json
get 0123456789abcdef0123456789abcdef "$API/"
expect 'unknown session' 503 "$JSON_CT" "$ID1001"
get "$SID_EXPIRED" "$API/"
expect 'expired session' 503 "$JSON_CT" "$ID1001"
get "$SID_EXPIRED" "$API/$G_A1"
expect 'expired session, get route' 503 "$JSON_CT" "$ID1001"
get "$(echo "$SID_A" | tr a-f A-F)" "$API/"
expect 'session ids are case-sensitive' 503 "$JSON_CT" "$ID1001"
req -H "Authorization: OAuth" "$API/"
expect 'OAuth without id' 503 "$JSON_CT" "$ID1001"
get nosuchsession "$API/?limit=x"
expect_text "400 parameter wins over session" 400 \
    "Invalid query parameter. 'limit' must be an integer"
get nosuchsession "$API/?filterName=abc"
expect 'filterName after session' 503 "$JSON_CT" "$ID1001"
get nosuchsession "$API/zz/top"
expect_text "route wins over auth" 404 \
    "no api mapping to /v1/ai/model-services/instances/groups/zz/top"

# Renewal: a used session is extended to now + 7200 s, but written at
# most once a minute (a second use right away leaves it alone); the
# --no-renew pool never extends one.
SID_R=5e551050000000000000000000000e01
expiry() {	# STORE SID: the stored expiry, epoch seconds
	local line
	line=$(admin -d "$1" session list | awk -v s="$2" '$1 == s { print $3 }')
	[ -n "$line" ] && date -u -d "$line" +%s
}
admin -d "$T/store-utc" session create --account "$ACC_A" --ttl 30 \
    --uuid "$SID_R" >/dev/null || not_ok "session create"
e0=$(expiry "$T/store-utc" "$SID_R")
get "$SID_R" "$API/?count=true"
# The renewer writes the renewal after the reply has left (renew.h), so
# it may land a moment after curl returns: wait for it, boundedly.
renewed_r() {
	e1=$(expiry "$T/store-utc" "$SID_R")
	[ -n "$e1" ] && [ "$e1" != "$e0" ]
}
wait_until 300 renewed_r
get "$SID_R" "$API/?count=true"
sleep 0.5	# as long as a renewal would take to land, were one made
e2=$(expiry "$T/store-utc" "$SID_R")
now=$(date +%s)
if [ "$STATUS" = 200 ] && [ -n "$e0" ] && [ "$e0" -le $((now + 30)) ] &&
    [ "$e1" -ge $((now + 7200 - 120)) ] && [ "$e1" -le $((now + 7200)) ]; then
	ok
else
	not_ok "renewal: expiry $e0 -> $e1 at $now, want about now + 7200"
fi
[ "$e2" = "$e1" ] && ok || not_ok "renewal not coalesced: $e1 -> $e2"
TZ=Asia/Shanghai admin -d "$T/store-sh" session create --account "$ACC_A" \
    --ttl 30 --uuid "$SID_R" >/dev/null || not_ok "session create"
e0=$(TZ=Asia/Shanghai expiry "$T/store-sh" "$SID_R")
BASE=$BASE_SH
get "$SID_R" "$API/?count=true"
BASE=$BASE_UTC
e1=$(TZ=Asia/Shanghai expiry "$T/store-sh" "$SID_R")
[ "$STATUS" = 200 ] && [ -n "$e0" ] && [ "$e1" = "$e0" ] && ok ||
    not_ok "--no-renew: $STATUS, expiry $e0 -> $e1"

# ---- API.md §3: tenancy -----------------------------------------------------
get "$SID_A" "$API/$G_B1"
expect_json "tenant: another's group by uuid" "$EMPTY"
get "$SID_A" "$API/?q=uuid=$G_B1"
expect_json "tenant: another's group by q" "$EMPTY"
get "$SID_A" "$API/?q=name=b-private"
expect_json "tenant: another's group by name" "$EMPTY"
get "$SID_A" "$API/?count=true"
expect_json "tenant: count" '{"schema":{},"total":4}'
get "$SID_A" "$API/?replyWithCount=true&limit=1"
expect_total "tenant: total" 4
get "$SID_A" "$API/$G_B2"
expect_uuids "tenant: shared group by uuid" "$G_B2"
get "$SID_A" "$API/$G_B3"
expect_uuids "tenant: public group by uuid" "$G_B3"
get "$SID_B" "$API/"
expect_uuids "owner sees own, shared and public" "$G_B1" "$G_B2" "$G_B3"
get "$SID_C" "$API/?replyWithCount=true"
expect_golden "stranger sees only public (with total)" \
    nginx_list_c_total_utc.json
get "$SID_C" "$API/?q=uuid?=$G_A1,$G_B1,$G_B3&count=true"
expect_json "stranger: count of an in-list" '{"schema":{},"total":1}'

admin -d "$T/store-utc" share "$G_B1" --account "$ACC_C" >/dev/null ||
    not_ok "share"
get "$SID_C" "$API/?count=true"
expect_json "share shows up in a running pool" '{"schema":{},"total":2}'
get "$SID_C" "$API/$G_B1"
expect_uuids "shared group by uuid" "$G_B1"
admin -d "$T/store-utc" unshare "$G_B1" --account "$ACC_C" >/dev/null ||
    not_ok "unshare"
get "$SID_C" "$API/$G_B1"
expect_json "unshared again" "$EMPTY"

NSAMPLE=0
if [ -f "$top_srcdir/tests/data/sample.json" ]; then
	NSAMPLE=$(python3 -c 'import json, sys
t = open(sys.argv[1]).read()
try:
	d = json.loads(t)
	print(len(d["inventories"] if isinstance(d, dict) else d))
except ValueError:
	print(sum(1 for l in t.splitlines() if l.strip()))' \
	    "$top_srcdir/tests/data/sample.json")
fi
get "$SID_ADMIN" "$API/?count=true"
expect_json "admin counts everything" \
    "{\"schema\":{},\"total\":$((NSAMPLE + 5))}"
get "$SID_ADMIN" "$API/?q=uuid?=$G_A1,$G_A2,$G_B1,$G_B2,$G_B3"
expect_uuids "admin sees every tenant's group" \
    "$G_A1" "$G_A2" "$G_B1" "$G_B2" "$G_B3"
get "$SID_ADMIN" "$API/$G_B1"
expect_uuids "admin gets any group" "$G_B1"

# ---- API.md §6: rendering, schema, escaping, time zones ---------------------
BASE=$BASE_SH
get "$SID_A" "$API/$G_A1"
expect_golden "dates in Asia/Shanghai" nginx_get_a1_shanghai.json
BASE=$BASE_UTC
get "$SID_A" "$API/?q=uuid=$G_A1&fields=uuid,instances"
expect_golden "fields: only the objects still present" \
    nginx_get_a1_fields_utc.json

# Conditional GET: a 200 carries an ETag; repeating it in If-None-Match
# gives 304 without a body, through nginx; a change the caller can see
# changes the tag.
get "$SID_A" "$API/"
etag=$(header ETag)
[ "$STATUS" = 200 ] && [ -n "$etag" ] && ok || not_ok "no ETag on a 200"
get "$SID_A" "$API/" -H "If-None-Match: $etag"
[ "$STATUS" = 304 ] && [ ! -s "$T/body" ] && ok ||
    not_ok "If-None-Match: $STATUS, want 304 and no body"
get "$SID_A" "$API/" -H 'If-None-Match: "0000"'
expect_golden "If-None-Match not matching" nginx_list_a_utc.json
admin -d "$T/store-utc" share "$G_B1" --account "$ACC_A" >/dev/null ||
    not_ok "share"
get "$SID_A" "$API/" -H "If-None-Match: $etag"
[ "$STATUS" = 200 ] && [ "$(header ETag)" != "$etag" ] && ok ||
    not_ok "ETag unchanged after a share: $STATUS $(header ETag)"
admin -d "$T/store-utc" unshare "$G_B1" --account "$ACC_A" >/dev/null ||
    not_ok "unshare"

# ---- API.md §4/5: parameters and conditions ---------------------------------
get "$SID_A" "$API/?limit=1"
expect_uuids "limit" "$G_A1"
get "$SID_A" "$API/?limit=2&start=1"
expect_uuids "limit+start" "$G_A2" "$G_B2"
get "$SID_A" "$API/?start=10"
expect_json "start past the end" "$EMPTY"
get "$SID_A" "$API/?limit=0&replyWithCount=true"
expect_json "limit 0 with total" '{"schema":{},"total":4,"inventories":[]}'
get "$SID_A" "$API/?count=TRUE&replyWithCount=true&limit=1"
expect_json "count wins over replyWithCount" '{"schema":{},"total":4}'
get "$SID_A" "$API/?count=yes"
expect_golden "count=yes is false" nginx_list_a_utc.json
get "$SID_A" "$API/?start=-1"
expect_text "negative start" 400 \
    "Invalid query parameter. 'start' must be an integer"
get "$SID_A" "$API/?limit=2147483648"
expect_text "limit beyond 32 bits" 400 \
    "Invalid query parameter. 'limit' must be an integer"
get "$SID_A" "$API/?q=nothing"
expect_text "q without operator" 400 "$NOOP"
get "$SID_A" "$API/?q=%3Dabc"
expect_text "q without name" 400 \
    "Invalid query parameter. The '=abc' in parameter[q] is not a key-value pair split by ="
get "$SID_A" "$API/?q=name=BETA"
expect_uuids "q = is case-insensitive" "$G_A2"
get "$SID_A" "$API/?q=name%3Dalpha+%3Cb%3E%26'%3D%22x%22"
expect_uuids "q = with <>&'= in the value" "$G_A1"
get "$SID_A" "$API/?q=status=Running&q=type=ModelService"
expect_uuids "q ANDed" "$G_A1" "$G_B2"
get "$SID_A" "$API/?q=instances.status=Stopped"
expect_uuids "nested q" "$G_A1"
get "$SID_A" "$API/?q=instances.vm.vmNics.usedIps.ip=10.0.0.200"
expect_uuids "deeply nested q" "$G_A1"
get "$SID_A" "$API/?q=__systemTag__=tier::gold"
expect_uuids "system tag" "$G_A1"
get "$SID_A" "$API/?sort=-name"
expect_uuids "sort descending" "$G_A2" "$G_B2" "$G_B3" "$G_A1"
get "$SID_A" "$API/?sort=createDate"
expect_uuids "sort by date, ties by uuid" "$G_A1" "$G_B2" "$G_A2" "$G_B3"
get "$SID_A" "$API/?q=nosuch=1"
expect_503 "unknown field" SYS.1000
get "$SID_A" "$API/?sort=nosuch"
expect_503 "unknown sort field" SYS.1000
get "$SID_A" "$API/?filterName=abc"
expect_503 "filterName without ':'" SYS.1007
get "$SID_A" "$API/?q=createDate>yesterday"
expect_503 "bad timestamp literal" SYS.1007

# ---- the pool under nginx: a killed worker, SIGHUP -------------------------
get "$SID_ADMIN" "$API/"
cp "$T/body" "$T/ref.body"
[ "$STATUS" = 200 ] && ok || not_ok "reference list: $STATUS"

same_as_ref() {
	[ "$STATUS" = 200 ] && cmp -s "$T/body" "$T/ref.body"
}
nworkers() {
	[ "$(pool_workers "$POOL_UTC" | wc -l)" = "$1" ]
}

before=$(pool_workers "$POOL_UTC")
[ "$(echo "$before" | wc -l)" = $WORKERS ] && ok ||
    not_ok "pool has $(echo "$before" | wc -l) workers, want $WORKERS"
victim=$(echo "$before" | head -n 1)
kill -KILL "$victim"
bad=0
for i in $(seq 20); do
	get "$SID_ADMIN" "$API/"
	same_as_ref || bad=$((bad + 1))
done
[ $bad = 0 ] && ok || not_ok "after a worker was killed: $bad of 20 failed"
replaced() {
	nworkers $WORKERS && ! pool_workers "$POOL_UTC" | grep -qx "$victim"
}
wait_until 300 replaced && ok || not_ok "killed worker not replaced"

before=$(pool_workers "$POOL_UTC")
kill -HUP "$POOL_UTC"
all_new() {
	local now
	now=$(pool_workers "$POOL_UTC")
	nworkers $WORKERS &&
	    [ -z "$(comm -12 <(echo "$before") <(echo "$now"))" ]
}
wait_until 300 all_new && ok || not_ok "SIGHUP did not replace the workers"
get "$SID_ADMIN" "$API/"
same_as_ref && ok || not_ok "request after SIGHUP: $STATUS"

# ---- SIGTERM under load ------------------------------------------------------
# Two clients send the reference request back to back through nginx while
# the master gets SIGTERM.  Asserted:
#  1. the master exits with status 0 and no worker outlives it;
#  2. every reply is either a complete 200 whose body is byte-identical to
#     the reference (curl exit 0, so nothing was truncated) or nginx's 502
#     once nothing listens any more; nothing else (no 500, 504, reset);
#  3. no 502 completed before SIGTERM was sent;
#  4. nginx never saw a reply cut off in its body ("prematurely closed
#     connection while reading upstream"): a request a worker had taken
#     was answered in full.
mkdir -p "$T/load"
LOAD_PIDS=()
for c in 1 2; do
	t_spawn "load$c" bash -c '
	    for i in $(seq 400); do
		    s=$(date +%s%N)
		    r=$(curl -s -o "$1/$2.$i.body" -w "%{http_code} %{exitcode}" \
			-H "Authorization: OAuth $3" "$4")
		    echo "$i $r $s $(date +%s%N)" >>"$1/$2.log"
		    case $r in 502*) n=$((n + 1)); [ $n -ge 3 ] && exit 0;; esac
	    done' load "$T/load" "$c" "$SID_ADMIN" "$BASE$API/"
	LOAD_PIDS+=("$T_LASTPID")
done
loaded() {
	[ "$(cat "$T/load/1.log" "$T/load/2.log" 2>/dev/null | wc -l)" -ge 10 ]
}
wait_until 200 loaded || not_ok "load clients did not start"
term_ns=$(date +%s%N)
kill -TERM "$POOL_UTC"
if wait_until 300 eval '! alive $POOL_UTC'; then
	wait "$POOL_UTC"
	rc=$?
	[ $rc = 0 ] && ok || not_ok "pool exited with status $rc after SIGTERM"
else
	not_ok "pool still running 30 s after SIGTERM"
fi
wait_until 150 eval '! pg_alive $POOL_UTC' && ok ||
    not_ok "workers outlived the master"
clients_done() {
	local p
	for p in "${LOAD_PIDS[@]}"; do
		alive "$p" && return 1
	done
	return 0
}
wait_until 300 clients_done || not_ok "load clients did not finish"
python3 - "$T/load" "$T/ref.body" "$term_ns" <<'EOF'
import os, sys
d, ref, term = sys.argv[1], open(sys.argv[2], 'rb').read(), int(sys.argv[3])
bad = []
n200 = n502 = straddled = 0
for c in ('1', '2'):
    for line in open(os.path.join(d, c + '.log')):
        i, code, ex, s, e = line.split()
        if code == '200' and ex == '0':
            if open(os.path.join(d, '%s.%s.body' % (c, i)), 'rb').read() != ref:
                bad.append('client %s #%s: 200 with a different body' % (c, i))
            n200 += 1
            straddled += int(s) < term < int(e)
        elif code == '502' and ex == '0':
            if int(e) < term:
                bad.append('client %s #%s: 502 before SIGTERM' % (c, i))
            n502 += 1
        else:
            bad.append('client %s #%s: status %s curl exit %s' % (c, i, code, ex))
print('load: %d complete 200 (%d of them in flight at SIGTERM), '
    '%d 502 after shutdown' % (n200, straddled, n502))
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad or n200 == 0 else 0)
EOF
[ $? = 0 ] && ok || not_ok "replies under SIGTERM"
if grep -q 'prematurely closed connection while reading upstream' \
    "$T/ngx-utc/error.log"; then
	not_ok "nginx saw a reply cut off during shutdown"
else
	ok
fi

t_done
