#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# memcheck.sh - zero valgrind errors on the real paths: every zsquery-admin
# command that fills the store (the feeds' sync and session import from
# tests/tools/fake_zstack.py included), and a representative set of requests
# through nginx into a pool whose master and forked workers all run under
# memcheck (a fork is followed without any option; --trace-children covers
# an exec).  Each process writes its own log; every log must end with
# "ERROR SUMMARY: 0 errors", where definite leaks count as errors.  Skips
# (77) without valgrind.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd valgrind nginx curl python3 setsid
# (Not run in a --enable-sanitizers build: Makefile.am leaves it out.)
t_init memcheck
t_need_bins

VG=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --trace-children=yes --track-fds=no --num-callers=30
    --log-file="$T/vg.%p.log")
ADMIN_WRAP="${VG[*]}"
POOL_WRAP="${VG[*]}"

export TZ=UTC
store_make "$T/store" || not_ok "store_make under valgrind"
admin -d "$T/store" stat >/dev/null || not_ok "stat under valgrind"
admin -d "$T/store" export >"$T/export.json" || not_ok "export under valgrind"
admin -d "$T/store" share "$G_A2" --public >/dev/null || not_ok "share"
admin -d "$T/store" unshare "$G_A2" --public >/dev/null || not_ok "unshare"
admin -d "$T/store" import /dev/null >/dev/null 2>&1
printf '{"inventories":[{"uuid":"nothex"}]}' >"$T/bad.json"
admin -d "$T/store" import "$T/bad.json" >/dev/null 2>&1 &&
    not_ok "a bad import succeeded"

# The feeds: a sync from the fake ZStack (paged, then with a change), one
# that fails mid-way, and session imports good and bad.
python3 "$TOOLS/fake_data.py" "$T/up" init || t_hard "fake data"
t_spawn fake python3 "$TOOLS/fake_zstack.py" "$T/up" "$T/fake.port"
wait_until 300 test -s "$T/fake.port" || t_hard "fake upstream"
FAKE=http://127.0.0.1:$(cat "$T/fake.port")
(umask 077 && cp "$T/up/session" "$T/sid")
admin -d "$T/feeds" init >/dev/null || not_ok "init feeds store"
admin -d "$T/feeds" sync --from "$FAKE" --session-file "$T/sid" \
    --page-size 5 >/dev/null || not_ok "sync under valgrind"
python3 "$TOOLS/fake_data.py" "$T/up" owner "$G_A1" "$ACC_C"
curl -sf -X POST "$FAKE/_fake/reload" >/dev/null
curl -sf -X POST "$FAKE/_fake/misbehave?mode=cut&path=groups&after=1" >/dev/null
admin -d "$T/feeds" sync --from "$FAKE" --session-file "$T/sid" \
    --page-size 5 >/dev/null 2>&1 && not_ok "a cut sync succeeded"
admin -d "$T/feeds" sync --from "$FAKE" --session-file "$T/sid" \
    >/dev/null || not_ok "second sync under valgrind"
printf 's1\t%s\tNULL\t2000000000\t1700000000\n{"uuid":"s2","accountUuid":"%s","expiredDate":2000000000.5}\n' \
    "$ACC_A" "$ACC_B" >"$T/sessions"
admin -d "$T/feeds" session import --replace "$T/sessions" >/dev/null ||
    not_ok "session import under valgrind"
# One bad row is skipped; two of two refuse the import.
printf 's1\tbad\n' | admin -d "$T/feeds" session import - >/dev/null 2>&1 ||
    not_ok "a bad row was not skipped"
printf 's1\tbad\ns2\tbad\n' | admin -d "$T/feeds" session import - \
    >/dev/null 2>&1 && not_ok "a session import of bad rows succeeded"
admin -d "$T/feeds" stat >/dev/null || not_ok "stat with feeds under valgrind"

pool_start pool "$T/store" "$T/pool.sock" -w 2 || t_hard "pool under valgrind"
nginx_start ngx "$T/pool.sock" || t_hard nginx

# Each request must get an answer; what the answer is, nginx.sh checks.
n=0
answer() {
	n=$((n + 1))
	case $STATUS in
	200|400|404|405|503) ok;;
	*) not_ok "request $n ($*): status $STATUS";;
	esac
}
for p in "/" "" "/$G_A1" "//$G_A1" "/not-a-uuid" "/$G_A1/" \
    "/?replyWithCount=true&limit=2&start=1" "/?count=true" \
    "/?q=instances.vm.vmNics.usedIps.ip=10.0.0.200&fields=uuid,instances" \
    "/?q=name~=%25a_p%25&sort=-createDate" "/?q=uuid?=$G_A1,$G_B2" \
    "/?q=description!=x&q=instances.status!?=Running,Stopped" \
    "/?q=__systemTag__~=tier%25&q=__userTag__%20not%20null" \
    "/?q=lastOpDate>=2017-01-01&q=instances.nodeRank<5" \
    "/?q=nosuch=1" "/?q=nothing" "/?q=%3Dx" "/?limit=x" "/?start=-1" \
    "/?sort=nosuch" "/?fields=uuid," "/?filterName=abc" "/?filterName=a:b" \
    "/?q=createDate>tomorrow" "/?q=%ff%fe=%00"; do
	get "$SID_A" "$API$p"
	answer "$p"
done
# A reload (SIGHUP) in the middle: the master rereads its configuration
# and replaces every worker; the old ones exit under valgrind's eye.
old=$(pool_workers "$POOL_PID")
kill -HUP "$POOL_PID"
reloaded() {
	[ "$(pool_workers "$POOL_PID" | wc -l)" = 2 ] &&
	    [ -z "$(comm -12 <(echo "$old") <(pool_workers "$POOL_PID"))" ]
}
wait_until 600 reloaded && ok || not_ok "SIGHUP did not replace the workers"
for sid in "$SID_ADMIN" "$SID_EXPIRED" nosuchsession ""; do
	get "$sid" "$API/"
	answer "session '$sid'"
done
req "$API/"
answer "no Authorization"
req -H "Authorization: ZStack a:b" "$API/"
answer "ZStack"
req -X POST "$API/"
answer "POST"
req "/zstack/v1/%7Bx%7D"
answer "404"

# Stop the pool: workers finish, exit, and valgrind writes their summaries.
kill -TERM "$POOL_PID"
if wait_until 600 eval '! alive $POOL_PID'; then
	wait "$POOL_PID"
	rc=$?
	[ $rc = 0 ] && ok || not_ok "pool exited $rc under valgrind"
else
	not_ok "pool did not stop on SIGTERM under valgrind"
fi
wait_until 300 eval '! pg_alive $POOL_PID' || not_ok "workers still running"

nlogs=0
for f in "$T"/vg.*.log; do
	[ -e "$f" ] || continue
	nlogs=$((nlogs + 1))
	# -q leaves a clean process's log empty (bar warnings about the
	# environment); anything else is an error report.
	if grep -v -e '^==[0-9]*== *$' -e '^==[0-9]*== Warning:' "$f" |
	    grep -q .; then
		not_ok "valgrind errors in $(basename "$f"):"
		head -n 60 "$f" >&2
	else
		ok
	fi
done
# A log exists for each process (admin runs, the master, every worker):
# fewer means valgrind did not run where we think it did.
[ $nlogs -ge 5 ] && ok || not_ok "only $nlogs valgrind logs"

t_done
