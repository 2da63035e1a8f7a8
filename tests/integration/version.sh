#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# version.sh - one version, configure's (AC_INIT), everywhere it shows:
# `zsquery-fcgi --version` and `zsquery-admin --version` print it and exit
# 0 (before and whatever the other options), the man pages carry it, and
# debian/changelog's newest entry is that version (the package is
# zsquery_<version>_<arch>.deb).  The files make writes from *.in (man
# pages, units, the default configuration) hold no unsubstituted @name@.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_init version
t_need_bins
: "${PACKAGE_VERSION:?}"

# version_is DESC WANT CMD...: CMD exits 0 and prints exactly WANT.
version_is() {
	local desc=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then
		ok
	else
		not_ok "$desc: exit $rc, printed '$got', want '$want'"
	fi
}

version_is "zsquery-fcgi --version" "zsquery-fcgi (zsquery) $PACKAGE_VERSION" \
    "$FCGI" --version
version_is "zsquery-fcgi -w 2 --version" \
    "zsquery-fcgi (zsquery) $PACKAGE_VERSION" "$FCGI" -w 2 --version
version_is "zsquery-admin --version" "zsquery-admin (zsquery) $PACKAGE_VERSION" \
    "$ADMIN" --version
# No store is opened: --version works where there is none.
version_is "zsquery-admin -d nowhere --version" \
    "zsquery-admin (zsquery) $PACKAGE_VERSION" \
    "$ADMIN" -d "$T/nowhere" --version
[ ! -e "$T/nowhere" ] && ok || not_ok "--version created $T/nowhere"
# Both list it in their help.
"$FCGI" --help | grep -q -- '--version' && ok ||
    not_ok "zsquery-fcgi --help does not mention --version"
"$ADMIN" --help | grep -q -- '--version' && ok ||
    not_ok "zsquery-admin --help does not mention --version"

for m in zsquery-fcgi zsquery-admin; do
	f=$top_builddir/man/$m.8
	if grep -qx ".Os zsquery $PACKAGE_VERSION" "$f"; then
		ok
	else
		not_ok "$f: .Os line '$(grep '^\.Os' "$f")'"
	fi
done

for f in man/zsquery-fcgi.8 man/zsquery-admin.8 man/zsquery-session-feed.8 \
    systemd/zsquery.service \
    systemd/zsquery.socket systemd/zsquery-sync.service \
    systemd/zsquery-sync.timer systemd/zsquery-sync-sessions.service \
    systemd/zsquery-sync-sessions.timer etc/zsquery.conf; do
	if grep -n '@[A-Za-z_]*@' "$top_builddir/$f" >&2; then
		not_ok "$f: unsubstituted names (above)"
	else
		ok
	fi
done

# The default configuration, every setting uncommented, is one the pool
# starts with (the command line's store and socket win, as in the unit).
sed 's/^#\([a-z-]* = \)/\1/' "$top_builddir/etc/zsquery.conf" >"$T/all.conf"
[ "$(grep -c '^[a-z-]* = ' "$T/all.conf")" -ge 8 ] && ok ||
    not_ok "etc/zsquery.conf shows fewer than 8 settings"
if ! getent group www-data >/dev/null; then
	sed -i 's/^listen-group = .*/listen-group = '"$(id -gn)"'/' "$T/all.conf"
fi
"$ADMIN" -d "$T/store" init >/dev/null || t_hard "init"
if pool_start pool "$T/store" "$T/pool.sock" --config "$T/all.conf"; then
	ok
	kill -TERM "$POOL_PID"
	wait_until 100 eval '! alive $POOL_PID' || not_ok "pool did not stop"
else
	not_ok "the pool does not start with etc/zsquery.conf uncommented"
fi

# dpkg-parsechangelog would need dpkg-dev; the first line says it all:
# "zsquery (VERSION) DIST; urgency=...".
deb=$(sed -n '1s/^zsquery (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
if [ "$deb" = "$PACKAGE_VERSION" ]; then
	ok
else
	not_ok "debian/changelog is at '$deb', configure.ac at '$PACKAGE_VERSION'"
fi

t_done
