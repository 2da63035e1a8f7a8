#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# sanitizer_wrap.sh - runs one test of the --enable-sanitizers build
# (Makefile.am makes it LOG_COMPILER and SH_LOG_COMPILER there).
#
# Usage: sanitizer_wrap.sh PROGRAM [ARG...]   (the test is the last word)
#
# The build's AM_TESTS_ENVIRONMENT sets the sanitizers' options and
# SAN_LOG_DIR.  Here each test gets SAN_LOG_DIR/NAME/, emptied first, as
# ASan's and UBSan's log_path (unless the options name one already), so
# that every report of the test lands in a file: a worker the pool forked
# and nobody waited for reports there too, where no exit status would
# show it.  After the test, any report (ASan's and LSan's "ERROR: ",
# UBSan's "runtime error") is copied into the test's log and fails the
# test.  Files holding only warnings pass: the crafted PARAMS records
# make Debian's libfcgi ask malloc for ~2^64 bytes, and ASan's
# "WARNING: ... failed to allocate" is that request answered with NULL,
# as the tests intend (allocator_may_return_null, Makefile.am).
set -u

[ $# -gt 0 ] || { echo "usage: $0 PROGRAM [ARG...]" >&2; exit 99; }
name=${!#}
name=${name##*/}
name=${name%.sh}
dir=${SAN_LOG_DIR:?}/$name
rm -rf "$dir" && mkdir -p "$dir" || exit 99
case ${ASAN_OPTIONS:-} in
*log_path=*) ;;
*) ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$dir/asan ;;
esac
case ${UBSAN_OPTIONS:-} in
*log_path=*) ;;
*) UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$dir/ubsan ;;
esac
export ASAN_OPTIONS UBSAN_OPTIONS

"$@"
rc=$?

reports=$(grep -l -E 'ERROR: |runtime error' "$dir"/* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do
		echo "--- sanitizer report ${f#"$SAN_LOG_DIR"/}"
		cat "$f"
	done >&2
	# Counted by run-tests.sh's summary like any failed check.
	echo "0 passed, 1 failed"
	if [ $rc = 0 ] || [ $rc = 77 ]; then
		rc=1
	fi
fi
exit $rc
