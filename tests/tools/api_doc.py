#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""api_doc.py - run every example of docs/API.md and compare the replies.

    api_doc.py [--show] API.md BASE-URL

An example is a ```sh block holding one curl command (continued over lines
with a backslash), followed by a ```http block with the reply: the status
line, the headers that matter, a blank line and the body.  The command is
run as written, with the demo's address (http://127.0.0.1:8080) replaced
by BASE-URL, and must be answered with:

  * the same status line;
  * every header shown, with the same value (others may come too: Date,
    Server, Content-Length, Connection, ...);
  * the same body: byte for byte when the block shows it on one line (or
    shows none), else the same JSON value with the same key order (a body
    laid out over several lines for reading).

Prints "N passed, N failed" last; exits 1 on any failure, 99 when the
document holds no example or a malformed one.  --show prints each reply
as the document would show it (all headers), for writing examples.
"""
import json
import re
import shlex
import subprocess
import sys

DEMO = 'http://127.0.0.1:8080'


def examples(text):
    """(line number, command, expected block) for each example."""
    blocks = []
    for m in re.finditer(r'^```(\w*)\n(.*?)^```$', text, re.M | re.S):
        line = text.count('\n', 0, m.start()) + 1
        blocks.append((line, m.group(1), m.group(2)))
    out = []
    for i, (line, lang, body) in enumerate(blocks):
        if lang != 'sh' or not body.lstrip().startswith('curl '):
            continue
        if i + 1 >= len(blocks) or blocks[i + 1][1] != 'http':
            raise ValueError('line %d: a curl example without an ```http '
                             'reply after it' % line)
        cmd = body.replace('\\\n', ' ').strip()
        if '\n' in cmd:
            raise ValueError('line %d: one curl command per example' % line)
        out.append((line, cmd, blocks[i + 1][2]))
    return out


def parse_reply(raw):
    """(status line, [(name, value)], body) of a reply as text."""
    head, sep, body = raw.partition('\n\n')
    lines = head.split('\n')
    headers = []
    for h in lines[1:]:
        name, _, value = h.partition(':')
        headers.append((name.strip(), value.strip()))
    return lines[0].strip(), headers, body


def run(cmd, base):
    args = [a.replace(DEMO, base) for a in shlex.split(cmd)]
    if args[0] != 'curl' or not any(re.fullmatch(r'-\w*[iI]\w*', a)
                                    for a in args):
        raise ValueError('not a curl -i command: %s' % cmd)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if p.returncode != 0:
        raise RuntimeError('curl exit %d: %s' % (p.returncode,
                                                  p.stderr.decode()))
    raw = p.stdout.decode('utf-8', 'replace').replace('\r\n', '\n')
    # curl -i prints the head as received: CRLF lines, then the body.
    head, _, body = raw.partition('\n\n')
    return head, body


def same_body(got, want):
    if '\n' not in want.rstrip('\n'):
        return got == want.rstrip('\n')
    pairs = lambda s: json.loads(s, object_pairs_hook=lambda kv: kv)
    try:
        return pairs(got) == pairs(want)
    except ValueError:
        return False


def main():
    show = sys.argv[1] == '--show'
    doc, base = sys.argv[2:4] if show else sys.argv[1:3]
    text = open(doc, encoding='utf-8').read()
    try:
        todo = examples(text)
    except ValueError as e:
        print('%s: %s' % (doc, e))
        return 99
    if not todo:
        print('%s: no examples' % doc)
        return 99
    passed = failed = 0
    for line, cmd, want in todo:
        try:
            head, body = run(cmd, base)
        except (ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
            print('FAIL: line %d: %s' % (line, e))
            failed += 1
            continue
        if show:
            print('line %d: %s\n%s\n\n%s\n' % (line, cmd, head, body))
            continue
        status, headers, _ = parse_reply(head + '\n\n')
        wstatus, wheaders, wbody = parse_reply(want)
        got_h = {n.lower(): v for n, v in headers}
        why = []
        if status != wstatus:
            why.append('status %r, documented %r' % (status, wstatus))
        for n, v in wheaders:
            if got_h.get(n.lower()) != v:
                why.append('header %s: %r, documented %r'
                           % (n, got_h.get(n.lower()), v))
        if not same_body(body, wbody):
            why.append('body\n    got:        %r\n    documented: %r'
                       % (body[:600], wbody[:600]))
        if why:
            failed += 1
            print('FAIL: line %d: %s\n  %s' % (line, cmd, '\n  '.join(why)))
        else:
            passed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
