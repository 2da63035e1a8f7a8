#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# admin.sh - zsquery-admin end to end on real LMDB stores: every command,
# its output and exit status, and that a refused command leaves the store
# byte for byte as it was (mdb_dump -a before and after).
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ADMIN=$top_builddir/src/zsquery-admin
DATA=$top_srcdir/tests/data
T=$(mktemp -d /tmp/zsq-admin-XXXXXX)
trap 'umount "$T/full" 2>/dev/null || :; rm -rf "$T"' EXIT
DB=$T/db

ADMINACCT=36c27e8ff05c4780bf6d2fa65700f22e
ALICE=11111111111111111111111111111111
BOB=22222222222222222222222222222222
G1=d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60	# groups of tests/data/sample.json
G2=2b7c0e4f9a1d4c3b8e6f5a4d3c2b1a09
G3=9c8b7a6f5e4d4c3b2a1908f7e6d5c4b3
NOGROUP=ffffffffffffffffffffffffffffffff

fail() { echo "FAIL: $*" >&2; exit 1; }

# run STATUS ARGS...: run zsquery-admin, demand the exit status; the
# output lands in $T/out and $T/err.
run() {
	local want=$1 got
	shift
	set +e
	"$ADMIN" "$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" = "$want" ] ||
		fail "zsquery-admin $* exited $got, want $want: $(cat "$T/err")"
}
out_is() { [ "$(cat "$T/out")" = "$1" ] ||
	fail "stdout '$(cat "$T/out")', want '$1'"; }
out_has() { grep -qF -- "$1" "$T/out" ||
	fail "stdout lacks '$1': $(cat "$T/out")"; }
err_has() { grep -qF -- "$1" "$T/err" ||
	fail "stderr lacks '$1': $(cat "$T/err")"; }
one_line_err() { [ "$(wc -l <"$T/err")" = 1 ] ||
	fail "want one error line: $(cat "$T/err")"; }

# The whole store as text: every database, every key and value.
snap() { mdb_dump -a "${2:-$DB}" >"$T/$1.dump"; }
same() { cmp -s "$T/$1.dump" "$T/$2.dump" || fail "store changed: $3"; }
stat_of() { "$ADMIN" -d "$DB" stat | sed -n "s/^$1: //p"; }

# --- usage --------------------------------------------------------------
run 2
err_has "usage: zsquery-admin"
run 2 -d "$DB" bogus
err_has "zsquery-admin: unknown command 'bogus'"
run 2 -d "$DB" account frob
run 2 -d "$DB" stat --owner "$ALICE"
err_has "stat: option --owner does not apply"
run 2 -d "$DB" --map-size 12Q stat
err_has "bad --map-size '12Q'"
run 2 -d "$DB" session create --account "$ALICE" --ttl 1h
run 2 -d "$DB" import
run 2 -d "$DB" share "$G1"
run 2 -d "$DB" share "$G1" --public --account "$ALICE"
run 2 -d "$DB" account add "$ALICE"
run 0 --help
out_has "usage: zsquery-admin"
out_has "session create --account ACCOUNT"

# --- no store yet -------------------------------------------------------
run 1 -d "$DB" stat
[ "$(cat "$T/err")" = "zsquery-admin: no zsquery store at $DB (run 'zsquery-admin init')" ] ||
	fail "missing store: $(cat "$T/err")"
[ ! -e "$DB" ] || fail "stat created $DB"
run 1 --db "$DB" export
err_has "no zsquery store at $DB"

# --- init ---------------------------------------------------------------
run 0 -d "$DB" init
out_has "created zsquery store at $DB (time zone "
run 0 -d "$DB" init
out_has "zsquery store at $DB exists already (schema version 2"
run 0 -d "$DB" stat
out_has "schema version: 2"
out_has "generation: 0"
out_has "groups: 0"
out_has "accounts: 1"
out_has "sessions: 0 live, 0 expired"
out_has "shares: 0"
out_has "map size: 4294967296"
grep -q '^map used: [1-9][0-9]*$' "$T/out" || fail "map used: $(cat "$T/out")"
# Some other program's LMDB environment.
mkdir "$T/notours"
printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n 6b\n 76\nDATA=END\n' |
    mdb_load "$T/notours"
run 1 -d "$T/notours" init
err_has "is not a zsquery store"

# --- fields -------------------------------------------------------------
run 0 fields
out_has "uuid String"
out_has "instances.vm.vmNics.ip String"
out_has "instances.vm.vmNics.usedIps.ipInLong Long"
out_has "instances.vm.allVolumes.isShareable Boolean"
out_has "instances.nodeRank Integer"
out_has "createDate Timestamp"
out_has "__systemTag__ String"
out_has "__userTag__ String"
! grep -q "ipInBinary\|urlMaps\|supportMetrics\|^instances " "$T/out" ||
	fail "fields lists a non-leaf"

# --- accounts -----------------------------------------------------------
run 0 -d "$DB" account add "$ALICE" --name alice
run 0 -d "$DB" account add "$BOB" --name "bob the builder"
run 1 -d "$DB" account add 1111 --name short
err_has "account '1111': not 32 lowercase hex characters"
run 1 -d "$DB" account add "${G1^^}" --name upper
run 0 -d "$DB" account list
out_is "$ALICE alice
$BOB bob the builder
$ADMINACCT admin"

# --- sessions -----------------------------------------------------------
run 0 -d "$DB" session create --account "$ALICE"
SID=$(cat "$T/out")
[[ $SID =~ ^[0-9a-f]{32}$ ]] || fail "session id '$SID'"
run 0 -d "$DB" session create --account "$BOB" --user "$ALICE" --ttl 0 \
    --uuid old-session
out_is old-session
run 0 -d "$DB" session create --account "$ALICE" --ttl -60 --uuid older
run 1 -d "$DB" session create --account "$ALICE" --uuid old-session
err_has "session old-session exists already"
run 1 -d "$DB" session create --account "$NOGROUP"
err_has "no account $NOGROUP"
run 1 -d "$DB" session create --account "$ALICE" --uuid "a b"
run 0 -d "$DB" session list
grep -q "^$SID $ALICE [0-9-]*T[0-9:]*Z$" "$T/out" || fail "live: $(cat "$T/out")"
grep -q "^old-session $BOB [0-9-]*T[0-9:]*Z expired$" "$T/out" ||
	fail "expired: $(cat "$T/out")"
[ "$(stat_of sessions)" = "1 live, 2 expired" ] || fail "session counts"
run 0 -d "$DB" session delete older
run 1 -d "$DB" session delete older
err_has "no session older"
[ "$(stat_of sessions)" = "1 live, 1 expired" ] || fail "after delete"

# --- import -------------------------------------------------------------
run 0 -d "$DB" import "$DATA/sample.json"
out_is "added 7, updated 0, unchanged 0, deleted 0"
[ "$(stat_of groups)" = 7 ] || fail "7 groups"
GEN=$(stat_of generation)
[ "$GEN" -gt 0 ] || fail "import did not bump the generation"
run 0 -d "$DB" import - <"$DATA/sample.json"
out_is "added 0, updated 0, unchanged 7, deleted 0"
run 1 -d "$DB" import "$T/nosuchfile"
err_has "$T/nosuchfile: No such file or directory"

# --- export round trip (tags included) ----------------------------------
run 0 -d "$DB" export
cp "$T/out" "$T/export1"
head -c 17 "$T/export1" | grep -qF '{"inventories":[' || fail "export head"
grep -qF '"systemTags":["priority::high","gpu::A100"],"userTags":["team-nlp"]}' \
    "$T/export1" || fail "export lacks the tags"
run 0 -d "$T/db2" init
run 0 -d "$T/db2" import "$T/export1"
out_is "added 7, updated 0, unchanged 0, deleted 0"
run 0 -d "$T/db2" export
cmp -s "$T/out" "$T/export1" || fail "export | import | export differs"
# Export is in uuid order.
python3 - "$T/export1" <<'EOF' || fail "export not in uuid order"
import json, sys
u = [g["uuid"] for g in json.load(open(sys.argv[1]))["inventories"]]
sys.exit(u != sorted(u))
EOF

# --- rejected imports leave the store exactly as it was ------------------
snap before
bad() {	# bad NAME TEXT-IN-ERROR [import options]: import $T/NAME, refused
	local name=$1 want=$2
	shift 2
	run 1 -d "$DB" import "$@" "$T/$name"
	err_has "$want"
	one_line_err
	snap after
	same before after "by import of $name"
}
printf '{"inventories":[{"uuid":"%s","name":"x"},{"uuid":' "$G1" >"$T/badjson"
bad badjson "zsquery-admin: import $T/badjson: "
python3 - "$DATA/sample.json" "$T" <<'EOF'
import json, sys
src, t = sys.argv[1], sys.argv[2]
groups = json.load(open(src))["inventories"]
def write(name, gs):
    with open(t + "/" + name, "w") as f:
        json.dump({"inventories": gs}, f)
g = json.loads(json.dumps(groups))
g[1]["instances"][0]["vm"]["cpuNum"] = "eight"
write("badtype", g)
g = json.loads(json.dumps(groups))
g[2]["uuid"] = "not-a-uuid"
write("baduuid", g)
g = json.loads(json.dumps(groups))
g[0]["name"] = "changed"
write("good-then-bad", g[:3] + [dict(g[3], createDate=[1])])
write("first3", groups[:3])
EOF
bad badtype "record 2 (uuid $G2)"
err_has "cpuNum"
bad baduuid "record 3"
err_has "uuid"
bad good-then-bad "record 4"
err_has "createDate"
run 1 -d "$DB" import --owner "$NOGROUP" "$T/first3"
err_has "$NOGROUP"
snap after
same before after "by import with an unknown owner"
run 1 -d "$DB" import --owner ALICE "$T/first3"
err_has "owner 'ALICE'"
# The spool goes to $TMPDIR (glibc's tmpfile(3) would ignore it).
TMPDIR="$T/nosuchdir" run 1 -d "$DB" import "$T/first3"
err_has "temporary spool file in $T/nosuchdir: No such file or directory"
snap after
same before after "by import with a missing TMPDIR"

# --- shares -------------------------------------------------------------
GEN=$(stat_of generation)
run 0 -d "$DB" share "$G1" --account "$ALICE"
run 0 -d "$DB" share "$G1" --public
run 0 -d "$DB" share "$G2" --account "$BOB"
[ "$(stat_of shares)" = 3 ] || fail "3 shares"
[ "$(stat_of generation)" -gt "$GEN" ] || fail "share did not bump"
snap before
run 1 -d "$DB" share "$NOGROUP" --public
err_has "no group $NOGROUP"
run 1 -d "$DB" share "$G1" --account "$NOGROUP"
err_has "no account $NOGROUP"
run 1 -d "$DB" unshare "$G2" --public
err_has "group $G2 is not shared with the public"
run 1 -d "$DB" unshare "$G2" --account "$ALICE"
err_has "group $G2 is not shared with $ALICE"
snap after
same before after "by refused shares"
# What each account sees, through the query engine (API.md §3).
STRANGER=33333333333333333333333333333333
sees() {	# sees ACCOUNT N: the account sees N groups
	run 0 -d "$DB" query --account "$1" count=true
	out_is "{\"schema\":{},\"total\":$2}"
}
sees "$ADMINACCT" 7
sees "$ALICE" 1
sees "$BOB" 2
sees "$STRANGER" 1
run 0 -d "$DB" query --account "$BOB" "fields=uuid&sort=-uuid"
GC=org.zstack.ai.entity.ModelServiceInstanceGroupInventory
out_is "{\"schema\":{\"inventories[1]\":\"$GC\",\"inventories[0]\":\"$GC\"},\
\"inventories\":[{\"uuid\":\"$G1\"},{\"uuid\":\"$G2\"}]}"
run 0 -d "$DB" query --account "$ALICE" --uuid "$G2"
out_is '{"schema":{},"inventories":[]}'
run 0 -d "$DB" query --account "$BOB" fields=uuid sort=-uuid limit=1
out_is "{\"schema\":{\"inventories[0]\":\"$GC\"},\"inventories\":[{\"uuid\":\"$G1\"}]}"
# Errors: the body the service would send on stdout, the status on stderr.
run 1 -d "$DB" query "limit=x"
out_is "Invalid query parameter. 'limit' must be an integer"
err_has "zsquery-admin: query: HTTP status 400"
run 1 -d "$DB" query "q=nosuchfield=1"
out_has '{"error":{"code":"SYS.1000"'
err_has "query: HTTP status 503"
run 1 -d "$DB" query --account ALICE
err_has "account 'ALICE'"

run 0 -d "$DB" unshare "$G1" --public
[ "$(stat_of shares)" = 2 ] || fail "unshare"
sees "$STRANGER" 0
sees "$BOB" 1

# --- delete -------------------------------------------------------------
snap before
run 1 -d "$DB" delete "$G1" "$NOGROUP"
err_has "no group $NOGROUP (nothing deleted)"
run 1 -d "$DB" delete "$G1" NOTAUUID
err_has "group 'NOTAUUID'"
snap after
same before after "by a refused delete"
GEN=$(stat_of generation)
run 0 -d "$DB" delete "$G1" "$G2" "$G1"
[ "$(stat_of groups)" = 5 ] || fail "delete left $(stat_of groups) groups"
[ "$(stat_of shares)" = 0 ] || fail "delete kept the shares"
[ "$(stat_of generation)" -gt "$GEN" ] || fail "delete did not bump"
run 0 -d "$DB" export
! grep -q "$G1\|$G2" "$T/out" || fail "deleted groups exported"
for q in "q=uuid=$G1" "q=name=qwen2-7b-chat" "q=instances.status=Running"; do
	run 0 -d "$DB" query "$q&count=true"
	case $q in
	*Running)	[ "$(cat "$T/out")" != '{"schema":{},"total":0}' ] ||
			    fail "$q: nothing left" ;;
	*)		out_is '{"schema":{},"total":0}' ;;
	esac
done

# --- import --replace ---------------------------------------------------
run 0 -d "$DB" import --owner "$ALICE" "$DATA/sample.json"
out_is "added 2, updated 5, unchanged 0, deleted 0"	# a new owner
snap before
run 1 -d "$DB" import --replace --owner "$ALICE" "$T/first3"
err_has "replace would delete 4 of the 7 stored groups, more than 50%"
run 1 -d "$DB" import --replace --max-delete 57 --owner "$ALICE" "$T/first3"
err_has "more than 57%"
snap after
same before after "by a replace past --max-delete"
printf '[]' >"$T/empty"
printf '{"inventories":[]}' >"$T/empty2"
run 1 -d "$DB" import --replace "$T/empty"
err_has "the input holds no groups and replace would delete every stored group"
run 1 -d "$DB" import --replace --max-delete 100 "$T/empty2"
err_has "the input holds no groups"
run 2 -d "$DB" import --replace --max-delete 101 "$T/first3"
err_has "bad --max-delete '101'"
snap after
same before after "by an empty replace"
run 0 -d "$DB" import --replace --max-delete 58 --owner "$ALICE" "$T/first3"
out_is "added 0, updated 0, unchanged 3, deleted 4"
[ "$(stat_of groups)" = 3 ] || fail "replace left $(stat_of groups)"

# --- time zone, map size, schema version, permissions --------------------
snap before
STZ=$(stat_of "time zone")
OTHER=Asia/Shanghai
[ "$STZ" != "$OTHER" ] || OTHER=Europe/Paris
TZ=$OTHER run 1 -d "$DB" import "$DATA/sample.json"
err_has "time zone $STZ but the current zone is $OTHER"
TZ=$OTHER run 0 -d "$DB" stat
out_has "current time zone: $OTHER (differs)"
snap after
same before after "by an import in another zone"

run 0 -d "$T/small" --map-size 64K init
run 0 -d "$T/small" stat
out_has "map size: 65536"
snap small-before "$T/small"
run 1 -d "$T/small" import "$DATA/sample.json"
err_has "run again with a larger --map-size"
snap small-after "$T/small"
same small-before small-after "by an import into a full map"
run 0 -d "$T/small" --map-size 8M import "$DATA/sample.json"
out_is "added 7, updated 0, unchanged 0, deleted 0"
run 0 -d "$T/small" stat
out_has "map size: 8388608"

# A newer schema version: rewrite meta "version" with lmdb-utils.
cp -r "$DB" "$T/newer"
mdb_dump -s meta "$T/newer" |
    sed -e '/^db_pagesize=/d' -e '/^ 76657273696f6e$/{n;s/.*/ 09000000/}' >"$T/meta.dump"
grep -q '^ 09000000$' "$T/meta.dump" || fail "could not patch the version"
mdb_load -s meta -f "$T/meta.dump" "$T/newer"
run 1 -d "$T/newer" stat
err_has "has a newer schema version than this zsquery-admin reads (2; the store's is 9)"
one_line_err
run 1 -d "$T/newer" upgrade
err_has "has a newer schema version"

# A store made by zsquery 0.1 (schema 1, one index on 24 paths; loaded
# from its mdb_dump): refused until upgrade rebuilds it, then it answers
# as it did, shares, owners and tags kept.
V1=$T/v1
mkdir "$V1"
mdb_load -f "$DATA/store-v1.dump" "$V1"
TZ=UTC run 1 -d "$V1" stat
err_has "was built by another version of zsquery (schema 1, index format '1'"
err_has "run 'zsquery-admin -d $V1 upgrade' to rebuild it"
one_line_err
TZ=UTC run 1 -d "$V1" query 'q=name=x'
err_has "upgrade"
TZ=Asia/Shanghai run 1 -d "$V1" upgrade
err_has "time zone UTC but the current zone is Asia/Shanghai"
TZ=UTC run 0 -d "$V1" upgrade
out_has "upgraded $V1: 4 groups rendered and indexed again (schema version 2)"
TZ=UTC run 0 -d "$V1" upgrade
out_has "the store at $V1 is current"
TZ=UTC run 0 -d "$V1" check
out_has "check: ok"
out_has "ordinals: 4"
TZ=UTC "$ADMIN" -d "$V1" export >"$T/v1.json"
cmp -s "$T/v1.json" "$DATA/store-v1.export.json" ||
	fail "the upgraded store exports otherwise: $(diff "$T/v1.json" "$DATA/store-v1.export.json" | head -5)"
TZ=UTC run 0 -d "$V1" query 'q=__userTag__=TEAM-X' 'fields=uuid'
[ "$(grep -o '"uuid"' "$T/out" | wc -l)" = 1 ] || fail "tag query: $(cat "$T/out")"
# bob sees alice's group shared with him and the public one, no more.
TZ=UTC run 0 -d "$V1" query --account 11112222333344445555666677778888 \
    'count=true'
out_is '{"schema":{},"total":2}'
TZ=UTC run 0 -d "$V1" query --account 0123456789abcdef0123456789abcdef \
    'count=true'
out_is '{"schema":{},"total":3}'

# Another index format (here: other ordered paths) is refused the same
# way, and upgrade rebuilds the indexes: none misses an older group.
mdb_dump -s meta "$V1" | sed -e '/^db_pagesize=/d' \
    -e '/^ 666f726d6174$/{n;s/.*/ 6f7264313a6e616d652c/}' >"$T/meta.dump"
grep -q '^ 6f7264313a6e616d652c$' "$T/meta.dump" ||
	fail "could not patch the format"
mdb_load -s meta -f "$T/meta.dump" "$V1"
TZ=UTC run 1 -d "$V1" stat
err_has "index format 'ord1:name,'"
TZ=UTC run 0 -d "$V1" upgrade
TZ=UTC run 0 -d "$V1" check
out_has "check: ok"

# Issue 18, 12 and 13: upgrade renders what import stored (a string that
# holds "\u0000", which import accepts), and drops a share of an account
# the store does not have: kept, it showed the group to a get by uuid
# (the shares) and to no list (the granted index).
U=$T/nul
NULG=0123456789abcdef0123456789abcde0
SHAREE=5ade0000000000000000000000000001
GHOST=5ade0000000000000000000000000002
TZ=UTC run 0 -d "$U" init
printf '{"uuid":"%s","name":"a\\u0000b"}\n' "$NULG" >"$T/nul.json"
TZ=UTC run 0 -d "$U" import "$T/nul.json"
TZ=UTC run 0 -d "$U" account add "$SHAREE" --name sharee
TZ=UTC run 0 -d "$U" share "$NULG" --account "$SHAREE"
# The same share once more, to an account the store does not have.
mdb_dump -s shares "$U" | sed -e '/^db_pagesize=/d' \
    -e "s/^ $(printf %s "$SHAREE" | od -An -tx1 | tr -d ' \n')\$/ $(printf %s "$GHOST" | od -An -tx1 | tr -d ' \n')/" \
    >"$T/shares.dump"
grep -q "$(printf %s "$GHOST" | od -An -tx1 | tr -d ' \n')" "$T/shares.dump" ||
	fail "could not write the ghost's share"
mdb_load -s shares -f "$T/shares.dump" "$U"
# Another index format: upgrade must run.
mdb_dump -s meta "$U" | sed -e '/^db_pagesize=/d' \
    -e '/^ 666f726d6174$/{n;s/.*/ 6f7264313a6e616d652c/}' >"$T/meta.dump"
mdb_load -s meta -f "$T/meta.dump" "$U"
TZ=UTC run 0 -d "$U" upgrade
out_has "upgraded $U: 1 groups rendered and indexed again"
err_has "upgrade: 1 share of accounts or groups the store does not have dropped"
TZ=UTC run 0 -d "$U" check
out_has "check: ok"
TZ=UTC run 0 -d "$U" query --account "$GHOST" --uuid "$NULG"
grep -q "$NULG" "$T/out" && fail "the ghost's share still shows the group"
TZ=UTC run 0 -d "$U" query --account "$SHAREE" --uuid "$NULG"
grep -q '"name":"a\\u0000b"' "$T/out" || fail "the sharee's get: $(cat "$T/out")"
TZ=UTC run 0 -d "$U" query --account "$SHAREE" 'count=true'
out_is '{"schema":{},"total":1}'

# A store the caller may not open (root bypasses permissions: drop them).
if [ "$(id -u)" = 0 ]; then
	NOPRIV="setpriv --reuid=65534 --regid=65534 --clear-groups"
	command -v setpriv >/dev/null || NOPRIV=
else
	NOPRIV=env
	chmod 000 "$DB"
fi
if [ -n "$NOPRIV" ]; then
	set +e
	$NOPRIV "$ADMIN" -d "$DB" stat >"$T/out" 2>"$T/err"
	st=$?
	set -e
	[ "$st" = 1 ] || fail "unreadable store: exit $st"
	err_has "open store $DB: Permission denied"
	chmod 700 "$DB"
fi

# --- a writer through the map never cuts another's ---------------------------
# LMDB sizes data.mdb to a WRITEMAP writer's map.  An import opened with a
# 64 MiB map waits for its input (a FIFO); meanwhile another import opens
# the store with the size it committed (16 MiB) and commits.  Before,
# that cut the file to 16 MiB under the first, whose 30 MB then met the
# end of the file (SIGBUS); now no writer asks for less than the file.
FL=$T/shrink-db
run 0 -d "$FL" --map-size 16M init
python3 -c '
import json
print(json.dumps({"inventories": [{"uuid": "%032x" % (0xbee << 64 | i),
    "name": "big-%d" % i, "description": "x" * 60000} for i in range(500)]}))' \
    >"$T/big30.json"
mkfifo "$T/late.fifo"
"$ADMIN" -d "$FL" --map-size 64M import "$T/late.fifo" >"$T/late.out" 2>&1 &
late=$!
exec 7>"$T/late.fifo"		# the late import has opened the store
for i in $(seq 100); do
	[ "$(stat -c %s "$FL/data.mdb")" -ge 67108864 ] && break
	sleep 0.1
done
[ "$(stat -c %s "$FL/data.mdb")" -ge 67108864 ] ||
	fail "the late import did not size data.mdb to its map"
run 0 -d "$FL" import "$DATA/sample.json"
size=$(stat -c %s "$FL/data.mdb")
[ "$size" -ge 67108864 ] || fail "a second writer cut data.mdb to $size bytes"
cat "$T/big30.json" >&7
exec 7>&-
set +e
wait "$late"
rc=$?
set -e
[ $rc = 0 ] || fail "the late import exited $rc: $(cat "$T/late.out")"
grep -q "added 500" "$T/late.out" || fail "late import: $(cat "$T/late.out")"
run 0 -d "$FL" check
out_has "check: ok"

# --- a full disk: said so, nothing lost ------------------------------------
# The store on a small tmpfs (root only: mount).  An import that does not
# fit meets the full disk through the map (SIGBUS) or at commit (a short
# write, which LMDB reports as EIO): either way one line saying the disk
# is full, and the store as it was, its write lock usable again.
mkdir "$T/full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=6m tmpfs "$T/full" 2>/dev/null
then
	FULL=$T/full/db
	run 0 -d "$FULL" --map-size 64M init
	run 0 -d "$FULL" import "$DATA/sample.json"
	"$ADMIN" -d "$FULL" export >"$T/full-before.json"
	# A write that is no import (pwrite, not the map) on a full disk.
	dd if=/dev/zero of="$T/full/filler" bs=64k 2>/dev/null || true
	run 1 -d "$FULL" account add 99998888777766665555444433332222 --name x
	err_has "the disk holding the store ($FULL) is full"
	one_line_err
	rm -f "$T/full/filler"
	python3 -c '
import json, sys
g = []
for i in range(200):
    g.append({"uuid": "%032x" % (0xfee1 << 64 | i), "name": "big-%d" % i,
        "description": "%d" % i + "x" * 60000})
print(json.dumps({"inventories": g}))' >"$T/big.json"
	run 1 -d "$FULL" import "$T/big.json"
	err_has "is full"
	one_line_err
	run 0 -d "$FULL" check
	out_has "check: ok"
	out_has "groups: 7"
	out_has "accounts: 1"
	"$ADMIN" -d "$FULL" export >"$T/full-after.json"
	cmp -s "$T/full-before.json" "$T/full-after.json" ||
		fail "the store changed after a full disk"
	# Room again: the write lock a dead import held is taken again.
	run 0 -d "$FULL" import --replace "$DATA/sample.json"
	run 0 -d "$FULL" account add 99998888777766665555444433332222 --name x
	umount "$T/full"
else
	echo "admin.sh: full disk not tested (needs root and a tmpfs mount)"
fi

echo "admin.sh: all passed"
