#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# session_feed.sh - the sessions feed against a real MariaDB holding
# ZStack's SessionVO: the shipped scripts/zsquery-session-feed (mysql |
# zsquery-admin session import --replace) run after each change in ZStack,
# and the result checked through the real pool and nginx:
#   login (INSERT) -> the session works; logout (DELETE) -> ID.1001;
#   a renewal in ZStack (a later expiredDate) reaches the store; a renewal
#   made here (by a worker) survives the next feed; a session that expires
#   stops working; a bad row is skipped and counted, the logouts go on
#   (its session id never shown); a
#   mysql failure (wrong password) changes nothing and is recorded; the
#   feed's status shows in stat; the password never shows.
# Skips (77) without mariadb-server, nginx or curl.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
. "$TOOLS/lib_mariadb.sh" || exit 99
t_need_cmd nginx curl mdb_dump python3
maria_need
t_need_bins
t_init session_feed
export TZ=UTC

DB=$T/db
FEED=$top_srcdir/scripts/zsquery-session-feed
S1=5e55105000000000000000000000f001	# tenant-a's login
S2=5e55105000000000000000000000f002	# tenant-b's, with a userUuid
S3=5e55105000000000000000000000f003	# renewed here
S4=5e55105000000000000000000000f004	# expires
S5=5e55105000000000000000000000f005	# expired before the feed saw it
SX=5e55105000000000000000000000f0ff	# a bad row

# feed STATUS: one run of the shipped script, which must exit STATUS.
feed() {
	local want=$1 got
	ZSQUERY_MYSQL_CNF=${CNF:-$MARIA_CNF} ZSQUERY_ADMIN=$ADMIN \
	    sh "$FEED" -d "$DB" >"$T/out" 2>"$T/err"
	got=$?
	cat "$T/out" "$T/err" >>"$T/all"
	[ "$got" = "$want" ] && ok ||
	    not_ok "feed exited $got, want $want: $(cat "$T/out" "$T/err")"
}
out_is() {
	[ "$(cat "$T/out")" = "$1" ] && ok || not_ok "feed said '$(cat "$T/out")', want '$1'"
}
# status_of SID: the HTTP status of a list through nginx with that session.
status_of() {
	get "$1" "$API/?limit=1"
	echo "$STATUS"
}
expect_status() {
	local got
	got=$(status_of "$2")
	[ "$got" = "$3" ] && ok || not_ok "$1: status $got, want $3"
}
# expiry SID: the stored expiry, epoch seconds, from session list.
expiry() {
	"$ADMIN" -d "$DB" session list | awk -v s="$1" '$1 == s { print $3 }' |
	    xargs -r -I{} date -u -d {} +%s
}
snap() { store_snap "$T/$1.dump" "$DB"; }

maria_start
admin -d "$DB" init >/dev/null || t_hard init
admin -d "$DB" import --owner "$ACC_ADMIN" \
    "$top_srcdir/tests/data/sample.json" >/dev/null || t_hard import
pool_start pool "$DB" "$T/pool.sock" -w 3 || t_hard "pool"
nginx_start ngx "$T/pool.sock" || t_hard "nginx"

# --- login ---------------------------------------------------------------
maria_login "$S1" "$ACC_A"
maria_login "$S2" "$ACC_B" "$ACC_C" 3600
expect_status "before the feed" "$S1" 503
feed 0
out_is "session import: read 2, added 2, updated 0, unchanged 0, deleted 0"
# What ZStack says, to the second (before any request renews it here).
want=$(maria "SELECT UNIX_TIMESTAMP(expiredDate) FROM zstack.SessionVO WHERE uuid = '$S2'")
[ "$(expiry "$S2")" = "$want" ] && ok || not_ok "expiry $(expiry "$S2"), ZStack $want"
expect_status "login" "$S1" 200
expect_status "login with a user" "$S2" 200
"$ADMIN" -d "$DB" session list | grep -q "^$S2 $ACC_B " && ok ||
    not_ok "session list: $("$ADMIN" -d "$DB" session list)"
feed 0
out_is "session import: read 2, added 0, updated 0, unchanged 2, deleted 0"

# --- renewal in ZStack ------------------------------------------------------
maria "UPDATE zstack.SessionVO SET expiredDate = expiredDate + INTERVAL 3 HOUR WHERE uuid = '$S2'"
want=$(maria "SELECT UNIX_TIMESTAMP(expiredDate) FROM zstack.SessionVO WHERE uuid = '$S2'")
feed 0
out_is "session import: read 2, added 0, updated 1, unchanged 1, deleted 0"
[ "$(expiry "$S2")" = "$want" ] && ok || not_ok "ZStack's renewal: $(expiry "$S2"), want $want"

# --- renewal here: a worker renews, the next feed keeps it ------------------
maria_login "$S3" "$ACC_A" NULL 600
feed 0
zexp=$(expiry "$S3")
expect_status "renewed here" "$S3" 200
# The pool renews to now + 7200 s (its default timeout), maybe later than
# the reply: wait for it.
wait_until 100 eval '[ "$(expiry "$S3")" -gt $((zexp + 3600)) ]' && ok ||
    not_ok "the pool did not renew $S3 ($(expiry "$S3") vs $zexp)"
local_exp=$(expiry "$S3")
feed 0
out_is "session import: read 3, added 0, updated 0, unchanged 3, deleted 0"
[ "$(expiry "$S3")" = "$local_exp" ] && ok ||
    not_ok "the feed undid a renewal made here: $(expiry "$S3"), was $local_exp"

# --- expiry --------------------------------------------------------------
maria_login "$S4" "$ACC_B" NULL 3
feed 0
t4=$(maria "SELECT UNIX_TIMESTAMP(expiredDate) FROM zstack.SessionVO WHERE uuid = '$S4'")
"$ADMIN" -d "$DB" session list | grep -q "^$S4 .*Z$" && ok ||
    not_ok "S4 not live: $("$ADMIN" -d "$DB" session list)"
# No request before it expires (a request would renew it, as ZStack would).
wait_until 100 eval '[ "$(date +%s)" -gt "$t4" ]'
expect_status "expired" "$S4" 503
grep -q '"code":"ID.1001"' "$T/body" && ok || not_ok "expired: $(cat "$T/body")"
# An already expired row arrives expired.
maria "INSERT INTO zstack.SessionVO VALUES ('$S5', '$ACC_A', NULL, NOW() - INTERVAL 1 MINUTE, NOW() - INTERVAL 1 HOUR)"
feed 0
expect_status "expired in ZStack" "$S5" 503

# --- logout -------------------------------------------------------------------
maria "DELETE FROM zstack.SessionVO WHERE uuid IN ('$S1', '$S5')"
feed 0
out_is "session import: read 3, added 0, updated 0, unchanged 3, deleted 2"
expect_status "logout" "$S1" 503
expect_status "the others stay" "$S2" 200

# --- a bad row: skipped and counted, the logouts go on -----------------------
# Before, one bad row refused the whole feed: no logout reached the node
# until someone fixed that row.
maria "INSERT INTO zstack.SessionVO VALUES ('$SX', '$ACC_C', 'nobody', NOW() + INTERVAL 1 HOUR, NOW())"
maria "DELETE FROM zstack.SessionVO WHERE uuid = '$S2'"
line=$(maria "SELECT uuid FROM zstack.SessionVO" | grep -n "^$SX\$" | cut -d: -f1)
feed 0
grep -qx "zsquery-admin: session import: 1 bad row skipped (the first: line $line: userUuid is neither NULL nor 32 lowercase hex characters)" \
    "$T/err" && ok || not_ok "bad row: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] && ok || not_ok "bad row: one line: $(cat "$T/err")"
grep -qF "$SX" "$T/out" "$T/err" && not_ok "the bad row's session id was shown" || ok
out_is "session import: read 2, added 0, updated 0, unchanged 2, deleted 1"
expect_status "a bad row: the logout goes on" "$S2" 503
expect_status "a bad row's session is not served" "$SX" 503
maria "DELETE FROM zstack.SessionVO WHERE uuid = '$SX'"
feed 0
[ -s "$T/err" ] && not_ok "no bad row, yet: $(cat "$T/err")" || ok

# --- mysql fails: nothing changes, the failure is recorded -------------------
snap before
sed 's/^password = .*/password = wrong/' "$MARIA_CNF" >"$T/wrong.cnf"
chmod 600 "$T/wrong.cnf"
maria "DELETE FROM zstack.SessionVO"
CNF=$T/wrong.cnf feed 1
grep -q "^zsquery-admin: sessions feed: mysql: ERROR 1045 (28000): Access denied for user 'zsq'@'localhost' (using password: YES)\$" \
    "$T/err" && ok || not_ok "mysql failure: $(cat "$T/err")"
snap after
cmp -s "$T/before.dump" "$T/after.dump" && ok || not_ok "a mysql failure changed the store"
"$ADMIN" -d "$DB" stat >"$T/stat"
grep -q "^feed sessions: failure .* (1 since the last success): mysql: ERROR 1045" \
    "$T/stat" && ok || not_ok "stat: $(grep feed "$T/stat")"
expect_status "sessions kept" "$S3" 200
# An empty SessionVO is a real state (everyone logged out): replace empties.
feed 0
out_is "session import: read 0, added 0, updated 0, unchanged 0, deleted 2"
"$ADMIN" -d "$DB" stat >"$T/stat"
grep -q "^feed sessions: success .*: added 0, updated 0, unchanged 0, deleted 2, read 0\$" \
    "$T/stat" && ok || not_ok "stat: $(grep feed "$T/stat")"
grep -q '^feed sessions: age [0-9]* s$' "$T/stat" && ok || not_ok "stat age"

# --- the password never shows ---------------------------------------------------
if grep -rqF -- "$MARIA_PASSWORD" "$T/all" "$T"/*.log "$T/stat"; then
	not_ok "the MariaDB password appeared in an output or log"
else
	ok
fi

t_done
