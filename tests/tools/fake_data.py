#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fake_data.py - build and change the dataset tests/tools/fake_zstack.py
serves.

Usage:
  fake_data.py DIR init              the test dataset (below)
  fake_data.py DIR set UUID FIELD VALUE   a top-level string field of a group
  fake_data.py DIR owner UUID ACCOUNT     who owns the group (its ref)
  fake_data.py DIR share UUID ACCOUNT|public
  fake_data.py DIR unshare UUID ACCOUNT|public
  fake_data.py DIR tag UUID system|user TAG [N]   with N: TAG-1 ... TAG-N
  fake_data.py DIR delete UUID       the group, its ref, shares and tags
  fake_data.py DIR add-account UUID NAME

The test dataset (uuids as tests/tools/lib.sh names them): accounts admin,
tenant-a, tenant-b, tenant-c; the seven groups of tests/data/sample.json
owned by the admin, tests/data/golden/nginx_input_a.json's by tenant-a and
nginx_input_b.json's by tenant-b; b2 shared with tenant-a, b3 public.  The
groups' systemTags/userTags move to the tag lists, as in ZStack, where the
inventory does not carry them.  DIR/session holds the admin session id
(ADMIN_SID).  Groups are written one per line in a fixed form, so a group
nobody changed is served byte for byte the same.
"""

import hashlib
import json
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ACC_ADMIN = "36c27e8ff05c4780bf6d2fa65700f22e"
ACC_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
ACC_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
ACC_C = "ccccccccccccccccccccccccccccccc3"
ADMIN_SID = "0dd5e55100000000000000000000ad01"
RT = "ModelServiceInstanceGroupVO"
DATE = "Nov 29, 2026 10:00:00 AM"


def uid(*parts):
    return hashlib.md5("/".join(parts).encode()).hexdigest()


def read_groups(path):
    text = open(path).read()
    try:
        d = json.loads(text)
        return d["inventories"] if isinstance(d, dict) else d
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line]


class Dataset:
    def __init__(self, d):
        self.d = d

    def path(self, name):
        return os.path.join(self.d, name)

    def load(self):
        self.groups = [json.loads(line) for line in
                       open(self.path("groups.jsonl")) if line.strip()]
        self.lists = {n: json.load(open(self.path(n + ".json"))) for n in
                      ("accounts", "refs", "shares", "system-tags",
                       "user-tags")}

    def save(self):
        tmp = self.path("groups.jsonl.tmp")
        with open(tmp, "w") as f:
            for g in self.groups:
                f.write(json.dumps(g, ensure_ascii=False,
                                   separators=(",", ":")) + "\n")
        os.rename(tmp, self.path("groups.jsonl"))
        for n, rows in self.lists.items():
            with open(self.path(n + ".json.tmp"), "w") as f:
                json.dump(rows, f, indent=1)
            os.rename(self.path(n + ".json.tmp"), self.path(n + ".json"))

    def account(self, uuid, name):
        self.lists["accounts"].append({
            "uuid": uuid, "name": name, "description": "",
            "type": "SystemAdmin" if uuid == ACC_ADMIN else "Normal",
            "createDate": DATE, "lastOpDate": DATE})

    def ref(self, group, account):
        self.lists["refs"].append({
            "accountUuid": account, "resourceUuid": group,
            "resourceType": RT, "concreteResourceType":
            "org.zstack.ai.entity.ModelServiceInstanceGroupVO",
            "createDate": DATE, "lastOpDate": DATE})

    def owner_of(self, group):
        return next(r["accountUuid"] for r in self.lists["refs"]
                    if r["resourceUuid"] == group)

    def share(self, group, to):
        pub = to == "public"
        self.lists["shares"].append({
            "ownerAccountUuid": self.owner_of(group),
            "receiverAccountUuid": None if pub else to,
            "toPublic": pub, "resourceType": RT, "resourceUuid": group,
            "createDate": DATE, "lastOpDate": DATE})

    def tag(self, group, kind, text):
        name = "system-tags" if kind == "system" else "user-tags"
        row = {"uuid": uid(group, kind, text), "resourceUuid": group,
               "resourceType": RT, "type": "System" if kind == "system"
               else "User", "tag": text, "createDate": DATE,
               "lastOpDate": DATE}
        if kind == "system":
            row["inherent"] = False
        self.lists[name].append(row)

    def init(self):
        os.makedirs(self.d, exist_ok=True)
        self.groups = []
        self.lists = {n: [] for n in ("accounts", "refs", "shares",
                                      "system-tags", "user-tags")}
        for u, name in ((ACC_ADMIN, "admin"), (ACC_A, "tenant-a"),
                        (ACC_B, "tenant-b"), (ACC_C, "tenant-c")):
            self.account(u, name)
        for f, owner in (("tests/data/sample.json", ACC_ADMIN),
                         ("tests/data/golden/nginx_input_a.json", ACC_A),
                         ("tests/data/golden/nginx_input_b.json", ACC_B)):
            for g in read_groups(os.path.join(TOP, f)):
                for kind in ("system", "user"):
                    for t in g.pop(kind + "Tags", None) or []:
                        self.tag(g["uuid"], kind, t)
                self.groups.append(g)
                self.ref(g["uuid"], owner)
        self.share("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", ACC_A)
        self.share("b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3", "public")
        with open(self.path("session"), "w") as f:
            f.write(ADMIN_SID + "\n")
        self.save()

    def group(self, uuid):
        return next(g for g in self.groups if g["uuid"] == uuid)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    d, op, args = Dataset(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if op == "init":
        return d.init()
    d.load()
    L = d.lists
    if op == "set":
        d.group(args[0])[args[1]] = args[2]
    elif op == "owner":
        for r in L["refs"]:
            if r["resourceUuid"] == args[0]:
                r["accountUuid"] = args[1]
    elif op == "share":
        d.share(args[0], args[1])
    elif op == "unshare":
        pub = args[1] == "public"
        L["shares"] = [s for s in L["shares"] if not (
            s["resourceUuid"] == args[0] and
            (s["toPublic"] if pub else s["receiverAccountUuid"] == args[1]))]
    elif op == "tag":
        if len(args) > 3:
            for i in range(1, int(args[3]) + 1):
                d.tag(args[0], args[1], "%s-%d" % (args[2], i))
        else:
            d.tag(args[0], args[1], args[2])
    elif op == "delete":
        d.groups = [g for g in d.groups if g["uuid"] != args[0]]
        for n in ("refs", "shares", "system-tags", "user-tags"):
            L[n] = [r for r in L[n] if r["resourceUuid"] != args[0]]
    elif op == "add-account":
        d.account(args[0], args[1])
    else:
        sys.exit("fake_data.py: unknown operation %r" % op)
    d.save()


if __name__ == "__main__":
    main()
