#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# deps.sh - the Debian 12 packages zsquery needs, in one place, and their
# installation: demo.sh, run-tests.sh and .ci/run all come through here.
#
#   ./deps.sh build    what builds the programs (and the Debian package)
#   ./deps.sh demo     build + what demo.sh serves with
#   ./deps.sh test     demo + everything the test suite drives
#   ./deps.sh fuzz     build + clang and its libFuzzer (fuzz/run.sh)
#   ./deps.sh -l SET   print the set, one package a line, and exit
#
# Installs whatever of SET is missing: as root with apt-get (update, then
# install without recommends); as anyone else it names the missing
# packages and exits 1.  Exits 0 when nothing is missing, and on a system
# without dpkg (nothing to compare with: the build says what it lacks).
set -eu

# Building: the compiler and autotools, the libraries, libcurl for
# zsquery-admin's sync.
BUILD="build-essential autoconf automake pkg-config libfcgi-dev liblmdb-dev
    libjansson-dev uuid-dev libxxhash-dev libcurl4-openssl-dev"
# Serving the demo: nginx in front of the pool, curl in demo.sh.
DEMO="$BUILD nginx-light curl"
# The suite: python3 (checkers, reference models), LMDB's tools
# (faults.sh), launchers (spawn-fcgi, systemd's
# socket activation and unit checks), valgrind, strace, procps (pgrep, ps),
# openssl (test certificates), tzdata (two zones), wrk (load), util-linux
# (setsid, setpriv), a real MariaDB and Prometheus for the tests that meet
# one, and the Debian packaging tools tests/integration/package.sh builds
# the package with (dpkg-buildpackage, debhelper, lintian, fakeroot).
TEST="$DEMO python3 lmdb-utils spawn-fcgi systemd valgrind strace procps openssl
    tzdata wrk util-linux mariadb-server prometheus dpkg-dev debhelper
    lintian devscripts fakeroot mariadb-client"
# Fuzzing (make fuzz, .ci/run): clang, and libFuzzer with clang's
# sanitizer runtimes, which Debian ships apart from the compiler.
FUZZ="$BUILD clang libclang-rt-14-dev"

case ${1:-} in
-l)	set -- "${2:-}" list;;
esac
case $1 in
build)	want=$BUILD;;
demo)	want=$DEMO;;
test)	want=$TEST;;
fuzz)	want=$FUZZ;;
*)	echo "usage: $0 [-l] build|demo|test|fuzz" >&2; exit 2;;
esac
if [ "${2:-}" = list ]; then
	printf '%s\n' $want
	exit 0
fi

command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "install them as root (apt-get install$missing) or run $0 $1 as root" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt may hold dpkg's lock (unattended upgrades): wait for it.
apt-get -q -o DPkg::Lock::Timeout=600 update
apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends \
    $missing
