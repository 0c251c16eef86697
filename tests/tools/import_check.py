#!/usr/bin/env python3
"""import_check.py - the `pstfix import` round trip through readpst.

  import_check.py make MBOX N      write an mbox of N varied messages
  import_check.py compare MBOX DIR check readpst's mbox export in DIR holds
                                   the same messages: same Message-IDs,
                                   subjects and plain-text bodies

Standard library only.  The messages cover what import must keep: UTF-8
and RFC 2047 subjects, display names, Cc, multipart/alternative bodies,
attachments, lines starting with "From " (mbox quoting) and with a dot.
"""
import email
import email.policy
import mailbox
import os
import sys
from email.message import EmailMessage
from email.utils import formatdate


def make(path, n):
    if os.path.exists(path):
        os.remove(path)
    mb = mailbox.mbox(path)
    for i in range(n):
        m = EmailMessage()
        m['Subject'] = 'Import %d %s' % (i, ['plain', 'Grüße', '日本語',
                                           'naïve café'][i % 4])
        m['From'] = 'Sender %d <sender%d@example.com>' % (i % 7, i % 7)
        m['To'] = 'Bob <bob@example.com>'
        if i % 3 == 0:
            m['Cc'] = 'carol@example.com, "Dave D." <dave@example.com>'
        m['Message-ID'] = '<import-%d@pstfix.test>' % i
        m['Date'] = formatdate(1700000000 + i * 3600)
        body = ('Message %d\nFrom the start of a line\n.dot line\n'
                'ünïcödé text\n' % i)
        m.set_content(body)
        if i % 2:
            m.add_alternative('<html><body><p>Message %d</p></body></html>'
                              % i, subtype='html')
        if i % 5 == 0:
            m.add_attachment(bytes(range(256)) * (i + 1),
                             maintype='application',
                             subtype='octet-stream',
                             filename='data-%d.bin' % i)
        mb.add(m)
    mb.flush()
    mb.close()


def text_body(msg):
    part = msg.get_body(preferencelist=('plain',))
    if part is None:
        return None
    return part.get_content().replace('\r\n', '\n').rstrip('\n')


def load(paths):
    out = {}
    for p in paths:
        for raw in mailbox.mbox(p, factory=None):
            msg = email.message_from_bytes(raw.as_bytes(),
                                           policy=email.policy.default)
            mid = (msg['Message-ID'] or '').strip()
            out[mid] = msg
    return out


def compare(mbox_path, export_dir):
    want = load([mbox_path])
    files = []
    for root, _, names in os.walk(export_dir):
        files += [os.path.join(root, f) for f in names]
    got = load(files)
    bad = 0
    if set(want) != set(got):
        print('message-ids differ: missing %s, extra %s'
              % (sorted(set(want) - set(got))[:5],
                 sorted(set(got) - set(want))[:5]))
        bad += 1
    for mid in sorted(set(want) & set(got)):
        w, g = want[mid], got[mid]
        if str(w['Subject']) != str(g['Subject']):
            print('%s: subject %r != %r' % (mid, w['Subject'], g['Subject']))
            bad += 1
        if text_body(w) != text_body(g):
            print('%s: body differs:\n%r\n%r' % (mid, text_body(w),
                                                 text_body(g)))
            bad += 1
    print('import round trip: %d messages, %d differences'
          % (len(want), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == 'compare':
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
