#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-tests.sh - the whole test suite, twice: a normal build in ./build
# (unit tests, the nginx, socket-activation, fault, hostile-client,
# valgrind, unit-file and Debian package checks), then an ASan+UBSan
# build in ./build-san running the same suite (less the valgrind and
# package tests, which that build leaves out: see Makefile.am).
# Sanitizer reports go to files under build-san/sanitizer/ (the build's
# own settings, Makefile.am), so a report from a forked worker that
# nobody waited for still fails its test and the run.
#
# First it makes sure the packages the suite drives are there
# (./deps.sh test): as root on Debian it installs what is missing, as
# anyone else it names the missing packages and stops.
#
# Prints automake's summaries, then the checks of every test added up:
# "N passed, N failed".  Exit status: non-zero if anything failed, and
# also if any test skipped: a test skips (77) only when a tool it drives
# is missing or, tests/integration/package.sh, when not run as root, and a
# pass means everything ran.
#
# JOBS=N sets make's parallelism (default 2); SANITIZERS=no skips the
# second build.
set -eu

cd "$(dirname "$0")"
top=$(pwd)
jobs=${JOBS:-2}
./deps.sh test
autoreconf -fi

# suite DIR [CONFIGURE-ARGS...]: build in DIR, run make check there.
suite() {
	dir=$1
	shift
	mkdir -p "$top/$dir"
	cd "$top/$dir"
	[ -f Makefile ] || "$top/configure" -q "$@"
	make -j"$jobs"
	make -j"$jobs" check || return 1
}

# skipped DIR: the tests that skipped in DIR's last run, from automake's
# test-suite.log (its "# SKIP: N" count, and the "SKIP: name" heading,
# underlined, of each skipped test's log).
skipped() {
	awk '/^# SKIP: *[1-9]/ { n = 1 }
	    /^=+$/ && prev ~ /^SKIP: / { names = names " " substr(prev, 7) }
	    { prev = $0 }
	    END { if (n) print names == "" ? " (see test-suite.log)" : names }' \
	    "$top/$1/test-suite.log" 2>/dev/null || :
}

rc=0
suite build || rc=1
if [ "${SANITIZERS:-yes}" != no ]; then
	# The build sets the sanitizers' options for its tests (Makefile.am):
	# each test's reports go to files under build-san/sanitizer/TEST/ and
	# fail that test (tests/tools/sanitizer_wrap.sh).  Read them all again
	# here, for this summary and for a process that outlived its test.
	san=$top/build-san/sanitizer
	rm -rf "$san"
	suite build-san --enable-sanitizers || rc=1
	# A report says "ERROR:" (ASan, LSan) or "runtime error" (UBSan); a
	# log holding only "WARNING: ... failed to allocate" is libfcgi's
	# crafted-record case, answered with NULL as intended (Makefile.am).
	reports=$(grep -rl -E 'ERROR: |runtime error' "$san" 2>/dev/null || :)
	if [ -n "$reports" ]; then
		echo "sanitizer reports:"
		cat $reports
		rc=1
	else
		echo "sanitizer reports: none ($(find "$san" -type f 2>/dev/null |
		    wc -l) allocation warnings from libfcgi's crafted-record" \
		    "tests)"
	fi
fi

dirs=build
[ "${SANITIZERS:-yes}" = no ] || dirs="build build-san"
for d in $dirs; do
	s=$(skipped $d)
	if [ -n "$s" ]; then
		echo "skipped in $d (a skip fails the run):$s"
		rc=1
	fi
done

# Every test prints "N passed, N failed" as its last line (tests/unit/t.h,
# tests/tools/lib.sh); a test that died before printing it counts in automake's
# ERROR/FAIL line.
cd "$top"
find build/tests build-san/tests -name '*.log' ! -name test-suite.log \
    -exec cat {} + 2>/dev/null |
    awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	END { printf "%d passed, %d failed\n", p, f }' >build/summary.txt
cat build/summary.txt
exit $rc
