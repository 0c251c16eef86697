#!/usr/bin/env python3
"""outbox_check.py - checks of `pstfix outbox list` (tests/cli/outbox_list.sh).

  outbox_check.py manifest MANIFEST.jsonl LIST.jsonl [--subset]
      every line of LIST is JSON; every Outbox item of the manifest (the
      writer's intent: outbox_class, unresolvable, delivered, message_id)
      is listed with that class, flags and Message-ID; the summary counts
      match.  --subset: LIST may lack items (--stranded listings) but each
      listed one must match.
  outbox_check.py lost MANIFEST.jsonl LIST.jsonl
      a damaged copy: listed + lost items are the manifest's Outbox items
      (unless the note says the contents table was unreadable); each
      "lost" record is one of them, with the subject and flags written
  outbox_check.py export LIST.jsonl DIR       Message-IDs == pstfix export's
  outbox_check.py readpst LIST.jsonl DIR      ... == readpst -e's, where shown
  outbox_check.py pff LIST.jsonl DIR          flags == pffexport's, by time
  outbox_check.py eml DIR                     --eml files: CRLF only, no Bcc,
                                              parse without defects
Prints "FAIL: why" and exits 1 on the first mismatch.
"""
import datetime
import email
import email.policy
import json
import os
import re
import sys


def fail(why):
    print('FAIL: ' + why)
    sys.exit(1)


def load_list(path, lost=None):
    items, summaries = [], []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except ValueError as e:
                fail('%s:%d: not JSON: %s' % (path, n, e))
            if o.get('type') == 'item':
                items.append(o)
            elif o.get('type') == 'summary':
                summaries.append(o)
            elif o.get('type') == 'lost':
                if lost is not None:
                    lost.append(o)
            else:
                fail('%s:%d: unexpected record %r' % (path, n, o))
    return items, summaries


CLASSES = ('stranded', 'draft', 'sent', 'deferred', 'in-sent')


def check_manifest(manifest, listing, subset):
    items, summaries = load_list(listing)
    if len(summaries) != 1:
        fail('%d summaries, want 1' % len(summaries))
    by_nid = {i['nid']: i for i in items}
    if len(by_nid) != len(items):
        fail('an item is listed twice')
    want = []
    with open(manifest, encoding='utf-8') as f:
        for line in f:
            m = json.loads(line)
            if m.get('outbox_class'):
                want.append(m)
    if not want:
        fail('the manifest has no Outbox item')
    counts = dict((c, 0) for c in CLASSES)
    for m in want:
        counts[m['outbox_class']] += 1
        it = by_nid.get(m['nid'])
        if it is None:
            if subset:
                continue
            fail('%s (%r) not listed' % (m['nid'], m['subject']))
        if it['class'] != m['outbox_class']:
            fail('%s: class %s, the writer meant %s' %
                 (m['nid'], it['class'], m['outbox_class']))
        if it['flags'] != '0x%x' % (m['flags'] | (0x10 if m['attachments']
                                                   else 0)):
            fail('%s: flags %s, written 0x%x' % (m['nid'], it['flags'],
                                                 m['flags']))
        if m['message_id'] and it['message_id'] != m['message_id']:
            fail('%s: Message-ID %r, written %r' %
                 (m['nid'], it['message_id'], m['message_id']))
        if not m['message_id'] and not it['message_id'].startswith(
                'pstfix.'):
            fail('%s: no stored Message-ID, listed %r' %
                 (m['nid'], it['message_id']))
        if it['subject'] != m['subject']:
            fail('%s: subject %r, written %r' % (m['nid'], it['subject'],
                                                 m['subject']))
        unres = sorted(r['name'] for r in it['recipients']
                       if r['status'] == 'unresolvable')
        if unres != sorted(m['unresolvable']):
            fail('%s: unresolvable %r, meant %r' % (m['nid'], unres,
                                                     m['unresolvable']))
        deliv = sorted(r['addr'] for r in it['recipients'] if r['delivered'])
        if deliv != sorted(m['delivered']):
            fail('%s: delivered %r, meant %r' % (m['nid'], deliv,
                                                  m['delivered']))
        for kind in ('to', 'cc', 'bcc'):
            got = sorted(r['addr'] or '' for r in it['recipients']
                         if r['type'] == kind)
            exp = sorted(a or '' for a in m[kind])
            if got != exp:
                fail('%s: %s %r, written %r' % (m['nid'], kind, got, exp))
        if (it['class'] == 'in-sent') != (it['sent_nid'] is not None):
            fail('%s: sent_nid %r with class %s' % (m['nid'],
                                                   it['sent_nid'],
                                                   it['class']))
    s = summaries[0]
    if not subset:
        if len(items) != len(want):
            fail('%d items listed, %d written' % (len(items), len(want)))
        for c in CLASSES:
            if s[c.replace('-', '_')] != counts[c]:
                fail('summary %s: %d, written %d' %
                     (c, s[c.replace('-', '_')], counts[c]))
    print('ok: %d Outbox items as the manifest says' % len(want))


def check_lost(manifest, listing):
    lost = []
    _, summaries = load_list(listing, lost)
    s = summaries[-1]
    want = {}
    for line in open(manifest, encoding='utf-8'):
        m = json.loads(line)
        if m.get('outbox_class'):
            want[m['nid']] = m
    if s['items'] + s['lost'] != len(want) and \
            'contents table' not in s['note']:
        fail('%d listed + %d lost of %d written; note %r' %
             (s['items'], s['lost'], len(want), s['note']))
    if s['lost'] and 'cannot be read' not in s['note']:
        fail('%d lost and the note does not say so: %r' % (s['lost'],
                                                           s['note']))
    if len(lost) != s['lost']:
        fail('%d "lost" records, the summary says %d' % (len(lost),
                                                         s['lost']))
    for l in lost:
        m = want.get(l['nid'])
        if m is None:
            fail('lost %s is no Outbox item the writer made' % l['nid'])
        # the contents table row: subject and flags as written
        if l['subject'] is not None and l['subject'] != m['subject']:
            fail('lost %s: subject %r, written %r' % (l['nid'],
                                                      l['subject'],
                                                      m['subject']))
        if l['flags'] != '0x0' and int(l['flags'], 16) & ~0x10 != m['flags']:
            fail('lost %s: flags %s, written 0x%x' % (l['nid'], l['flags'],
                                                      m['flags']))
        if not l['why']:
            fail('lost %s: no reason' % l['nid'])


def header_id(path):
    with open(path, 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    v = msg.get('Message-ID')
    return None if v is None else str(v).strip()


def check_export(listing, d):
    items, _ = load_list(listing)
    for it in items:
        p = os.path.join(d, '%08x.eml' % int(it['nid'], 16))
        if not os.path.exists(p):
            fail('export wrote no %s' % p)
        got = header_id(p)
        if got != '<%s>' % it['message_id']:
            fail('%s: export Message-ID %r, list %r' % (it['nid'], got,
                                                       it['message_id']))
    print('ok: %d Message-IDs equal to pstfix export' % len(items))


def check_readpst(listing, d):
    items, _ = load_list(listing)
    ids = set('<%s>' % it['message_id'] for it in items)
    files = [f for f in os.listdir(d) if f.endswith('.eml')]
    if len(files) != len(items):
        fail('readpst wrote %d messages, list has %d' % (len(files),
                                                        len(items)))
    shown = 0
    for f in files:
        got = header_id(os.path.join(d, f))
        if got is None:
            continue
        shown += 1
        if got not in ids:
            fail('readpst %s: Message-ID %r not listed' % (f, got))
    if shown == 0:
        fail('readpst showed no Message-ID at all')
    print('ok: %d readpst Message-IDs listed' % shown)


def check_pff(listing, d):
    items, _ = load_list(listing)
    by_time = {}
    for it in items:
        by_time.setdefault(it['submit_time'], []).append(it['flags'])
    seen = 0
    for sub in sorted(os.listdir(d)):
        p = os.path.join(d, sub, 'OutlookHeaders.txt')
        if not os.path.exists(p):
            continue
        text = open(p, encoding='utf-8', errors='replace').read()
        t = re.search(r'Client submit time:\s+(\w+ \d+, \d+ [\d:]+)', text)
        fl = re.search(r'^Flags:\s+(0x[0-9a-f]+)', text, re.M)
        if not t or not fl:
            fail('pffexport %s: no submit time or flags' % sub)
        when = datetime.datetime.strptime(t.group(1), '%b %d, %Y %H:%M:%S')
        iso = when.strftime('%Y-%m-%dT%H:%M:%SZ')
        if '0x%x' % int(fl.group(1), 16) not in by_time.get(iso, []):
            fail('pffexport %s: flags %s at %s, list has %r' %
                 (sub, fl.group(1), iso, by_time.get(iso)))
        seen += 1
    if seen != len(items):
        fail('pffexport has %d Outbox messages, list %d' % (seen,
                                                            len(items)))
    print('ok: %d pffexport flags agree' % seen)


def check_eml(d):
    files = sorted(f for f in os.listdir(d) if f.endswith('.eml'))
    if not files:
        fail('no .eml written')
    for f in files:
        raw = open(os.path.join(d, f), 'rb').read()
        if re.search(rb'(?<!\r)\n', raw) or re.search(rb'\r(?!\n)', raw):
            fail('%s: a bare CR or LF' % f)
        if any(b > 127 for b in raw):
            fail('%s: not 7-bit' % f)
        if any(len(l) > 998 for l in raw.split(b'\r\n')):
            fail('%s: a line longer than 998 octets' % f)
        head = raw.split(b'\r\n\r\n', 1)[0]
        if re.search(rb'(?im)^bcc:', head):
            fail('%s: a Bcc header' % f)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            if part.defects:
                fail('%s: defects %r' % (f, part.defects))
        for name in ('From', 'Date', 'Message-ID'):
            if msg[name] is None:
                fail('%s: no %s' % (f, name))
        if msg['Subject'] and ('\r' in msg['Subject'] or
                               '\n' in msg['Subject']):
            fail('%s: CR/LF inside the Subject' % f)
    print('ok: %d rendered messages: CRLF, 7-bit, no Bcc, no defects'
          % len(files))


def main(a):
    if len(a) >= 3 and a[0] == 'manifest':
        check_manifest(a[1], a[2], '--subset' in a[3:])
    elif len(a) == 3 and a[0] == 'lost':
        check_lost(a[1], a[2])
    elif len(a) == 3 and a[0] == 'export':
        check_export(a[1], a[2])
    elif len(a) == 3 and a[0] == 'readpst':
        check_readpst(a[1], a[2])
    elif len(a) == 3 and a[0] == 'pff':
        check_pff(a[1], a[2])
    elif len(a) == 2 and a[0] == 'eml':
        check_eml(a[1])
    else:
        fail('usage: see the top of outbox_check.py')


if __name__ == '__main__':
    main(sys.argv[1:])
