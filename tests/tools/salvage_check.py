#!/usr/bin/env python3
"""salvage_check.py MANIFEST DIR [--deleted KEY]... [--lost N]

Checks an `export --salvage` tree DIR against the sample's manifest
(`pstfix create --manifest`): every .eml parses with Python's email
package (policy=default) without a defect, in any part; the messages,
known by the number in front of their subject (tests/tools/recovery.py),
are exactly the manifest's, each once, at most N lost (default 0); each
--deleted KEY is under "Recovered Items/Deleted"; no scratch or temporary
file (.pstfix-*) is left.  Prints one summary line; exit 0 or 1 with the
reasons.
"""
import argparse
import email.parser
import email.policy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recovery  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('manifest')
    ap.add_argument('dir')
    ap.add_argument('--deleted', action='append', default=[])
    ap.add_argument('--lost', type=int, default=0)
    a = ap.parse_args()
    want = recovery.manifest_keys(a.manifest)
    parser = email.parser.BytesParser(policy=email.policy.default)
    got, where, bad = [], {}, []
    for d, dirs, files in os.walk(a.dir):
        for n in dirs + files:
            if n.startswith('.pstfix-'):
                bad.append('left behind: ' + os.path.join(d, n))
        for f in files:
            if not f.endswith('.eml'):
                continue
            p = os.path.join(d, f)
            with open(p, 'rb') as fh:
                m = parser.parse(fh)
            for part in m.walk():
                if part.defects:
                    bad.append('%s: %s' % (p, part.defects))
            k = recovery.key_of(str(m.get('subject', '')))
            got.append(k)
            where[k] = os.path.relpath(d, a.dir)
    dup = sorted({k for k in got if got.count(k) > 1}, key=str)
    if dup:
        bad.append('exported twice: %s' % dup)
    extra = set(got) - want
    if extra:
        bad.append('not in the manifest: %s' % sorted(extra, key=str))
    lost = want - set(got)
    if len(lost) > a.lost:
        bad.append('%d lost (at most %d): %s'
                   % (len(lost), a.lost, sorted(lost, key=str)))
    for k in a.deleted:
        k = recovery.key_of(k + ':')
        w = where.get(k, '')
        if not w.startswith(os.path.join('Recovered Items', 'Deleted')):
            bad.append('message %s is in %r, not Recovered Items/Deleted'
                       % (k, w))
    print('%d of %d messages, %d lost' % (len(set(got) & want), len(want),
                                         len(lost)))
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
