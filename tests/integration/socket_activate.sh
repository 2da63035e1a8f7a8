#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# socket_activate.sh - the pool takes its listening socket on fd 0 from a
# launcher, the way systemd (StandardInput=socket) and spawn-fcgi hand it
# over, and serves nginx through it:
#
#  * spawn-fcgi -n -s SOCK -M 0660 -- zsquery-fcgi ...: spawn-fcgi creates
#    and binds the socket, then execs the pool with it as fd 0;
#  * systemd-socket-activate --inetd -l SOCK zsquery-fcgi ...: without -a
#    (Accept=no, as in zsquery.socket) it binds the socket, waits for the
#    first connection, then execs the pool with the *listening* socket as
#    fd 0 and fd 1 (so the pool must not write to stdout).  It creates the
#    socket 0644 root, so as root we apply zsquery.socket's SocketGroup and
#    SocketMode (www-data, 0660) by hand before nginx connects.
#
# Through each, nginx + curl answers must match the golden bodies, and the
# pool must stop cleanly on SIGTERM.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl python3 setsid spawn-fcgi systemd-socket-activate
t_init socket_activate
t_need_bins

export TZ=UTC
store_make "$T/store" || t_hard "store"

# A few answers that need the whole path: store, session, tenancy, render.
check_answers() {
	local how=$1
	get "$SID_A" "$API/"
	expect_golden "$how: list" nginx_list_a_utc.json
	get "$SID_A" "$API//$G_A1"
	expect_golden "$how: get" nginx_get_a1_utc.json
	get "$SID_EXPIRED" "$API"
	[ "$STATUS" = 503 ] && ok || not_ok "$how: expired session: $STATUS"
	req /zstack/v1/nope
	expect_text "$how: 404" 404 "no api mapping to /v1/nope"
}

# stop PID HOW: SIGTERM; the launcher's process (now the pool) exits 0.
stop_pool() {
	local pid=$1 how=$2 rc
	kill -TERM "$pid"
	if wait_until 300 eval '! alive $pid'; then
		wait "$pid"
		rc=$?
		[ $rc = 0 ] && ok || not_ok "$how: pool exited $rc on SIGTERM"
	else
		not_ok "$how: pool did not stop on SIGTERM"
	fi
	wait_until 150 eval '! pg_alive $pid' && ok ||
	    not_ok "$how: workers outlived the pool"
}

# ---- spawn-fcgi -------------------------------------------------------------
own=()
[ "$(id -u)" = 0 ] && own=(-G www-data)
t_spawn spawn-fcgi spawn-fcgi -n -s "$T/spawn.sock" -M 0660 "${own[@]}" \
    -- "$FCGI" -d "$T/store" -w 2
SPAWN_PID=$T_LASTPID
wait_until 300 test -S "$T/spawn.sock" || t_hard "spawn-fcgi made no socket"
nginx_start ngx-spawn "$T/spawn.sock" || t_hard "nginx (spawn-fcgi)"
check_answers spawn-fcgi
# The pool, not spawn-fcgi, is what runs now (spawn-fcgi -n execs).
[ "$(readlink "/proc/$SPAWN_PID/exe")" = "$(readlink -f "$FCGI")" ] && ok ||
    not_ok "spawn-fcgi: pid $SPAWN_PID is not zsquery-fcgi"
stop_pool "$SPAWN_PID" spawn-fcgi

# ---- systemd-socket-activate ---------------------------------------------------
# It passes the program only the environment named with -E: the pool
# needs its zone (as zsquery.service would set Environment=TZ=).
t_spawn ssa systemd-socket-activate --inetd -l "$T/ssa.sock" -E TZ \
    "$FCGI" -d "$T/store" -w 2
SSA_PID=$T_LASTPID
wait_until 300 test -S "$T/ssa.sock" || t_hard "systemd-socket-activate made no socket"
if [ "$(id -u)" = 0 ]; then
	chgrp www-data "$T/ssa.sock" && chmod 0660 "$T/ssa.sock" ||
	    t_hard "socket permissions"
fi
nginx_start ngx-ssa "$T/ssa.sock" || t_hard "nginx (systemd-socket-activate)"
check_answers systemd-socket-activate
[ "$(readlink "/proc/$SSA_PID/exe")" = "$(readlink -f "$FCGI")" ] && ok ||
    not_ok "systemd-socket-activate: pid $SSA_PID is not zsquery-fcgi"
stop_pool "$SSA_PID" systemd-socket-activate

# ---- the same, the sd_listen_fds way ------------------------------------------
# Without --inetd the socket is fd 3, named by LISTEN_FDS=1 and LISTEN_PID
# (the pool's own pid, checked: a LISTEN_PID meant for another process is
# ignored).
t_spawn ssa3 systemd-socket-activate -l "$T/ssa3.sock" -E TZ \
    "$FCGI" -d "$T/store" -w 2
SSA3_PID=$T_LASTPID
wait_until 300 test -S "$T/ssa3.sock" || t_hard "systemd-socket-activate made no socket"
if [ "$(id -u)" = 0 ]; then
	chgrp www-data "$T/ssa3.sock" && chmod 0660 "$T/ssa3.sock" ||
	    t_hard "socket permissions"
fi
nginx_start ngx-ssa3 "$T/ssa3.sock" || t_hard "nginx (LISTEN_FDS)"
check_answers "systemd-socket-activate (LISTEN_FDS)"
stop_pool "$SSA3_PID" "systemd-socket-activate (LISTEN_FDS)"

t_done
