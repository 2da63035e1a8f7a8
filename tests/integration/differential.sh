#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# differential.sh - issue 3's differential test: thousands of generated
# queries (every operator on every field at every nesting level, tags,
# tenancy, sort, paging, count, fields, errors) run through the real
# engine (`zsquery-admin query` on a real LMDB store) and compared byte for
# byte with an independent reference written from docs/API.md alone (SQLite plus
# a Gson-style renderer, tests/tools/differential.py).
#
# Environment: DIFF_SEED (default 3), DIFF_QUERIES (default 2000),
# DIFF_GROUPS (default 150) to explore beyond the deterministic default.
# Exit codes follow automake: 0 pass, 1 mismatch, 77 skip, 99 hard error.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ADMIN=$top_builddir/src/zsquery-admin
REF=$top_srcdir/tests/tools/differential.py

# Both sides read and render dates in this zone (the store records it).
TZ=Asia/Shanghai
export TZ

command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
[ -e /usr/share/zoneinfo/Asia/Shanghai ] ||
	{ echo "SKIP: no tzdata for $TZ"; exit 77; }
[ -x "$ADMIN" ] || { echo "ERROR: $ADMIN not built"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/zsq-diff.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

python3 "$REF" --self-check || exit 1
python3 "$REF" --admin "$ADMIN" --work "$T" --seed "${DIFF_SEED:-3}" \
    --queries "${DIFF_QUERIES:-2000}" --groups "${DIFF_GROUPS:-150}"
