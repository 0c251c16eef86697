#!/usr/bin/env python3
"""recovery.py - the oracle after a repair: which messages two independent
readers find in a damaged PST and in its repaired copy, against what the
pristine sample held and what the corruption destroyed.

  recovery.py --manifest PRISTINE.jsonl --record REC.json DAMAGED REPAIRED
  recovery.py --manifest PRISTINE.jsonl --count FILE...

PRISTINE.jsonl is the manifest `pstfix create --manifest` wrote for the
base sample; REC.json what tests/tools/pstcorrupt recorded when it made
DAMAGED from that sample; REPAIRED what `pstfix repair` made of DAMAGED.

The readers (see roundtrip.py for how both are driven and their
documented quirks, which apply here too):
  libpff   `pffexport -m all -f text -q -t DIR FILE`: messages are the
           directories holding OutlookHeaders.txt.  In a damaged file the
           orphan and recovered items (DIR.orphans, DIR.recovered) count
           too (that is what libpff can give a user); in a repaired file
           only the folder tree (DIR.export) counts: a repair puts every
           message it keeps into a folder.  Subjects pass through
           roundtrip.fix_libuna (L6).
  readpst  `readpst -j 0 -e -D -o DIR FILE` (L2: always -j 0): one .eml a
           message, its Subject header decoded (RFC 2047).
A message is known by the number the sample generator puts in front of
its subject ("12: ..."), else by the whole subject; both readers and the
manifest agree on it even where they spell the rest differently (ANSI
transliteration, L6).

For each reader, with P = the pristine messages, X = those whose own
blocks the corruption destroyed (REC "messages_destroyed"), U = those
whose only NBT entry was on a destroyed leaf page (REC
"messages_unlisted": intact, but a repair can only find them again from
a stale copy of the page) and D = what the reader read from DAMAGED
(within P):
  - REPAIRED must hold every message of (P - X - U) | D: everything that
    survived, and never less than the reader could already read;
  - REPAIRED holds nothing outside P - (X - D): no message twice, none
    that was not in the sample, no destroyed message the reader could not
    read before (it would be made up);
  - the reader must open REPAIRED (exit status 0).
So when no reader could read a destroyed message the result is exactly
P - X (up to U); the kept ones are listed.

--count prints one JSON object per FILE: the distinct pristine messages
each reader finds ("libpff", "readpst"; the damaged-file view, orphans
and recovered items included) and whether it exited 0; bench/recovery
uses it.

Exit status: 0 the oracle agrees, 1 it does not (each difference on a
line), 2 usage or set-up error.  Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import roundtrip  # noqa: E402  (the readers' helpers and quirks)

TIMEOUT = 300            # seconds a reader may take on one file
KEY_RE = re.compile(r'^\s*(\d+):')


def key_of(subject):
    if subject is None:
        return None
    m = KEY_RE.match(subject)
    return m.group(1) if m else roundtrip.fix_libuna(subject).strip()


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.returncode, p.stderr.decode('utf-8', 'replace').strip()
    except subprocess.TimeoutExpired:
        return -1, 'timed out after %d s' % TIMEOUT


def pff_keys(path, tmp, generous):
    """(keys as a list, exit status, stderr) of libpff's messages."""
    os.makedirs(tmp, exist_ok=True)     # pffexport makes only the leaf
    base = os.path.join(tmp, 'pff')
    rc, err = run(['pffexport', '-m', 'all', '-f', 'text', '-q', '-t',
                   base, path])
    keys = []
    dirs = [base + '.export']
    if generous:
        dirs += [base + '.orphans', base + '.recovered']
    for top in dirs:
        for d, sub, files in os.walk(top):
            sub.sort()
            if 'OutlookHeaders.txt' not in files:
                continue
            hdr = dict(roundtrip.parse_keyed(roundtrip.read_text(
                os.path.join(d, 'OutlookHeaders.txt'))))
            keys.append(key_of(hdr.get('Subject')))
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp, exist_ok=True)
    return keys, rc, err


def rp_keys(path, tmp):
    """(keys as a list, exit status, stderr) of readpst's messages."""
    out = os.path.join(tmp, 'rp')
    os.makedirs(out, exist_ok=True)
    rc, err = run(['readpst', '-j', '0', '-e', '-D', '-o', out, path])
    rep = roundtrip.Report()
    keys = []
    for d, sub, files in os.walk(out):
        sub.sort()
        for name in sorted(files):
            if name.endswith('.eml'):
                m = roundtrip.rp_message(os.path.join(d, name), True, rep)
                keys.append(key_of(m['subject']))
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp, exist_ok=True)
    return keys, rc, err


def manifest_keys(path):
    with open(path, encoding='utf-8') as f:
        return {key_of(json.loads(line)['subject'])
                for line in f if line.strip()}


def record_keys(rec, field):
    return {key_of(m.get('subject')) for m in rec.get(field, [])}


def readers(path, tmp, generous):
    pff, pff_rc, pff_err = pff_keys(path, tmp, generous)
    rp, rp_rc, rp_err = rp_keys(path, tmp)
    return {'libpff': (pff, pff_rc, pff_err), 'readpst': (rp, rp_rc, rp_err)}


def show(keys):
    return ' '.join(sorted(str(k) for k in keys)[:40])


def judge(who, pristine, destroyed, unlisted, dmg, rep, rc, err):
    """Differences (a list of lines) for one reader."""
    diffs = []
    got = set(rep)
    d = set(dmg) & pristine
    lower = (pristine - destroyed - unlisted) | d
    upper = pristine - (destroyed - d)
    if rc != 0:
        diffs.append('%s: exit status %d on the repaired file: %s'
                     % (who, rc, err[:200]))
    if lower - got:
        diffs.append('%s: %d message(s) lost: %s'
                     % (who, len(lower - got), show(lower - got)))
    if got - upper:
        diffs.append('%s: %d message(s) that should not be there: %s'
                     % (who, len(got - upper), show(got - upper)))
    twice = {k for k in rep if rep.count(k) > 1}
    if twice:
        diffs.append('%s: message(s) listed twice: %s' % (who, show(twice)))
    return diffs


def oracle(a, tmp):
    pristine = manifest_keys(a.manifest)
    with open(a.record, encoding='utf-8') as f:
        rec = json.load(f)
    destroyed = record_keys(rec, 'messages_destroyed')
    unlisted = record_keys(rec, 'messages_unlisted')
    before = readers(a.files[0], tmp, True)
    after = readers(a.files[1], tmp, False)
    diffs = []
    for who in ('libpff', 'readpst'):
        dmg = before[who][0]
        rep, rc, err = after[who]
        diffs += judge(who, pristine, destroyed, unlisted, dmg, rep, rc,
                       err)
        kept = (destroyed | unlisted) & set(rep)
        print('%s: pristine %d, destroyed %d, unlisted %d, read from the '
              'damaged file %d, from the repaired file %d%s'
              % (who, len(pristine), len(destroyed), len(unlisted),
                 len(set(dmg) & pristine), len(set(rep) & pristine),
                 ', kept though damaged: ' + show(kept) if kept else ''))
    for line in diffs:
        print('DIFF ' + line)
    print('verdict: %s' % ('agree' if not diffs else 'DISAGREE'))
    return 1 if diffs else 0


def count(a, tmp):
    pristine = manifest_keys(a.manifest)
    for path in a.files:
        r = readers(path, tmp, True)
        print(json.dumps({'file': path, 'pristine': len(pristine),
                          'libpff': len(set(r['libpff'][0]) & pristine),
                          'libpff_rc': r['libpff'][1],
                          'readpst': len(set(r['readpst'][0]) & pristine),
                          'readpst_rc': r['readpst'][1]}))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--record')
    ap.add_argument('--count', action='store_true')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    if not a.count and (not a.record or len(a.files) != 2):
        ap.error('give --record REC.json DAMAGED REPAIRED, or --count')
    for t in ('pffexport', 'readpst'):
        if not shutil.which(t):
            print('recovery.py: %s is not installed' % t, file=sys.stderr)
            return 2
    tmp = tempfile.mkdtemp(prefix='pstfix-recovery.')
    try:
        return count(a, tmp) if a.count else oracle(a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
