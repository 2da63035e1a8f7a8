#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# fuzz/run.sh - build every fuzz driver with clang and libFuzzer (ASan and
# UBSan too) straight from the sources, then run each for a while.
#
# Usage: fuzz/run.sh [SECONDS [TARGET ...]]
#   SECONDS   per target (default $FUZZ_SECONDS, else 60)
#   TARGET    params cond auth route import record request (default: all)
# Environment:
#   FUZZ_JOBS  targets run at the same time (default: the number of CPUs)
#   FUZZ_OUT   keep builds, grown corpora, logs and crashes here (default: a
#              temporary directory, removed unless something failed)
#   FUZZ_CC    the compiler (default clang; must know -fsanitize=fuzzer:
#              on Debian, packages clang and libclang-rt-14-dev)
#   PACKAGE_VERSION  the version compiled in (default: configure.ac's)
#
# The library is every source of the layers' convenience libraries, as
# Makefile.am lists them (src_*_a_SOURCES), built anew here rather than
# taken from a gcc build.  New inputs go to $FUZZ_OUT/corpus/TARGET; the
# committed seeds in fuzz/corpus/TARGET are only read, so they stay small
# and hand-picked.  A target that crashed, broke an invariant (abort),
# leaked, timed out or ran out of memory leaves its input in
# $FUZZ_OUT/crash and the end of its log is printed.
# Exit status: 0 when every target ran its time without any of those;
# 1 when one did; 99 when the drivers could not be built.
set -u

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=${*:-params cond auth route import record request}
jobs=${FUZZ_JOBS:-$(nproc)}
cc=${FUZZ_CC:-clang}

if [ -n "${FUZZ_OUT:-}" ]; then
	out=$FUZZ_OUT
	keep=1
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/zsq-fuzz-XXXXXX") || exit 99
	keep=0
fi
mkdir -p "$out/obj" "$out/bin" "$out/log" "$out/crash" || exit 99
# Crashes of an earlier run in a kept FUZZ_OUT stay there, but only this
# run's count.
stamp=$out/log/started
touch "$stamp" || exit 99

# -DPACKAGE_VERSION: configure's, which the metrics page shows.
version=${PACKAGE_VERSION:-$(sed -n \
	's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")}
pkgs="fcgi lmdb jansson uuid libxxhash libcurl"
pkg_cflags=$(pkg-config --cflags $pkgs) || exit 99
libs=$(pkg-config --libs $pkgs) || exit 99
san='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
# The quotes are the macros' own: split into words, never re-parsed.
# shellcheck disable=SC2089
cflags="-g -O1 -fno-omit-frame-pointer -pthread -Wall -Wextra $san
	-I$srcdir/src -I$srcdir/fuzz -DSYSCONFDIR=\"/etc\"
	-DLOCALSTATEDIR=\"/var\" -DPACKAGE_VERSION=\"$version\" $pkg_cflags"

# The library's sources: every convenience library's, as Makefile.am
# lists them (a first line without a backslash is a whole list).
lib_sources=$(awk '/^src_[a-z_]*_a_SOURCES *=/ { on = 1 }
	on { print; if ($0 !~ /\\$/) on = 0 }' "$srcdir/Makefile.am" |
	grep -o 'src/[a-z_]*/[a-z_]*\.c')
[ -n "$lib_sources" ] || { echo "no library sources in Makefile.am"; exit 99; }

echo "building with $cc in $out"
objs=
for s in $lib_sources fuzz/fuzz.c; do
	o=$out/obj/$(echo "${s%.c}" | tr / _).o
	# shellcheck disable=SC2086,SC2090
	$cc $cflags -fsanitize=fuzzer-no-link -c "$srcdir/$s" -o "$o" ||
		exit 99
	objs="$objs $o"
done
for t in $targets; do
	# shellcheck disable=SC2086,SC2090
	$cc $cflags -fsanitize=fuzzer "$srcdir/fuzz/fuzz_$t.c" $objs $libs \
		-o "$out/bin/fuzz_$t" || exit 99
done

# libFuzzer's scratch stores are LMDB files: keep them in memory.
scratch=$out/tmp
[ -w /dev/shm ] && scratch=$(mktemp -d /dev/shm/zsq-fuzz-XXXXXX)
mkdir -p "$scratch"

run_one() {
	local t=$1
	mkdir -p "$out/corpus/$t"
	TMPDIR=$scratch top_srcdir=$srcdir "$out/bin/fuzz_$t" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -dict="$srcdir/fuzz/$t.dict" \
		-artifact_prefix="$out/crash/$t-" \
		"$out/corpus/$t" "$srcdir/fuzz/corpus/$t" \
		>"$out/log/$t.log" 2>&1
}

echo "running $targets for ${secs}s each, $jobs at a time"
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
failed=
printf '%-8s %12s %8s %8s  %s\n' target execs exec/s corpus result
for t in $targets; do
	log=$out/log/$t.log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	corpus=$(find "$out/corpus/$t" "$srcdir/fuzz/corpus/$t" -type f |
		wc -l)
	crash=$(find "$out/crash" -name "$t-*" -newer "$stamp" | head -n 1)
	if [ -n "$crash" ]; then
		result="CRASH: $crash"
		failed="$failed $t"
	elif ! grep -q '^Done ' "$log"; then
		result="FAILED: see $log"
		failed="$failed $t"
	else
		result=ok
	fi
	printf '%-8s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
		"$corpus" "$result"
done
# What a failed target said last: the sanitizer's or FUZZ_CHECK()'s
# report, its stack and the input (where libFuzzer wrote it, and base64).
for t in $failed; do
	status=1
	echo "--- $t: the end of $out/log/$t.log"
	tail -n 60 "$out/log/$t.log"
	find "$out/crash" -name "$t-*" -newer "$stamp" | while read -r f; do
		echo "--- $f ($(wc -c <"$f") bytes):"
		od -A d -c "$f" | head -n 20
	done
done
[ "$scratch" != "$out/tmp" ] && rm -rf "$scratch"
if [ "$keep" = 0 ] && [ "$status" = 0 ]; then
	rm -rf "$out"
else
	echo "builds, logs, corpora and crashes kept in $out"
fi
exit $status
