#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# admin_ops.sh - zsquery-admin check and backup on real LMDB stores:
# check passes a clean store and names each kind of damage done to copies
# of it (through mdb_dump/mdb_load); backup makes a copy that opens,
# passes check and exports the same, also while imports run beside it.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ADMIN=$top_builddir/src/zsquery-admin
DATA=$top_srcdir/tests/data
T=$(mktemp -d /tmp/zsq-ops-XXXXXX)
LOOP=
cleanup() {
	[ -z "$LOOP" ] || kill "$LOOP" 2>/dev/null || true
	[ -z "$LOOP" ] || wait "$LOOP" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
DB=$T/db

ALICE=11111111111111111111111111111111	# owns groups
BOB=22222222222222222222222222222222	# has a share only
CAROL=33333333333333333333333333333333	# has a session only
G1=d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60	# groups of tests/data/sample.json
G2=2b7c0e4f9a1d4c3b8e6f5a4d3c2b1a09
G3=9c8b7a6f5e4d4c3b2a1908f7e6d5c4b3
NOGROUP=ffffffffffffffffffffffffffffffff

fail() { echo "FAIL: $*" >&2; exit 1; }
run() {	# run STATUS ARGS...: output in $T/out, $T/err
	local want=$1 got
	shift
	set +e
	"$ADMIN" "$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" = "$want" ] ||
		fail "zsquery-admin $* exited $got, want $want: $(cat "$T/out" "$T/err")"
}
out_has() { grep -qF -- "$1" "$T/out" ||
	fail "stdout lacks '$1': $(cat "$T/out")"; }
err_has() { grep -qF -- "$1" "$T/err" ||
	fail "stderr lacks '$1': $(cat "$T/err")"; }

# --- a clean store passes -------------------------------------------------
run 0 -d "$DB" init
run 0 -d "$DB" check
out_has "check: ok"
out_has "groups: 0"
for a in "$ALICE alice" "$BOB bob" "$CAROL carol"; do
	set -- $a
	run 0 -d "$DB" account add "$1" --name "$2"
done
run 0 -d "$DB" import "$DATA/sample.json"
run 0 -d "$DB" import --owner "$ALICE" - <<EOF
$(python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["inventories"]
print(json.dumps({"inventories": g[:2]}))' "$DATA/sample.json")
EOF
run 0 -d "$DB" share "$G1" --account "$BOB"
run 0 -d "$DB" share "$G3" --public
run 0 -d "$DB" session create --account "$CAROL"
run 0 -d "$DB" session create --account "$ALICE" --ttl 0 --uuid gone
run 0 -d "$DB" check
out_has "meta: schema version 2, time zone "
out_has "groups: 7"
out_has "accounts: 4"
out_has "shares: 2"
out_has "sessions: 2 (1 expired)"
grep -q '^index eq entries: [1-9][0-9]*$' "$T/out" || fail "eq count"
grep -q '^index ord entries: [1-9][0-9]*$' "$T/out" || fail "ord count"
out_has "ordinals: 7"
out_has "check: ok"
[ ! -s "$T/err" ] || fail "clean check wrote to stderr: $(cat "$T/err")"
run 1 -d "$T/nostore" check
err_has "no zsquery store at $T/nostore"

# --- damage, one kind at a time, to copies of the store -------------------
mdb_dump -a "$DB" >"$T/clean.dump"
# reload NAME PYTHON: $T/NAME, a copy of the store with the dump edited by
# PYTHON, which sees db (database name -> list of [keyhex, valuehex]) and
# h(s) (hex of a string).
reload() {
	python3 - "$T/clean.dump" "$T/$1.dump" "$2" <<'EOF'
import sys
src, dst, code = sys.argv[1:]
heads, db, order, cur = {}, {}, [], None
for line in open(src):
    if cur is None:
        heads.setdefault(len(order), []).append(line)
        if line.startswith("database="):
            name = line.strip().split("=", 1)[1]
        if line.strip() == "HEADER=END":
            cur = name; order.append(name); db[name] = []; pend = None
        continue
    if line.strip() == "DATA=END":
        cur = None
        continue
    if pend is None:
        pend = line.strip()
    else:
        db[cur].append([pend, line.strip()]); pend = None
h = lambda s: s.encode().hex()
# o(uuid): the group's ordinal as the indexes hold it.
o = lambda u: [k for k, v in db["ords"] if v == h(u)][0]
exec(code)
with open(dst, "w") as f:
    for i, name in enumerate(order):
        f.writelines(l for l in heads[i] if not l.startswith(("db_pagesize", "duplicates")))
        for k, v in sorted(db[name]):
            f.write(" %s\n %s\n" % (k, v))
        f.write("DATA=END\n")
EOF
	mkdir "$T/$1"
	mdb_load -f "$T/$1.dump" "$T/$1" 2>"$T/err" || fail "mdb_load $1: $(cat "$T/err")"
}
# damage NAME PYTHON: reload, then check must fail.
damage() {
	reload "$@"
	run 1 -d "$T/$1" check
	err_has "check $T/$1: "
}
problems() { sed -n 's/^check: \([0-9]*\) problems*$/\1/p' "$T/out"; }

# The reload itself changes nothing: no damage, no problem.
reload nothing pass
run 0 -d "$T/nothing" check

damage noindex 'del db["eq"][5]'
out_has "index eq: missing "
out_has "for group "
[ "$(problems)" = 1 ] || fail "one deleted entry: $(cat "$T/out")"

damage noord 'del db["ord"][3]'
out_has "index ord: missing "
[ "$(problems)" = 1 ] || fail "one deleted ord entry: $(cat "$T/out")"

damage strayindex 'k = db["eq"][0][0]
db["eq"] += [[k, "000003e7"], ["fff0" + h("x"), o("'$G1'")], ["00", o("'$G2'")]]'
[ "$(grep -c '^index eq: stray ' "$T/out")" = 3 ] || fail "three strays: $(cat "$T/out")"
out_has "for group ordinal 999 (no group)"
out_has "stray key '\\xff\\xf0x' for group $G1"
[ "$(problems)" = 3 ] || fail "three stray entries: $(cat "$T/out")"

# An entry of a real group under a value it does not hold.
damage wrongvalue 'k = [k for k, v in db["eq"] if v == o("'$G1'")][0]
db["eq"].append([k[:4] + "0123456789abcdef", o("'$G1'")])'
out_has "index eq: stray "
out_has "=#0123456789abcdef for group $G1"
damage wrongord 'k = [k for k, v in db["ord"] if v == o("'$G1'")][0]
db["ord"].append([k[:4] + h("no such value"), o("'$G1'")])'
out_has "index ord: stray "
out_has "='no such value' for group $G1"

# The reverse entries: an owner that is not, a share that is not.
damage wrongowner 'db["owned"].append([h("'$BOB'"), o("'$G1'")])'
out_has "owned: stray $BOB -> $G1"
out_has "owned: 8 entries for 7 groups"
damage nogrant 'db["granted"] = [e for e in db["granted"] if e[0] != h("'$BOB'")]'
out_has "granted: 1 entries for 2 shares"
damage noord2 'db["ords"] = [e for e in db["ords"] if e[1] != h("'$G2'")]'
out_has "ords: 6 ordinals for 7 groups"

damage shareorphan 'db["accounts"] = [e for e in db["accounts"] if e[0] != h("'$BOB'")]'
out_has "share $G1 -> $BOB: no such account"
[ "$(problems)" = 1 ] || fail "orphan share: $(cat "$T/out")"

damage sharenogroup 'db["shares"].append([h("'$NOGROUP'"), h("'$BOB'")])'
out_has "share $NOGROUP -> $BOB: no such group"

damage noowner 'db["accounts"] = [e for e in db["accounts"] if e[0] != h("'$ALICE'")]'
out_has "group $G1: owner $ALICE is not an account"
out_has "group $G2: owner $ALICE is not an account"
# Alice's expired session is an orphan too.
out_has "session gone...: account $ALICE does not exist"
[ "$(problems)" = 3 ] || fail "missing owner: $(cat "$T/out")"

damage nosessionacct 'db["accounts"] = [e for e in db["accounts"] if e[0] != h("'$CAROL'")]'
out_has "account $CAROL does not exist"

damage truncated 'e = [e for e in db["groups"] if e[0] == h("'$G3'")][0]
e[1] = e[1][:len(e[1]) // 2]'
out_has "group $G3: record truncated or malformed"
# Its index entries now point at a record that names none.
out_has "index eq: stray "


damage jsonuuid 'e = [e for e in db["groups"] if e[0] == h("'$G3'")][0]
e[1] = e[1].replace(h("{\"uuid\":\"'$G3'"), h("{\"uuid\":\"'$NOGROUP'"), 1)'
out_has "group $G3: the JSON does not start with its uuid"
[ "$(problems)" = 1 ] || fail "json uuid: $(cat "$T/out")"

damage badkey 'db["groups"].append([h("NOT-A-UUID"), db["groups"][0][1]])'
out_has "group 'NOT-A-UUID': key is not 32 lowercase hex"

damage nogen 'db["meta"] = [e for e in db["meta"] if e[0] != h("gen")]'
out_has 'meta: no "gen"'

damage badsession 'db["sessions"].append([h("short"), "00"])'
out_has "session short...: malformed (5-byte id, 1-byte value)"

# Many problems: the first 100 are shown, the rest counted.
damage many 'k = db["eq"][0][0]
db["eq"] += [[k[:4] + "%016x" % i, o("'$G1'")] for i in range(150)]'
[ "$(grep -c '^index eq: stray ' "$T/out")" = 100 ] || fail "not capped at 100"
out_has "... and 50 more problems"
out_has "check: 150 problems"

# --- backup ---------------------------------------------------------------
run 0 -d "$DB" backup "$T/bk1"
out_has "backup in $T/bk1: generation "
out_has ", 7 groups, "
[ "$(stat -c %a "$T/bk1")" = 750 ] || fail "backup dir mode $(stat -c %a "$T/bk1")"
[ "$(stat -c %a "$T/bk1/data.mdb")" = 640 ] || fail "backup file mode"
run 0 -d "$T/bk1" check
out_has "check: ok"
"$ADMIN" -d "$DB" export >"$T/src.json"
"$ADMIN" -d "$T/bk1" export >"$T/bk1.json"
cmp -s "$T/src.json" "$T/bk1.json" || fail "backup exports differently"
mdb_dump -s shares "$DB" | grep -v '^db_pagesize' >"$T/a"
mdb_dump -s shares "$T/bk1" | grep -v '^db_pagesize' >"$T/b"
cmp -s "$T/a" "$T/b" || fail "backup lost shares"
# Never over anything: a non-empty directory is refused and left alone.
run 1 -d "$DB" backup "$T/bk1"
err_has "backup: $T/bk1 exists and is not empty"
run 1 -d "$DB" backup "$DB"
err_has "exists and is not empty"
mkdir "$T/empty"
run 0 -d "$DB" backup "$T/empty"
run 1 -d "$T/nostore" backup "$T/bk2"
err_has "no zsquery store at $T/nostore"
[ ! -e "$T/bk2" ] || fail "a failed backup left $T/bk2"
run 1 -d "$DB" backup "$T/no/such/parent"
err_has "backup: $T/no/such/parent: No such file or directory"
run 2 -d "$DB" backup
run 2 -d "$DB" backup "$T/x" "$T/y"

# --- backup while imports run: the copy is one state or the other ---------
python3 - "$DATA/sample.json" "$T" <<'EOF'
import json, sys, copy
groups = json.load(open(sys.argv[1]))["inventories"]
out = []
for i in range(600):
    g = copy.deepcopy(groups[i % len(groups)])
    g["uuid"] = "%032x" % (0xabc00000 + i)
    g["name"] = "group-%d" % i
    out.append(g)
json.dump({"inventories": out}, open(sys.argv[2] + "/A.json", "w"))
for g in out:
    g["name"] += "-b"
    g["description"] = "state B"
json.dump({"inventories": out[:500]}, open(sys.argv[2] + "/B.json", "w"))
EOF
run 0 -d "$T/live" init
run 0 -d "$T/live" import "$T/B.json"
"$ADMIN" -d "$T/live" export >"$T/B.export"
run 0 -d "$T/live" import --replace "$T/A.json"
"$ADMIN" -d "$T/live" export >"$T/A.export"
cmp -s "$T/A.export" "$T/B.export" && fail "the two states export the same"
(
	while :; do
		"$ADMIN" -d "$T/live" import --replace "$T/B.json" >/dev/null
		"$ADMIN" -d "$T/live" import --replace "$T/A.json" >/dev/null
	done
) &
LOOP=$!
seen_a=0 seen_b=0
for i in 1 2 3 4 5 6 7 8; do
	run 0 -d "$T/live" backup "$T/live-bk$i"
	run 0 -d "$T/live-bk$i" check
	"$ADMIN" -d "$T/live-bk$i" export >"$T/bk.export"
	if cmp -s "$T/bk.export" "$T/A.export"; then
		seen_a=$((seen_a + 1))
	elif cmp -s "$T/bk.export" "$T/B.export"; then
		seen_b=$((seen_b + 1))
	else
		fail "backup $i is neither state"
	fi
	sleep 0.1
done
kill "$LOOP"
wait "$LOOP" 2>/dev/null || true
LOOP=
run 0 -d "$T/live" check
echo "admin_ops.sh: all passed (backups during imports: $seen_a A, $seen_b B)"
