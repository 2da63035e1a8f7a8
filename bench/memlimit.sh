#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/memlimit.sh [N ...] - the import under a memory limit (see
# bench/README.md, "The import under a memory limit").
#
# For each N (default: 100000 1000000): generate N groups (gen.py), then
# import them into an empty store twice, each in a store of its own:
#   free     no limit
#   limited  inside a cgroup v1 memory group limited to BENCH_MEM (default
#            512M), as `MemoryMax=` would hold the unit
# and print, for each, the wall seconds, the peak resident set (ru_maxrss:
# it counts the map's file pages), the peak RssAnon (the process's own
# memory) and, for the limited run, how often the cgroup hit its limit
# (memory.failcnt) and the reclaim it cost (pgmajfault, pgpgout in
# memory.stat).  The targets: RssAnon <= 256 MiB at every N, and the
# limited import within 1.2x of the free one.
#
# Needs root and a cgroup v1 memory hierarchy at /sys/fs/cgroup/memory.
# Everything lives in a mktemp directory (BENCH_TMP, default $TMPDIR or
# /tmp), removed on exit; the import's spool goes there too (TMPDIR is set
# to it), about 24 bytes of disk for each byte of input at 1,000,000
# groups.
#
# Environment: builddir (where src/zsquery-admin is; default the source
# tree), BENCH_MEM, BENCH_TMP, BENCH_KEEP=1 (keep the directory),
# BENCH_INPUT=FILE (import FILE, which holds the one N given, instead of
# generating: a real ZStack reply, or gen.py's output made beforehand).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${builddir:-$top}
admin=$builddir/src/zsquery-admin
mem=${BENCH_MEM:-512M}
cgroot=/sys/fs/cgroup/memory
[ $# -gt 0 ] || set -- 100000 1000000

[ -x "$admin" ] || { echo "memlimit.sh: no $admin: build first" >&2; exit 1; }
[ -w "$cgroot" ] || { echo "memlimit.sh: needs root and $cgroot" >&2; exit 1; }
dir=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/zsq-memlimit.XXXXXX")
cg=$cgroot/zsq-memlimit-$$
cleanup() {
	# A cgroup is removed once empty; the import has ended by then.
	[ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	[ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $dir" >&2 && return
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$cg"
echo "$mem" >"$cg/memory.limit_in_bytes"
# No swap here to spill to; where there is, hold it too.
[ -f "$cg/memory.memsw.limit_in_bytes" ] &&
    echo "$mem" >"$cg/memory.memsw.limit_in_bytes"
export TMPDIR=$dir

say() { printf '%s memlimit: %s\n' "$(date +%T)" "$*" >&2; }
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$cg/memory.stat"; }

printf '%-9s %-8s %9s %10s %10s %8s %11s %10s\n' groups run seconds \
    peak_rss_MiB anon_MiB failcnt pgmajfault pgpgout
for n in "$@"; do
	if [ -n "${BENCH_INPUT:-}" ]; then
		ln -sf "$BENCH_INPUT" "$dir/groups.json"
	else
		say "generating $n groups"
		python3 "$here/gen.py" "$n" >"$dir/groups.json"
	fi
	for run in free limited; do
		store=$dir/store-$run
		"$admin" -d "$store" --map-size 64G init >/dev/null
		sync
		echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || :
		set --
		if [ $run = limited ]; then
			echo 0 >"$cg/memory.failcnt"
			# Before the run, what the group already counts.
			maj0=$(stat_of total_pgmajfault)
			out0=$(stat_of total_pgpgout)
			set -- --cgroup "$cg"
		fi
		say "$n groups: import, $run"
		read -r s rss anon < <(python3 "$here/measure.py" \
		    "$dir/import-$run.out" "$@" -- \
		    "$admin" -d "$store" import --quiet "$dir/groups.json")
		fail=- maj=- out=-
		if [ $run = limited ]; then
			fail=$(cat "$cg/memory.failcnt")
			maj=$(($(stat_of total_pgmajfault) - maj0))
			out=$(($(stat_of total_pgpgout) - out0))
			ratio=$(awk -v a="$s" -v b="$free_s" \
			    'BEGIN { printf "%.2f", a / b }')
		else
			free_s=$s
		fi
		got=$("$admin" -d "$store" stat | sed -n 's/^groups: //p')
		[ "$got" = "$n" ] ||
		    { echo "memlimit.sh: $run store holds $got groups" >&2; exit 1; }
		printf '%-9s %-8s %9s %10d %10d %8s %11s %10s\n' "$n" $run \
		    "$s" $((rss / 1024)) $((anon / 1024)) "$fail" "$maj" "$out"
		rm -rf "$store"
	done
	printf '%-9s limited/free: %sx\n' "$n" "$ratio"
	rm -f "$dir/groups.json"
done
exit 0
