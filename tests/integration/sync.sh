#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# sync.sh - zsquery-admin sync end to end against tests/tools/fake_zstack.py (a
# stand-in ZStack speaking its REST conventions) and against another
# zsquery through nginx (the chain):
#  * the first sync fills an empty store with groups, owners, shares,
#    accounts and tags; a second one changes nothing; pages of every list
#    are read to their end (keyset for groups, limit/start for the rest);
#  * each kind of upstream change (a group, an owner, a share, a tag, an
#    account, a deletion) arrives after one sync;
#  * every misbehaviour of the upstream (unreachable, 500, slow, a
#    connection cut mid-body, invalid JSON, ID.1001, an empty list, a page
#    against the keyset order, rows out of order) fails with one clear
#    line and exit 1, and leaves the store byte for byte as it was (every
#    database dumped before and after; only the feed's status record in
#    "meta" may change), and stat shows the failure;
#  * the session file must be 0600 and its content never appears in any
#    output; credentials in the URL are refused; https verifies the peer;
#  * the settings come from the configuration file zsquery-fcgi reads;
#  * under systemd (JOURNAL_STREAM) lines carry syslog priorities;
#  * only zsquery-admin links libcurl, never the workers.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd python3 curl mdb_dump nginx openssl
t_need_bins
t_init sync
export TZ=UTC

UP=$T/upstream
DB=$T/db
SID_FILE=$T/sid
FAKE="python3 $TOOLS/fake_zstack.py"
DATA="python3 $TOOLS/fake_data.py"

# fake_start TAG DIR [--tls CERT KEY]: the fake on a free port; FAKE_URL.
fake_start() {
	local tag=$1 dir=$2
	shift 2
	rm -f "$T/$tag.port"
	t_spawn "$tag" $FAKE "$dir" "$T/$tag.port" "$@"
	FAKE_PID=$T_LASTPID
	wait_until 300 test -s "$T/$tag.port" ||
	    t_hard "fake upstream $tag did not start: $(cat "$T/$tag.log")"
	FAKE_PORT=$(cat "$T/$tag.port")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
}

# ctl WHAT [QUERY]: a control request to the fake.
ctl() {
	curl -sf -X POST "$FAKE_URL/_fake/$1${2:+?$2}" >/dev/null ||
	    t_hard "fake control $1 $2 failed"
}

# up OP ARGS...: change the upstream dataset, and have the fake reread it.
up() {
	$DATA "$UP" "$@" || t_hard "fake_data.py $*"
	ctl reload
}

# run STATUS ARGS...: zsquery-admin ARGS, which must exit STATUS; output
# in $T/out and $T/err (every run's output also collected in $T/all).
run() {
	local want=$1 got
	shift
	"$ADMIN" "$@" >"$T/out" 2>"$T/err"
	got=$?
	cat "$T/out" "$T/err" >>"$T/all"
	if [ "$got" != "$want" ]; then
		not_ok "zsquery-admin $* exited $got, want $want: $(cat "$T/err")"
		return 1
	fi
	ok
}

# sync STATUS [options]: sync $DB from the fake with the session file.
sync_db() {
	local want=$1
	shift
	run "$want" -d "$DB" sync --from "$FAKE_URL" --session-file "$SID_FILE" \
	    "$@"
}

out_is() {
	[ "$(cat "$T/out")" = "$1" ] && ok ||
	    not_ok "stdout '$(cat "$T/out")', want '$1'"
}
# The success line up to the request count (the rest is timing).
counts_are() {
	local got
	got=$(sed 's/; [0-9]* requests.*//' "$T/out")
	[ "$got" = "sync: $1" ] && ok || not_ok "counts '$got', want 'sync: $1'"
}
err_has() {
	grep -qF -- "$1" "$T/err" && ok || not_ok "stderr lacks '$1': $(cat "$T/err")"
}
one_line_err() {
	[ "$(wc -l <"$T/err")" = 1 ] && ok ||
	    not_ok "want one error line: $(cat "$T/err")"
}

# snap NAME [DIR]: every database of the store as text, minus the feeds' status
# records in meta (a failure is recorded there on purpose).
snap() { store_snap "$T/$1.dump" "${2:-$DB}"; }
same() {
	cmp -s "$T/$1.dump" "$T/$2.dump" && ok || not_ok "store changed: $3"
}
stat_of() { "$ADMIN" -d "$DB" stat | sed -n "s/^$1: //p"; }

# seen_by ACCOUNT ARGS...: the uuids an account sees (in $QDB, default
# $DB), in order, on one line.
seen_by() {
	local acct=$1
	shift
	"$ADMIN" -d "${QDB:-$DB}" query --account "$acct" "$@" | python3 -c '
import json, sys
print(" ".join(g["uuid"] for g in json.load(sys.stdin)["inventories"]))'
}
expect_seen() {
	local desc=$1 acct=$2 want=$3 got
	shift 3
	got=$(seen_by "$acct" "$@")
	[ "$got" = "$want" ] && ok || not_ok "$desc: $acct sees '$got', want '$want'"
}

# libcurl is zsquery-admin's alone: the workers never link it.
if command -v readelf >/dev/null; then
	readelf -d "$FCGI" | grep -q 'NEEDED.*libcurl' &&
	    not_ok "zsquery-fcgi links libcurl" || ok
	readelf -d "$ADMIN" | grep -q 'NEEDED.*libcurl' && ok ||
	    not_ok "zsquery-admin does not link libcurl"
fi

$DATA "$UP" init || t_hard "fake_data.py init"
SID=$(cat "$UP/session")
printf '%s\n' "$SID" >"$SID_FILE"
chmod 600 "$SID_FILE"
fake_start fake "$UP"
admin -d "$DB" init >/dev/null || t_hard "init"

# Every group the dataset holds, sorted: the admin sees exactly these.
ALL=$(python3 -c 'import json, sys
print(" ".join(sorted(json.loads(l)["uuid"] for l in open(sys.argv[1]))))' \
    "$UP/groups.jsonl")
S1=d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60	# sample.json: tags priority::high ...
S7=7f6e5d4c3b2a41908f7e6d5c4b3a2918

# --- first sync, then nothing to do ------------------------------------------
sync_db 0
counts_are "groups added 12, updated 0, unchanged 0, deleted 0; accounts 4, shares 2 (0 skipped), tags 10"
expect_seen "first sync" "$ACC_ADMIN" "$ALL"
expect_seen "owner and shares" "$ACC_A" "$G_A1 $G_A2 $G_B2 $G_B3"
expect_seen "owner and public" "$ACC_B" "$G_B1 $G_B2 $G_B3"
expect_seen "public only" "$ACC_C" "$G_B3"
expect_seen "system tags" "$ACC_ADMIN" "$S7 $S1" 'q=__systemTag__=priority::high'
expect_seen "user tags" "$ACC_ADMIN" "$G_A1" 'q=__userTag__=team-a'
run 0 -d "$DB" account list
out_is "$ACC_ADMIN admin
$ACC_A tenant-a
$ACC_B tenant-b
$ACC_C tenant-c"
GEN=$(stat_of generation)
snap first
sync_db 0
counts_are "groups added 0, updated 0, unchanged 12, deleted 0; accounts 4, shares 2 (0 skipped), tags 10"
snap second
same first second "by a sync with nothing to do"
[ "$(stat_of generation)" = "$GEN" ] && ok || not_ok "generation moved"
run 0 -d "$DB" stat
grep -q '^feed groups: success [0-9T:Z-]* in [0-9.]* s: added 0, updated 0, unchanged 12, deleted 0, accounts 4, shares 2, tags 10, requests 6$' \
    "$T/out" && ok || not_ok "stat: $(grep feed "$T/out")"
grep -q '^feed groups: age [0-9]* s$' "$T/out" && ok || not_ok "stat age"
grep -qx 'feed groups: failure never' "$T/out" && ok || not_ok "stat failure"
grep -qx 'feed sessions: success never' "$T/out" && ok || not_ok "stat sessions"

# --- paging: every list read to its end ---------------------------------------
ctl reset
sync_db 0 --page-size 5
counts_are "groups added 0, updated 0, unchanged 12, deleted 0; accounts 4, shares 2 (0 skipped), tags 10"
curl -s "$FAKE_URL/_fake/log" >"$T/log"
python3 - "$T/log" "$ALL" <<'EOF' && ok || not_ok "paging: $(cat "$T/log")"
import sys, urllib.parse
paths = open(sys.argv[1]).read().split()
uuids = sys.argv[2].split()
groups = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
          for p in paths if "/instances/groups" in p]
# 12 groups, 5 a page: keyset pages after the 5th and 10th uuid.
assert [g.get("q") for g in groups] == \
    [None, ["uuid>" + uuids[4]], ["uuid>" + uuids[9]]], groups
assert all(g["limit"] == ["5"] and g["sort"] == ["uuid"] for g in groups)
acc = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
       for p in paths if p.startswith("/zstack/v1/accounts?")]
# 4 accounts: one short page.
assert [a["start"] for a in acc] == [["0"]], acc
tags = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
        for p in paths if p.startswith("/zstack/v1/system-tags?")]
# 6 system tags, 5 a page: start 0 and 5, filtered by resource type.
assert [t["start"] for t in tags] == [["0"], ["5"]], tags
assert all(t["q"] == ["resourceType=ModelServiceInstanceGroupVO"]
           for t in tags), tags
EOF
# Exactly a page's worth: the next, empty page ends the read.
sync_db 0 --page-size 6
counts_are "groups added 0, updated 0, unchanged 12, deleted 0; accounts 4, shares 2 (0 skipped), tags 10"

# --- changes upstream arrive after one sync ------------------------------------
up set "$G_A2" name beta-renamed
up owner "$G_A1" "$ACC_C"
up share "$G_A2" "$ACC_C"
up unshare "$G_B3" public
up tag "$S7" user on-call
up add-account dddddddddddddddddddddddddddddd04 tenant-d
sync_db 0
counts_are "groups added 0, updated 3, unchanged 9, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
expect_seen "new owner" "$ACC_C" "$G_A1 $G_A2"
expect_seen "old owner" "$ACC_A" "$G_A2 $G_B2"
expect_seen "unshared" "$ACC_B" "$G_B1 $G_B2 $G_B3"
expect_seen "renamed" "$ACC_ADMIN" "$G_A2" 'q=name=beta-renamed'
expect_seen "new tag" "$ACC_ADMIN" "$S7" 'q=__userTag__=on-call'
[ "$(stat_of accounts)" = 5 ] && ok || not_ok "accounts: $(stat_of accounts)"
# A share alone changes no group: the generation still moves.
GEN=$(stat_of generation)
up share "$G_B1" "$ACC_A"
sync_db 0
counts_are "groups added 0, updated 0, unchanged 12, deleted 0; accounts 5, shares 3 (0 skipped), tags 11"
[ "$(stat_of generation)" -gt "$GEN" ] && ok || not_ok "share: generation"
expect_seen "shared" "$ACC_A" "$G_A2 $G_B1 $G_B2"
up delete "$G_B2"
sync_db 0
counts_are "groups added 0, updated 0, unchanged 11, deleted 1; accounts 5, shares 2 (0 skipped), tags 11"
expect_seen "deleted" "$ACC_A" "$G_A2 $G_B1"

# --- the owner rule: the same refs give the same owner in any order -----------
# refs OP: edit refs.json of the upstream: "add-b" a second ref of G_A1
# (C's) for B after C's, "b-first" B's before, "types" C's "Own" and B's
# "Share", "restore" as it was.
refs() {
	python3 - "$UP/refs.json" "$1" "$G_A1" "$ACC_B" "$ACC_C" <<'EOF' ||
import json, sys
path, op, g, b, c = sys.argv[1:]
refs = json.load(open(path))
keep = path + ".keep"
if op == "add-b":
    json.dump(refs, open(keep, "w"))
    i = next(i for i, r in enumerate(refs) if r["resourceUuid"] == g)
    refs.insert(i + 1, dict(refs[i], accountUuid=b))
elif op == "b-first":
    i = next(i for i, r in enumerate(refs) if r["resourceUuid"] == g)
    refs[i], refs[i + 1] = refs[i + 1], refs[i]
elif op == "types":
    for r in refs:
        if r["resourceUuid"] == g:
            r["type"] = "Own" if r["accountUuid"] == c else "Share"
elif op == "restore":
    refs = json.load(open(keep))
json.dump(refs, open(path, "w"))
EOF
	    t_hard "refs $1"
	ctl reload
}
# Before, the first ref listed owned the group: upstream order, which a
# non-unique sort leaves open, decided, and the owner flipped from one
# sync to the next.  Now the lowest account uuid (B before C) owns it.
refs add-b
sync_db 0
counts_are "groups added 0, updated 1, unchanged 10, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
snap owner1
refs b-first
sync_db 0
counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
snap owner2
same owner1 owner2 "by the same refs in another order"
# A ref of type "Own" (ZStack 4) owns whatever the uuids and the order.
refs types
sync_db 0
counts_are "groups added 0, updated 1, unchanged 10, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
snap owner3
refs b-first
sync_db 0
counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
snap owner4
same owner3 owner4 "by typed refs in another order"
refs restore
sync_db 0

# --- the upstream misbehaves: one clear line, exit 1, store untouched ----------
# refused DESC WANT-IN-ERR [sync options]: sync fails so, nothing changed,
# the failure is in stat.
refused() {
	local desc=$1 want=$2
	shift 2
	snap before
	sync_db 1 "$@" || return
	err_has "$want"
	one_line_err
	grep -q '^zsquery-admin: sync: ' "$T/err" && ok ||
	    not_ok "$desc: message form: $(cat "$T/err")"
	snap after
	same before after "$desc"
	"$ADMIN" -d "$DB" stat >"$T/stat"
	grep -qF "feed groups: failure " "$T/stat" &&
	    grep -F "feed groups: failure " "$T/stat" | grep -qF -- "$want" &&
	    ok || not_ok "$desc: stat: $(grep feed "$T/stat")"
	ctl reset
}
# misbehave MODE PATH [more]: the next matching request(s) misbehave.
misbehave() {
	ctl misbehave "mode=$1&path=$2${3:+&$3}"
}
PAGED="--page-size 5"
GROUPS_RE=instances/groups

# A list page far larger than its rows can be: refused before parsing.
misbehave fat "user-tags"
refused "an oversized list page" "/zstack/v1/user-tags?q=resourceType%3DModelServiceInstanceGroupVO&limit=5&start=0&sort=uuid&replyWithCount=true: the reply is larger than 80 KiB" $PAGED
misbehave 500 "accounts?"
refused "500 on accounts (after every group was read)" \
    "/zstack/v1/accounts?limit=1000&start=0&sort=uuid&replyWithCount=true: HTTP 500: SYS.1000 An internal error happened in system: fake_zstack: injected failure"
misbehave 500 refs
refused "500 on refs" "HTTP 500: SYS.1000"
misbehave id1001 $GROUPS_RE "after=1"
refused "ID.1001 on the second page" "HTTP 503: ID.1001 The session is invalid, either wrong session id or the session has been expired: Session expired (the admin session in $SID_FILE is invalid or expired upstream: log in again and replace it)" $PAGED
misbehave slow $GROUPS_RE "after=1&delay=4"
refused "a slow page" "timed out: Operation timed out after" $PAGED --timeout 1
misbehave cut $GROUPS_RE "after=1"
refused "a connection cut mid-body" "the connection broke before the reply was complete (truncated reply)" $PAGED
misbehave cut "system-tags"
refused "a list cut mid-body" "truncated reply"
misbehave badjson $GROUPS_RE "after=2"
refused "invalid JSON in groups" "reply to GET /zstack/v1/ai/model-services/instances/groups?limit=5&sort=uuid&replyWithCount=true&q=uuid%3E" $PAGED
err_has "group 1 of the page: not a JSON object (byte 16)"
misbehave badjson "user-tags"
refused "invalid JSON in a list" "reply to GET /zstack/v1/user-tags?q=resourceType%3DModelServiceInstanceGroupVO&limit=1000&start=0&sort=uuid&replyWithCount=true: invalid JSON: "
# A list must say how long it is: an empty reply with no total is not
# "nothing left" (issue 18: it wiped tenancy, and paging stopped early).
misbehave empty $GROUPS_RE
refused "an empty group list without a total" "instances/groups?limit=1000&sort=uuid&replyWithCount=true: the reply has no 'total' (replyWithCount=true was asked)"
misbehave empty $GROUPS_RE "after=1"
refused "an empty second page without a total" "the reply has no 'total'" $PAGED
# One that says so: the groups rule judges it.
misbehave zero $GROUPS_RE
refused "an empty group list" "replace would delete 11 of the 11 stored groups, more than 50%: nothing changed (a larger --max-delete allows it)"
# A later page that says "none left" after a first that said more.
misbehave zero $GROUPS_RE "after=1"
refused "a page that contradicts the last one's total" "6 groups were left after the last page, this one counts 0" $PAGED
misbehave negative $GROUPS_RE
refused "a negative group total" "'total' is negative" $PAGED
for l in "accounts/resources/refs" "accounts/resources?" "system-tags" "user-tags" "accounts?"; do
	misbehave empty "$l"
	refused "no total on $l" "the reply has no 'total' (replyWithCount=true was asked)"
	misbehave negative "$l"
	refused "a negative total on $l" "'total' is not a whole number"
done
misbehave disorder $GROUPS_RE "after=1"
refused "a page against the keyset order" "the keyset order is contradicted: group " $PAGED
misbehave disorder "accounts?"
refused "rows out of order" "rows out of order: row 2's uuid" 
# A list whose count moves between pages, or is not what was read.
misbehave miscount "system-tags" "after=1"
refused "a list that changed while it was read" "the list changed while it was read (total 5, then 6)" $PAGED
misbehave miscount "user-tags"
refused "fewer rows than the list said" "GET /zstack/v1/user-tags: 6 rows read of the 7 the list said it held" 
# Every identity list empty, as an upstream that lost its database would
# answer: refused whole, each kind by itself too (issue 18: accounts 4 ->
# 1, shares 2 -> 0, tags 10 -> 0 and every group re-owned to the admin).
misbehave zero "accounts/resources/refs" "times=-1"
misbehave zero "accounts/resources?" "times=-1"
misbehave zero "-tags" "times=-1"
misbehave zero "accounts?" "times=-1"
refused "every identity list empty" "the upstream's lists would remove 4 of the 4 stored accounts"
misbehave zero "accounts?"
refused "no accounts" "would remove 4 of the 4 stored accounts, more than 50%"
misbehave zero "accounts/resources/refs"
refused "no owners" "would remove 4 of the 4 stored owners, more than 50%"
misbehave zero "accounts/resources?"
refused "no shares" "would remove 2 of the 2 stored shares, more than 50%"
misbehave zero "system-tags"
misbehave zero "user-tags"
refused "no tags" "would remove 11 of the 11 stored tags, more than 50%"
# Endless lists: no total, refused at the first page; a total that never
# comes, refused at a bound (rows, bytes of the lists, groups).
misbehave endless "system-tags" "times=-1"
refused "an endless tag list" "the reply has no 'total'"
misbehave endlesstotal "system-tags" "times=-1"
refused "an endless tag list that claims a total" "more than 30 rows (--max-rows)" --page-size 10 --max-rows 30
misbehave endlesstotal "system-tags" "times=-1"
refused "lists past their bytes" "the lists' replies are larger than 2 MiB (--max-list-bytes)" --max-list-bytes 2M
misbehave endless $GROUPS_RE "times=-1"
refused "an endless group list" "the reply has no 'total'" $PAGED
misbehave endlesstotal $GROUPS_RE "times=-1"
refused "an endless group list that claims a total" "more than 30 groups (--max-groups)" --page-size 10 --max-groups 30
# A reply's bytes are counted decompressed, and refused at the bound.
misbehave gzip $GROUPS_RE
refused "a gzip bomb" "the reply is larger than 8192 KiB" --max-reply-bytes 8M
misbehave chunked "user-tags"
refused "an endless chunked body" "the reply is larger than 16000 KiB"
misbehave chunked $GROUPS_RE
refused "an endless chunked group page" "the run's replies are larger than 4 MiB (--max-bytes)" --max-bytes 4M
misbehave slow $GROUPS_RE "delay=5"
refused "a run past --max-time" "the run's limit of 1 s (--max-time)" --max-time 1
# The record limit is import's, for sync too.
misbehave bigrecord $GROUPS_RE
refused "a group over the record limit" "larger than 64 MiB"
refused "upstream unreachable" "upstream unreachable: " --from "http://127.0.0.1:$(free_port)"
refused "a wrong prefix" "/x/zstack/v1/accounts/resources/refs?q=resourceType%3DModelServiceInstanceGroupVO&limit=1000&start=0&sort=resourceUuid&replyWithCount=true: HTTP 404: not found?" --from "$FAKE_URL/x"
# A session the upstream does not know (no injected fault: the real check).
printf 'not-the-session\n' >"$T/sid-wrong"
chmod 600 "$T/sid-wrong"
refused "a wrong session" "ID.1001" --session-file "$T/sid-wrong"
# A group the importer refuses rejects the whole sync too.
python3 - "$UP/groups.jsonl" <<'EOF'
import sys
p = sys.argv[1]
# (Not splitlines(): a group holds U+2028, which it would split at.)
with open(p, "a") as f:
    f.write('{"uuid":"ffffffffffffffffffffffffffffff01","instances":"x"}\n')
EOF
ctl reload
refused "an invalid group" "uuid ffffffffffffffffffffffffffffff01"
up delete ffffffffffffffffffffffffffffff01

# --max-delete: more than half of the groups gone upstream.
cp -r "$UP" "$T/upstream.keep"
for g in "$G_A1" "$G_A2" "$G_B1" "$G_B3" "$S1" "$S7"; do
	$DATA "$UP" delete "$g"
done
ctl reload
refused "past --max-delete" "replace would delete 6 of the 11 stored groups, more than 50%"
refused "past --max-delete 20" "more than 20%" --max-delete 20
sync_db 0 --max-delete 60
counts_are "groups added 0, updated 0, unchanged 5, deleted 6; accounts 5, shares 0 (0 skipped), tags 4"
rm -rf "$UP"
mv "$T/upstream.keep" "$UP"
ctl reload
sync_db 0
counts_are "groups added 6, updated 0, unchanged 5, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
# --max-delete 100 lets an upstream that says it is empty empty the store.
cp -r "$DB" "$T/db.keep"
misbehave zero $GROUPS_RE
sync_db 0 --max-delete 100
counts_are "groups added 0, updated 0, unchanged 0, deleted 11; accounts 5, shares 2 (2 skipped), tags 0"
rm -rf "$DB"
mv "$T/db.keep" "$DB"
ctl reset

# --- the session file and other secrets ---------------------------------------
chmod 644 "$SID_FILE"
refused "a readable session file" "session file $SID_FILE has mode 0644: it holds a secret, make it 0600 (chmod 600 $SID_FILE)"
chmod 640 "$SID_FILE"
refused "a group-readable session file" "has mode 0640"
chmod 400 "$SID_FILE"
sync_db 0
chmod 600 "$SID_FILE"
curl -s "$FAKE_URL/_fake/log" >"$T/log"
[ "$(wc -l <"$T/log")" = 6 ] && ok ||
    not_ok "a refused session file still made requests: $(cat "$T/log")"
: >"$T/sid-empty"
chmod 600 "$T/sid-empty"
refused "an empty session file" "does not hold a session id" --session-file "$T/sid-empty"
refused "no session file" "session file $T/nosuch: No such file or directory" --session-file "$T/nosuch"
run 1 -d "$DB" sync --from "$FAKE_URL"
err_has "sync: no admin session: give --session-file FILE"
# systemd's LoadCredential=: the default is the credential zstack-session.
mkdir -p "$T/cred"
cp "$SID_FILE" "$T/cred/zstack-session"
CREDENTIALS_DIRECTORY=$T/cred run 0 -d "$DB" sync --from "$FAKE_URL"
counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
# The configuration file's session file is for runs by hand: the unit's
# credential wins over it, --session-file over both.
printf 'sync-session-file = %s\n' "$T/nosuch" >"$T/sess.conf"
CREDENTIALS_DIRECTORY=$T/cred run 0 -d "$DB" --config "$T/sess.conf" \
    sync --from "$FAKE_URL"
run 1 -d "$DB" --config "$T/sess.conf" sync --from "$FAKE_URL"
err_has "session file $T/nosuch: No such file or directory"
CREDENTIALS_DIRECTORY=$T/nosuch run 0 -d "$DB" --config "$T/sess.conf" \
    sync --from "$FAKE_URL" --session-file "$SID_FILE"
run 1 -d "$DB" sync --from "http://zstack:$SID@127.0.0.1:$FAKE_PORT" \
    --session-file "$SID_FILE"
err_has "sync: --from: credentials in the URL are not allowed (the admin session comes from --session-file)"
run 1 -d "$DB" sync --from "http://zstack:$SID@127.0.0.1:99999" \
    --session-file "$SID_FILE"
err_has "sync: --from is not a URL"
# Proxies from the environment are not used: nothing listens on :1.
http_proxy=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 \
    run 0 -d "$DB" sync --from "$FAKE_URL" --session-file "$SID_FILE"
run 1 -d "$DB" sync --from "ftp://127.0.0.1/" --session-file "$SID_FILE"
err_has "only http and https are spoken"
run 2 -d "$DB" sync --from "$FAKE_URL" --session-file "$SID_FILE" --owner x
err_has "sync: option --owner does not apply"
run 2 -d "$DB" sync --page-size 0
err_has "bad --page-size '0'"
run 1 -d "$DB" sync --from "$FAKE_URL" --session-file "$SID_FILE" \
    --resource-type "a=b"
err_has "sync: resource type 'a=b': letters, digits and '_' only"

# --- https: the peer is verified ---------------------------------------------
cat >"$T/tls.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = 127.0.0.1
[ext]
subjectAltName = IP:127.0.0.1
basicConstraints = critical,CA:TRUE
EOF
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -config "$T/tls.cnf" \
    -keyout "$T/tls.key" -out "$T/tls.pem" >/dev/null 2>&1; then
	HTTP_URL=$FAKE_URL
	fake_start fake-tls "$UP" --tls "$T/tls.pem" "$T/tls.key"
	TLS_URL=https://127.0.0.1:$FAKE_PORT
	snap before
	run 1 -d "$DB" sync --from "$TLS_URL" --session-file "$SID_FILE"
	err_has "sync: GET $TLS_URL/zstack/v1/accounts/resources/refs?"
	err_has ": TLS: "
	snap after
	same before after "an unverified https upstream"
	run 0 -d "$DB" sync --from "$TLS_URL" --session-file "$SID_FILE" \
	    --cacert "$T/tls.pem"
	counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
	mkdir -p "$T/capath"
	cp "$T/tls.pem" "$T/capath/"
	openssl rehash "$T/capath" 2>/dev/null || c_rehash "$T/capath" >/dev/null 2>&1
	run 0 -d "$DB" sync --from "$TLS_URL" --session-file "$SID_FILE" \
	    --capath "$T/capath"
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
	t_forget "$FAKE_PID"
	FAKE_URL=$HTTP_URL
	FAKE_PORT=${HTTP_URL##*:}
else
	not_ok "openssl could not make a test certificate"
fi

# --- the configuration file (shared with zsquery-fcgi) ------------------------
cat >"$T/zsquery.conf" <<EOF
# zsquery-fcgi and zsquery-admin read this one file.
db = $DB
workers = 2
sync-from = $FAKE_URL
sync-session-file = $SID_FILE
sync-page-size = 4
sync-max-delete = 10
sync-timeout = 30
sync-connect-timeout = 5
sync-resource-type = ModelServiceInstanceGroupVO
sync-groups-only = no
EOF
ctl reset
run 0 --config "$T/zsquery.conf" sync
counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 5, shares 2 (0 skipped), tags 11"
curl -s "$FAKE_URL/_fake/log" | grep -c 'groups?limit=4&' >"$T/n"
[ "$(cat "$T/n")" = 3 ] && ok || not_ok "sync-page-size: $(cat "$T/n") pages"
# The command line wins over the file.
cp -r "$UP" "$T/upstream.keep"
$DATA "$UP" delete "$G_A1"
$DATA "$UP" delete "$G_A2"
ctl reload
snap before
run 1 --config "$T/zsquery.conf" sync
err_has "more than 10%"
run 0 --config "$T/zsquery.conf" sync --max-delete 20
counts_are "groups added 0, updated 0, unchanged 9, deleted 2; accounts 5, shares 1 (0 skipped), tags 9"
rm -rf "$UP"
mv "$T/upstream.keep" "$UP"
ctl reload
run 0 --config "$T/zsquery.conf" sync
echo 'sync-page-size = many' >>"$T/zsquery.conf"
run 1 --config "$T/zsquery.conf" stat
err_has "zsquery-admin: configuration: $T/zsquery.conf:12: 'sync-page-size' must be an integer from 1 to 100000, not 'many'"
sed -i '$d' "$T/zsquery.conf"
echo 'sync-bogus = 1' >>"$T/zsquery.conf"
run 1 --config "$T/zsquery.conf" stat
err_has "unknown setting 'sync-bogus'"
sed -i '$d' "$T/zsquery.conf"
# zsquery-fcgi accepts the file with the sync keys in it.
if pool_start cfgpool "$DB" "$T/cfg.sock" --config "$T/zsquery.conf"; then
	ok
	kill "$POOL_PID"
else
	not_ok "zsquery-fcgi refused a configuration file with sync keys"
fi

# --- journal priorities --------------------------------------------------------
: >"$T/journal"
JS=$(stat -c '%d:%i' "$T/journal")
JOURNAL_STREAM=$JS "$ADMIN" -d "$DB" sync --from "$FAKE_URL" \
    --session-file "$SID_FILE" >>"$T/journal" 2>>"$T/journal"
grep -q '^<6>zsquery-admin\[[0-9]*\]: sync: groups added 0' "$T/journal" &&
    ok || not_ok "journal success line: $(cat "$T/journal")"
: >"$T/journal"
JS=$(stat -c '%d:%i' "$T/journal")
JOURNAL_STREAM=$JS "$ADMIN" -d "$DB" sync --from "http://127.0.0.1:$(free_port)" \
    --session-file "$SID_FILE" >>"$T/journal" 2>>"$T/journal"
grep -q '^<3>zsquery-admin\[[0-9]*\]: sync: GET .*upstream unreachable' \
    "$T/journal" && ok || not_ok "journal error line: $(cat "$T/journal")"
cat "$T/journal" >>"$T/all"

# --- feed fail: a feed script records its own failure --------------------------
run 0 -d "$DB" feed fail sessions "mysql: cannot connect"
run 0 -d "$DB" stat
grep -q '^feed sessions: failure [0-9T:Z-]* (1 since the last success): mysql: cannot connect$' \
    "$T/out" && ok || not_ok "feed fail: $(grep feed "$T/out")"
run 1 -d "$DB" feed fail nosuch x
err_has "feed 'nosuch': groups or sessions"

# --- the chain: another zsquery (through nginx) as the upstream ---------------
# Node A is $DB, served by a pool and nginx; B syncs from A's groups route
# with an admin session of A.  A zsquery serves no accounts, refs, shares
# or tags, hence --groups-only.
CHAIN_SID=5e551050000000000000000000c4a1e1
admin -d "$DB" session create --account "$ACC_ADMIN" --uuid "$CHAIN_SID" \
    >/dev/null || not_ok "session on A"
printf '%s\n' "$CHAIN_SID" >"$T/sid-a"
chmod 600 "$T/sid-a"
if pool_start pool-a "$DB" "$T/a.sock" -w 3 && nginx_start ngx-a "$T/a.sock"; then
	A_URL=$BASE
	DBB=$T/db-b
	admin -d "$DBB" init >/dev/null
	chain() {
		run "$1" -d "$DBB" sync --from "$A_URL" --session-file "$T/sid-a" \
		    --groups-only --page-size 4
	}
	# B's replies equal A's: same groups, same bytes.
	chain_same() {
		local a b
		a=$("$ADMIN" -d "$DB" query 'limit=100' | md5sum)
		b=$("$ADMIN" -d "$DBB" query 'limit=100' | md5sum)
		[ "$a" = "$b" ] && ok || not_ok "chain: $1: B's groups differ from A's"
	}
	chain 0
	counts_are "groups added 11, updated 0, unchanged 0, deleted 0; accounts 0, shares 0 (0 skipped), tags 0"
	chain_same "first sync"
	chain 0
	counts_are "groups added 0, updated 0, unchanged 11, deleted 0; accounts 0, shares 0 (0 skipped), tags 0"
	# A change travels ZStack -> A -> B.
	up set "$G_B1" description "changed upstream"
	up delete "$G_A2"
	sync_db 0
	chain 0
	counts_are "groups added 0, updated 1, unchanged 9, deleted 1; accounts 0, shares 0 (0 skipped), tags 0"
	chain_same "after a change"
	QDB=$DBB expect_seen "chain" "$ACC_ADMIN" "$G_B1" \
	    'q=description=changed upstream'
	# A's own session error reaches B as ZStack's would.
	printf 'nosuchsession\n' >"$T/sid-bad"
	chmod 600 "$T/sid-bad"
	snap before "$DBB"
	run 1 -d "$DBB" sync --from "$A_URL" --session-file "$T/sid-bad" --groups-only
	err_has "HTTP 503: ID.1001 The session is invalid, either wrong session id or the session has been expired: Session expired"
	# Without --groups-only, A's missing routes are a clear failure.
	run 1 -d "$DBB" sync --from "$A_URL" --session-file "$T/sid-a"
	err_has "HTTP 404: no api mapping to /v1/accounts/resources/refs"
	snap after "$DBB"
	same before after "failed chain syncs"
else
	not_ok "chain: pool or nginx for node A did not start"
fi

# --- a group with more tags than any buffer starts with ------------------------
up tag "$G_B1" user many 150
up tag "$G_B1" system many::tag 100
sync_db 0
grep -q "updated 1," "$T/out" && ok || not_ok "many tags: $(cat "$T/out")"
expect_seen "the 150th user tag" "$ACC_ADMIN" "$G_B1" 'q=__userTag__=many-150'
expect_seen "the 100th system tag" "$ACC_ADMIN" "$G_B1" \
    'q=__systemTag__=many::tag-100'
expect_seen "a user tag is not a system tag" "$ACC_ADMIN" "" \
    'q=__systemTag__=many-1'

# --- secrets never show -------------------------------------------------------
for s in "$SID" "$CHAIN_SID"; do
	if grep -rqF -- "$s" "$T/all" "$T"/*.log 2>/dev/null; then
		not_ok "a session id appeared in the output or a log"
	else
		ok
	fi
done

t_done
