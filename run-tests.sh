#!/bin/sh
# run-tests.sh - build out of tree in ./build and run the whole test suite
# (unit tests, then the nginx, socket-activation, valgrind and unit-file
# checks).  Prints automake's summary, then the checks of every test
# added up: "N passed, N failed".  Exit status: make check's.
#
# JOBS=N sets make's parallelism (default 2).  Integration tests skip
# (77) only when a tool they drive is missing; see README.md for the
# packages.
set -eu

cd "$(dirname "$0")"
top=$(pwd)
autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || "$top/configure" -q
make -j"${JOBS:-2}"
rc=0
make -j"${JOBS:-2}" check || rc=$?
# Every test prints "N passed, N failed" as its last line (tests/t.h,
# tests/lib.sh); a test that died before printing it counts in automake's
# ERROR/FAIL line above.
find tests -name '*.log' ! -name test-suite.log -exec cat {} + |
    awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	END { printf "%d passed, %d failed\n", p, f }' >summary.txt
cat summary.txt
exit $rc
