#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# package.sh - the Debian package, as an operator meets it:
#
#  * `make distdir` copies the release tree out of the source dir, and
#    dpkg-buildpackage -us -uc -b builds zsquery_<version>_<arch>.deb there
#    (DEB_BUILD_OPTIONS=nocheck: this suite is the check), in a clean
#    environment; lintian finds no error and no warning in it;
#  * `apt-get install ./zsquery_*.deb` on this machine: the programs print
#    configure's version; the man pages, every unit make installs (each
#    enabled by deb-systemd-helper), the nginx snippet and
#    site (conffiles; the site not enabled) and /etc/zsquery/zsquery.conf
#    are in place; postinst made the zsquery system user and an
#    initialised store in /var/lib/zsquery that it owns;
#  * the installed program runs the way the units say (where systemd is
#    not PID 1: systemd-socket-activate on the socket unit's path, mode
#    and group, as the service's user, with its ExecStart; under systemd,
#    zsquery.socket itself) and answers through nginx running the
#    installed site (its server blocks on test ports, a throw-away
#    certificate, the installed snippet) over TLS, with the reply
#    `zsquery-admin query` gives for the same account;
#  * installing again keeps the store and its data; remove keeps the
#    store and the configuration; purge deletes both.
#
# It installs and purges a package on this machine, so it needs root: as
# anyone else it skips (77).  It refuses (99) to touch a machine where a
# zsquery package is installed already, and serialises with any other run
# of itself through a lock, /run/lock/zsquery-package-test.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
[ "$(id -u)" = 0 ] || t_skip "not root: this test installs a package"
t_need_cmd dpkg-buildpackage lintian apt-get nginx curl openssl python3 \
    setsid setpriv flock systemd-socket-activate
: "${PACKAGE_VERSION:?}"
t_init package
# What postinst and the service see: the machine's own zone, no TZ.
unset TZ

V=$PACKAGE_VERSION
ARCH=$(dpkg --print-architecture)
UNITDIR=/lib/systemd/system
STORE=/var/lib/zsquery
INSTALLED=0

# apt-get with a long wait for dpkg's lock, never a question.
apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -y \
	    -o DPkg::Lock::Timeout=600 "$@"
}

# Whatever happens, leave the machine as it was: no package, no store.
pkg_cleanup() {
	if [ $INSTALLED = 1 ]; then
		apt purge zsquery >/dev/null 2>&1 ||
		    t_log "could not purge zsquery: do it by hand"
	fi
	[ -n "${RUNDIR_MADE:-}" ] && rm -rf "$RUNDIR_MADE"
}
trap 't_cleanup; pkg_cleanup' EXIT

exec 9>/run/lock/zsquery-package-test
flock -w 1200 9 || t_hard "another package.sh held its lock for 20 minutes"
if dpkg-query -W -f='${db:Status-Status}' zsquery 2>/dev/null |
    grep -qv '^not-installed$'; then
	t_hard "a zsquery package is on this machine already: this test" \
	    "installs and purges its own (apt-get purge zsquery first)"
fi

# ---- build ---------------------------------------------------------------------
# A clean environment: nothing of make's (MAKEFLAGS, the suite's
# variables) reaches debian/rules.
clean_env() {
	env -i PATH="$PATH" HOME="$T" LANG=C.UTF-8 "$@"
}
tree=$T/src/zsquery-$V
mkdir "$T/src"
clean_env make -C "$top_builddir" distdir distdir="$tree" \
    >"$T/distdir.log" 2>&1 || { cat "$T/distdir.log" >&2; t_hard "make distdir"; }
if (cd "$tree" && clean_env DEB_BUILD_OPTIONS=nocheck \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	ok
else
	tail -n 40 "$T/build.log" >&2
	t_hard "dpkg-buildpackage failed"
fi
DEB=$T/src/zsquery_${V}_$ARCH.deb
[ -f "$DEB" ] && ok || t_hard "no $DEB: $(ls "$T/src")"

# lintian: not one error or warning (an override, should one ever be
# needed, goes in debian/zsquery.lintian-overrides with its reason).  As
# root it says it would rather not run as root: that line is no finding.
lintian --fail-on error,warning "$T/src/zsquery_${V}_$ARCH.changes" \
    >"$T/lintian.log" 2>&1
rc=$?
if [ $rc = 0 ] && ! grep -q '^[EW]: ' "$T/lintian.log"; then
	ok
else
	not_ok "lintian (exit $rc): $(cat "$T/lintian.log")"
fi

# ---- install ---------------------------------------------------------------------
INSTALLED=1
if apt install --no-install-recommends "$DEB" >"$T/install.log" 2>&1; then
	ok
else
	cat "$T/install.log" >&2
	t_hard "apt-get install $DEB failed"
fi

# has DESC TEST...: a check on the installed system.
has() {
	local desc=$1
	shift
	"$@" && ok || not_ok "installed: $desc"
}

for p in /usr/sbin/zsquery-fcgi /usr/bin/zsquery-admin; do
	got=$("$p" --version 2>&1)
	[ "$got" = "${p##*/} (zsquery) $V" ] && ok ||
	    not_ok "$p --version: '$got', want version $V"
done
has "man pages" test -s /usr/share/man/man8/zsquery-fcgi.8.gz -a \
    -s /usr/share/man/man8/zsquery-session-feed.8.gz -a \
    -s /usr/share/man/man8/zsquery-admin.8.gz
has "alert rules" test -s /usr/share/doc/zsquery/zsquery-alerts.yml
has "nginx snippet" test -s /etc/nginx/snippets/zsquery-fastcgi.conf
has "nginx site" test -s /etc/nginx/sites-available/zsquery.conf
has "site not enabled" test ! -e /etc/nginx/sites-enabled/zsquery.conf
has "/etc/zsquery/zsquery.conf" test -s /etc/zsquery/zsquery.conf
conffiles=$(dpkg-query -W -f='${Conffiles}\n' zsquery | awk '{ print $1 }')
for f in /etc/nginx/snippets/zsquery-fastcgi.conf \
    /etc/nginx/sites-available/zsquery.conf /etc/zsquery/zsquery.conf; do
	grep -qx "$f" <<<"$conffiles" && ok || not_ok "$f is not a conffile"
done
# Every unit make installs (systemdsystemunit_DATA, built in
# $top_builddir/systemd), installed and enabled.
units=$(cd "$top_builddir/systemd" && ls -- *.service *.socket *.timer \
    2>/dev/null)
[ -n "$units" ] || not_ok "no units in $top_builddir/systemd"
# Enabled: deb-systemd-helper made the [Install] section's links and
# recorded them (for purge) in its state directory.
for u in $units; do
	has "$UNITDIR/$u" test -s "$UNITDIR/$u"
	# A service a timer starts has no [Install] section: nothing to
	# enable (its timer is).
	grep -q '^\[Install\]' "$UNITDIR/$u" &&
	    has "$u enabled by deb-systemd-helper" \
	    test -f "/var/lib/systemd/deb-systemd-helper-enabled/$u.dsh-also"
	for w in $(sed -n 's/^WantedBy=//p' "$UNITDIR/$u"); do
		l=/etc/systemd/system/$w.wants/$u
		[ "$(readlink "$l")" = "$UNITDIR/$u" ] && ok ||
		    not_ok "$u enabled: $l -> '$(readlink "$l")'"
	done
done
# The service's user, its store, as postinst made them.
IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd zsquery)"
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$home" = "$STORE" ] && ok ||
    not_ok "zsquery user: uid '$uid' home '$home' (want a system user)"
has "store owned by zsquery, 0750" \
    test "$(stat -c '%U %a' "$STORE" 2>/dev/null)" = "zsquery 750"
AS_ZSQ=(setpriv --reuid=zsquery --regid=zsquery --init-groups)
"${AS_ZSQ[@]}" zsquery-admin -d "$STORE" stat >"$T/stat" 2>&1 &&
    grep -qx 'groups: 0' "$T/stat" && ok ||
    not_ok "postinst's store: $(cat "$T/stat")"

# ---- serve ---------------------------------------------------------------------
# The data of the other tests (lib.sh's store_make), written by the
# installed zsquery-admin as the service's user.
# The user reads the fixtures from copies here: it may not reach the
# source tree (a checkout in /root, 0700).
mkdir -p "$T/fx/tests/data" "$T/fx/tests/data/golden"
cp "$top_srcdir/tests/data/sample.json" "$T/fx/tests/data/" &&
    cp "$GOLDEN"/nginx_input_[ab].json "$T/fx/tests/data/golden/" &&
    chmod -R a+rX "$T/fx" || t_hard "copying the fixtures"
ADMIN=/usr/bin/zsquery-admin
ADMIN_WRAP="${AS_ZSQ[*]}"
top_srcdir=$T/fx GOLDEN=$T/fx/tests/data/golden store_make "$STORE" \
    >"$T/store.log" 2>&1 ||
    { cat "$T/store.log" >&2; t_hard "filling $STORE"; }

unit_key() {
	sed -n "s/^$2=//p" "$UNITDIR/$1" | tail -n 1
}
exec_start=$(unit_key zsquery.service ExecStart)
listen=$(unit_key zsquery.socket ListenStream)
[ "${exec_start%% *}" = /usr/sbin/zsquery-fcgi ] && ok ||
    not_ok "ExecStart '$exec_start' is not /usr/sbin/zsquery-fcgi"
if [ -d /run/systemd/system ]; then
	# systemd runs here: postinst started the socket, the first
	# connection starts the service.
	has "zsquery.socket active" systemctl -q is-active zsquery.socket
else
	if [ ! -d "${listen%/*}" ]; then
		mkdir -m "$(unit_key zsquery.socket DirectoryMode)" \
		    "${listen%/*}" && RUNDIR_MADE=${listen%/*}
	fi
	# ExecStart as the service's User/Group, the socket on fd 0.
	# (Word splitting of exec_start is the unit's own: no quoting in it.)
	t_spawn pool systemd-socket-activate --inetd -l "$listen" \
	    setpriv --reuid="$(unit_key zsquery.service User)" \
	    --regid="$(unit_key zsquery.service Group)" --init-groups \
	    $exec_start
	wait_until 300 test -S "$listen" || t_hard "no socket $listen"
	chgrp "$(unit_key zsquery.socket SocketGroup)" "$listen" &&
	    chmod "$(unit_key zsquery.socket SocketMode)" "$listen" ||
	    t_hard "socket permissions"
fi

# The installed site: its server blocks on free ports of 127.0.0.1, a
# throw-away certificate, logs here; the socket and the snippet (through
# snippets/ in nginx's prefix) are the installed ones.
d=$T/nginx
mkdir -p "$d/tmp"
ln -s /etc/nginx/snippets "$d/snippets"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1 ||
    t_hard "openssl could not make a test certificate"
p80=$(free_port)
p443=$(free_port)
sed -e "s|/etc/ssl/certs/zsquery.pem|$d/cert.pem|" \
    -e "s|/etc/ssl/private/zsquery.key|$d/key.pem|" \
    -e "s|/var/log/nginx/|$d/|" -e '/listen.*\[::\]/d' \
    -e "s|listen\([[:space:]]*\)80;|listen\1127.0.0.1:$p80;|" \
    -e "s|listen\([[:space:]]*\)443 |listen\1127.0.0.1:$p443 |" \
    /etc/nginx/sites-available/zsquery.conf >"$d/site.conf"
grep -q "127.0.0.1:$p443 " "$d/site.conf" ||
    t_hard "the installed site changed: no 'listen 443 ...' to move"
nginx_wrap "$d"
t_spawn nginx nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" \
    -g 'daemon off;'
wait_until 300 test -s "$d/nginx.pid" || t_hard "nginx did not start"
BASE=https://127.0.0.1:$p443
wait_until 300 curl -sk -o /dev/null "$BASE/" || t_hard "nginx does not answer"

get "$SID_A" "$API/" -k
expect_uuids "through the installed site" "$G_A1" "$G_A2" "$G_B2" "$G_B3"
"${AS_ZSQ[@]}" zsquery-admin -d "$STORE" query --account "$ACC_A" \
    >"$T/want" 2>"$T/query.err" || not_ok "zsquery-admin query failed"
if cmp -s "$T/body" "$T/want"; then
	ok
else
	not_ok "the site's reply is not zsquery-admin query's"
	body_diff "$T/body" "$T/want"
fi
get "$SID_A" "$API/$G_B1" -k
expect_uuids "another tenant's group through the site" ""
req -k /zstack/v2/x
[ "$STATUS" = 404 ] && ok || not_ok "site: outside /zstack/v1/: $STATUS"

# ---- again, remove, purge -----------------------------------------------------------
"${AS_ZSQ[@]}" zsquery-admin -d "$STORE" stat >"$T/stat.before" 2>&1
apt install --reinstall --no-install-recommends "$DEB" >"$T/reinstall.log" 2>&1 ||
    { cat "$T/reinstall.log" >&2; not_ok "reinstalling"; }
"${AS_ZSQ[@]}" zsquery-admin -d "$STORE" stat >"$T/stat" 2>&1
if grep -q '^groups: [1-9]' "$T/stat" &&
    [ "$(grep -v '^sessions' "$T/stat")" = \
    "$(grep -v '^sessions' "$T/stat.before")" ]; then
	ok
else
	not_ok "a second postinst changed the store: $(cat "$T/stat.before")" \
	    "became $(cat "$T/stat")"
fi

# The pool and nginx stop first: nothing may hold the store when it goes.
for pg in "${T_PGIDS[@]}"; do
	kill -TERM -- "-$pg" 2>/dev/null
done
for pg in "${T_PGIDS[@]}"; do
	wait_until 100 eval '! pg_alive $pg' || not_ok "process group $pg lives on"
done

# The feeds' secrets, as an administrator puts them there.
(umask 077 && echo 0123456789abcdef0123456789abcdef >/etc/zsquery/zstack-session &&
    printf '[client]\npassword=x\n' >/etc/zsquery/zstack-mysql.cnf) ||
    not_ok "writing the feeds' secrets"
apt remove zsquery >"$T/remove.log" 2>&1 ||
    { cat "$T/remove.log" >&2; not_ok "apt-get remove"; }
has "remove keeps the store" test -s "$STORE/data.mdb"
has "remove keeps the configuration" test -s /etc/zsquery/zsquery.conf
has "remove keeps the feeds' secrets" test -s /etc/zsquery/zstack-session
has "remove takes the program" test ! -e /usr/sbin/zsquery-fcgi
apt purge zsquery >"$T/purge.log" 2>&1 ||
    { cat "$T/purge.log" >&2; not_ok "apt-get purge"; }
INSTALLED=0
has "purge deletes the store" test ! -e "$STORE"
has "purge deletes /etc/zsquery, secrets and all" test ! -e /etc/zsquery
has "purge deletes the nginx site" \
    test ! -e /etc/nginx/sites-available/zsquery.conf
has "purge disables the units" \
    test ! -e /etc/systemd/system/sockets.target.wants/zsquery.socket
st=$(dpkg-query -W -f='${db:Status-Status}' zsquery 2>/dev/null)
[ -z "$st" ] || [ "$st" = not-installed ] && ok ||
    not_ok "dpkg still knows zsquery: $st"

t_done
