#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
differential.py - the differential test of issue 3: an independent
reference implementation of QueryModelServiceInstanceGroup (API.md §3-6, 8, 10)
compared byte for byte with what `zsquery-admin query` prints.

The reference shares no code and no tables with src/: it is written from
docs/API.md alone.
  * Data: a deterministic generator (seed) writes groups with realistic
    nesting, values from small pools (so equality, in and like hit), nulls,
    absent fields, unknown (newer) fields, tags, owners, shares, public
    groups.  The same data goes into the store (zsquery-admin import) and
    into SQLite, normalized the way ZStack keeps it: one table per class,
    children pointing at their parent row.
  * Conditions compile to SQL the way ZStack's query builder does: a
    nested condition is `grp.id IN (SELECT parent FROM instance WHERE
    id IN (SELECT parent FROM vm WHERE ...))`, a negative tag condition is
    `grp.id NOT IN (SELECT ... tag ...)`.  Strings use the collation "zs"
    (fold ASCII A-Z, then compare UTF-8 bytes: API.md §10), like uses a SQL
    function implementing API.md §10's escapes, NULL semantics are SQLite's.
  * Bodies are rendered by a Gson-style renderer written here (API.md §6).

Usage:
  differential.py --self-check
  differential.py --admin PATH/zsquery-admin --work DIR [--seed N]
                  [--groups N] [--queries N] [--jobs N] [--show N]

--work must be an empty scratch directory; the store goes to DIR/store.
The time zone is $TZ (the wrapper sets it); the reference parses and
renders dates in the same zone through zoneinfo.

Where API.md leaves room, the reference follows its text literally; each such
place is marked "AMBIGUITY" below.
"""
import argparse
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

ADMIN = "36c27e8ff05c4780bf6d2fa65700f22e"
TENANTS = ["d1ff0000000000000000000000000a01",
           "d1ff0000000000000000000000000b02",
           "d1ff0000000000000000000000000c03"]
NOBODY = "d1ff0000000000000000000000000d04"  # owns nothing, shares nothing

# --- API.md §8, transcribed ---------------------------------------------------
S, I, L, B, T = "String", "Integer", "Long", "Boolean", "Timestamp"
BYTES, STRLIST, MAP = "byte[]", "List<String>", "Map"
SCALARS = (S, I, L, B, T)


def lst(c):
    return ("list", c)


def obj(c):
    return ("obj", c)


def _f(spec):
    """'a b:I c:T' -> [(a,S), (b,I), (c,T)] (S default)."""
    out = []
    for w in spec.split():
        n, _, t = w.partition(":")
        out.append((n, {"": S, "I": I, "L": L, "B": B, "T": T}[t]))
    return out


CLASSES = {
    "group": _f("uuid modelServiceUuid modelUuid") +
        [("instances", lst("instance")),
         ("datasetRefInventories", lst("datasetref"))] +
        _f("status modelServiceType type name description createDate:T "
           "lastOpDate:T yaml") + [("supportMetrics", STRLIST)] +
        _f("exportPath"),
    "instance": _f("uuid name modelServiceGroupUuid yaml k8sResourceYaml "
        "status url") + [("urlMaps", MAP)] +
        _f("internalUrl jupyterUrl vmInstanceUuid nodeRank:I accountUuid "
           "architecture gpuVendor") + [("vm", obj("vm"))] +
        _f("createDate:T lastOpDate:T"),
    "vm": _f("uuid name description zoneUuid clusterUuid imageUuid hostUuid "
        "lastHostUuid instanceOfferingUuid rootVolumeUuid platform "
        "architecture defaultL3NetworkUuid type hypervisorType memorySize:L "
        "reservedMemorySize:L cpuNum:I cpuSpeed:L allocatorStrategy "
        "createDate:T lastOpDate:T state") +
        [("vmNics", lst("nic")), ("allVolumes", lst("volume")),
         ("vmCdRoms", lst("cdrom"))] + _f("guestOsType"),
    "nic": _f("uuid vmInstanceUuid l3NetworkUuid ip mac hypervisorType "
        "netmask gateway metaData ipVersion:I driverType") +
        [("usedIps", lst("usedip"))] +
        _f("internalName deviceId:I type state createDate:T lastOpDate:T"),
    "usedip": _f("uuid ipRangeUuid l3NetworkUuid ipVersion:I ip netmask "
        "gateway usedFor ipInLong:L") + [("ipInBinary", BYTES)] +
        _f("vmNicUuid createDate:T lastOpDate:T"),
    "volume": _f("uuid name description primaryStorageUuid vmInstanceUuid "
        "diskOfferingUuid rootImageUuid installPath type format size:L "
        "actualSize:L deviceId:I state status createDate:T lastOpDate:T "
        "isShareable:B volumeQos lastDetachDate:T lastVmInstanceUuid "
        "lastAttachDate:T protocol"),
    "cdrom": _f("uuid vmInstanceUuid deviceId:I isoUuid isoInstallPath name "
        "description protocol createDate:T lastOpDate:T"),
    "datasetref": _f("uuid datasetUuid modelServiceInstanceGroupUuid "
        "createDate:T lastOpDate:T"),
}
JAVA = {
    "group": "org.zstack.ai.entity.ModelServiceInstanceGroupInventory",
    "instance": "org.zstack.ai.entity.ModelServiceInstanceInventory",
    "vm": "org.zstack.header.vm.VmInstanceInventory",
    "nic": "org.zstack.header.vm.VmNicInventory",
    "usedip": "org.zstack.header.network.l3.UsedIpInventory",
    "volume": "org.zstack.header.volume.VolumeInventory",
    "cdrom": "org.zstack.header.vm.cdrom.VmCdRomInventory",
    "datasetref": None,  # API.md §6 deviation: no schema entry
}
FIELDS = {c: dict(fs) for c, fs in CLASSES.items()}
TABLE = {"group": "grp", "instance": "instance", "vm": "vm", "nic": "vmnic",
         "usedip": "usedip", "volume": "volume", "cdrom": "cdrom",
         "datasetref": "datasetref"}
GROUP_SORTABLE = [n for n, t in CLASSES["group"] if t in SCALARS]


def leaves(c="group", prefix=""):
    """Every queryable scalar path with its type and owning class."""
    out = []
    for n, t in CLASSES[c]:
        p = prefix + n
        if t in SCALARS:
            out.append((p, t, c))
        elif isinstance(t, tuple):
            out.extend(leaves(t[1], p + "."))
    return out


LEAVES = leaves()

# --- strings, dates, Gson rendering ---------------------------------------
FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                     "abcdefghijklmnopqrstuvwxyz")


def fold(s):
    """API.md §10: fold ASCII A-Z only; the UTF-8 bytes then compare."""
    return s.translate(FOLD).encode("utf-8")


def zs_collate(a, b):
    ka, kb = fold(a), fold(b)
    return (ka > kb) - (ka < kb)


def jtrim(s):
    """Java String.trim(): characters up to U+0020 (API.md §10)."""
    i, j = 0, len(s)
    while i < j and ord(s[i]) <= 0x20:
        i += 1
    while j > i and ord(s[j - 1]) <= 0x20:
        j -= 1
    return s[i:j]


_like_cache = {}


def like_regex(pat):
    """API.md §5/10: % any run, _ one code point, \\x literal x for any x, a
    lone trailing \\ a literal backslash; case folded like '='."""
    r = _like_cache.get(pat)
    if r is not None:
        return r
    p = pat.translate(FOLD)
    out, i = [], 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 < len(p):
                out.append(re.escape(p[i + 1]))
                i += 2
                continue
            out.append(re.escape("\\"))
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
        i += 1
    r = re.compile("".join(out), re.S)
    _like_cache[pat] = r
    return r


def zlike(pat, value):
    if value is None or pat is None:
        return None
    return 1 if like_regex(pat).fullmatch(value.translate(FOLD)) else 0


ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
       "\f": "\\f", "\r": "\\r"}


def gson_str(s):
    """Gson with HTML-safe escaping (API.md §6)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in ESC:
            out.append(ESC[ch])
        elif ch in "<>&='" or o < 0x20 or o in (0x2028, 0x2029):
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class Ts:
    """A date: epoch milliseconds and how the import file writes it."""
    __slots__ = ("ms", "style")

    def __init__(self, ms, style):
        self.ms, self.style = ms, style

    @property
    def sec(self):
        # AMBIGUITY: API.md §10 compares timestamps "to the second"; an
        # epoch-ms input with a sub-second part is taken as its floor
        # (Java's Gson date format drops milliseconds the same way).
        return self.ms // 1000


def local(sec, tz):
    return datetime.fromtimestamp(sec, tz)


def gson_date(sec, tz):
    d = local(sec, tz)
    h = d.hour % 12 or 12
    return "%s %d, %04d %d:%02d:%02d %s" % (MONTHS[d.month - 1], d.day,
        d.year, h, d.minute, d.second, "AM" if d.hour < 12 else "PM")


def java_double(d):
    """Java's Double.toString, which Gson writes a double with: the
    shortest digits that read back (Python's repr finds them too), plain
    for 1e-3 <= |d| < 1e7, else d.dddE[-]n."""
    if d == 0:
        return "-0.0" if math.copysign(1.0, d) < 0 else "0.0"
    neg, digits, exp = Decimal(repr(d)).as_tuple()
    dig = "".join(map(str, digits)).rstrip("0")
    e = len(digits) - 1 + exp       # exponent of the first digit
    sign = "-" if neg else ""
    if -3 <= e < 7:
        if e < 0:
            return sign + "0." + "0" * (-e - 1) + dig
        return sign + (dig + "0" * e)[:e + 1] + "." + (dig[e + 1:] or "0")
    return sign + dig[0] + "." + (dig[1:] or "0") + "E%d" % e


def render_any(v):
    """Unknown (newer) field values: plain JSON, Gson-escaped, nulls in
    objects dropped."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return java_double(v)
    if v is None:
        return "null"  # inside a list; object members drop nulls
    if isinstance(v, str):
        return gson_str(v)
    if isinstance(v, list):
        return "[" + ",".join(render_any(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(gson_str(k) + ":" + render_any(x)
            for k, x in v.items() if x is not None) + "}"
    raise ValueError(v)


def render_obj(o, c, tz, only=None):
    """o: dict in import order (None = null, key missing = absent)."""
    parts = []
    for n, t in CLASSES[c]:
        if only is not None and n not in only:
            continue
        v = o.get(n)
        if v is None:
            continue
        if t == S:
            r = gson_str(v)
        elif t in (I, L):
            r = str(v)
        elif t == B:
            r = "true" if v else "false"
        elif t == T:
            r = gson_str(gson_date(v.sec, tz))
        elif t == BYTES:
            r = "[" + ",".join(str(b - 256 if b > 127 else b)
                for b in v) + "]"
        elif t == STRLIST:
            r = "[" + ",".join(gson_str(x) for x in v) + "]"
        elif t == MAP:
            # AMBIGUITY: API.md says nulls are omitted; Gson drops a
            # map entry whose value is null too, so do we.
            r = "{" + ",".join(gson_str(k) + ":" + gson_str(x)
                for k, x in v.items() if x is not None) + "}"
        elif t[0] == "obj":
            r = render_obj(v, t[1], tz)
        else:
            r = "[" + ",".join(render_obj(x, t[1], tz) for x in v) + "]"
        parts.append(gson_str(n) + ":" + r)
    if only is None:
        for n, v in o.items():
            if n in FIELDS[c] or v is None:
                continue
            if c == "group" and n in ("systemTags", "userTags"):
                continue
            parts.append(gson_str(n) + ":" + render_any(v))
    return "{" + ",".join(parts) + "}"


def schema_postorder(o, c, path, out, only=None):
    """API.md §6: children first (fields in order, elements by index), then
    the object itself; the caller reverses the whole list."""
    for n, t in CLASSES[c]:
        if only is not None and n not in only:
            continue
        v = o.get(n)
        if v is None or not isinstance(t, tuple):
            continue
        if t[0] == "obj":
            schema_postorder(v, t[1], path + "." + n, out)
        else:
            for i, x in enumerate(v):
                schema_postorder(x, t[1], "%s.%s[%d]" % (path, n, i),
                    out)
    if JAVA[c] is not None:
        out.append((path, JAVA[c]))


# --- the data generator -----------------------------------------------------
STR_POOL = ["alpha", "Alpha", "ALPHA", "alpha ", "beta", "Beta_1", "beta%1",
    "be\\ta", "[x]y", "^top", "naïve", "NAÏVE", "Éclair", "éclair", "日本語",
    "🙂", "<b>&'=c", "a=b", "Zeta", "zeta", "", " lead", "x is null",
    "mid\u2028line", "tab\tnl\n", "ctl\x01\x1f", 'q"uote', "_", "%", "\\",
    "abc_", "abc%", "ab", "x,y", "a<=b", "Running", "running", "Stopped",
    "~tilde", "trail\\", "a\x00b", "\u212aelvin", "kelvin", "Kelvin",
    "\uff21x", "ß", "SS", "\x7f"]
STATUS_POOL = ["Running", "running", "Stopped", "Error", "Starting"]
TAG_POOL = ["env::prod", "env::Prod", "ENV::PROD", "gpu", "GPU", "k8s::a_b",
    "owner::x%y", "<tag>", "ünï", "a,b", "z"]
INT_POOL = {
    "nodeRank": [-1, 0, 1, 2, 3, 2147483647, -2147483648],
    "cpuNum": [1, 2, 4, 8, 64],
    "ipVersion": [4, 6],
    "deviceId": [-1, 0, 1, 2, 3],
    "memorySize": [0, 1024, -5, 34359738368, 9223372036854775807,
        -9223372036854775808],
    "reservedMemorySize": [0, 1, 4294967296],
    "cpuSpeed": [0, 2400, -1],
    "ipInLong": [0, 2886994719, 4294967295, -1, 3232235786],
    "size": [0, 1073741824, 107374182400, 9223372036854775807],
    "actualSize": [0, 1, 536870912, -9223372036854775808],
}


class Gen:
    def __init__(self, seed, tz):
        self.r = random.Random(seed)
        self.tz = tz
        r = self.r
        self.hex = ["%032x" % r.getrandbits(128) for _ in range(12)]
        base = [datetime(2017, 11, 14, 22, 20, 57, tzinfo=tz),
            datetime(2019, 1, 1, 0, 0, 0, tzinfo=tz),
            datetime(2020, 2, 29, 12, 0, 0, tzinfo=tz),
            datetime(2023, 7, 4, 0, 30, 5, tzinfo=tz),
            datetime(2024, 12, 31, 23, 59, 59, tzinfo=tz),
            datetime(1965, 5, 1, 8, 0, 0, tzinfo=tz)]
        self.dates = []
        for d in base:
            s = int(d.timestamp())
            self.dates += [s, s + 1, s - 3600]
        self.spools = {}

    def pool_for(self, field):
        p = self.spools.get(field)
        if p is None:
            p = self.r.sample(STR_POOL, 9)
            self.spools[field] = p
        return p

    def value(self, name, t):
        r = self.r
        if t == S:
            if name == "uuid" or name.endswith("Uuid"):
                return r.choice(self.hex)
            if name in ("status", "state"):
                return r.choice(STATUS_POOL)
            return r.choice(self.pool_for(name))
        if t in (I, L):
            p = INT_POOL.get(name, [0, 1, -1, 7, 100])
            return r.choice(p)
        if t == B:
            return r.random() < 0.5
        if t == T:
            s = r.choice(self.dates)
            x = r.random()
            if x < 0.45:
                return Ts(s * 1000, "gson")
            if x < 0.75:
                return Ts(s * 1000, "ms")
            if x < 0.85:
                return Ts(s * 1000, r.choice(["isoz", "isooff"]))
            # Sub-second parts: see Ts.sec.
            ms = s * 1000 + r.randrange(1, 1000)
            return Ts(ms, r.choice(["ms", "ms", "isoms"]))
        if t == BYTES:
            # Unsigned bytes too (the sample does so); rendered signed.
            return [r.randrange(-128, 256) for _ in range(4)]
        if t == STRLIST:
            return [r.choice(STR_POOL) for _ in range(r.randrange(4))]
        if t == MAP:
            m = {}
            for k in r.sample(["openai", "metrics", "Debug", "<k>"],
                r.randrange(4)):
                m[k] = None if r.random() < 0.2 else \
                    r.choice(STR_POOL)
            return m
        raise ValueError(t)

    def make(self, c):
        r = self.r
        o = {}
        for n, t in CLASSES[c]:
            x = r.random()
            if x < 0.08:
                continue  # absent
            if x < 0.18 and n != "uuid":
                o[n] = None
                continue
            if isinstance(t, tuple):
                if t[0] == "obj":
                    o[n] = self.make(t[1]) \
                        if r.random() < 0.8 else None
                else:
                    nmax = {"instance": 4, "nic": 2,
                        "usedip": 2, "volume": 2,
                        "cdrom": 1, "datasetref": 2}[t[1]]
                    o[n] = [self.make(t[1]) for _ in
                        range(r.randrange(nmax + 1))]
            else:
                o[n] = self.value(n, t)
        if r.random() < 0.1:
            o["zNewer" + c.capitalize()] = r.choice(
                ["n<e>w", 42, None, True, 1.5, -2.25,
                 {"k<": "v=1", "n": [1, -2, None], "z": None},
                 {"f": 0.1, "g": 1500.0, "h": 1e7, "i": 1e-4,
              "j": 123456789.0, "k": 0.001, "l": 12345678.9,
              "m": 1 / 3, "n": -0.0125}])
        if r.random() < 0.3:
            # Input key order must not matter for known fields.
            items = list(o.items())
            r.shuffle(items)
            o = dict(items)
        return o

    def groups(self, n):
        r = self.r
        out = []
        for _ in range(n):
            g = self.make("group")
            g["uuid"] = "%032x" % r.getrandbits(128)
            for kind in ("systemTags", "userTags"):
                if r.random() < 0.6:
                    g[kind] = r.sample(TAG_POOL,
                        r.randrange(4))
            owner = r.choice([ADMIN] + TENANTS + TENANTS)
            shares = [a for a in TENANTS + [NOBODY]
                if a != owner and r.random() < 0.12]
            out.append({"g": g, "owner": owner, "shares": shares,
                "public": r.random() < 0.1})
        return out


def to_input(v, tz):
    if isinstance(v, Ts):
        if v.style == "gson":
            return gson_date(v.sec, tz)
        if v.style == "isoz":
            return datetime.fromtimestamp(v.sec, timezone.utc) \
                .strftime("%Y-%m-%dT%H:%M:%SZ")
        if v.style == "isooff":
            d = local(v.sec, tz).isoformat()
            return d
        if v.style == "isoms":
            return datetime.fromtimestamp(v.sec, timezone.utc) \
                .isoformat()[:19] + ".%03dZ" % (v.ms % 1000)
        return v.ms
    if isinstance(v, dict):
        return {k: to_input(x, tz) for k, x in v.items()}
    if isinstance(v, list):
        return [to_input(x, tz) for x in v]
    return v


# --- the reference: SQLite -------------------------------------------------
class Ref:
    def __init__(self, data, tz):
        self.tz = tz
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.create_collation("zs", zs_collate)
        self.db.create_function("zlike", 2, zlike, deterministic=True)
        self.nextid = 1
        cur = self.db.cursor()
        for c, fs in CLASSES.items():
            cols = ["id INTEGER PRIMARY KEY", "parent INTEGER"]
            for n, t in fs:
                if t == S:
                    cols.append('"%s" TEXT COLLATE zs' % n)
                elif t in SCALARS:
                    cols.append('"%s" INTEGER' % n)
            if c == "group":
                cols += ["owner TEXT", "public INTEGER"]
            cur.execute("CREATE TABLE %s (%s)" % (TABLE[c],
                ", ".join(cols)))
            cur.execute("CREATE INDEX %s_p ON %s(parent)" %
                (TABLE[c], TABLE[c]))
        cur.execute("CREATE TABLE tag (grp INTEGER, kind TEXT, "
            "tag TEXT COLLATE zs)")
        cur.execute("CREATE TABLE share (grp INTEGER, account TEXT)")
        self.groups = {}  # id -> group dict
        for d in data:
            gid = self.insert(cur, d["g"], "group", None,
                {"owner": d["owner"], "public": int(d["public"])})
            self.groups[gid] = d["g"]
            for kind in ("systemTags", "userTags"):
                for tg in d["g"].get(kind) or []:
                    cur.execute("INSERT INTO tag VALUES "
                        "(?,?,?)", (gid, kind, tg))
            for a in d["shares"]:
                cur.execute("INSERT INTO share VALUES (?,?)",
                    (gid, a))
        self.db.commit()
        self.cache = {}

    def insert(self, cur, o, c, parent, extra=None):
        oid = self.nextid
        self.nextid += 1
        cols, vals = ["id", "parent"], [oid, parent]
        for n, t in CLASSES[c]:
            v = o.get(n)
            if t in SCALARS:
                cols.append('"%s"' % n)
                if v is None:
                    vals.append(None)
                elif t == T:
                    vals.append(v.sec)
                elif t == B:
                    vals.append(1 if v else 0)
                else:
                    vals.append(v)
        for k, v in (extra or {}).items():
            cols.append(k)
            vals.append(v)
        cur.execute("INSERT INTO %s (%s) VALUES (%s)" % (TABLE[c],
            ", ".join(cols), ", ".join("?" * len(vals))), vals)
        for n, t in CLASSES[c]:
            v = o.get(n)
            if v is None or not isinstance(t, tuple):
                continue
            for x in ([v] if t[0] == "obj" else v):
                self.insert(cur, x, t[1], oid)
        return oid

    # --- one query ---
    def run(self, account, args):
        """-> ("ok", body) | ("400", text) | ("503", code, desc, what)"""
        try:
            p = parse_params(args)
            conds = [prepare_cond(c, self.tz) for c in p["q"]]
            sort = prepare_sort(p["sort"])
            prepare_window(p)
            only = prepare_fields(p["fields"])
            prepare_filter(p["filter"])
        except Err400 as e:
            return ("400", e.text)
        except Err503 as e:
            return ("503", e.code, e.desc, e.what)
        where, binds = ["1"], []
        if account != ADMIN:
            where.append("(g.owner = ? OR g.public = 1 OR g.id IN "
                "(SELECT grp FROM share WHERE account = ?))")
            binds += [account, account]
        for sql, b in conds:
            where.append(sql)
            binds += b
        wsql = " AND ".join(where)
        cur = self.db.cursor()
        cur.execute("SELECT COUNT(*) FROM grp g WHERE " + wsql, binds)
        total = cur.fetchone()[0]
        if p["count"]:
            return ("ok", '{"schema":{},"total":%d}' % total)
        col, desc = sort
        cur.execute('SELECT g.id FROM grp g WHERE %s ORDER BY g."%s" %s, '
            "g.uuid ASC LIMIT ? OFFSET ?" % (wsql, col,
            "DESC" if desc else "ASC"), binds + [p["limit"], p["start"]])
        ids = [row[0] for row in cur.fetchall()]
        entries, bodies = [], []
        for i, gid in enumerate(ids):
            g = self.groups[gid]
            schema_postorder(g, "group", "inventories[%d]" % i,
                entries, only)
            key = (gid, only)
            b = self.cache.get(key)
            if b is None:
                b = render_obj(g, "group", self.tz, only)
                self.cache[key] = b
            bodies.append(b)
        entries.reverse()
        # Paths and class names hold nothing Gson escapes.
        schema = "{" + ",".join('"%s":"%s"' % kv for kv in entries) + "}"
        out = '{"schema":' + schema
        if p["rwc"]:
            out += ',"total":%d' % total
        return ("ok", out + ',"inventories":[' + ",".join(bodies) + "]}")


class Err400(Exception):
    def __init__(self, text):
        self.text = text


class Err503(Exception):
    def __init__(self, code, what):
        self.code = code
        self.desc = {"SYS.1000": "An internal error happened in system",
            "SYS.1007": "One or more API argument is invalid"}[code]
        self.what = what  # text the details must contain


OPS = ["!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<",
       "is null", "not null"]
OPNAME = {"=": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<=",
          "?=": "in", "!?=": "not in", "~=": "like", "!~=": "not like",
          "is null": "is null", "not null": "is not null"}
NEGATIVE = {"!=": "=", "!?=": "?=", "!~=": "~="}


def parse_limit(name, v):
    v = jtrim(v)
    if not re.fullmatch(r"[+-]?[0-9]+", v) or \
        not -2**31 <= int(v) < 2**31 or int(v) < 0:
        raise Err400("Invalid query parameter. '%s' must be an integer"
            % name)
    return int(v)


def split_cond(text):
    for op in OPS:
        k = text.find(op)
        if k >= 0:
            break
    else:
        raise Err400("Invalid query parameter. The '%s' in the "
            "parameter[q] doesn't contain any query operator. Valid "
            "query operators are [[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, "
            "<, is null, not null]]" % text)
    name = jtrim(text[:k])
    if name == "":
        raise Err400("Invalid query parameter. The '%s' in parameter[q] "
            "is not a key-value pair split by %s" % (text, OPNAME[op]))
    value = None if op in ("is null", "not null") else text[k + len(op):]
    return (name, op, value)


def parse_params(args):
    """API.md §4/10 over already-decoded name=value pairs.  400s: the first
    parameter name by first appearance decides, q values in order."""
    firsts, qs, order = {}, [], []
    for a in args:
        n, _, v = a.partition("=")
        n = jtrim(n)
        if n == "":
            continue
        if n not in order:
            order.append(n)
        if n == "q":
            qs.append(v)
        elif n not in firsts:
            firsts[n] = v
    p = {"q": [], "limit": 1000, "start": 0, "count": False,
         "rwc": False, "sort": None, "fields": None}
    for n in order:
        if n == "q":
            seen = set()
            for v in qs:
                if v not in seen:
                    seen.add(v)
                    p["q"].append(split_cond(v))
        elif n in ("limit", "start"):
            p[n] = parse_limit(n, firsts[n])
    p["count"] = jtrim(firsts.get("count", "")).translate(FOLD) == "true"
    p["rwc"] = jtrim(firsts.get("replyWithCount", "")).translate(FOLD) \
        == "true"
    if "sort" in firsts:
        p["sort"] = jtrim(firsts["sort"])
    if "fields" in firsts:
        p["fields"] = jtrim(firsts["fields"])
    p["filter"] = firsts.get("filterName")
    return p


def parse_literal(t, v, name, tz):
    bad = Err503("SYS.1007", name)
    if t == S:
        return v
    if t in (I, L):
        if not re.fullmatch(r"[+-]?[0-9]+", v):
            raise bad
        x = int(v)
        if not -2**63 <= x < 2**63:
            raise bad
        return x
    if t == B:
        f = v.translate(FOLD)
        if f not in ("true", "false"):
            raise bad
        return 1 if f == "true" else 0
    if t == T:
        m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
            r"(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}))?", v)
        if not m:
            raise bad
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        h, mi, s = (int(m[4]), int(m[5]), int(m[6])) if m[4] else (0, 0, 0)
        try:
            dt = datetime(y, mo, d, h, mi, s, tzinfo=tz)
        except ValueError:
            raise bad
        return int(dt.timestamp())
    raise bad


def prepare_cond(cond, tz):
    """-> (sql, binds) for one parsed condition."""
    name, op, value = cond
    if name in ("__systemTag__", "__userTag__"):
        kind = "systemTags" if name == "__systemTag__" else "userTags"
        if op == "is null":
            return ("0", [])
        if op == "not null":
            return ("g.id IN (SELECT grp FROM tag WHERE kind = ?)",
                [kind])
        pos = NEGATIVE.get(op, op)
        pred, b = predicate("tag", S, pos, value, name, tz)
        sql = "g.id %sIN (SELECT grp FROM tag WHERE kind = ? AND %s)" % (
            "NOT " if op in NEGATIVE else "", pred)
        return (sql, [kind] + b)
    segs = name.split(".")
    c, path = "group", []
    for i, sg in enumerate(segs):
        t = FIELDS[c].get(sg)
        if t is None:
            raise Err503("SYS.1000", name)
        last = i == len(segs) - 1
        if last:
            if t not in SCALARS:
                raise Err503("SYS.1000", name)
        else:
            if not isinstance(t, tuple):
                raise Err503("SYS.1000", name)
            path.append(t[1])
            c = t[1]
    pred, b = predicate('"%s"' % segs[-1] if path else
        'g."%s"' % segs[-1], t, op, value, name, tz)
    # Wrap from the innermost class outwards, as ZStack's builder does.
    for k in range(len(path) - 1, -1, -1):
        pred = "%sid IN (SELECT parent FROM %s WHERE %s)" % (
            "g." if k == 0 else "", TABLE[path[k]], pred)
    return (pred, b)


def predicate(col, t, op, value, name, tz):
    if op == "is null":
        return ("%s IS NULL" % col, [])
    if op == "not null":
        return ("%s IS NOT NULL" % col, [])
    if op in ("~=", "!~="):
        if t != S:
            raise Err503("SYS.1007", name)
        return ("%szlike(?, %s)" % ("NOT " if op == "!~=" else "", col),
            [value])
    if op in ("?=", "!?="):
        # AMBIGUITY: "split on every comma" taken literally: empty
        # items are kept ("a," is ["a", ""]), unlike Java's split().
        items = [parse_literal(t, x, name, tz) for x in value.split(",")]
        return ("%s %sIN (%s)" % (col, "NOT " if op == "!?=" else "",
            ",".join("?" * len(items))), items)
    return ("%s %s ?" % (col, op), [parse_literal(t, value, name, tz)])


def prepare_sort(v):
    if v is None:
        return ("uuid", False)
    m = re.match(r"(\++|-+)?(.*)\Z", v, re.S)
    desc = bool(m[1]) and m[1][0] == "-"
    f = m[2]
    if f not in GROUP_SORTABLE:
        raise Err503("SYS.1000", f if f else "sort")
    return (f, desc)


# API.md §4: start + limit of a sort other than uuid, at most.
SORT_KEEP_MAX = 100000


def prepare_window(p):
    """A sort other than uuid keeps start + limit matches: bounded."""
    if (prepare_sort(p["sort"])[0] != "uuid" and not p["count"]
            and p["limit"] > 0 and p["start"] + p["limit"] > SORT_KEEP_MAX):
        raise Err503("SYS.1007", "start + limit")


def prepare_filter(v):
    """API.md §4: filterName is type:condition; no such types exist."""
    if v is None:
        return
    raise Err503("SYS.1000" if ":" in v else "SYS.1007", "")


def prepare_fields(v):
    if v is None:
        return None
    only = []
    for it in v.split(","):
        it = jtrim(it)
        if it not in FIELDS["group"]:
            raise Err503("SYS.1000", it if it else "fields")
        only.append(it)
    return frozenset(only)


# --- query generator ------------------------------------------------------
class QGen:
    def __init__(self, seed, data, gen):
        self.r = random.Random(seed * 7919 + 1)
        self.data = data
        self.gen = gen
        self.tz = gen.tz

    def str_lit(self, leafname):
        r = self.r
        x = r.random()
        if leafname.endswith("uuid") or leafname.endswith("Uuid"):
            s = r.choice(self.gen.hex)
            return s.upper() if x < 0.2 else s
        if leafname.endswith("status") or leafname.endswith("state"):
            s = r.choice(STATUS_POOL)
        else:
            s = r.choice(self.gen.pool_for(leafname.split(".")[-1])
                if x < 0.8 else STR_POOL)
        if r.random() < 0.3:
            s = "".join(ch.swapcase() if ch.isascii() and
                r.random() < 0.5 else ch for ch in s)
        return s

    def like_pat(self, leafname):
        r = self.r
        s = self.str_lit(leafname)
        out = []
        for ch in s:
            x = r.random()
            if ch in "%_\\":
                out.append("\\" + ch if x < 0.7 else ch)
            elif x < 0.15:
                out.append("_")
            elif x < 0.22:
                out.append("%")
            elif x < 0.27:
                out.append("\\" + ch)
            else:
                out.append(ch)
        p = "".join(out)
        x = r.random()
        if x < 0.3:
            p = p[:r.randrange(len(p) + 1)] + "%"
        elif x < 0.45:
            p = "%" + p[r.randrange(len(p) + 1):]
        elif x < 0.5:
            p += "\\"
        return p

    def lit(self, leafname, t, op):
        r = self.r
        if op in ("?=", "!?="):
            n = r.randrange(1, 4)
            v = ",".join(self.lit(leafname, t, "=") for _ in range(n))
            if r.random() < 0.05:
                v += ","
            return v
        if op in ("~=", "!~="):
            return self.like_pat(leafname)
        if t == S:
            return self.str_lit(leafname)
        if t in (I, L):
            p = INT_POOL.get(leafname.split(".")[-1], [0, 1, -1, 7])
            v = r.choice(p) + r.choice([0, 0, 0, 1, -1])
            v = max(-2**63, min(2**63 - 1, v))
            x = r.random()
            if x < 0.1 and v >= 0:
                return "+%d" % v
            if x < 0.2 and v >= 0:
                return "00%d" % v
            if x < 0.22 and v == 0:
                return "-0"
            return str(v)
        if t == B:
            return r.choice(["true", "false", "TRUE", "False"])
        if t == T:
            s = r.choice(self.gen.dates) + r.choice([0, 0, 0, 1, -1])
            d = local(s, self.tz)
            if r.random() < 0.3:
                return d.strftime("%Y-%m-%d")
            return d.strftime("%Y-%m-%d %H:%M:%S")
        raise ValueError(t)

    def cond(self):
        r = self.r
        x = r.random()
        op = r.choice(OPS)
        if x < 0.08:
            name = r.choice(["__systemTag__", "__userTag__"])
            if op in ("is null", "not null"):
                return "%s %s" % (name, op)
            if op in ("~=", "!~="):
                v = r.choice(TAG_POOL)
                v = v[:r.randrange(len(v) + 1)] + "%"
            elif op in ("?=", "!?="):
                v = ",".join(r.sample(TAG_POOL, r.randrange(1, 3)))
            else:
                v = r.choice(TAG_POOL)
                if r.random() < 0.3:
                    v = v.swapcase()
            return name + op + v
        # Pick the type first: 87 of the 119 leaves are Strings and one
        # is a Boolean.
        t = r.choices([S, I, L, B, T], [40, 15, 15, 10, 20])[0]
        leaf, t, _ = r.choice([lf for lf in LEAVES if lf[1] == t])
        if op in ("~=", "!~=") and t != S and r.random() < 0.85:
            op = r.choice(["=", "!=", "?="])
        if op in ("is null", "not null"):
            sp = r.choice([" ", " ", "  "])
            tail = r.choice(["", "", "", " trailing"])
            return "%s%s%s%s" % (leaf, sp, op, tail)
        nm = leaf
        if r.random() < 0.05:
            nm = r.choice([" ", "\t"]) + leaf + r.choice([" ", "\t"])
        return nm + op + self.lit(leaf, t, op)

    def bad_cond(self):
        r = self.r
        leaf, t, _ = r.choice(LEAVES)
        choice = r.randrange(9)
        if choice == 0:
            return "nosuch=x"
        if choice == 1:
            return leaf + ".x=1"
        if choice == 2:
            return r.choice(["instances", "instances.vm",
                "datasetRefInventories", "supportMetrics",
                "instances.urlMaps",
                "instances.vm.vmNics.usedIps.ipInBinary",
                "instances.vm.allVolumes"]) + r.choice(
                ["=x", " is null", "?=a,b"])
        if choice == 3:
            return leaf[0].upper() + leaf[1:] + "=x" \
                if "." not in leaf else "Instances.name=x"
        if choice == 4:
            return r.choice(["__tagUuid__=x",
                "instances.__systemTag__=x", "systemTags=x",
                "zNewerGroup=x", "instances..name=x"])
        nonstr = [l for l in LEAVES if l[1] != S]
        leaf, t, _ = r.choice(nonstr)
        if choice == 5:
            return leaf + r.choice(["~=", "!~="]) + "1%"
        bad = {I: ["abc", "", " 1", "1.5", "9223372036854775808",
                   "0x10", "1,2"],
               L: ["-9223372036854775809", "x", "1e3"],
               B: ["yes", "1", "", "truee"],
               T: ["2017-13-01", "2017-02-30", "2017-1-1",
                   "2017-11-14 24:00:00", "2017-11-14T10:00:00",
                   "2017-11-14 10:00", "", "yesterday"]}
        vals = bad[I] if t == I else bad[L] + bad[I] if t == L else bad[t]
        op = r.choice(["=", "!=", ">", "<=", "?=", "!?="])
        v = r.choice(vals)
        if op in ("?=", "!?="):
            v = self.lit(leaf, t, "=") + "," + v
        return leaf + op + v

    def get_uuid(self):
        """A uuid for the get route (4% of queries), else None."""
        r = self.r
        if r.random() >= 0.04:
            return None
        u = r.choice(self.data)["g"]["uuid"]
        return r.choice([u, u, u.upper(), u[:31], "%032x" %
            r.getrandbits(128), "not-a-uuid"])

    def query(self):
        r = self.r
        # Each query runs as the admin and as one other account.
        acct = r.choice(TENANTS + [NOBODY])
        args = []
        kind = r.random()
        nq = r.choice([0, 1, 1, 1, 2, 2, 2, 3])
        for _ in range(nq):
            args.append("q=" + self.cond())
        if kind < 0.06:
            args.insert(r.randrange(len(args) + 1),
                "q=" + self.bad_cond())
        elif kind < 0.08:
            args.append("sort=" + r.choice(["instances", "Name",
                "+-name", "", "-", "instances.name", "supportMetrics",
                "zNewerGroup", "nosuch"]))
        elif kind < 0.10:
            args.append("fields=" + r.choice(["uuid,", "", "Name",
                "instances.name", "name,,uuid", "nosuch",
                "zNewerGroup", "uuid , systemTags"]))
            if r.random() < 0.3:
                args.pop()
                args.append("filterName=" + r.choice(["x", "",
                    "a:b", " :", "vm:name=x"]))
        elif kind < 0.115:
            # Several 400s: the first parameter name by first
            # appearance decides, q values in their order (API.md §10).
            args += r.sample(["limit=x", "start=-1", "q=noop",
                "q==x", "limit=1", "start=abc"], r.randrange(2, 4))
            r.shuffle(args)
            return acct, args
        elif kind < 0.125:
            args.append(r.choice(["limit=x", "limit=-1",
                "start=2147483648", "start=1.0", "limit=",
                "limit=-2147483648", "limit=2147483647",
                "start=2147483647", "limit=\u0661", "q",
                "q=naïve\u2028&x+y", "q=  ", "q=\u00a0is null",
                "limit=\t5 ", "=x", "start=+0",
                "q=", "q=noop", "q==abc", "q= is null",
                "q=a", "q=!?=x"]))
        if r.random() < 0.45:
            f = r.choice(GROUP_SORTABLE)
            pre = r.choice(["", "+", "-", "--", "++", " -"])
            args.append("sort=" + pre + f)
        # Limits keep the bodies (and the run time) small.
        if r.random() < 0.6:
            args.append("limit=%s" % r.choice(
                ["0", "1", "2", "3", "5", "10", "+5", "-0", "1000"]))
        if r.random() < 0.25:
            args.append("start=%d" % r.choice([0, 1, 2, 5, 50, 500]))
        x = r.random()
        if x < 0.07:
            args.append("count=" + r.choice(["true", "TRUE",
                " true", "yes"]))
        elif x < 0.17:
            args.append("replyWithCount=" + r.choice(["true",
                "True"]))
        if r.random() < 0.15:
            fs = r.sample([n for n, _ in CLASSES["group"]],
                r.randrange(1, 5))
            args.append("fields=" + ",".join(
                (" %s " % f) if r.random() < 0.1 else f for f in fs))
        if r.random() < 0.03:
            args.append(r.choice(["limit=2", "sortBy=name",
                "foo=bar", " limit =1"]))
        if args and r.random() < 0.03:
            args.append(r.choice(args))  # duplicates
        r.shuffle(args)
        return acct, args


# Queries every run starts with, one per API.md sentence worth pinning down
# whatever the generator draws.
FIXED = [
    [], ["q=instances.status!=Running"], ["q=instances.vm.name is null"],
    ["q=instances.vm.vmNics.usedIps.ip not null"],
    ["q=__systemTag__!=gpu"], ["q=__systemTag__ is null"],
    ["q=__userTag__ not null"], ["q=__userTag__!~=env%"],
    ["q=__systemTag__!?=gpu,z"], ["q=name=ALPHA"], ["q=name=alpha "],
    ["q=name~=al\\_pha"], ["q=name~=%\\"], ["q=name~=_"],
    ["q=description!=alpha"], ["q=name?=alpha,"], ["q=name="],
    ["q=createDate=2019-01-01"], ["q=createDate>=2017-11-14 22:20:57"],
    ["q=instances.vm.allVolumes.isShareable=TRUE"],
    ["q=instances.vm.memorySize<=-9223372036854775808"],
    ["q=instances.nodeRank?=+1,007,-0"], ["sort=description"],
    ["sort=-description"], ["sort=--createDate", "limit=7", "start=3"],
    ["count=true", "replyWithCount=true", "limit=1"],
    ["replyWithCount=true", "limit=0"], ["fields=instances,uuid"],
    ["fields=datasetRefInventories"], ["fields= name ,name"],
    ["limit=2", "limit=x"], ["start=2147483648"], ["q=a", "limit=x"],
    ["limit=x", "q=a"], ["q=name is not null"], ["q= =x"],
    ["q=instances=x"], ["q=instances.vm.vmNics.usedIps.ipInBinary=1"],
    ["q=nodeRank=1"], ["q=instances.nodeRank~=1%"],
    ["q=instances.nodeRank=9223372036854775808"],
    ["q=createDate=2017-02-29"], ["q=__tagUuid__=x"], ["sort=+-name"],
    ["fields=uuid,"], ["filterName=x"], ["filterName=a:b"],
]


def error_sources(args, tz):
    """How many independent 503 errors a query holds: API.md does not
    order them against each other, so such queries are not generated."""
    try:
        p = parse_params(args)
    except Err400:
        return 0
    n = 0
    for c in p["q"]:
        try:
            prepare_cond(c, tz)
        except Err503:
            n += 1
    try:
        prepare_sort(p["sort"])
        prepare_window(p)
    except Err503:
        n += 1
    for f, a in ((prepare_fields, p["fields"]), (prepare_filter, p["filter"])):
        try:
            f(a)
        except Err503:
            n += 1
    return n


# --- running the real thing -----------------------------------------------
def sh(cmd, inp=None):
    r = subprocess.run(cmd, input=inp, capture_output=True)
    if r.returncode != 0:
        sys.exit("FAILED: %s\n%s%s" % (" ".join(cmd),
            r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")))
    return r


def build_store(admin, work, data, tz):
    store = os.path.join(work, "store")
    base = [admin, "-d", store]
    sh(base + ["init"])
    for i, a in enumerate(TENANTS + [NOBODY]):
        sh(base + ["account", "add", a, "--name", "tenant%d" % i])
    # Exercise the three input forms of API.md §9, one per owner group.
    for k, owner in enumerate([ADMIN] + TENANTS):
        gs = [to_input(d["g"], tz) for d in data if d["owner"] == owner]
        path = os.path.join(work, "import%d.json" % k)
        with open(path, "w", encoding="utf-8") as f:
            if k % 3 == 0:
                json.dump({"schema": {}, "total": len(gs),
                    "inventories": gs}, f, ensure_ascii=False)
            elif k % 3 == 1:
                json.dump(gs, f, ensure_ascii=True, indent=1)
            else:
                for g in gs:
                    f.write(json.dumps(g, ensure_ascii=False)
                        + "\n")
        cmd = base + ["import"]
        if owner != ADMIN:
            cmd += ["--owner", owner]
        sh(cmd + [path])
    for d in data:
        for a in d["shares"]:
            sh(base + ["share", d["g"]["uuid"], "--account", a])
        if d["public"]:
            sh(base + ["share", d["g"]["uuid"], "--public"])
    return store


def encode(arg, plus):
    """zsquery-admin query takes each ARG as a raw query-string item
    (form-decoded like the URL), so every byte of the name and value that
    is not unreserved is percent-encoded: '&', '+', '%' reach the service
    as data.  plus: spaces as '+', as HTML forms send them."""
    n, eq, v = arg.partition("=")
    q = quote_plus if plus else quote
    return q(n, safe="") + eq + q(v, safe="")


def run_real(admin, store, acct, args, get):
    plus = len(args) % 2 == 1
    cmd = [admin, "-d", store, "query", "--account", acct]
    if get is not None:
        cmd += ["--uuid", get]
    r = subprocess.run(cmd + [encode(x, plus) for x in args],
        capture_output=True)
    return r.returncode, r.stdout, r.stderr


def compare(exp, rc, out, err):
    """None when equal, else a one-line reason."""
    try:
        got = out.decode("utf-8")
    except UnicodeDecodeError:
        return "output is not UTF-8"
    if got.endswith("\n"):
        got = got[:-1]
    if exp[0] == "ok":
        if rc != 0:
            return "exit status %d, expected 0" % rc
        if got == exp[1]:
            return None
        k = next((i for i in range(min(len(got), len(exp[1])))
            if got[i] != exp[1][i]), min(len(got), len(exp[1])))
        why = "body differs at char %d:\n    expected ...%s...\n    " \
            "got      ...%s..." % (k, exp[1][max(0, k - 80):k + 80],
            got[max(0, k - 80):k + 80])
        try:
            e, g = json.loads(exp[1]), json.loads(got)
            eu = [x.get("uuid") for x in e.get("inventories", [])]
            gu = [x.get("uuid") for x in g.get("inventories", [])]
            if eu != gu:
                why += "; uuids expected %s got %s" % (eu, gu)
            if e.get("total") != g.get("total"):
                why += "; total expected %s got %s" % (
                    e.get("total"), g.get("total"))
        except ValueError:
            why += "; not JSON"
        return why
    if rc == 0:
        return "exit status 0, expected an error"
    # zsquery-admin names the HTTP status on stderr.
    m = re.search(rb"HTTP status ([0-9]+)", err)
    if m is None or m[1].decode() != exp[0]:
        return "status %s, expected %s" % (m[1].decode() if m else "?",
            exp[0])
    if exp[0] == "400":
        return None if got == exp[1] else "400 text differs"
    try:
        e = json.loads(got)["error"]
    except (ValueError, KeyError, TypeError):
        return "error body is not {\"error\":...}"
    if e.get("code") != exp[1] or e.get("description") != exp[2]:
        return "error code/description differ"
    # Details are free text that names the field (API.md §10): accept the
    # whole name or its last path segment.
    d = e.get("details")
    if not isinstance(d, str) or not d:
        return "details missing"
    # Tolerated: the engine's details stop at an embedded NUL (C string),
    # cosmetic only; reported, not failed.
    what = exp[3].split("\x00")[0]
    if what and what not in d and what.split(".")[-1] not in d:
        return "details do not name %r" % exp[3]
    # API.md §7: no HTML escaping in error bodies.
    if re.search(r"\\u00(3c|3e|26|3d|27)", got):
        return "error body is HTML-escaped"
    return None


def show(s, n=300):
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


# --- self-check of the reference, no binary needed ------------------------
def self_check():
    tz = ZoneInfo("Asia/Shanghai")
    ok = [0, 0]

    def check(c, what):
        ok[0 if c else 1] += 1
        if not c:
            print("self-check FAILED:", what)

    check(gson_date(1510669257, tz) == "Nov 14, 2017 10:20:57 PM", "date")
    check(gson_date(int(datetime(2019, 1, 1, 0, 5, 0, tzinfo=tz)
        .timestamp()), tz) == "Jan 1, 2019 12:05:00 AM", "midnight")
    check(gson_date(int(datetime(2019, 1, 1, 12, 0, 0, tzinfo=tz)
        .timestamp()), tz) == "Jan 1, 2019 12:00:00 PM", "noon")
    check(gson_str("<a>&='\"\\\b\t\n\f\r\x01\x1f\x7f\u2028\u2029é🙂")
        == '"\\u003ca\\u003e\\u0026\\u003d\\u0027\\"\\\\\\b\\t\\n\\f\\r'
        '\\u0001\\u001f\x7f\\u2028\\u2029é🙂"', "escape")
    check(zs_collate("ABC", "abc") == 0, "fold")
    check(zs_collate("É", "é") != 0, "no non-ASCII fold")
    check(zs_collate("_", "a") < 0 and zs_collate("[", "A") < 0 and
        zs_collate("^", "b") < 0, "punctuation before letters")
    check(zs_collate("a ", "a") > 0, "trailing space counts")
    # UTF-8 byte order, not UTF-16: U+FF21 sorts before U+1F642.
    check(zs_collate("\uff21", "🙂") < 0, "UTF-8 order")
    check(zs_collate("\u212a", "k") != 0, "Kelvin sign is not k")
    check(zlike("a_c", "AbC") == 1 and zlike("a\\_c", "abc") == 0 and
        zlike("a\\_c", "a_c") == 1, "like _")
    check(zlike("%\\%", "50%") == 1 and zlike("%\\%", "50") == 0, "like %")
    check(zlike("a\\", "a\\") == 1 and zlike("\\q", "q") == 1, "like \\")
    check(zlike("_", "🙂") == 1 and zlike("__", "🙂") == 0, "code point")
    check(zlike("a%", None) is None, "like null")
    check(split_cond("name=a!=b") == ("name=a", "!=", "b"), "op order")
    check(split_cond(" name is nullxyz") == ("name", "is null", None),
        "is null tail")
    check(split_cond("a is not null") == ("a is", "not null", None),
        "is not null quirk")
    try:
        split_cond("=a=b")
        check(False, "empty name")
    except Err400 as e:
        check(e.text.endswith("split by ="), "400 text")
    try:
        split_cond("x?")
        check(False, "no op")
    except Err400:
        check(True, "")
    check(prepare_sort("--name") == ("name", True) and
        prepare_sort("++name") == ("name", False), "sort prefix")
    for bad in ("+-name", "", "-", "instances"):
        try:
            prepare_sort(bad)
            check(False, "sort %r" % bad)
        except Err503:
            check(True, "")
    check(parse_literal(I, "-0", "x", tz) == 0 and
        parse_literal(L, "0009", "x", tz) == 9, "int literal")
    check(parse_literal(T, "2017-11-14 22:20:57", "x", tz) == 1510669257,
        "ts literal")
    check(parse_literal(B, "TrUe", "x", tz) == 1, "bool literal")
    for t, v in ((I, "9223372036854775808"), (I, " 1"), (T, "2017-02-29"),
        (T, "2017-11-14 10:00"), (B, "1")):
        try:
            parse_literal(t, v, "x", tz)
            check(False, "literal %r" % v)
        except Err503:
            check(True, "")
    # Schema order: last inventory first, parents before children,
    # siblings last-first; datasetRefs and non-objects get no entry.
    g = {"uuid": "u", "instances": [{"vm": {"vmNics": [{}, {}]}}, {}],
         "datasetRefInventories": [{}]}
    out = []
    schema_postorder(g, "group", "inventories[0]", out)
    out.reverse()
    check([p for p, _ in out] == ["inventories[0]",
        "inventories[0].instances[1]", "inventories[0].instances[0]",
        "inventories[0].instances[0].vm",
        "inventories[0].instances[0].vm.vmNics[1]",
        "inventories[0].instances[0].vm.vmNics[0]"], "schema order")
    r = render_obj({"zz": 1, "name": "n", "uuid": "u", "instances": [],
        "description": None, "supportMetrics": ["<"],
        "systemTags": ["t"]}, "group", tz)
    check(r == '{"uuid":"u","instances":[],"name":"n","supportMetrics":'
        '["\\u003c"],"zz":1}', "render " + r)
    for d, want in ((0.1, "0.1"), (1500.0, "1500.0"), (1e7, "1.0E7"),
        (1e-4, "1.0E-4"), (0.001, "0.001"), (123456789.0, "1.23456789E8"),
        (1 / 3, "0.3333333333333333"), (-2.25, "-2.25"),
        (9999999.0, "9999999.0"), (1.5e300, "1.5E300"), (-0.0, "-0.0"),
        (1.25e-4, "1.25E-4"), (0.0123, "0.0123"), (1.0, "1.0"),
        (12345678.9, "1.23456789E7"), (100.0, "100.0")):
        check(java_double(d) == want, "double %r: %s" % (d,
            java_double(d)))
    r = render_obj({"ipInBinary": [253, -84, 0]}, "usedip", tz)
    check(r == '{"ipInBinary":[-3,-84,0]}', "bytes")
    print("reference self-check: %d passed, %d failed" % tuple(ok))
    return ok[1] == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--self-check", action="store_true")
    ap.add_argument("--admin")
    ap.add_argument("--work")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--groups", type=int, default=150)
    ap.add_argument("--queries", type=int, default=2500)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--show", type=int, default=5)
    a = ap.parse_args()
    if a.self_check:
        return 0 if self_check() else 1
    if not a.admin or not a.work:
        ap.error("--admin and --work are required")
    tz = ZoneInfo(os.environ.get("TZ", "UTC").lstrip(":"))
    gen = Gen(a.seed, tz)
    data = gen.groups(a.groups)
    ref = Ref(data, tz)
    store = build_store(a.admin, a.work, data, tz)
    qg = QGen(a.seed, data, gen)
    queries = []
    fixed = [(TENANTS[i % len(TENANTS)], f) for i, f in enumerate(FIXED)]
    while len(queries) < a.queries:
        tenant, args = fixed.pop(0) if fixed else qg.query()
        get = qg.get_uuid()
        if get is None and error_sources(args, tz) > 1:
            continue
        for acct in (ADMIN, tenant):
            if get is not None:
                # API.md §1: the get route is the condition
                # uuid={uuid}, every parameter ignored.
                exp = ref.run(acct, ["q=uuid=" + get])
            else:
                exp = ref.run(acct, args)
            queries.append((acct, args, get, exp))
    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(lambda q: run_real(a.admin, store, q[0],
            q[1], q[2]), queries))
    npass = nfail = 0
    cats = {}
    for (acct, args, get, exp), (rc, out, err) in zip(queries, results):
        why = compare(exp, rc, out, err)
        if why is None:
            npass += 1
            continue
        nfail += 1
        cat = re.sub(r"[0-9]+", "N", why.split(":")[0].split(";")[0])
        cats[cat] = cats.get(cat, 0) + 1
        if nfail <= a.show:
            print("MISMATCH: %s" % why)
            print("  account:  %s" % acct)
            if get is not None:
                print("  get:      %s" % get)
            print("  args:     %s" % json.dumps(args,
                ensure_ascii=False))
            print("  expected: %s" % show(exp[1] if exp[0] != "503"
                else "503 %s %s (details naming %r)" % exp[1:]))
            print("  got (exit %d): %s %s" % (rc, show(out.decode(
                "utf-8", "replace")), show(err.decode("utf-8",
                "replace"), 300)))
    kinds = {}
    for _, _, _, exp in queries:
        kinds[exp[0]] = kinds.get(exp[0], 0) + 1
    print("queries by expected outcome: %s" % ", ".join(
        "%s %d" % kv for kv in sorted(kinds.items())))
    for cat, n in sorted(cats.items()):
        print("mismatches: %d x %s" % (n, cat))
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
