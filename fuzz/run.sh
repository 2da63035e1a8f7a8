#!/bin/bash
# fuzz/run.sh - build every fuzz driver with clang and libFuzzer (ASan and
# UBSan too) straight from the sources, then run each for a while.
#
# Usage: fuzz/run.sh [SECONDS [TARGET ...]]
#   SECONDS   per target (default $FUZZ_SECONDS, else 60)
#   TARGET    params cond auth route import record request (default: all)
# Environment:
#   FUZZ_JOBS  targets run at the same time (default: the number of CPUs)
#   FUZZ_OUT   keep builds, grown corpora, logs and crashes here (default: a
#              temporary directory, removed unless something crashed)
#   FUZZ_CC    the compiler (default clang; must know -fsanitize=fuzzer)
#
# New inputs go to $FUZZ_OUT/corpus/TARGET; the committed seeds in
# fuzz/corpus/TARGET are only read, so they stay small and hand-picked.
# Exit status: 0 when no target crashed or broke an invariant.
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

san='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
cflags="-g -O1 -fno-omit-frame-pointer -Wall -Wextra $san
	-I$srcdir/src -I$srcdir/fuzz -DSYSCONFDIR=\"/etc\"
	-DLOCALSTATEDIR=\"/var\" $(pkg-config --cflags fcgi lmdb jansson uuid)"
libs=$(pkg-config --libs fcgi lmdb jansson uuid)

# The library's sources, as Makefile.am lists them for libzsq.a.
lib_sources=$(sed -n '/^src_libzsq_a_SOURCES/,/[^\\]$/p' \
	"$srcdir/Makefile.am" | grep -o 'src/[a-z_]*\.c')

echo "building with $cc in $out"
objs=
for s in $lib_sources fuzz/fuzz.c; do
	o=$out/obj/$(basename "$s" .c).o
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer-no-link -c "$srcdir/$s" -o "$o" ||
		exit 99
	objs="$objs $o"
done
for t in $targets; do
	# shellcheck disable=SC2086
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
printf '%-8s %12s %8s %8s  %s\n' target execs exec/s corpus result
for t in $targets; do
	log=$out/log/$t.log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	corpus=$(find "$out/corpus/$t" "$srcdir/fuzz/corpus/$t" -type f |
		wc -l)
	if ls "$out/crash/$t-"* >/dev/null 2>&1; then
		result="CRASH: $(ls "$out/crash/$t-"* | head -1)"
		status=1
	elif ! grep -q '^Done ' "$log"; then
		result="FAILED: see $log"
		status=1
	else
		result=ok
	fi
	printf '%-8s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
		"$corpus" "$result"
done
[ "$scratch" != "$out/tmp" ] && rm -rf "$scratch"
if [ "$keep" = 0 ] && [ "$status" = 0 ]; then
	rm -rf "$out"
else
	echo "builds, logs, corpora and crashes kept in $out"
fi
exit $status
