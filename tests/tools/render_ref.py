#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""render_ref.py - an independent model of API.md §6/8 rendering, used to make
tests/data/golden/render_*.json without the C renderer.

It reads the field order from ZStack's original contract, SPEC.md section 8
(not in this repository; docs/API.md §8 states the same order), not from
schema.c,
applies Gson's html-safe escaping and the Java 8 date format in the given
zone, and prints one rendered group per line:

    python3 tests/tools/render_ref.py tests/data/sample.json Asia/Shanghai \\
        path/to/SPEC.md
"""
import datetime as dt
import json
import re
import sys
from zoneinfo import ZoneInfo

CHILD = {'instances': 'instance', 'vm': 'vm', 'vmNics': 'vmNics',
         'usedIps': 'usedIps', 'allVolumes': 'allVolumes',
         'vmCdRoms': 'vmCdRoms',
         'datasetRefInventories': 'datasetRefInventories'}
DATES = {'createDate', 'lastOpDate', 'lastDetachDate', 'lastAttachDate'}
MON = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()
SHORT = {'\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r'}


def classes_from_spec(text):
    sec = text[text.index('## 8. Inventory'):text.index('## 9.')]
    out = {}
    pat = r'\* \*\*(\w+)\*\*[^:]*: (.*?)(?=\n\* \*\*|\n\nEverything)'
    for m in re.finditer(pat, sec, re.S):
        out[m.group(1)] = re.findall(r'`(\w+)`', m.group(2))
    return out


def esc(s):
    o = '"'
    for ch in s:
        c = ord(ch)
        if ch == '"':
            o += '\\"'
        elif ch == '\\':
            o += '\\\\'
        elif ch in SHORT:
            o += SHORT[ch]
        elif c < 0x20 or ch in '<>&=\'' or c in (0x2028, 0x2029):
            o += '\\u%04x' % c
        else:
            o += ch
    return o + '"'


def parse_date(v, tz):
    if isinstance(v, int):
        return dt.datetime.fromtimestamp(v // 1000, tz)
    for f in ('%b %d, %Y %I:%M:%S %p', '%b %d, %Y, %I:%M:%S %p'):
        try:
            return dt.datetime.strptime(v, f).replace(tzinfo=tz)
        except ValueError:
            pass
    v = re.sub(r'\.\d+', '', v).replace('Z', '+00:00')
    v = re.sub(r'([+-]\d\d)(\d\d)$', r'\1:\2', v)
    d = dt.datetime.fromisoformat(v)
    return d if d.tzinfo else d.replace(tzinfo=tz)


def gson_date(d, tz):
    d = d.astimezone(tz)
    return '"%s %d, %04d %d:%02d:%02d %s"' % (
        MON[d.month - 1], d.day, d.year, d.hour % 12 or 12, d.minute,
        d.second, 'AM' if d.hour < 12 else 'PM')


def any_value(v):
    if isinstance(v, dict):
        return '{' + ','.join(esc(k) + ':' + any_value(x)
                              for k, x in v.items() if x is not None) + '}'
    if isinstance(v, list):
        return '[' + ','.join('null' if x is None else any_value(x)
                              for x in v) + ']'
    if isinstance(v, str):
        return esc(v)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    return str(v)


def render(o, cls, classes, tz):
    segs = []
    for n in classes[cls]:
        v = o.get(n)
        if v is None:
            continue
        if n in CHILD and n != 'vm':
            s = '[' + ','.join(render(x, CHILD[n], classes, tz)
                               for x in v) + ']'
        elif n == 'vm':
            s = render(v, 'vm', classes, tz)
        elif n in DATES:
            s = gson_date(parse_date(v, tz), tz)
        elif n == 'ipInBinary':
            s = '[' + ','.join(str(b - 256 if b > 127 else b)
                               for b in v) + ']'
        else:
            s = any_value(v)
        segs.append(esc(n) + ':' + s)
    for k, v in o.items():
        if k in classes[cls] or v is None:
            continue
        if cls == 'group' and k in ('systemTags', 'userTags'):
            continue
        segs.append(esc(k) + ':' + any_value(v))
    return '{' + ','.join(segs) + '}'


def main():
    tz = ZoneInfo(sys.argv[2])
    with open(sys.argv[3]) as f:
        classes = classes_from_spec(f.read())
    with open(sys.argv[1]) as f:
        groups = json.load(f)['inventories']
    for g in groups:
        print(render(g, 'group', classes, tz))


main()
