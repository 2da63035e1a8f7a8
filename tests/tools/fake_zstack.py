#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fake_zstack.py - a stand-in for a ZStack management node, for the sync
tests and benchmarks (Python standard library only).

Usage: fake_zstack.py DIR PORTFILE [--tls CERT KEY]

Serves, on 127.0.0.1 (a free port, written to PORTFILE once listening),
the query APIs zsquery-admin sync reads, from the dataset in DIR:

  GET /zstack/v1/ai/model-services/instances/groups  DIR/groups.jsonl
  GET /zstack/v1/accounts                            DIR/accounts.json
  GET /zstack/v1/accounts/resources/refs             DIR/refs.json
  GET /zstack/v1/accounts/resources                  DIR/shares.json
  GET /zstack/v1/system-tags                         DIR/system-tags.json
  GET /zstack/v1/user-tags                           DIR/user-tags.json

groups.jsonl holds one group per line, served byte for byte as written
(as ZStack's Gson would send the same group twice); the .json files hold
a JSON array of inventories (AccountInventory, AccountResourceRefInventory,
SharedResourceInventory, SystemTagInventory/UserTagInventory).  A missing
file is an empty list.  DIR/session holds the one admin session id that is
valid.

ZStack's REST conventions, as far as sync uses them:
  - "Authorization: OAuth <session>"; a missing or unknown session is 503
    with {"error":{"code":"ID.1001",...}} (a missing header: 400 text);
  - q=<field><op><value>, repeatable, ANDed; ops = != > < >= <= (strings
    compare as strings, as uuids do in MySQL); sort=[+|-]field (default:
    no particular order: the file's); limit (default 1000), start;
    replyWithCount=true adds "total";
  - a reply is {"inventories":[...]} (with "total" first when asked);
  - an unknown path under /zstack/v1/ is 404 text.

Control (not ZStack's; plain HTTP on the same port, no session needed):
  POST /_fake/reload          re-read DIR
  POST /_fake/misbehave?mode=M&path=P[&after=N][&times=K][&delay=S]
        the next K (default 1; -1: forever) requests whose path contains P
        (after skipping N of them) misbehave:
          500       HTTP 500 with a SYS.1000 error body
          id1001    HTTP 503 with ID.1001 (an expired admin session)
          slow      answer after S seconds (default 5)
          cut       announce the full Content-Length, send half, close
          badjson   200 with a body that is not JSON
          empty     200 {"inventories":[]}
          fat       200, the page with 1 MiB of spaces before its end
          miscount  lists: "total" one more than the list holds
          disorder  groups: ignore q (the first page again, against the
                    keyset); lists: the page's rows reversed
          zero      200 {"total":0,"inventories":[]}: an empty list that
                    says so
          negative  200 {"total":-5,"inventories":[]}
          endless   a full page every time, no "total": groups with
                    uuids rising past q's, list rows of 5 KB tags
          endlesstotal  the same, "total" 1000000000
          gzip      a gzip bomb: 64 KiB on the wire, 64 MiB of JSON
                    (Content-Encoding: gzip)
          chunked   200, a chunked body that never ends (stopped after
                    60 s or 4 GiB)
          bigrecord groups: the page and a group whose name is 65 MiB
  POST /_fake/reset           no more misbehaviour, forget the request log
  GET  /_fake/log             every API request so far, one path a line
"""

import bisect
import gzip
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GROUPS = "/zstack/v1/ai/model-services/instances/groups"
LISTS = {
    "/zstack/v1/accounts": "accounts.json",
    "/zstack/v1/accounts/resources/refs": "refs.json",
    "/zstack/v1/accounts/resources": "shares.json",
    "/zstack/v1/system-tags": "system-tags.json",
    "/zstack/v1/user-tags": "user-tags.json",
}
OPS = ("!=", ">=", "<=", "=", ">", "<")
ID1001 = {"code": "ID.1001",
          "description": "The session is invalid, either wrong session id "
                         "or the session has been expired",
          "details": "Session expired"}
SYS1000 = {"code": "SYS.1000",
           "description": "An internal error happened in system",
           "details": "fake_zstack: injected failure"}
UUID_AT_START = re.compile(rb'^\{"uuid":"([0-9a-f]{32})"')
BOMB = []   # the gzip bomb, made once


def gzip_bomb():
    """64 MiB of JSON (a valid envelope padded with spaces), gzipped."""
    if not BOMB:
        z = gzip.compress(b'{"total":1,"inventories":[' + b" " * (64 << 20) +
                          b"]}", 9)
        BOMB.append(z)
    return BOMB[0]


def endless_page(route, qs, limit, total):
    """A full page of made-up rows: groups above q's uuid, or tags."""
    if route == GROUPS:
        last = 0
        for c in qs.get("q", []):
            if c.startswith("uuid>"):
                last = int(c[5:], 16)
        rows = [b'{"uuid":"%032x","name":"endless"}' % (last + 1 + i)
                for i in range(limit)]
        # What is left from here on: the count goes down page by page.
        head = b'{"total":%d,' % (total - last) if total else b"{"
        return head + b'"inventories":[' + b",".join(rows) + b"]}"
    start = int(qs.get("start", ["0"])[0])
    rows = [{"uuid": "%032x" % (start + i), "resourceUuid": "%032x" % i,
             "resourceType": "ModelServiceInstanceGroupVO",
             "accountUuid": "%032x" % i, "receiverAccountUuid": "%032x" % i,
             "tag": "t" * 5000} for i in range(limit)]
    out = {"total": total} if total else {}
    out["inventories"] = rows
    return json.dumps(out).encode()


class Data:
    def __init__(self, d):
        self.dir = d
        self.lock = threading.Lock()
        self.load()

    def load(self):
        groups = []
        path = os.path.join(self.dir, "groups.jsonl")
        if os.path.exists(path):
            with open(path, "rb") as f:
                for line in f:
                    line = line.rstrip(b"\r\n")
                    if not line.strip():
                        continue
                    m = UUID_AT_START.match(line)
                    u = m.group(1).decode() if m else \
                        json.loads(line)["uuid"]
                    groups.append((u, line))
        groups.sort(key=lambda g: g[0])
        lists = {}
        for route, name in LISTS.items():
            p = os.path.join(self.dir, name)
            lists[route] = json.load(open(p)) if os.path.exists(p) else []
        p = os.path.join(self.dir, "session")
        session = open(p).read().strip() if os.path.exists(p) else None
        with self.lock:
            self.groups = groups
            self.keys = [g[0] for g in groups]
            self.lists = lists
            self.session = session


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []

    def add(self, mode, path, after, times, delay):
        with self.lock:
            self.rules.append({"mode": mode, "path": path, "after": after,
                               "times": times, "delay": delay})

    def reset(self):
        with self.lock:
            self.rules = []
            self.log = []

    def take(self, path):
        """The misbehaviour for this request, or None; logs the request."""
        with self.lock:
            self.log.append(path)
            for r in self.rules:
                if r["path"] not in path or r["times"] == 0:
                    continue
                if r["after"] > 0:
                    r["after"] -= 1
                    continue
                if r["times"] > 0:
                    r["times"] -= 1
                return r
        return None


def parse_conds(qs):
    conds = []
    for c in qs.get("q", []):
        for op in OPS:
            i = c.find(op)
            if i >= 0:
                conds.append((c[:i].strip(), op, c[i + len(op):]))
                break
        else:
            raise ValueError("no operator in %r" % c)
    return conds


def match(value, op, want):
    if value is None:
        return False
    v = value if isinstance(value, str) else json.dumps(value)
    return {"=": v == want, "!=": v != want, ">": v > want, "<": v < want,
            ">=": v >= want, "<=": v <= want}[op]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_zstack"
    # Headers and body go out in two writes: without this, Nagle's
    # algorithm and delayed ACKs hold every kept-alive reply for 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, err):
        self.reply(status, json.dumps({"error": err}).encode())

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        qs = urllib.parse.parse_qs(u.query)
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        srv = self.server
        if u.path == "/_fake/reload":
            srv.data.load()
        elif u.path == "/_fake/reset":
            srv.faults.reset()
        elif u.path == "/_fake/misbehave":
            srv.faults.add(qs["mode"][0], qs.get("path", [""])[0],
                           int(qs.get("after", ["0"])[0]),
                           int(qs.get("times", ["1"])[0]),
                           float(qs.get("delay", ["5"])[0]))
        else:
            return self.reply(404, b"no such control\n", "text/plain")
        self.reply(200, b"ok\n", "text/plain")

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        srv = self.server
        if u.path == "/_fake/log":
            with srv.faults.lock:
                body = "".join(p + "\n" for p in srv.faults.log)
            return self.reply(200, body.encode(), "text/plain")
        if not u.path.startswith("/zstack/v1/"):
            return self.reply(404, b"not found\n", "text/plain")
        route = u.path.rstrip("/")
        if route != GROUPS and route not in LISTS:
            return self.reply(404, ("no api mapping to %s" %
                                    u.path[len("/zstack"):]).encode(),
                              "text/plain; charset=utf-8")
        fault = srv.faults.take(self.path)
        auth = self.headers.get("Authorization")
        if auth is None:
            return self.reply(400, b"missing header 'Authorization'",
                              "text/plain; charset=utf-8")
        data = srv.data
        if auth.strip() != "OAuth %s" % data.session or data.session is None:
            return self.error(503, ID1001)
        mode = fault["mode"] if fault else None
        if mode == "500":
            return self.error(500, SYS1000)
        if mode == "id1001":
            return self.error(503, ID1001)
        if mode == "slow":
            time.sleep(fault["delay"])
        if mode == "badjson":
            return self.reply(200, b'{"inventories":[not json]}')
        if mode == "empty":
            return self.reply(200, b'{"inventories":[]}')
        if mode == "zero":
            return self.reply(200, b'{"total":0,"inventories":[]}')
        if mode == "negative":
            return self.reply(200, b'{"total":-5,"inventories":[]}')
        if mode == "gzip":
            body = gzip_bomb()
            self.send_response(200)
            self.send_header("Content-Type",
                             "application/json; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "chunked":
            return self.chunked_forever()
        qs = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        if mode in ("endless", "endlesstotal"):
            return self.reply(200, endless_page(
                route, qs, int(qs.get("limit", ["1000"])[0]),
                10 ** 9 if mode == "endlesstotal" else 0))
        try:
            conds = [] if mode == "disorder" and route == GROUPS else \
                parse_conds(qs)
            limit = int(qs.get("limit", ["1000"])[0])
            start = int(qs.get("start", ["0"])[0])
        except ValueError as e:
            return self.reply(400, str(e).encode(), "text/plain")
        if route == GROUPS:
            body = self.groups_page(data, conds, qs, limit, start)
        else:
            body = self.list_page(data, route, conds, qs, limit, start,
                                  mode == "disorder", mode == "miscount")
        if mode == "fat":
            body = body[:-1] + b" " * (1 << 20) + body[-1:]
        if mode == "bigrecord" and route == GROUPS:
            big = b'{"uuid":"ffffffffffffffffffffffffffffff7f","name":"' + \
                b"x" * (65 << 20) + b'"}'
            i = body.rindex(b"]")
            body = body[:i] + (b"," if body[i - 1:i] != b"[" else b"") + \
                big + body[i:]
        if mode == "cut":
            self.send_response(200)
            self.send_header("Content-Type",
                             "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.reply(200, body)

    def chunked_forever(self):
        """A 200 whose chunked body never ends: until the client leaves,
        60 s pass or 4 GiB were sent (the fake's own bounds)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b'{"inventories":[' + b" " * (1 << 20)
        end = time.monotonic() + 60
        sent = 0
        try:
            while time.monotonic() < end and sent < (4 << 30):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                chunk = b" " * (1 << 20)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def groups_page(self, data, conds, qs, limit, start):
        with data.lock:
            groups, keys = data.groups, data.keys
        lo = 0
        rows = None
        for f, op, v in conds:
            if f == "uuid" and op == ">" and rows is None:
                lo = bisect.bisect_right(keys, v)
            else:
                # Anything else sync does not ask for: filter by parsing.
                rows = [g for g in (rows or groups[lo:])
                        if match(json.loads(g[1]).get(f), op, v)]
        sort = qs.get("sort", [""])[0]
        if rows is None:
            rows = groups[lo:]
        if sort.lstrip("+-") not in ("", "uuid"):
            rows = sorted(rows, key=lambda g: json.loads(g[1]).get(
                sort.lstrip("+-")) or "")
        if sort.startswith("-"):
            rows = rows[::-1]
        page = rows[start:start + limit]
        head = b'{"total":%d,' % len(rows) if \
            qs.get("replyWithCount", [""])[0] == "true" else b"{"
        return head + b'"inventories":[' + \
            b",".join(g[1] for g in page) + b"]}"

    def list_page(self, data, route, conds, qs, limit, start, reverse,
                  miscount):
        with data.lock:
            rows = data.lists[route]
        rows = [r for r in rows if all(match(r.get(f), op, v)
                                       for f, op, v in conds)]
        sort = qs.get("sort", [""])[0]
        field = sort.lstrip("+-")
        if field:
            rows = sorted(rows, key=lambda r: str(r.get(field)))
            if sort.startswith("-"):
                rows = rows[::-1]
        page = rows[start:start + limit]
        if reverse:
            page = page[::-1]
        out = {}
        if qs.get("replyWithCount", [""])[0] == "true":
            out["total"] = len(rows) + miscount
        out["inventories"] = page
        return json.dumps(out).encode()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out and left: expected in the slow tests.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    if len(sys.argv) not in (3, 6) or \
            (len(sys.argv) == 6 and sys.argv[3] != "--tls"):
        sys.exit("usage: fake_zstack.py DIR PORTFILE [--tls CERT KEY]")
    srv = Server(("127.0.0.1", 0), Handler)
    srv.data = Data(sys.argv[1])
    srv.faults = Faults()
    if len(sys.argv) == 6:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[2])
    srv.serve_forever()


if __name__ == "__main__":
    main()
