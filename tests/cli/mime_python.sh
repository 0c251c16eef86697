# mime_python.sh - cross-check formats/mime against Python's email
# package: generate a set of .eml files (Python's EmailMessage writer and
# hand-written raw messages: RFC 2047 subjects and names, RFC 2231
# filenames with continuations, nested multiparts, inline images, attached
# messages, base64 / quoted-printable, several charsets, LF and CRLF),
# read each with tests/tools/mimedump and with email.message_from_bytes
# (policy.default), and compare subject, from, to, cc, message-id, date,
# the text and HTML bodies, and each attachment's name, type and SHA-256.
#
# The body rules (which part is the body) are pstfix's, written again on
# Python's tree here, so what is compared is the parsing: headers,
# encoded-words, parameters, boundaries, transfer and charset decoding.
#
# mimedump comes from $MIMEDUMP, else build/tests/tools/mimedump, else it
# is compiled here from tests/tools/mimedump.c and build/libpstfix.a (or
# build-san/ when PSTFIX is the sanitizer binary).
. "$(dirname "$0")/common.shlib"
need_python

root=$(pwd)
dump=${MIMEDUMP:-}
case $PSTFIX in
*/build-san/*) lib=build-san; cflags="-O1 -g -fsanitize=address,undefined" ;;
*) lib=build; cflags="-O2" ;;
esac
if [ -z "$dump" ] && [ "$lib" = build ] &&
   [ -x "$root/build/tests/tools/mimedump" ] &&
   [ ! "$root/build/tests/tools/mimedump" -ot "$root/build/libpstfix.a" ]; then
	dump=$root/build/tests/tools/mimedump
fi
if [ -z "$dump" ]; then
	[ -f "$root/$lib/libpstfix.a" ] || skip "$lib/libpstfix.a not built"
	# shellcheck disable=SC2086
	${CC:-cc} -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $cflags \
		-o "$TMP/mimedump" "$root/tests/tools/mimedump.c" \
		"$root/$lib/libpstfix.a" -lz 2>"$TMP/cc.log" ||
		{ cat "$TMP/cc.log"; fail "cannot build mimedump"; }
	dump=$TMP/mimedump
fi

cat > "$TMP/xcheck.py" <<'PYEOF'
import base64, hashlib, json, os, random, subprocess, sys
import email, email.policy, email.utils
from email.message import EmailMessage

dump, outdir = sys.argv[1], sys.argv[2]

# ---- pstfix's charset policy (formats/mime/charset.c), in Python ----
ASCII = {'us-ascii', 'ascii', 'ansi_x3.4-1968', 'us', 'iso646-us'}
LATIN1 = {'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1',
          'l1', 'windows-1252', 'cp1252', 'x-cp1252'}
ALIAS = {'ks_c_5601-1987': 'cp949', 'euc-kr': 'cp949', 'gb2312': 'gb18030',
         'gbk': 'gb18030', 'shift_jis': 'cp932', 'x-sjis': 'cp932',
         'iso-8859-8-i': 'iso-8859-8'}

def cp1252(b):
    out = []
    for x in b:
        try:
            out.append(bytes([x]).decode('cp1252'))
        except UnicodeDecodeError:
            out.append(chr(x))
    return ''.join(out)

def undeclared(b):
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return cp1252(b)

def to_text(b, cs):
    cs = (cs or '').strip().lower()
    if not cs:
        return undeclared(b)
    if cs in ASCII:
        return undeclared(b)
    if cs in LATIN1:
        return cp1252(b)
    if cs in ('utf-8', 'utf8'):
        return b.decode('utf-8', 'replace')
    try:
        return b.decode(ALIAS.get(cs, cs), 'replace')
    except LookupError:
        return cp1252(b)

def norm(s):
    if s is None:
        return None
    return s.replace('\r\n', '\n').replace('\r', '\n').replace('\0', '')

# ---- pstfix's body rules (formats/mime/body.c) on Python's tree ----
class Walk:
    def __init__(self):
        self.text = self.html = None
        self.topen = self.hopen = True
        self.alt = 0
        self.atts = []

def att_of(part):
    ct = part.get_content_type()
    fn = part.get_filename()
    if fn:
        fn = fn.replace('\\', '/').split('/')[-1]
        fn = ''.join(ch for ch in fn if ord(ch) >= 0x20 and ord(ch) != 0x7f)
        fn = fn.strip() or None
        if fn in ('.', '..'):
            fn = None
    if ct == 'message/rfc822':
        inner = part.get_payload()[0]
        return {'filename': fn, 'mime_type': ct, 'embedded': canon(inner)}
    data = part.get_payload(decode=True) or b''
    return {'filename': fn, 'mime_type': ct,
            'sha256': hashlib.sha256(data).hexdigest()}

def candidate(w, part):
    if part.get_content_disposition() == 'attachment' or \
       part.get_filename():
        return False
    ct = part.get_content_type()
    return (w.topen and ct == 'text/plain') or \
           (w.hopen and ct == 'text/html')

def take(w, part):
    data = part.get_payload(decode=True) or b''
    html = part.get_content_type() == 'text/html'
    s = norm(to_text(data, part.get_param('charset')))
    if html:
        w.html, w.hopen = s, False
    else:
        w.text, w.topen = s, False
    if w.alt == 0:
        w.topen = w.hopen = False

def walk(w, part):
    ct = part.get_content_type()
    if not part.is_multipart() and not part.keys() and \
       not (part.get_payload() or '').strip():
        return                  # an empty part: skipped
    if ct == 'message/rfc822':
        w.atts.append(att_of(part))
    elif part.is_multipart():
        kids = part.get_payload()
        sub = ct.split('/')[1]
        if sub == 'alternative':
            opened = w.topen or w.hopen
            w.alt += opened
            for k in kids:
                walk(w, k)
            w.alt -= opened
            if opened and w.alt == 0:
                w.topen = w.hopen = False
        elif sub == 'related':
            walk(w, kids[0])
            t, h = w.topen, w.hopen
            w.topen = w.hopen = False
            for k in kids[1:]:
                walk(w, k)
            w.topen, w.hopen = t, h
        else:
            for k in kids:
                walk(w, k)
    elif candidate(w, part):
        take(w, part)
    else:
        w.atts.append(att_of(part))

def addr(a):
    return [a.display_name or None, a.addr_spec or None]

def addrs(msg, name):
    h = msg[name]
    return [addr(a) for a in h.addresses] if h is not None else []

def canon(msg):
    w = Walk()
    walk(w, msg)
    mid = msg['message-id']
    mid = str(mid).strip().strip('<>') if mid is not None else None
    date = msg['date']
    sub = msg['subject']
    frm = addrs(msg, 'from')
    return {
        'subject': str(sub).strip() or None if sub is not None else None,
        'from': frm[0] if frm else [None, None],
        'to': addrs(msg, 'to'), 'cc': addrs(msg, 'cc'),
        'message_id': mid or None,
        'date': int(date.datetime.timestamp()) if date is not None and
                date.datetime is not None else None,
        'body_text': w.text, 'body_html': w.html, 'att': w.atts,
    }

def canon_dump(d):
    atts = []
    for a in d['att']:
        c = {'filename': a['filename'], 'mime_type': a['mime_type']}
        if a['mime_type'] == 'message/rfc822' and 'embedded' in a:
            c['embedded'] = canon_dump(a['embedded'])
        else:
            c['sha256'] = hashlib.sha256(bytes.fromhex(a['hex'])).hexdigest()
        atts.append(c)
    return {
        'subject': d['subject'],
        'from': [d['from']['name'], d['from']['addr']],
        'to': [[a['name'], a['addr']] for a in d['to']],
        'cc': [[a['name'], a['addr']] for a in d['cc']],
        'message_id': d['message_id'], 'date': d['date'],
        'body_text': norm(d['body_text']), 'body_html': norm(d['body_html']),
        'att': atts,
    }

# ---- the messages ----
rnd = random.Random(20240517)
msgs = {}

def put(name, data):
    msgs[name] = data if isinstance(data, bytes) else data.encode('latin-1')

def em(policy=email.policy.default):
    return EmailMessage(policy=policy)

NAMES = ['Jörg Müller', 'Zoë Ünsal', '山田 太郎', 'Ωmega Ψ', 'Plain Name',
         'O\'Brien, Pat', 'Dr. Who?', 'Ann "The Hammer" Lee']
WORDS = ['naïve', 'café', 'Straße', 'привет', '日本語のテキスト', 'ascii',
         'emoji 😀', 'ελληνικά', 'שלום', 'long' * 30]

def rich(i):
    m = em(email.policy.SMTP if i % 2 else email.policy.default)
    m['Subject'] = ' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 9)))
    m['From'] = email.headerregistry.Address(rnd.choice(NAMES), 'from',
                                             'example.com')
    m['To'] = [email.headerregistry.Address(rnd.choice(NAMES), 'to%d' % k,
                                            'example.org')
               for k in range(rnd.randint(1, 4))]
    if rnd.random() < 0.5:
        m['Cc'] = 'Team: a@x.test, Bob <b@x.test>;, c@x.test'
    m['Message-ID'] = email.utils.make_msgid(domain='x.test')
    m['Date'] = email.utils.formatdate(rnd.randint(0, 2**31), localtime=False)
    text = '\n'.join(' '.join(rnd.choice(WORDS) for _ in range(12))
                     for _ in range(rnd.randint(1, 30))) + '\n'
    cte = rnd.choice([None, 'quoted-printable', 'base64', '8bit'])
    cs = rnd.choice(['utf-8', 'utf-8', 'iso-8859-1', 'koi8-r'])
    try:
        text.encode(cs)
    except UnicodeEncodeError:
        cs = 'utf-8'
    if cte == '8bit' and cs != 'utf-8':
        cte = None
    m.set_content(text, charset=cs, cte=cte)
    if rnd.random() < 0.7:
        html = '<html><body><p>%s</p>%s</body></html>\n' % (
            text.replace('\n', '<br>\n'),
            '<img src="cid:pic%d@x.test">' % i if i % 3 == 0 else '')
        m.add_alternative(html, subtype='html')
        if i % 3 == 0:
            m.get_payload()[1].add_related(
                bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 3000))),
                'image', 'png', cid='<pic%d@x.test>' % i)
    for k in range(rnd.randint(0, 3)):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 5000)))
        fn = rnd.choice(['report.pdf', 'Übersicht – März.xlsx',
                         '日本語ファイル名.txt', 'a' * 90 + '.bin',
                         '€ ' * 30 + '.dat', 'plain name.doc'])
        m.add_attachment(data, maintype='application',
                         subtype='octet-stream', filename=fn)
    if rnd.random() < 0.3:
        inner = em()
        inner['Subject'] = 'inner ' + rnd.choice(WORDS)
        inner['From'] = 'inner@x.test'
        inner.set_content('inner body ' + rnd.choice(WORDS) + '\n')
        m.add_attachment(inner)
    return m.as_bytes()

for i in range(60):
    put('rich%02d.eml' % i, rich(i))

# hand-written: RFC 2047 section 8, RFC 2231, RFC 5322 appendix A
put('rfc2047.eml',
    'From: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>\r\n'
    'To: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>\r\n'
    'CC: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n'
    'Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n'
    '    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n'
    'Date: Thu, 13 Feb 1969 23:32:54 -0330\r\n'
    'Message-ID: <a@b>\r\n\r\nbody\r\n')
put('rfc5322-a5.eml',
    'From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\n'
    'To:A Group(Some people)\r\n'
    '     :Chris Jones <c@(Chris\'s host.)public.example>,\r\n'
    '         joe@example.org,\r\n'
    '  John <jdoe@one.test> (my dear friend); (the end of the group)\r\n'
    'Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\r\n'
    'Date: Thu,\r\n      13\r\n        Feb\r\n          1969\r\n'
    '      23:32\r\n               -0330 (Newfoundland Time)\r\n'
    'Message-ID:              <testabcd.1234@silly.test>\r\n\r\n'
    'Testing.\r\n')
put('rfc2231.eml',
    'Subject: params\r\nMIME-Version: 1.0\r\n'
    'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
    '--XX\r\n\r\ntext\r\n'
    '--XX\r\nContent-Type: application/x-stuff;\r\n'
    " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
    ' title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n'
    ' title*2="isn\'t it!"\r\n'
    "Content-Disposition: attachment; filename*=iso-8859-1''caf%E9.txt\r\n"
    'Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n'
    '--XX\r\nContent-Type: text/plain; name="=?utf-8?B?w6kudHh0?="\r\n'
    'Content-Disposition: attachment\r\n\r\nnot body\r\n'
    '--XX--\r\n')
put('charsets.eml',
    'Subject: =?koi8-r?B?8NLJ18XU?= =?shift_jis?B?grGC8YLJgr+CzQ==?=\r\n'
    'MIME-Version: 1.0\r\n'
    'Content-Type: multipart/alternative; boundary=b\r\n\r\n'
    '--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n'
    '\x1b$B%F%9%H\x1b(B\r\n'
    '--b\r\nContent-Type: text/html; charset=utf-16\r\n'
    'Content-Transfer-Encoding: base64\r\n\r\n'
    + base64.encodebytes('<b>ünï</b>'.encode('utf-16')).decode() +
    '--b--\r\n')
put('qp.eml',
    'Subject: qp\nContent-Type: text/plain; charset=utf-8\n'
    'Content-Transfer-Encoding: quoted-printable\n\n'
    'caf=C3=A9 with a soft=\nbreak and =3D sign\nline two\n')
put('lf-nested.eml',
    'Subject: lf\nContent-Type: multipart/mixed; boundary="o"\n\npre\n'
    '--o\nContent-Type: multipart/related; boundary="r"\n\n'
    '--r\nContent-Type: text/html; charset=iso-8859-1\n\n'
    '<p>caf\xe9</p><img src="cid:x@y">\n'
    '--r\nContent-Type: image/gif\nContent-ID: <x@y>\n'
    'Content-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n--r--\n'
    '--o\nContent-Type: message/rfc822\n\n'
    'Subject: =?utf-8?q?in=C3=A9?=\nFrom: In <in@x.test>\n\ninner\n'
    '--o--\nepilogue\n')

# tolerated damage both readers agree on
put('broken-b64.eml',
    'Subject: =?utf-8?b?w6k?= no padding\r\n'
    'Content-Type: application/octet-stream; name=x.bin\r\n'
    'Content-Transfer-Encoding: base64\r\n\r\naGVsbG8\r\n')
put('broken-close.eml',
    'Subject: no close delimiter\r\n'
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    '--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n'
    '--b\r\nContent-Type: image/png; name="p.png"\r\n\r\nPNG\r\n')
put('envelope.eml',
    'From sender@x.test Thu Jan  1 00:00:00 2004\n'
    'Subject: with envelope\nFrom: a@x.test\n\nbody\n')
put('no-ctype.eml', 'Subject: plain\r\n\r\nno content type\r\n')

os.makedirs(outdir, exist_ok=True)
fails = 0
for name in sorted(msgs):
    path = os.path.join(outdir, name)
    with open(path, 'wb') as f:
        f.write(msgs[name])
    py = canon(email.message_from_bytes(msgs[name], policy=email.policy.default))
    out = subprocess.run([dump, path], capture_output=True)
    if out.returncode != 0:
        print('FAIL %s: mimedump exit %d: %s' % (name, out.returncode,
                                                 out.stderr.decode()))
        fails += 1
        continue
    c = canon_dump(json.loads(out.stdout))
    for k in py:
        if py[k] != c[k]:
            print('FAIL %s: %s\n  python: %r\n  pstfix: %r' %
                  (name, k, py[k], c[k]))
            fails += 1
print('%d messages, %d differences' % (len(msgs), fails))
sys.exit(1 if fails else 0)
PYEOF

python3 "$TMP/xcheck.py" "$dump" "$TMP/eml" > "$TMP/xcheck.log" 2>&1 || {
	head -n 80 "$TMP/xcheck.log"
	fail "formats/mime and Python's email package disagree"
}
tail -n 1 "$TMP/xcheck.log"
exit 0
