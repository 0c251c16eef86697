#!/usr/bin/env python3
"""roundtrip.py - read a PST that `pstfix create` wrote with two independent
readers and compare what they find with the manifest.

  roundtrip.py [options] PSTFIX FILE MANIFEST

PSTFIX is the pstfix binary, FILE the PST/OST it wrote, MANIFEST the JSON
Lines file `pstfix create --manifest` wrote (one object per message: folder,
subject, sender_name, sender, to/cc/bcc, message_id, flags, body_sha256,
body_size, attachments [{name, size, sha256}]).

Checks, in order:
  1. `pstfix scan --json FILE`: exit 0, no error and no warning finding.
  2. The folder tree: `pstfix ls --json FILE` (the writer's own reader) is
     the reference; every manifest folder is in it with as many items as
     the manifest gives it; libpff and readpst find the same folders with
     the same item counts.
  3. libpff: `pffexport -m all -f all -q -t DIR FILE` writes
     DIR.export/FOLDER/.../MessageNNNNN/ with OutlookHeaders.txt
     ("Key:<tabs>value": Subject, Sender name, Sender email address,
     Flags "0x0000001c (Unread, Submit, Unsent, Has attachments)"),
     Recipients.txt (blocks: Display name, Email address, Recipient type
     To/CC/BCC), Message.txt (the body text, UTF-8), Message.html and
     Attachments/N_NAME (N the 1-based index, zero-padded to the width of
     the count: "01_" with 12 attachments).  Every message: subject,
     sender name and address, To/Cc/Bcc addresses (in order), flags, body
     (SHA-256 of Message.txt) and each attachment (position, name, size,
     SHA-256).  No orphan or recovered item (DIR.orphans, DIR.recovered),
     nothing on stderr.
  4. readpst: `readpst -j 0 -e -D -o DIR FILE`, one N.eml per message in a
     directory per folder, parsed with Python's email package
     (policy=default).  Every message: subject, From (name and address),
     Message-Id, To/Cc/Bcc (see L1), the read flag (Status: RO), the
     text/plain part and each attachment (name, bytes).

--every N: readpst's messages are parsed as MIME (body, attachments) and
compared in full for every Nth manifest message only (index 0, N, 2N, ...);
the others are still counted and found by folder and subject from their
headers, and libpff compares every message in full.  Python's email
package takes about 2 ms per message: 20 of the 30 seconds of a
10,000-message file.
--expect-outbox N also asserts that the manifest has exactly N messages in
the Outbox, each UNSENT|SUBMIT with a Bcc, and that both readers show that
(libpff's Flags line and BCC recipients; readpst's Bcc header).
--workdir DIR: the readers write into DIR (empty; the caller removes it).

Exit status: 0 when everything agrees (documented differences are listed
as notes but allowed), 1 on any undocumented difference, 2 on a usage or
set-up error.  The line "verdict: pstfix=.. libpff=.. readpst=..
manifest=.." says which side each difference is on.  Standard library only.

Reader limitations and bugs (from the readers' sources; allowed here)
---------------------------------------------------------------------
L1 readpst never reads a message's recipient table: libpst keeps only
   PidTagDisplayTo/Cc/Bcc (0x0E04/0x0E03/0x0E02), and readpst.c
   (write_normal_email) writes them as "To:", "Cc:" and
   "X-libpst-forensic-bcc:" headers: display names joined by "; ", no
   addresses.  So readpst's recipients are compared with the display names
   libpff reads from the recipient table, per type and in order (which also
   checks that the writer's PidTagDisplayTo/Cc/Bcc agree with the table),
   and their number with the manifest; addresses are checked through
   libpff only.
L2 readpst's parallel children (the default -j is 4 x CPUs) lose items at
   random: the same 4,000-message file (messages=4000,folders=20,
   body=100-300,attachments=0-0) gave 3999, 4000 and 3996 messages in
   three runs, and 4000 every time with -j 0.  Upstream:
   pst-format/libpst issues #7 and #20 ("forcing -j 0 made results
   deterministic").  We always run readpst -j 0.
L3 readpst names the top folder after the store (PidTagDisplayName of the
   message store, "Personal Folders"), not the IPM subtree ("Top of
   Personal Folders"), and exports only the IPM subtree (no Search Root, no
   spam search folder).  Paths are compared below that top folder.
L4 pffexport prefixes each attachment's file name with its index (above);
   the prefix is stripped and must equal the attachment's position.
L5 libpff shows PidTagMessageFlags as stored.  The writer adds
   MSGFLAG_HASATTACH (0x10) itself when a message has attachments, as
   Outlook does; the manifest records the flags the generator asked for.
   Expected flags = manifest flags | 0x10 if it has attachments.
L6 libpff 20180714 (Debian 12's libpff1, pff-tools) decodes UTF-16
   surrogate pairs wrongly: its bundled libuna computed the low half as
   "low - 0xDFFF" instead of "low - 0xDC00" (libuna_unicode_character.c;
   fixed upstream in libyal/libuna 0d56786, 2020-07-10, "changes for
   handling high range surrogates"), so every character above U+FFFF comes
   out 0x3FF too low: U+1F389 (the party popper the generator uses) becomes
   U+1EF8A in subjects, folder names and Message.txt.  The file holds the
   right pair (D83C DF89), and readpst (iconv) reads it right.  Where a
   libpff string differs, the inverse (+0x3FF on characters above U+FFFF)
   is tried and counted as a note "libuna-surrogate"; with a fixed libpff
   the note disappears.
L7 readpst writes a message's attachments in the reverse of the
   attachment table's order; libpff keeps it.  The same holds for files
   Outlook wrote: aspose-outlook.pst (../shared/corpus), Inbox message 2,
   libpff 01_image001.png .. 12_image012.gif, readpst image012.gif ..
   image001.png.  readpst's attachments are compared in reverse (a note
   counts it); the forward order is accepted too.
L8 readpst makes a directory for a folder only when the folder has a child
   node (a message or a sub-folder): empty folders are not exported, for
   files Outlook wrote too (aspose-outlook.pst: Deleted Items, Outbox,
   Drafts, Inbox/SubInbox are absent from readpst -e output).  So readpst
   must show exactly the folders that hold a message or a sub-folder (and
   its top folder); a directory for an empty folder would mean a child node
   it should not have (see table-parent).

Normalisations of body text (each counted in the report)
--------------------------------------------------------
The body is compared byte for byte first.  Only if that fails, these are
tried, in this order, and the message passes with a note naming the one
that matched:
  crlf      CR LF -> LF.  readpst removes every CR from bodies (readpst.c
            removeCR()); a writer that stored CR LF would lose them there.
  trailing  trailing line breaks removed, then 0, 1 or 2 LF added (the
            manifest body may end with a LF; a MIME body part's last line
            break belongs to the boundary, RFC 2046 5.1.1).
  libuna-surrogate (libpff only)  L6.
With pstfix 0.1 only libuna-surrogate has been needed (the counts say so):
readpst's text parts and libpff's Message.txt are otherwise byte-exact.

Known writer bugs (allowed only with --known NAME; strict: a known bug that
no longer shows is itself reported, so that the flag gets removed)
--------------------------------------------------------------------------
table-parent  FIXED in ea9e126 (and `pstfix scan` warns PF7023 since
   40d14c0); no longer passed by roundtrip.sh.  The recognition stays so
   that a regression is named.  The writer wrote the hierarchy, contents
   and FAI-contents table nodes of every folder (NID types 0x0D/0x0E/0x0F)
   with nidParent = the folder's NID.  Every Outlook, Aspose and PST SDK
   file in ../shared/corpus has nidParent 0 on them (MS-PST 2.4.1:
   nidParent is for children of a folder).  Effects:
   - libpff lists the root folder's three table nodes (0x12D/E/F, parent
     0x122) as unnamed sub-folders of the root: pffexport writes
     Folder00002..Folder00004 (empty) next to "Top of Personal Folders".
   - readpst parses a folder's contents table as if it were a message when
     the table fits in one block: an extra .eml with no Message-Id, From
     <MAILER-DAEMON>, and properties mixed from several rows (at most one
     per folder; large tables are skipped instead).
   - readpst made directories for empty folders (L8).
   Both kinds are recognised exactly (names, emptiness, headers, a subject
   of the folder's) and listed; anything else extra is a difference.
ansi-codepage  In ANSI files strings are Windows-1252 (PtypString8), but
   the writer sets only PidTagInternetCodepage = 65001 (UTF-8, for the
   HTML body) and no PidTagMessageCodepage.  libpst takes the item's
   charset from PidTagMessageCodepage, else PidTagInternetCodepage
   (libpst.c pst_default_charset), so readpst labels Windows-1252 bytes
   "utf-8" in headers (=?utf-8?B?...?=), text parts (charset="utf-8") and
   attachment names (filename*=utf-8''Anhang-%fc-2.bin).  With this flag
   readpst's invalid UTF-8 there is decoded as Windows-1252 (and counted).
   libpff is not affected (it assumes Windows-1252: pffexport -c).

ANSI files: all strings are Windows-1252 on disk; characters 1252 lacks
become "?" (formats/write/msgw_plist.c).  Expected strings are transliterated
the same way.  Bodies cannot be (the manifest has only the UTF-8 SHA-256):
with non-ASCII content (unicode=1) give --ansi-lossy, which compares each
reader's body with the other reader's instead of with the manifest.
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
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

FLAG_READ = 0x01
FLAG_SUBMIT = 0x04
FLAG_UNSENT = 0x08
FLAG_HASATTACH = 0x10
IPM = 'Top of Personal Folders'
KNOWN = ('table-parent', 'ansi-codepage')
MAX_SHOWN = 15          # differences listed per kind


def sha256(b):
    return hashlib.sha256(b).hexdigest()


class Report:
    """Differences (fail), documented notes (pass) and counters."""

    def __init__(self):
        self.diffs = collections.OrderedDict()
        self.notes = collections.OrderedDict()
        self.known_seen = collections.Counter()

    def diff(self, kind, text):
        self.diffs.setdefault(kind, []).append(text)

    def note(self, kind, text=None):
        lst = self.notes.setdefault(kind, [])
        if text is not None:
            lst.append(text)
        else:
            lst.append('')

    def print(self, out=sys.stdout):
        for kind, lst in self.notes.items():
            shown = [t for t in lst if t][:3]
            out.write('  note: %s (%d)%s\n' % (kind, len(lst),
                      ''.join('\n        ' + t for t in shown)))
        for kind, lst in self.diffs.items():
            out.write('  DIFF: %s (%d)\n' % (kind, len(lst)))
            for t in lst[:MAX_SHOWN]:
                out.write('        %s\n' % t)
            if len(lst) > MAX_SHOWN:
                out.write('        ... and %d more\n'
                          % (len(lst) - MAX_SHOWN))


# ---- the file and the manifest ------------------------------------------

def fix_libuna(s):
    """Undo L6: characters above U+FFFF come out of libpff 0x3FF low."""
    if s is None:
        return None
    return ''.join(chr(ord(c) + 0x3FF)
                   if 0x10000 <= ord(c) <= 0x10FFFF - 0x3FF else c
                   for c in s)


def pff_str_ok(rep, got, want, what):
    """libpff string GOT equals WANT, directly or after undoing L6."""
    if got == want:
        return True
    if got is not None and fix_libuna(got) == want:
        rep.note('libpff: %s matched after "libuna-surrogate" (L6)' % what,
                 repr(got))
        return True
    return False


def file_is_ansi(path):
    with open(path, 'rb') as f:
        hdr = f.read(12)
    if len(hdr) < 12 or hdr[:4] != b'!BDN':
        raise ValueError('%s: not a PST file' % path)
    ver = hdr[10] | hdr[11] << 8
    return ver in (14, 15)


def cp1252(s):
    """What the writer stores for S in an ANSI file, read back."""
    return s.encode('cp1252', 'replace').decode('cp1252')


def load_manifest(path):
    msgs = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f):
            if line.strip():
                m = json.loads(line)
                m['index'] = n
                msgs.append(m)
    return msgs


def rel(folder):
    """Manifest/ls path -> path below the IPM subtree ('' for the IPM)."""
    if folder == IPM:
        return ''
    if folder.startswith(IPM + '/'):
        return folder[len(IPM) + 1:]
    return None


# ---- pstfix's own view --------------------------------------------------

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kw)


def check_scan(pstfix, path, rep):
    p = run([pstfix, 'scan', '--json', path])
    summary = None
    for line in p.stdout.decode('utf-8', 'replace').splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            rep.diff('scan: not JSON', line[:200])
            continue
        if o.get('type') == 'finding':
            if o.get('severity') in ('error', 'warning'):
                rep.diff('scan: finding', '%s %s %s' % (
                    o.get('code'), o.get('severity'), o.get('message')))
        elif o.get('type') == 'summary':
            summary = o
    if p.returncode != 0:
        rep.diff('scan: exit status', 'pstfix scan exited %d: %s' % (
            p.returncode, p.stderr.decode('utf-8', 'replace')[:300]))
    if not summary:
        rep.diff('scan: no summary', 'pstfix scan --json gave no summary')
    elif summary.get('errors') or summary.get('warnings'):
        rep.diff('scan: verdict', '%d errors, %d warnings' % (
            summary.get('errors', 0), summary.get('warnings', 0)))
    return summary


def pstfix_tree(pstfix, path, rep):
    """{path: items} of every folder, from `pstfix ls --json`."""
    p = run([pstfix, 'ls', '--json', path])
    tree = collections.OrderedDict()
    if p.returncode != 0:
        rep.diff('ls', 'pstfix ls exited %d: %s' % (
            p.returncode, p.stderr.decode('utf-8', 'replace')[:300]))
        return tree
    for line in p.stdout.decode('utf-8').splitlines():
        o = json.loads(line)
        if o.get('type') == 'folder':
            tree[o['path']] = o['items']
    return tree


# ---- libpff: pffexport ----------------------------------------------------

def parse_keyed(text):
    """'Key:<TABs>Value' lines -> list of (key, value)."""
    out = []
    for line in text.split('\n'):
        m = re.match(r'^([^:\t]+):\t*(.*)$', line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def parse_recipients(text):
    """Recipients.txt: blocks separated by blank lines."""
    rcpts = []
    for block in re.split(r'\n\s*\n', text):
        kv = dict(parse_keyed(block))
        if kv:
            rcpts.append(kv)
    return rcpts


def read_text(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'surrogateescape')


def pff_message(d):
    hdr = dict(parse_keyed(read_text(os.path.join(d, 'OutlookHeaders.txt'))))
    m = {'dir': d, 'subject': hdr.get('Subject'),
         'sender_name': hdr.get('Sender name'),
         'sender': hdr.get('Sender email address'),
         'flags_line': hdr.get('Flags', '')}
    fm = re.match(r'0x([0-9a-fA-F]+)', m['flags_line'])
    m['flags'] = int(fm.group(1), 16) if fm else None
    rf = os.path.join(d, 'Recipients.txt')
    m['rcpt'] = parse_recipients(read_text(rf)) if os.path.exists(rf) else []
    bf = os.path.join(d, 'Message.txt')
    m['body'] = None
    if os.path.exists(bf):
        with open(bf, 'rb') as f:
            m['body'] = f.read()
    m['att'] = []
    ad = os.path.join(d, 'Attachments')
    if os.path.isdir(ad):
        for name in os.listdir(ad):
            p = os.path.join(ad, name)
            if not os.path.isfile(p):
                m['att'].append({'raw': name, 'name': None, 'pos': None,
                                 'data': None})
                continue
            am = re.match(r'^(\d+)_(.*)$', name)
            with open(p, 'rb') as f:
                data = f.read()
            m['att'].append({'raw': name,
                             'pos': int(am.group(1)) if am else None,
                             'name': am.group(2) if am else name,
                             'data': data})
        m['att'].sort(key=lambda a: (a['pos'] is None, a['pos'] or 0))
    return m


def read_pff(path, tmp, rep, stats):
    base = os.path.join(tmp, 'pff')
    t0 = time.time()
    p = run(['pffexport', '-m', 'all', '-f', 'all', '-q', '-t', base, path])
    stats['pffexport_s'] = time.time() - t0
    err = p.stderr.decode('utf-8', 'replace').strip()
    if p.returncode != 0:
        rep.diff('libpff: exit status', 'pffexport exited %d: %s'
                 % (p.returncode, err[:300]))
    if err:
        rep.diff('libpff: stderr', err.replace('\n', ' | ')[:500])
    for sfx in ('.orphans', '.recovered'):
        d = base + sfx
        if os.path.isdir(d):
            n = sum(len(fs) + len(ds) for _, ds, fs in os.walk(d))
            if n:
                rep.diff('libpff: orphan/recovered items',
                         '%s holds %d entries' % (os.path.basename(d), n))
    root = base + '.export'
    folders = collections.OrderedDict()     # path -> [messages]
    if not os.path.isdir(root):
        rep.diff('libpff: no export', 'pffexport wrote no %s' % root)
        return folders

    def walk(d, relpath):
        folders[relpath] = []
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if not os.path.isdir(p):
                continue
            if os.path.exists(os.path.join(p, 'OutlookHeaders.txt')):
                folders[relpath].append(pff_message(p))
            else:
                walk(p, relpath + '/' + name if relpath else name)
    t0 = time.time()
    walk(root, '')
    stats['pff_parse_s'] = time.time() - t0
    del folders['']
    return folders


# ---- readpst ---------------------------------------------------------------

class HeaderDecodeError(Exception):
    pass


def decode_header_value(raw, ansi_fix, rep):
    """Unfold and decode RFC 2047 words; bytes labelled utf-8 that are not
    UTF-8 are an error, or Windows-1252 with the ansi-codepage flag."""
    raw = re.sub(r'\r?\n[ \t]', ' ', raw)
    out = []
    for chunk, cs in email.header.decode_header(raw):
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        cs = cs or 'ascii'
        try:
            out.append(chunk.decode(cs))
        except (UnicodeDecodeError, LookupError):
            if ansi_fix and cs.lower() in ('utf-8', 'utf8'):
                rep.known_seen['ansi-codepage'] += 1
                out.append(chunk.decode('cp1252', 'replace'))
            else:
                raise HeaderDecodeError('%r is not %s' % (chunk[:40], cs))
    return ''.join(out)


def split_names(v):
    """'User 1; User 2' -> ['User 1', 'User 2'] (PidTagDisplayTo...)."""
    if v is None:
        return []
    return [x.strip() for x in v.split(';') if x.strip()]


def rp_message(path, ansi_fix, rep):
    """The headers of one .eml (the body is parsed by rp_full())."""
    with open(path, 'rb') as f:
        head = f.read(65536)
        while b'\n\n' not in head:
            more = f.read(65536)
            if not more:
                break
            head += more
    head = head.split(b'\n\n', 1)[0] + b'\n\n'
    msg = email.parser.BytesHeaderParser(policy=email.policy.default) \
        .parsebytes(head)
    raw = collections.defaultdict(list)
    for k, v in msg.raw_items():
        raw[k.lower()].append(v)
    m = {'path': path}
    bad = []

    def hdr(name):
        if name not in raw:
            return None
        try:
            return decode_header_value(raw[name][0], ansi_fix, rep)
        except HeaderDecodeError as e:
            bad.append('%s: %s' % (name, e))
            return None

    m['subject'] = hdr('subject')
    m['from'] = hdr('from')
    m['to'] = hdr('to')
    m['cc'] = hdr('cc')
    m['bcc'] = hdr('x-libpst-forensic-bcc')
    m['message_id'] = hdr('message-id')
    m['status'] = hdr('status')
    name, addr = email.utils.parseaddr(m['from'] or '')
    m['sender_name'], m['sender'] = name, addr
    m['bad_headers'] = bad
    return m


def rp_att_name(part, ansi_fix, rep):
    """An attachment's file name.  readpst writes filename*=utf-8''...
    (RFC 2231) and a plain filename=; the RFC 2231 bytes that are not UTF-8
    are an error, or Windows-1252 with the ansi-codepage flag."""
    for k, v in part.raw_items():
        if k.lower() != 'content-disposition':
            continue
        mm = re.search(r"filename\*=([^']*)'[^']*'([^;\s]*)", v)
        if not mm:
            break
        b = urllib.parse.unquote_to_bytes(mm.group(2))
        try:
            return b.decode(mm.group(1) or 'ascii')
        except (UnicodeDecodeError, LookupError):
            if ansi_fix and mm.group(1).lower() in ('utf-8', 'utf8'):
                rep.known_seen['ansi-codepage'] += 1
                return b.decode('cp1252', 'replace')
            return b.decode('utf-8', 'replace')
    return part.get_filename()


def rp_full(m, ansi_fix, rep):
    """Parse the whole .eml: text/plain part and attachments."""
    with open(m['path'], 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    m['body'] = None
    m['body_charset'] = None
    m['att'] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disp = part.get_content_disposition()
        if disp == 'attachment' or (disp and part.get_filename()):
            m['att'].append({'name': rp_att_name(part, ansi_fix, rep),
                             'data': part.get_payload(decode=True)})
        elif part.get_content_type() == 'text/plain' and m['body'] is None:
            m['body'] = part.get_payload(decode=True)
            m['body_charset'] = part.get_content_charset()
    return m


def read_readpst(path, tmp, rep, stats, ansi_fix):
    out = os.path.join(tmp, 'rp')
    os.mkdir(out)
    t0 = time.time()
    p = run(['readpst', '-j', '0', '-e', '-D', '-o', out, path])
    stats['readpst_s'] = time.time() - t0
    err = p.stderr.decode('utf-8', 'replace').strip()
    if p.returncode != 0:
        rep.diff('readpst: exit status', 'readpst exited %d: %s'
                 % (p.returncode, err[:300]))
    if err:
        rep.diff('readpst: stderr', err.replace('\n', ' | ')[:500])
    tops = sorted(os.listdir(out))
    folders = collections.OrderedDict()
    if len(tops) != 1:
        rep.diff('readpst: top folder', 'expected one top folder, got %r'
                 % tops[:5])
        return None, folders
    top = tops[0]
    t0 = time.time()
    for d, dirs, files in os.walk(os.path.join(out, top)):
        dirs.sort()
        r = os.path.relpath(d, os.path.join(out, top))
        r = '' if r == '.' else r
        lst = folders.setdefault(r, [])
        for name in sorted(files, key=lambda s: (len(s), s)):
            p = os.path.join(d, name)
            if not name.endswith('.eml'):
                rep.diff('readpst: unexpected file', os.path.relpath(p, out))
                continue
            lst.append(rp_message(p, ansi_fix, rep))
    stats['eml_headers_s'] = time.time() - t0
    return top, folders


# ---- comparisons -----------------------------------------------------------

def body_verdict(data, want_sha, want_size, rep, who, where):
    """Compare body bytes with the manifest; True when equal."""
    if data is None:
        if want_size == 0:
            return True
        rep.diff('%s: body missing' % who, where)
        return False
    if sha256(data) == want_sha:
        return True
    cands = []
    t = data.replace(b'\r\n', b'\n')
    cands.append(('crlf', t))
    stripped = t.rstrip(b'\r\n')
    for k in range(3):
        cands.append(('trailing', stripped + b'\n' * k))
    if who == 'libpff':
        cands.append(('libuna-surrogate (L6)', fix_libuna(
            data.decode('utf-8', 'surrogateescape')).encode(
                'utf-8', 'surrogateescape')))
    for label, c in cands:
        if sha256(c) == want_sha:
            rep.note('%s: body matched after normalisation "%s"'
                     % (who, label), where)
            return True
    rep.diff('%s: body' % who, '%s: %d bytes, sha256 %s..., manifest %d '
             'bytes %s...' % (where, len(data), sha256(data)[:12],
                              want_size, want_sha[:12]))
    return False


def pair_by_subject(expected, got, key_exp, key_got):
    """Pair messages of one folder by subject, in order.  Returns
    (pairs, unmatched expected, unmatched got)."""
    pool = collections.defaultdict(list)
    for g in got:
        pool[key_got(g)].append(g)
    pairs, missing = [], []
    for e in expected:
        lst = pool.get(key_exp(e))
        if lst:
            pairs.append((e, lst.pop(0)))
        else:
            missing.append(e)
    extra = [g for lst in pool.values() for g in lst]
    return pairs, missing, extra


def expect_str(s, ansi):
    return cp1252(s) if (ansi and s is not None) else s


def where_of(e):
    return '#%d "%s"' % (e['index'] + 1, e['subject'][:50])


def compare_pff(e, g, ansi, lossy, rep, full):
    who = 'libpff'
    w = where_of(e)
    if not pff_str_ok(rep, g['subject'], expect_str(e['subject'], ansi),
                      'subject'):
        rep.diff('libpff: subject', '%s: read %r' % (w, g['subject']))
    if not full:
        return
    if not pff_str_ok(rep, g['sender_name'],
                      expect_str(e['sender_name'], ansi), 'sender name'):
        rep.diff('libpff: sender name', '%s: %r, manifest %r'
                 % (w, g['sender_name'], e['sender_name']))
    if g['sender'] != e['sender']:
        rep.diff('libpff: sender address', '%s: %r, manifest %r'
                 % (w, g['sender'], e['sender']))
    by_type = {'to': [], 'cc': [], 'bcc': []}
    for r in g['rcpt']:
        t = r.get('Recipient type', '?').lower()
        if t not in by_type:
            rep.diff('libpff: recipient type', '%s: %r' % (w, t))
            continue
        by_type[t].append(r.get('Email address'))
    for t in ('to', 'cc', 'bcc'):
        if by_type[t] != e[t]:
            rep.diff('libpff: %s' % t, '%s: %d read %s, manifest %d %s'
                     % (w, len(by_type[t]), by_type[t][:3], len(e[t]),
                        e[t][:3]))
    want_flags = e['flags'] | (FLAG_HASATTACH if e['attachments'] else 0)
    if g['flags'] != want_flags:
        rep.diff('libpff: flags', '%s: %r, expected 0x%08x'
                 % (w, g['flags_line'], want_flags))
    elif e['attachments'] and not e['flags'] & FLAG_HASATTACH:
        rep.note('libpff: MSGFLAG_HASATTACH added by the writer (L5)')
    if not lossy:
        body_verdict(g['body'], e['body_sha256'], e['body_size'], rep, who, w)
    compare_atts(e, g['att'], ansi, rep, who, w, pff=True)


def compare_atts(e, got, ansi, rep, who, w, pff=False):
    want = e['attachments']
    if len(got) != len(want):
        rep.diff('%s: attachment count' % who, '%s: %d, manifest %d'
                 % (w, len(got), len(want)))
        return
    if not pff and len(got) > 1:
        names = [expect_str(a['name'], ansi) for a in want]
        if [b['name'] for b in got] == names[::-1]:
            rep.note('readpst: attachments in reverse order (L7)', w)
            got = got[::-1]
    for i, (a, b) in enumerate(zip(want, got)):
        name = expect_str(a['name'], ansi)
        if pff and b['pos'] != i + 1:
            rep.diff('%s: attachment order' % who, '%s: %r at position %d'
                     % (w, b['raw'], i + 1))
        if not (pff_str_ok(rep, b['name'], name, 'attachment name') if pff
                else b['name'] == name):
            rep.diff('%s: attachment name' % who, '%s: %r, manifest %r'
                     % (w, b['name'], name))
        data = b['data']
        if data is None or len(data) != a['size'] or sha256(data) != \
                a['sha256']:
            rep.diff('%s: attachment data' % who, '%s: %s: %s bytes, '
                     'manifest %d' % (w, a['name'],
                                      None if data is None else len(data),
                                      a['size']))


def compare_rp(e, g, pffm, ansi, lossy, rep, full):
    who = 'readpst'
    w = where_of(e)
    for b in g['bad_headers']:
        rep.diff('readpst: undecodable header', '%s: %s' % (w, b))
    if g['subject'] != expect_str(e['subject'], ansi):
        rep.diff('readpst: subject', '%s: read %r' % (w, g['subject']))
    if not full:
        return
    rp_full(g, 'ansi-codepage' in rep.known, rep)
    if g['message_id'] != '<%s>' % e['message_id']:
        rep.diff('readpst: message-id', '%s: %r' % (w, g['message_id']))
    if g['sender_name'] != expect_str(e['sender_name'], ansi) or \
            g['sender'] != e['sender']:
        rep.diff('readpst: from', '%s: %r, manifest %r <%s>'
                 % (w, g['from'], e['sender_name'], e['sender']))
    # L1: names only; compared with the names libpff reads per recipient.
    if pffm is not None:
        names = {'to': [], 'cc': [], 'bcc': []}
        for r in pffm['rcpt']:
            t = r.get('Recipient type', '?').lower()
            if t in names:
                names[t].append(r.get('Display name'))
        for t, got in (('to', g['to']), ('cc', g['cc']), ('bcc', g['bcc'])):
            if split_names(got) != names[t]:
                rep.diff('readpst: %s (display names, L1)' % t,
                         '%s: %d names %s, libpff %d %s'
                         % (w, len(split_names(got)), split_names(got)[:3],
                            len(names[t]), names[t][:3]))
            if len(names[t]) != len(e[t]):
                rep.diff('readpst: %s count (L1)' % t, '%s: %d, manifest %d'
                         % (w, len(names[t]), len(e[t])))
        rep.note('readpst: recipients compared by display name (L1)')
    else:
        rep.diff('readpst: no libpff twin', '%s: cannot compare '
                 'recipients' % w)
    read = (g['status'] or '').strip() == 'RO'
    if read != bool(e['flags'] & FLAG_READ):
        rep.diff('readpst: read flag', '%s: Status %r, flags 0x%x'
                 % (w, g['status'], e['flags']))
    # the text part in its declared charset, as UTF-8 (the manifest's)
    body = g['body']
    cs = (g['body_charset'] or 'us-ascii').lower()
    if body is not None:
        try:
            text = body.decode(cs)
        except (UnicodeDecodeError, LookupError):
            if ansi and 'ansi-codepage' in rep.known and cs == 'utf-8':
                rep.known_seen['ansi-codepage'] += 1
                text = body.decode('cp1252')
            else:
                rep.diff('readpst: body charset', '%s: not %s' % (w, cs))
                text = None
        if text is not None and cs not in ('utf-8', 'utf8'):
            rep.note('readpst: text part in charset %s' % cs, w)
        body = text.encode('utf-8') if text is not None else body
    if lossy:
        if pffm is not None and body != pffm['body']:
            rep.diff('readpst: body differs from libpff\'s (lossy ANSI)',
                     '%s: %s vs %s bytes' % (w, None if body is None else
                                             len(body),
                                             None if pffm['body'] is None
                                             else len(pffm['body'])))
    else:
        body_verdict(body, e['body_sha256'], e['body_size'], rep, who, w)
    compare_atts(e, g['att'], ansi, rep, who, w)


def is_pff_phantom_folder(path, msgs, pff):
    """table-parent: an unnamed, empty sub-folder of the root."""
    return ('/' not in path and re.match(r'^Folder\d{5}$', path) and
            not msgs and not any(p.startswith(path + '/') for p in pff))


def is_rp_phantom(g):
    """table-parent: a contents table read as a message."""
    return (g['message_id'] is None and g['from'] is not None and
            '<MAILER-DAEMON>' in g['from'] and not g['bad_headers'])


def main():
    ap = argparse.ArgumentParser(
        description='round trip of a pstfix-written PST through libpff '
                    'and readpst (see the module docstring)')
    ap.add_argument('pstfix')
    ap.add_argument('file')
    ap.add_argument('manifest')
    ap.add_argument('--every', type=int, default=1, metavar='N',
                    help='parse and compare readpst\'s bodies and '
                         'attachments for every Nth message only')
    ap.add_argument('--expect-outbox', type=int, default=None, metavar='N',
                    help='the manifest and both readers have N unsent '
                         'Outbox messages with a Bcc')
    ap.add_argument('--known', action='append', default=[], choices=KNOWN,
                    help='a documented writer bug to allow (strict)')
    ap.add_argument('--ansi-lossy', action='store_true',
                    help='ANSI file with non-ASCII content: bodies are '
                         'compared between the readers')
    ap.add_argument('--workdir', metavar='DIR',
                    help='export into DIR (an empty directory the caller '
                         'removes) instead of a temporary directory')
    a = ap.parse_args()
    for tool in ('pffexport', 'readpst'):
        if not shutil.which(tool):
            print('roundtrip: %s not found' % tool, file=sys.stderr)
            return 2
    rep = Report()
    rep.known = set(a.known)
    stats = {}
    t_start = time.time()
    try:
        ansi = file_is_ansi(a.file)
        manifest = load_manifest(a.manifest)
    except (OSError, ValueError) as e:
        print('roundtrip: %s' % e, file=sys.stderr)
        return 2
    if a.ansi_lossy and not ansi:
        print('roundtrip: --ansi-lossy needs an ANSI file', file=sys.stderr)
        return 2
    name = os.path.basename(a.file)
    print('%s: %d messages in the manifest%s' % (
        name, len(manifest), ', ANSI' if ansi else ''))

    summary = check_scan(a.pstfix, a.file, rep)
    ls = pstfix_tree(a.pstfix, a.file, rep)

    # manifest folders against pstfix ls
    exp_by_folder = collections.OrderedDict()
    for m in manifest:
        exp_by_folder.setdefault(m['folder'], []).append(m)
    ls_ansi = {p: n for p, n in ls.items()}
    for f, msgs in exp_by_folder.items():
        fx = expect_str(f, ansi)
        if fx not in ls_ansi:
            rep.diff('ls: folder missing', fx)
        elif ls_ansi[fx] != len(msgs):
            rep.diff('ls: item count', '%s: %d, manifest %d'
                     % (fx, ls_ansi[fx], len(msgs)))
    for p, n in ls.items():
        if n and not any(expect_str(f, ansi) == p for f in exp_by_folder):
            rep.diff('ls: items not in the manifest', '%s: %d' % (p, n))
    if a.expect_outbox is not None:
        ob = exp_by_folder.get(IPM + '/Outbox', [])
        if len(ob) != a.expect_outbox:
            rep.diff('outbox', 'manifest has %d Outbox messages, expected '
                     '%d' % (len(ob), a.expect_outbox))
        for m in ob:
            if m['flags'] & (FLAG_UNSENT | FLAG_SUBMIT) != \
                    FLAG_UNSENT | FLAG_SUBMIT or not m['bcc']:
                rep.diff('outbox', '%s: manifest flags 0x%x, bcc %r'
                         % (where_of(m), m['flags'], m['bcc']))

    tmp = a.workdir or tempfile.mkdtemp(prefix='roundtrip.')
    try:
        if os.listdir(tmp):
            print('roundtrip: %s is not empty' % tmp, file=sys.stderr)
            return 2
        pff = read_pff(a.file, tmp, rep, stats)
        top, rpf = read_readpst(a.file, tmp, rep, stats,
                                'ansi-codepage' in rep.known)
        t0 = time.time()
        compare_all(a, ansi, manifest, exp_by_folder, ls, pff, top, rpf,
                    rep, stats)
        stats['compare_s'] = time.time() - t0
    finally:
        if not a.workdir:
            t0 = time.time()
            shutil.rmtree(tmp, ignore_errors=True)
            stats['cleanup_s'] = time.time() - t0

    # strict known bugs
    for k in sorted(rep.known):
        if not rep.known_seen[k]:
            rep.diff('known bug not seen', '--known %s: the bug did not '
                     'show; if it is fixed, drop the flag' % k)
        else:
            rep.note('KNOWN BUG %s seen %d times (documented in '
                     'roundtrip.py)' % (k, rep.known_seen[k]))
    stats['total_s'] = time.time() - t_start
    print('  scan: %s' % ('clean' if summary and not summary.get('errors')
                          and not summary.get('warnings') else 'NOT CLEAN'))
    print('  timing: ' + ', '.join('%s %.2f' % (k, v)
                                   for k, v in stats.items()
                                   if k.endswith('_s')))
    for k, v in stats.items():
        if not k.endswith('_s'):
            print('  %s: %s' % (k, v))
    rep.print()
    # one line for roundtrip.sh's matrix: which side each difference is on
    side = {'pstfix': 'ok', 'libpff': 'ok', 'readpst': 'ok',
            'manifest': 'ok'}
    for kind in rep.diffs:
        k = kind.split(':')[0].split(' ')[0]
        k = {'scan': 'pstfix', 'ls': 'pstfix'}.get(k, k)
        side[k if k in side else 'manifest'] = 'FAIL'
    print('verdict: ' + ' '.join('%s=%s' % kv for kv in side.items()))
    if rep.diffs:
        print('%s: FAIL, %d kinds of difference' % (name, len(rep.diffs)))
        return 1
    print('%s: OK' % name)
    return 0


def compare_all(a, ansi, manifest, exp_by_folder, ls, pff, top, rpf, rep,
                stats):
    every = max(1, a.every)
    full = {m['index'] for m in manifest if m['index'] % every == 0}
    exp_rel = {}            # rel path -> manifest messages
    for f, msgs in exp_by_folder.items():
        exp_rel[rel(expect_str(f, ansi))] = msgs

    # ---- folders: libpff --------------------------------------------------
    renamed = collections.OrderedDict()
    for p, msgs in pff.items():
        q = p if p in ls else fix_libuna(p)
        if q != p:
            rep.note('libpff: folder name matched after "libuna-surrogate" '
                     '(L6)', repr(p))
        renamed[q] = msgs
    pff = renamed
    pff_phantoms = [p for p, msgs in pff.items()
                    if p not in ls and is_pff_phantom_folder(p, msgs, pff)]
    if pff_phantoms:
        if 'table-parent' in rep.known:
            rep.known_seen['table-parent'] += len(pff_phantoms)
            rep.note('libpff: unnamed empty root folders from table nodes '
                     '(table-parent)', ', '.join(pff_phantoms))
        else:
            rep.diff('libpff: unnamed empty root folders (table nodes with '
                     'a nidParent: table-parent)', ', '.join(pff_phantoms))
    for p in pff:
        if p not in ls and p not in pff_phantoms:
            rep.diff('libpff: extra folder', p)
    for p, n in ls.items():
        if p not in pff:
            rep.diff('libpff: folder missing', p)
        elif len(pff[p]) != n:
            rep.diff('libpff: item count', '%s: %d, pstfix ls %d'
                     % (p, len(pff[p]), n))
    stats['libpff'] = '%d folders, %d messages' % (
        len(pff) - len(pff_phantoms), sum(len(v) for v in pff.values()))

    # ---- folders: readpst (L3: below the IPM subtree) ----------------------
    ls_ipm = {rel(p): n for p, n in ls.items() if rel(p) is not None}
    rp_phantoms = []
    for r, msgs in rpf.items():
        ph = [g for g in msgs if is_rp_phantom(g)]
        if not ph:
            continue
        ok = ('table-parent' in rep.known and len(ph) == 1 and
              ls_ipm.get(r, 0) > 0 and
              any(ph[0]['subject'] == expect_str(e['subject'], ansi)
                  for e in exp_rel.get(r, [])))
        for g in ph:
            msgs.remove(g)
        if ok:
            rep.known_seen['table-parent'] += 1
            rp_phantoms.append('%s/%s' % (r, os.path.basename(ph[0]['path'])))
        else:
            rep.diff('readpst: message without Message-Id from '
                     'MAILER-DAEMON (a contents table read as a message? '
                     'table-parent)', '%s: %d' % (r or '(top)', len(ph)))
    if rp_phantoms:
        rep.note('readpst: contents table read as a message (table-parent)',
                 ', '.join(rp_phantoms[:5]) +
                 (' ...' if len(rp_phantoms) > 5 else ''))
    # L8: a directory for the top and for each folder with a child node
    def has_child(r):
        return ls_ipm[r] > 0 or any(q.startswith(r + '/') for q in ls_ipm
                                    if r and q != r) or \
            (r == '' and len(ls_ipm) > 1)
    unexported = []
    for r in rpf:
        if r not in ls_ipm:
            rep.diff('readpst: extra folder', r)
    for r, n in ls_ipm.items():
        if r not in rpf:
            if has_child(r):
                rep.diff('readpst: folder missing', r or '(top)')
            else:
                unexported.append(r)
        elif len(rpf[r]) != n:
            rep.diff('readpst: item count', '%s: %d, pstfix ls %d'
                     % (r or '(top)', len(rpf[r]), n))
        elif not has_child(r):
            if 'table-parent' in rep.known:
                rep.known_seen['table-parent'] += 1
            else:
                rep.diff('readpst: directory for an empty folder (a child '
                         'node it should not have: table-parent?)', r)
    if unexported:
        rep.note('readpst: empty folders not exported (L8)',
                 ', '.join(unexported[:6]) +
                 (' ...' if len(unexported) > 6 else ''))
    stats['readpst'] = '%d folders (top "%s"), %d messages' % (
        len(rpf), top, sum(len(v) for v in rpf.values()))
    for p in ls:
        if rel(p) is None and ls[p]:
            rep.diff('readpst: cannot see', '%s (outside the IPM subtree, '
                     'L3) holds %d items' % (p, ls[p]))

    # ---- messages ---------------------------------------------------------
    subj_exp = lambda e: expect_str(e['subject'], ansi)
    subj_got = lambda g: g['subject']
    compared = collections.Counter()
    for f, msgs in exp_by_folder.items():
        fx = expect_str(f, ansi)
        r = rel(fx)
        # libpff
        want = {subj_exp(e) for e in msgs}
        pairs, missing, extra = pair_by_subject(
            msgs, pff.get(fx, []), subj_exp,
            lambda g: g['subject'] if g['subject'] in want or
            fix_libuna(g['subject']) not in want else
            fix_libuna(g['subject']))
        pff_of = {}
        for e in missing:
            rep.diff('libpff: message missing', '%s in %s' % (where_of(e),
                                                              fx))
        for g in extra:
            rep.diff('libpff: unexpected message', '%r in %s'
                     % (g['subject'], fx))
        for e, g in pairs:
            pff_of[e['index']] = g
            compare_pff(e, g, ansi, a.ansi_lossy, rep, True)
            compared['libpff'] += 1
            if a.expect_outbox is not None and r == 'Outbox':
                need = FLAG_UNSENT | FLAG_SUBMIT
                if (g['flags'] or 0) & need != need or \
                        'Unsent' not in g['flags_line'] or \
                        'Submit' not in g['flags_line']:
                    rep.diff('libpff: outbox flags', '%s: %r'
                             % (where_of(e), g['flags_line']))
                if not any(x.get('Recipient type') == 'BCC'
                           for x in g['rcpt']):
                    rep.diff('libpff: outbox bcc', where_of(e))
        # readpst
        if r is None:
            continue
        pairs, missing, extra = pair_by_subject(msgs, rpf.get(r, []),
                                                subj_exp, subj_got)
        for e in missing:
            rep.diff('readpst: message missing', '%s in %s'
                     % (where_of(e), r))
        for g in extra:
            rep.diff('readpst: unexpected message', '%r in %s'
                     % (g['subject'], r))
        for e, g in pairs:
            compare_rp(e, g, pff_of.get(e['index']), ansi, a.ansi_lossy, rep,
                       e['index'] in full)
            compared['readpst'] += e['index'] in full
            if a.expect_outbox is not None and r == 'Outbox' and \
                    not split_names(g['bcc']):
                rep.diff('readpst: outbox bcc', where_of(e))
        if a.ansi_lossy:
            for e, g in pairs:
                pg = pff_of.get(e['index'])
                if e['index'] in full and pg is not None and \
                        pg['body'] is not None:
                    rep.note('ANSI lossy: bodies compared between readers, '
                             'not with the manifest')
    stats['compared in full'] = 'libpff %d, readpst %d of %d messages%s' % (
        compared['libpff'], compared['readpst'], len(manifest),
        ' (readpst: every %dth)' % every if every > 1 else '')


if __name__ == '__main__':
    sys.exit(main())
