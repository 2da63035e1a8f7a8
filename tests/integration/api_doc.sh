#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# api_doc.sh - every example in docs/API.md is answered as the document
# shows it: the demo's data and sessions (tests/tools/demo_data.sh, what
# ./demo.sh serves) in a real store, the pool in the demo's zone, nginx
# with the shipped snippet, and each documented curl command run against
# it by tests/tools/api_doc.py, which compares status, the headers shown and
# the body.  API_DOC_SHOW=1 prints every reply instead (for writing
# examples; the test then fails).

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
. "$TOOLS/demo_data.sh" || exit 99
t_need_cmd nginx curl python3 setsid
t_init api_doc
t_need_bins

demo_store "$ADMIN" "$T/store" >"$T/store.log" 2>&1 ||
    { cat "$T/store.log" >&2; t_hard "demo store"; }
export TZ=$DEMO_TZ
pool_start pool "$T/store" "$T/pool.sock" -w 3 || t_hard pool
nginx_start ngx "$T/pool.sock" || t_hard nginx

show=()
[ "${API_DOC_SHOW:-0}" = 1 ] && show=(--show)
python3 "$TOOLS/api_doc.py" "${show[@]}" \
    "$top_srcdir/docs/API.md" "$BASE" >"$T/out" 2>&1
rc=$?
cat "$T/out"
# The checker's own "N passed, N failed" is this test's.
[ $rc = 0 ] && [ ${#show[@]} = 0 ] && exit 0
T_FAIL=1
exit 1
