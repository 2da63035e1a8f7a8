#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# fuzz_replay.sh - replay every committed fuzz input (fuzz/corpus/TARGET)
# through its driver, built with the normal compiler and fuzz/replay.c as
# main().  A driver aborts on a crash or a broken invariant, so every
# input that once failed stays a regression test.  See fuzz/README.md.
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$PWD}"
export top_srcdir

# The drivers' scratch stores go here too, so an abort leaves nothing.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zsq-replay-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
log=$tmp/log
pass=0
fail=0
for t in params cond auth route import record request; do
	bin=$top_builddir/fuzz/replay_$t
	dir=$top_srcdir/fuzz/corpus/$t
	if [ ! -x "$bin" ] || [ ! -d "$dir" ]; then
		echo "FAIL $t: $bin or $dir missing"
		fail=$((fail + 1))
	elif "$bin" "$dir" >"$log" 2>&1; then
		echo "ok $t: $(tail -n 1 "$log")"
		pass=$((pass + 1))
	else
		echo "FAIL $t: the last input named below broke it"
		tail -n 20 "$log"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
