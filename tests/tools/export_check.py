#!/usr/bin/env python3
"""export_check.py - check what `pstfix export` writes for one PST/OST.

  export_check.py [--manifest M] [--readpst] [--mua] --workdir DIR \
      PSTFIX FILE

1. `pstfix export FILE -o DIR/eml` must exit 0.  Every .eml is parsed with
   Python's email package (policy=default): no defect on any part or any
   header, and the raw bytes are SMTP-safe: 7-bit, CRLF line ends only
   (no bare CR or LF), no line over 998 octets.  .vcf and .ics files must
   start BEGIN:VCARD / BEGIN:VCALENDAR, use CRLF, be UTF-8 and fold their
   lines at 75 octets.
2. --manifest (files `pstfix create --sample` wrote): every manifest
   message is found by Message-ID with the same subject, From address and
   name, To and Cc addresses in order, no Bcc header, the text body
   (SHA-256 of the text/plain part's bytes, line ends as LF) and each
   attachment (name, size, SHA-256) in order.
3. --readpst: `readpst -q -j 0 -e -b -D -o DIR/rp FILE` (-j 0: readpst's
   parallel mode drops items, roundtrip.py L2; -b: no RTF-body
   attachments; -D: Deleted Items too).  The .eml/.ics/.vcf counts must be
   equal within the IPM subtree (readpst exports only that, roundtrip.py
   L3; folders pstfix exports outside it are listed).  Each readpst
   message is matched with one of ours (Message-ID, else folder and
   subject, else subject) and compared: subject, From address, the To/Cc
   display names (readpst writes only names, roundtrip.py L1), the text
   body (CR removed, trailing blanks ignored: readpst strips CRs), and
   the attachments' bytes as a multiset (readpst reverses their order,
   roundtrip.py L7).  Where readpst has less than pstfix (no text body, a
   dropped attachment) it is a note "readpst-worse", not a failure; where
   pstfix has less it is a difference.
4. --mua: `pstfix export --format mbox` again and s-nail (a real mail
   program) must list, for every folder's mbox, as many messages as there
   are .eml files in that folder.

Exit 0 when everything agrees (notes allowed), 1 on any difference, 2 on
a set-up error.  Standard library only.
"""
import argparse
import collections
import email
import email.header
import email.parser
import email.policy
import email.utils
import hashlib
import json
import os
import re
import subprocess
import sys


def sha(b):
    return hashlib.sha256(b).hexdigest()


class Report:
    def __init__(self):
        self.diffs = collections.OrderedDict()
        self.notes = collections.Counter()
        self.examples = {}

    def diff(self, kind, text):
        self.diffs.setdefault(kind, []).append(text)

    def note(self, kind, text=''):
        self.notes[kind] += 1
        self.examples.setdefault(kind, text)

    def show(self):
        for k, v in self.diffs.items():
            print('DIFF %s (%d):' % (k, len(v)))
            for t in v[:12]:
                print('  ' + t)
        for k, n in self.notes.items():
            print('note %s: %d (e.g. %s)' % (k, n, self.examples[k]))


def parse_file(path, policy):
    with open(path, 'rb') as f:
        return email.parser.BytesParser(policy=policy).parse(f)


def raw_safe(data):
    """Why DATA is not SMTP-safe, or None."""
    if any(b >= 0x80 for b in data):
        return '8-bit byte'
    if re.search(rb'\r(?!\n)', data) or re.search(rb'(?<!\r)\n', data):
        return 'bare CR or LF'
    longest = max((len(x) for x in data.split(b'\r\n')), default=0)
    if longest > 998:
        return 'line of %d octets' % longest
    return None


def all_defects(msg):
    out = []
    for part in msg.walk():
        out += [type(d).__name__ for d in part.defects]
        for name, value in part.items():
            out += ['%s:%s' % (name, type(d).__name__)
                    for d in getattr(value, 'defects', ())]
    return out


def text_of(part):
    data = part.get_payload(decode=True) or b''
    cs = part.get_content_charset() or 'utf-8'
    try:
        return data.decode(cs, 'replace')
    except LookupError:
        return data.decode('utf-8', 'replace')


def summarize(msg):
    """Subject, addresses, bodies and attachments of a parsed message."""
    s = {'text': None, 'html': None, 'att': [], 'calendar': False}
    body_parts = set()
    for kind in ('plain', 'html'):
        try:
            p = msg.get_body(preferencelist=(kind,))
        except Exception:   # readpst's output may confuse get_body
            p = None
        if p is not None and p.get_content_type() == 'text/' + kind:
            s['text' if kind == 'plain' else 'html'] = text_of(p)
            body_parts.add(id(p))
    stack = [msg]
    while stack:
        part = stack.pop(0)
        if part.get_content_type() == 'message/rfc822' and part is not msg:
            s['att'].append((part.get_filename(), b'<message>'))
            continue
        if part.is_multipart():
            stack = list(part.iter_parts()) + stack \
                if hasattr(part, 'iter_parts') else \
                list(part.get_payload()) + stack
            continue
        if id(part) in body_parts or part is msg:
            continue
        if part.get_content_type() == 'text/calendar':
            s['calendar'] = True
        if part.get_content_maintype() == 'text' and \
                not part.get_filename() and \
                part.get_content_disposition() != 'attachment':
            continue   # a body readpst or we did not pick as the body
        s['att'].append((part.get_filename(),
                         part.get_payload(decode=True) or b''))
    return s


def norm_text(t):
    if t is None:
        return None
    t = t.replace('\r', '')
    return '\n'.join(x.rstrip() for x in t.split('\n')).strip('\n')


def walk_items(top):
    """(relative folder, file name, path) of every item under TOP."""
    out = []
    for d, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(('.eml', '.vcf', '.ics')):
                out.append((os.path.relpath(d, top), f, os.path.join(d, f)))
    return out


def check_ours(rep, top):
    items = []
    for folder, name, path in walk_items(top):
        with open(path, 'rb') as f:
            data = f.read()
        bad = raw_safe(data)
        if bad == '8-bit byte' and not name.endswith('.eml'):
            bad = None   # vCard 4 and iCalendar are UTF-8 by definition
        if bad:
            rep.diff('not-smtp-safe', '%s: %s' % (path, bad))
        if name.endswith('.vcf') or name.endswith('.ics'):
            head = b'BEGIN:VCARD' if name.endswith('.vcf') else \
                b'BEGIN:VCALENDAR'
            if not data.startswith(head):
                rep.diff('card', '%s does not start %s' % (path, head))
            # RFC 6350 3.2, RFC 5545 3.1: lines of at most 75 octets
            longest = max(len(x) for x in data.split(b'\r\n'))
            if longest > 75:
                rep.diff('card', '%s: a line of %d octets' % (path,
                                                               longest))
            try:
                data.decode('utf-8')
            except UnicodeDecodeError:
                rep.diff('card', '%s: not UTF-8' % path)
            items.append({'folder': folder, 'ext': name[-3:], 'path': path})
            continue
        msg = email.parser.BytesParser(policy=email.policy.default) \
            .parsebytes(data)
        d = all_defects(msg)
        if d:
            rep.diff('defects', '%s: %s' % (path, ', '.join(d)))
        it = summarize(msg)
        it.update({'folder': folder, 'ext': 'eml', 'path': path,
                   'msg': msg, 'subject': str(msg.get('Subject', '')),
                   'id': str(msg.get('Message-ID', '')).strip('<> ')})
        items.append(it)
    return items


def addrs(msg, name):
    h = msg.get(name)
    if h is None:
        return []
    return [(a.display_name, a.addr_spec) for a in h.addresses]


def check_manifest(rep, items, manifest):
    by_id = {it['id']: it for it in items if it['ext'] == 'eml'}
    with open(manifest, encoding='utf-8') as f:
        want = [json.loads(x) for x in f if x.strip()]
    for w in want:
        it = by_id.get(w['message_id'])
        tag = w['message_id']
        if it is None:
            rep.diff('manifest-missing', '%s (%s)' % (tag, w['subject']))
            continue
        msg = it['msg']
        if it['subject'] != w['subject']:
            rep.diff('subject', '%s: %r != %r' % (tag, it['subject'],
                                                  w['subject']))
        fr = addrs(msg, 'From')
        if fr != [(w['sender_name'], w['sender'])]:
            rep.diff('from', '%s: %r' % (tag, fr))
        for k in ('to', 'cc'):
            got = [a for _, a in addrs(msg, k.capitalize())]
            if got != w[k]:
                rep.diff(k, '%s: %r != %r' % (tag, got, w[k]))
        if msg.get('Bcc') is not None:
            rep.diff('bcc-header', tag)
        body = (it['text'] or '').replace('\r\n', '\n').encode('utf-8')
        if sha(body) != w['body_sha256']:
            rep.diff('body', '%s: %d bytes, sha %s' % (tag, len(body),
                                                       sha(body)[:12]))
        got = [(n, len(b), sha(b)) for n, b in it['att']]
        exp = [(a['name'], a['size'], a['sha256']) for a in w['attachments']]
        if got != exp:
            rep.diff('attachments', '%s: %r != %r' % (tag, got, exp))
    if len(want) != sum(1 for it in items if it['ext'] == 'eml'):
        rep.diff('count', 'manifest %d messages, export %d' % (
            len(want), sum(1 for it in items if it['ext'] == 'eml')))


def decoded(raw):
    """A raw header value, RFC 2047 decoded (readpst's may be 8-bit)."""
    if not raw:
        return ''
    try:
        return str(email.header.make_header(email.header.decode_header(
            raw)))
    except Exception:
        return raw


def rp_summary(path):
    msg = parse_file(path, email.policy.default)
    raw = {}
    for k, v in msg.raw_items():
        raw.setdefault(k.lower(), v)
    s = summarize(msg)
    s['subject'] = ' '.join(decoded(raw.get('subject')).split())
    s['id'] = (raw.get('message-id') or '').strip().strip('<>')
    s['from'] = email.utils.parseaddr(decoded(raw.get('from')))[1].lower()
    for k in ('To', 'Cc'):
        v = decoded(raw.get(k.lower()))
        s[k] = [x.strip().strip('"') for x in v.split(';') if x.strip()]
    return s


def strip_nid(path):
    """Our folder path without the " (0xNID)" export adds to tell folders
    apart (or to keep a name like "tmp" from a Maildir's)."""
    return re.sub(r' \(0x[0-9a-f]+\)(?=/|$)', '', path.replace(os.sep, '/'))


def ipm_prefix(ours, rp_folders):
    """The directory of ours that holds readpst's folder paths (readpst
    names its top folder after the store and starts at the IPM subtree)."""
    score = collections.Counter()
    for it in ours:
        parts = strip_nid(it['folder']).split('/')
        for k in range(1, len(parts) + 1):
            if '/'.join(parts[k:]) in rp_folders:
                score['/'.join(parts[:k])] += 1
    return score.most_common(1)[0][0] if score else None


def rel_to(prefix, it):
    p = strip_nid(it['folder'])
    if p == prefix:
        return ''
    if prefix is not None and p.startswith(prefix + '/'):
        return p[len(prefix) + 1:]
    return None


def match(rp, cands, used):
    """Message-ID first, then subject; among several, the same text."""
    free = [it for it in cands if id(it) not in used]
    for key in ('id', 'subject'):
        same = [it for it in free if rp[key] and
                ' '.join(it[key].split()) == rp[key]]
        for it in same:
            if norm_text(it['text']) == norm_text(rp['text']):
                return it
        if same:
            return same[0]
    return None


def names_agree(rp_list, ours):
    """readpst's To/Cc come from PidTagDisplayTo/Cc (names joined with
    "; "); ours from the recipient table.  Each readpst entry must name
    one of our recipients (display name or address)."""
    keys = set()
    for n, a in ours:
        keys.update(x.lower() for x in (n, a) if x)
    for e in rp_list:
        e = e.lower().strip('<> "')
        if e in keys:
            continue
        if not any(k and k in e for k in keys):
            return False
    return True


def compare_one(rep, rp, it, where, cls):
    """CLS: the item's message class.  Two kinds of readpst output are
    its own making, not the item's, and are notes: reports (REPORT.*:
    readpst writes a multipart/report with a status text it composes and
    To from PidTagDisplayTo, which names the original recipient) and
    meeting requests (IPM.Schedule.Meeting.*: both build an iCalendar from
    the meeting's properties, readpst as an attachment, pstfix as a
    text/calendar alternative with the iTIP method)."""
    report = cls.lower().startswith('report.')
    meeting = cls.lower().startswith('ipm.schedule.meeting')
    if rp['subject'] != ' '.join(it['subject'].split()):
        rep.diff('rp-subject', '%s: %r != %r' % (where, rp['subject'],
                                                 it['subject']))
    fr = [a for _, a in addrs(it['msg'], 'From')]
    if rp['from'] and '@' in rp['from'] and \
            rp['from'] not in [a.lower() for a in fr]:
        rep.diff('rp-from', '%s: readpst %s, pstfix %s' % (where, rp['from'],
                                                           fr))
    for k in ('To', 'Cc'):
        ours = addrs(it['msg'], k)
        if rp[k] and not names_agree(rp[k], ours) and report:
            rep.note('readpst report: To from PidTagDisplayTo', where)
        elif rp[k] and not names_agree(rp[k], ours):
            rep.diff('rp-' + k.lower(), '%s: readpst %r, pstfix %r' % (
                where, rp[k], ours))
        elif len(rp[k]) < len(ours):
            rep.note('readpst-worse: fewer %s names' % k, where)
    a, b = norm_text(rp['text']), norm_text(it['text'])
    if (a or '') != (b or ''):
        if a is None or (a == '' and b):
            rep.note('readpst-worse: no text body', where)
        elif b is None and report:
            rep.note('readpst report: composed status text', where)
        elif b is None:
            rep.diff('rp-no-text', where)
        else:
            rep.diff('rp-text', '%s: readpst %d chars, pstfix %d' % (
                where, len(a), len(b)))
    if rp['html'] is None and it['html'] is not None:
        rep.note('readpst-worse: no HTML body (pstfix: PidTagHtml or '
                 'the HTML the RTF body encapsulates)', where)
    elif rp['html'] is not None and it['html'] is None:
        rep.diff('rp-no-html', where)
    ra = collections.Counter(sha(x) for _, x in rp['att'])
    oa = collections.Counter(sha(x) for _, x in it['att'])
    if ra != oa:
        if not (ra - oa):
            rep.note('readpst-worse: attachments dropped', where)
        elif meeting and sum((ra - oa).values()) == 1 and not (oa - ra) \
                and it['calendar']:
            rep.note('meeting: readpst attaches its calendar as a file, '
                     'pstfix as a text/calendar alternative', where)
        else:
            rep.diff('rp-attachments', '%s: readpst %d, pstfix %d' % (
                where, sum(ra.values()), sum(oa.values())))


def card(path):
    """name -> [values] of a vCard / iCalendar file (lines unfolded)."""
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    text = re.sub(r'\r?\n[ \t]', '', text)
    out = collections.defaultdict(list)
    for line in text.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            out[k.split(';')[0].upper()].append(v)
    return out


def card_key(c, ext):
    if ext == 'vcf':
        return sorted(x.lower() for x in c.get('EMAIL', []))
    return [x for x in c.get('SUMMARY', [])]


def compare_card(rep, rp_path, it, where):
    """Same e-mail addresses (vCard) or summary (iCalendar); readpst's
    vCards say FN:(null) when the contact has no PidTagDisplayName-like
    field it reads (a note where ours has the name)."""
    a, b = card(rp_path), card(it['path'])
    ext = it['ext']
    if card_key(a, ext) != card_key(b, ext):
        rep.diff('rp-' + ext, '%s: readpst %r, pstfix %r' % (
            where, card_key(a, ext), card_key(b, ext)))
    if ext == 'vcf' and a.get('FN') == ['(null)'] and b.get('FN'):
        rep.note('readpst-worse: vCard FN:(null)', where)


def classes(pstfix, file):
    """NID -> PidTagMessageClass, from `pstfix ls --json`."""
    out = {}
    r = subprocess.run([pstfix, 'ls', '--json', file], capture_output=True)
    for line in r.stdout.decode(errors='replace').splitlines():
        f = json.loads(line)
        r2 = subprocess.run([pstfix, 'ls', '--json', file, f['nid']],
                            capture_output=True)
        for l2 in r2.stdout.decode(errors='replace').splitlines():
            i = json.loads(l2)
            out[int(i['nid'], 16)] = i.get('class') or ''
    return out


def check_readpst(rep, pstfix, items, file, workdir):
    out = os.path.join(workdir, 'rp')
    os.makedirs(out, exist_ok=True)
    r = subprocess.run(['readpst', '-q', '-j', '0', '-e', '-b', '-D', '-o',
                        out, file], capture_output=True)
    if r.returncode != 0:
        rep.note('readpst-failed', r.stderr.decode(errors='replace')[:200])
        return
    rp_items = walk_items(out)
    rp_folders = set('/'.join(f.split(os.sep)[1:]) for f, _, _ in rp_items)
    prefix = ipm_prefix(items, rp_folders)
    scope = [it for it in items if rel_to(prefix, it) is not None]
    for it in items:
        if rel_to(prefix, it) is None:
            rep.note('pstfix-only: outside the IPM subtree', it['path'])
    used = set()
    cls = classes(pstfix, file)

    def class_of(it):
        return cls.get(int(os.path.basename(it['path'])[:8], 16), '')

    for folder, name, path in rp_items:
        rel = '/'.join(folder.split(os.sep)[1:])
        cands = [it for it in scope if rel_to(prefix, it) == rel]
        if not any(id(c) not in used and c['ext'] == name[-3:]
                   for c in cands):
            # a folder name readpst spells otherwise (ANSI files whose
            # code page neither reader knows): look everywhere
            cands = items
            rep.note('folder name differs', rel)
        where = '%s/%s' % (rel, name)
        if not name.endswith('.eml'):
            same = [it for it in cands if it['ext'] == name[-3:] and
                    id(it) not in used]
            key = card_key(card(path), name[-3:])
            best = [it for it in same
                    if card_key(card(it['path']), name[-3:]) == key]
            it = (best or same or [None])[0]
            if it is None:
                rep.diff('rp-unmatched-' + name[-3:], where)
                continue
            used.add(id(it))
            compare_card(rep, path, it, where)
            continue
        rp = rp_summary(path)
        it = match(rp, [c for c in cands if c['ext'] == 'eml'], used)
        where += ' %r' % rp['subject'][:40]
        if it is None:
            rep.diff('rp-unmatched', where)
            continue
        used.add(id(it))
        compare_one(rep, rp, it, where, class_of(it))
    for it in scope:
        if id(it) in used:
            continue
        c = class_of(it)
        if c.lower().startswith('ipm.distlist'):
            rep.note('readpst-worse: distribution list not exported',
                     it['path'])
        else:
            rep.diff('pstfix-extra', '%s (%s)' % (it['path'], c))


def check_mua(rep, pstfix, file, items, workdir):
    out = os.path.join(workdir, 'mbox')
    r = subprocess.run([pstfix, 'export', '-q', '--format', 'mbox', file,
                        '-o', out], capture_output=True)
    if r.returncode != 0:
        rep.diff('mbox-export', 'exit %d' % r.returncode)
        return
    want = collections.Counter(it['folder'] for it in items
                               if it['ext'] == 'eml')
    for folder, n in sorted(want.items()):
        mbox = os.path.join(out, folder, 'mbox')
        r = subprocess.run(['s-nail', '-n', '-N', '-R', '-H', '-f', mbox],
                           capture_output=True, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, MAILRC='/dev/null',
                                    LC_ALL='C.UTF-8'))
        got = sum(1 for x in r.stdout.decode(errors='replace').splitlines()
                  if re.match(r'^.{0,4}[A-Z ]\s*\d+ ', x))
        if got != n:
            rep.diff('mua', '%s: s-nail lists %d, export has %d' % (
                folder, got, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--manifest')
    ap.add_argument('--readpst', action='store_true')
    ap.add_argument('--mua', action='store_true')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('pstfix')
    ap.add_argument('file')
    a = ap.parse_args()
    rep = Report()
    top = os.path.join(a.workdir, 'eml')
    r = subprocess.run([a.pstfix, 'export', '-q', a.file, '-o', top],
                       capture_output=True)
    if r.returncode != 0:
        rep.diff('export-exit', 'exit %d: %s' % (
            r.returncode, r.stderr.decode(errors='replace')[:300]))
    items = check_ours(rep, top)
    if a.manifest:
        check_manifest(rep, items, a.manifest)
    if a.readpst:
        check_readpst(rep, a.pstfix, items, a.file, a.workdir)
    if a.mua:
        check_mua(rep, a.pstfix, a.file, items, a.workdir)
    kinds = collections.Counter(it['ext'] for it in items)
    print('%s: %d eml, %d vcf, %d ics' % (os.path.basename(a.file),
                                          kinds['eml'], kinds['vcf'],
                                          kinds['ics']))
    rep.show()
    return 1 if rep.diffs else 0


if __name__ == '__main__':
    sys.exit(main())
