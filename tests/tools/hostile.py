#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hostile.py - send the hostile-client corpus to nginx and judge every answer.

Usage: hostile.py HOST PORT SID CORPUS

CORPUS holds one request a line (see the head of tests/data/hostile/requests.txt
for the format).  Each request goes on its own TCP connection; replies are
parsed (Content-Length, chunked or to the close) and must be an API.md reply
(200/304 JSON, 400/404/405 text, 503 JSON error, 405 with Allow: GET) or
one of nginx's own 4xx pages; never another 5xx, never silence where an
answer is due.  Prints one line per failure and a summary: requests sent,
answers by status.  Exits 1 when any request failed.
"""

import concurrent.futures
import re
import socket
import sys
import time

JSON_CT = "application/json; charset=utf-8"
TEXT_CT = "text/plain; charset=utf-8"
API = "/zstack/v1/ai/model-services/instances/groups"
GROUP = "d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60"
TIMEOUT = 20            # a reply slower than this is a hang
SLOW_PAUSE = 0.02       # between the pieces a slow sender trickles
SLOW_MAX = 200          # pieces at most: bounds a slow request to ~4 s


def expand(text, sid):
    """Macros, then backslash escapes; returns bytes."""
    def rep(m):
        return m.group(2) * int(m.group(1))
    text = (text.replace("${SID}", sid).replace("${API}", API)
            .replace("${G}", GROUP))
    text = re.sub(r"\$\{rep:(\d+):([^}]*)\}", rep, text)
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(
                n, n.encode())
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def request_bytes(kind, payload, sid):
    if kind in ("get", "anon"):
        auth = "Authorization: OAuth ${SID}\r\n" if kind == "get" else ""
        return expand("GET " + payload + " HTTP/1.1\r\nHost: localhost\r\n" +
                      auth + "Connection: close\r\n\r\n", sid)
    return expand(payload, sid)


def parse(data, head_only):
    """Replies in data: [(status, headers dict, body)]; raises on garbage."""
    replies = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            raise ValueError("truncated header: %r" % data[:80])
        lines = data[:end].decode("latin-1").split("\r\n")
        data = data[end + 4:]
        m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0] + " ")
        if not m:
            raise ValueError("bad status line %r" % lines[0])
        status = int(m.group(1))
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs.setdefault(k.strip().lower(), v.strip())
        if head_only or status == 304:
            body = b""
        elif "content-length" in hdrs:
            n = int(hdrs["content-length"])
            body, data = data[:n], data[n:]
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                e = data.find(b"\r\n")
                n = int(data[:e].split(b";")[0], 16)
                body += data[e + 2:e + 2 + n]
                data = data[e + 2 + n + 2:]
                if n == 0:
                    break
        else:
            body, data = data, b""
        replies.append((status, hdrs, body))
    return replies


def judge(status, hdrs, body, expect):
    """None when the reply is allowed, else why not."""
    ct = hdrs.get("content-type", "")
    nginx_page = ct == "text/html" and b"nginx" in body
    if status == 200:
        return None if ct == JSON_CT and body.startswith(b"{") else \
            "200 with %r" % ct
    if status == 304:
        return None
    if status == 503:
        ok = ct == JSON_CT and body.startswith(b'{"error":{"code":"')
        return None if ok else "503 that is not an API.md error: %r" % body[:80]
    if status in (400, 404, 405) and ct == TEXT_CT:
        if status == 405 and hdrs.get("allow") != "GET":
            return "405 without Allow: GET"
        return None
    if 400 <= status < 500 and (nginx_page or not body):
        return None     # nginx's own 4xx (an empty body answers HEAD)
    if expect in ("301", "505") and str(status) == expect and nginx_page:
        return None     # nginx's own, named in the corpus (see there)
    return "%d %r %r" % (status, ct, body[:80])


def send(line, sid, host, port):
    """Returns (requests sent, line, [statuses], failure or None)."""
    kind, expect, payload = (line.split(" ", 2) + ["", ""])[:3]
    data = request_bytes(kind, payload, sid)
    nreq = 1
    if kind in ("pipe", "slow"):
        nreq = max(1, data.count(b"\r\n\r\n"))
    head = data.startswith(b"HEAD ")
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    try:
        if kind == "slow":
            step = max(1, len(data) // SLOW_MAX)
            for j in range(0, len(data), step):
                s.sendall(data[j:j + step])
                time.sleep(SLOW_PAUSE)
        else:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass        # nginx may refuse the rest of a huge request
        if kind == "cut":
            return nreq, line, [], None
        got = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                return nreq, line, [], "no answer within %d s" % TIMEOUT
            if not b:
                break
            got += b
    finally:
        s.close()
    if expect == "0.9":
        # HTTP/0.9: no status line, the body alone; never a gateway error.
        if not got or got.startswith(b"HTTP/") or b"Bad Gateway" in got \
                or b"Gateway Time" in got:
            return nreq, line, [], "HTTP/0.9 answer %r" % got[:80]
        return nreq, line, ["0.9"], None
    try:
        replies = parse(got, head)
    except (ValueError, IndexError) as e:
        return nreq, line, [], "unparsable answer: %s" % e
    sts = [r[0] for r in replies]
    if not replies:
        return nreq, line, sts, "no answer"
    for st, hdrs, body in replies:
        why = judge(st, hdrs, body, expect)
        if why:
            return nreq, line, sts, why
        if expect != "*" and not re.fullmatch(expect.replace("x", r"\d"),
                                              str(st)):
            return nreq, line, sts, "status %d, want %s" % (st, expect)
    if len(replies) != nreq:
        return nreq, line, sts, "%d answers to %d requests" % (
            len(replies), nreq)
    return nreq, line, sts, None


def main():
    host, port, sid, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    lines = [ln.rstrip("\n") for ln in open(corpus, encoding="utf-8")]
    lines = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    by_status = {}
    failed = sent = 0
    # A few at a time, so slow senders overlap; the pool has 3 workers.
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futs = [ex.submit(send, ln, sid, host, port)
                for ln in lines]
        for i, f in enumerate(futs):
            nreq, line, sts, why = f.result()
            sent += nreq
            if not sts:
                by_status["none"] = by_status.get("none", 0) + 1
            for st in sts:
                by_status[st] = by_status.get(st, 0) + 1
            if why:
                failed += 1
                print("FAIL: #%d %s: %s" % (i + 1, line[:120], why))
    print("requests sent: %d (%d connections), failed: %d" % (sent,
          len(lines), failed))
    print("answers by status: " + ", ".join(
        "%s: %d" % (k, by_status[k]) for k in sorted(by_status, key=str)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
