#!/bin/bash
# units.sh - the shipped deployment files are valid and as hardened as
# claimed:
#  * systemd-analyze security rates systemd/zsquery.service at exposure
#    1.0 or lower (offline: no running systemd needed);
#  * systemd-analyze verify finds no error in the two units, checked on
#    copies whose ExecStart points at the built binary (the installed path
#    /usr/sbin does not exist here) and without Documentation= (man pages
#    are not installed in the build tree, and verify runs man to check it);
#  * the socket unit says what the pool and nginx rely on;
#  * nginx -t accepts nginx/zsquery.conf with the shipped snippet, given a
#    throw-away certificate and every path moved into a temp dir.
# Skips (77) when systemd-analyze is missing; the nginx part is skipped
# on its own when nginx or openssl is missing.

. "${top_srcdir:?}/tests/lib.sh" || exit 99
t_need_cmd systemd-analyze
t_init units

SVC=$top_srcdir/systemd/zsquery.service
SOCK=$top_srcdir/systemd/zsquery.socket
MAX_EXPOSURE=1.0

out=$(systemd-analyze security --offline=yes --no-pager "$SVC" 2>&1)
score=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	not_ok "systemd-analyze security gave no score: $(echo "$out" | tail -n 3)"
elif awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
	ok
	t_log "zsquery.service exposure $score (at most $MAX_EXPOSURE)"
else
	not_ok "zsquery.service exposure $score, want at most $MAX_EXPOSURE"
	echo "$out" | grep '✗' >&2
fi

# verify: on copies naming the built binary.
mkdir -p "$T/units"
sed -e "s|^ExecStart=/usr/sbin/zsquery-fcgi|ExecStart=$FCGI|" \
    -e '/^Documentation=/d' "$SVC" >"$T/units/zsquery.service"
sed -e '/^Documentation=/d' "$SOCK" >"$T/units/zsquery.socket"
grep -q "^ExecStart=$FCGI " "$T/units/zsquery.service" && ok ||
    not_ok "ExecStart is not /usr/sbin/zsquery-fcgi ..."
if [ -x "$FCGI" ]; then
	out=$(cd "$T/units" && systemd-analyze verify --man=no \
	    zsquery.socket zsquery.service 2>&1)
	if [ -z "$out" ]; then
		ok
	else
		not_ok "systemd-analyze verify: $out"
	fi
else
	t_log "verify skipped: $FCGI not built"
fi

# What the pool and nginx rely on.
unit_has() {
	grep -qx "$2" "$1" && ok || not_ok "$(basename "$1") lacks '$2'"
}
unit_has "$SOCK" 'ListenStream=/run/zsquery/zsquery.sock'
unit_has "$SOCK" 'SocketMode=0660'
unit_has "$SOCK" 'SocketGroup=www-data'
unit_has "$SOCK" 'Accept=no'
unit_has "$SVC" 'StandardInput=socket'
unit_has "$SVC" 'ExecReload=/bin/kill -HUP $MAINPID'
unit_has "$SVC" 'User=zsquery'
unit_has "$SVC" 'RestrictAddressFamilies=AF_UNIX'
grep -q 'unix:/run/zsquery/zsquery.sock' "$top_srcdir/nginx/zsquery.conf" &&
    ok || not_ok "zsquery.conf does not use the socket unit's path"

# nginx -t on the shipped site, keepalive below the service's workers.
workers=$(sed -n 's/^ExecStart=.* -w \([0-9]*\).*/\1/p' "$SVC")
keep=$(awk '$1 == "keepalive" { sub(/;/, "", $2); print $2 }' \
    "$top_srcdir/nginx/zsquery.conf")
if [ -n "$workers" ] && [ -n "$keep" ] && [ "$keep" -lt "$workers" ]; then
	ok
else
	not_ok "upstream keepalive '$keep' must be below the workers '$workers'"
fi
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
	d=$T/nginx
	mkdir -p "$d/snippets" "$d/tmp"
	cp "$top_srcdir/nginx/zsquery-fastcgi.conf" "$d/snippets/"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test \
	    -keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1 ||
	    not_ok "openssl could not make a test certificate"
	sed -e "s|/etc/ssl/certs/zsquery.pem|$d/cert.pem|" \
	    -e "s|/etc/ssl/private/zsquery.key|$d/key.pem|" \
	    -e "s|/var/log/nginx/|$d/|" \
	    "$top_srcdir/nginx/zsquery.conf" >"$d/site.conf"
	cat >"$d/nginx.conf" <<EOF
pid $d/nginx.pid;
error_log $d/error.log;
events { }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	include $d/site.conf;
}
EOF
	if out=$(nginx -t -p "$d" -c "$d/nginx.conf" -e "$d/error.log" 2>&1); then
		ok
	else
		not_ok "nginx -t on zsquery.conf: $out"
	fi
else
	t_log "nginx -t skipped: nginx or openssl missing"
fi

t_done
