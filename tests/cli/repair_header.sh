# repair_header.sh - stage 1 of `pstfix repair` on files the writer made
# (Unicode, ANSI, 4K OST) whose HEADER was broken by a few bytes: a CRC,
# ibFileEof short of or past the end, bidNextB/bidNextP/rgnid below what
# is in use, bSentinel, bCryptMethod, wMagicClient (MS-PST 2.2.2.6 and
# 2.2.2.5 offsets, written here independently of formats/ndb/header.c).
# Each one: scan reports errors; `repair -o` exits 1 with the header level
# only; the result scans clean, keeps every message, and both libpff
# (pffinfo, pffexport) and readpst open it and read what they read in the
# unbroken file (readpst: every folder with the same messages).
. "$(dirname "$0")/common.shlib"
need_python
command -v pffinfo >/dev/null 2>&1 || skip "pffinfo absent (pff-tools)"
command -v readpst >/dev/null 2>&1 || skip "readpst absent (pst-utils)"

# poke FILE OFFSET WIDTH EXPR: the little-endian field at OFFSET becomes
# EXPR of its value v (python).
poke() {
	python3 - "$@" <<'PY' || fail "poke $*"
import sys
path, off, width, expr = sys.argv[1:5]
off, width = int(off), int(width)
with open(path, "r+b") as f:
    f.seek(off)
    v = int.from_bytes(f.read(width), "little")
    v = eval(expr, {"v": v}) % (1 << (8 * width))
    f.seek(off)
    f.write(v.to_bytes(width, "little"))
PY
}

# same_for_readpst FMT NAME: readpst reads in NAME.out.pst the folders
# and subjects it reads in good-FMT.pst.  readpst is not deterministic
# here: it once wrote other base64 for one attachment of the same file in
# two runs, and twice in about fifteen runs of this test (under load) its
# subjects differed for a file that differs from good-FMT.pst only in the
# header.  A difference is read again once, from both files, before it
# counts.
same_for_readpst() {
	for _try in 1 2; do
		readpst_subjects "$TMP/$2.out.pst" "$TMP/rp-$2" ||
			fail "$2: readpst cannot open it"
		diff -r "$TMP/rp-$1" "$TMP/rp-$2" >"$TMP/diff" && return 0
		echo "readpst differs on $2 (try $_try):"
		head -n 10 "$TMP/diff"
		readpst_subjects "$TMP/good-$1.pst" "$TMP/rp-$1" ||
			fail "readpst cannot read good-$1.pst again"
	done
	fail "$2: readpst reads something else than in the original"
}

# case NAME FORMAT OFFSET WIDTH EXPR: break one field, repair, compare.
case_() {
	name=$1 fmt=$2
	shift 2
	f=$TMP/$name.pst
	cp "$TMP/good-$fmt.pst" "$f"
	poke "$f" "$@"
	run scan "$f"
	[ "$RC" -eq 4 ] || { show; fail "$name: scan exit $RC, expected 4"; }
	run repair -o "$TMP/$name.out.pst" "$f"
	expect_rc 1
	expect_out 'repaired \(header\)'
	expect_out "$(cat "$TMP/n-$fmt") messages kept, 0 lost; 0 errors"
	run scan "$TMP/$name.out.pst"
	expect_rc 0
	[ "$(scan_messages "$TMP/$name.out.pst")" = "$(cat "$TMP/n-$fmt")" ] ||
		fail "$name: message count changed"
	pffinfo "$TMP/$name.out.pst" >"$TMP/pffinfo" 2>&1 ||
		{ cat "$TMP/pffinfo"; fail "$name: libpff cannot open it"; }
	same_for_readpst "$fmt" "$name"
	echo "ok: $name"
}

for fmt in unicode ansi ost4k; do
	run create --sample messages=40,attachments=0-2 --format $fmt \
		-o "$TMP/good-$fmt.pst"
	expect_rc 0
	scan_messages "$TMP/good-$fmt.pst" >"$TMP/n-$fmt"
	[ "$(cat "$TMP/n-$fmt")" -ge 40 ] ||
		fail "$fmt: sample has no messages"
	readpst_subjects "$TMP/good-$fmt.pst" "$TMP/rp-$fmt" ||
		fail "readpst cannot read the $fmt sample"
done

# Unicode and 4K (wVer 23/36): bidNextP 32, rgnid 44, ROOT 180 (ibFileEof
# 184, ibAMapLast 192), bSentinel 512, bCryptMethod 513, bidNextB 516,
# dwCRCFull 524.  ANSI (wVer 14): bidNextB 24, bidNextP 28, rgnid 36, ROOT
# 164 (ibFileEof 168, ibAMapLast 172), bSentinel 460, bCryptMethod 461.
case_ crc-partial unicode 4 4 'v ^ 0xffff'
case_ crc-full unicode 524 4 'v + 1'
case_ eof-short unicode 184 8 'v - 0x1000'
case_ eof-range unicode 184 8 'v - 0x40000'
case_ eof-long unicode 184 8 'v + 0x3e000'
case_ amap-last unicode 192 8 'v + 0x3e000'
case_ bid-next-b unicode 516 8 '8'
case_ bid-next-p unicode 32 8 '8'
case_ rgnid-msg unicode $((44 + 4 * 4)) 4 '1'
case_ sentinel unicode 512 1 '0'
case_ crypt unicode 513 1 '0x07'
case_ magic unicode 8 2 '0x5858'
case_ ansi-crc ansi 4 4 'v ^ 1'
case_ ansi-eof ansi 168 4 'v - 0x200'
case_ ansi-bid-next-b ansi 24 4 '4'
case_ ansi-rgnid ansi $((36 + 4 * 2)) 4 '0'
case_ ost4k-eof ost4k 184 8 'v - 0x1000'
case_ ost4k-bid-next-b ost4k 516 8 '4'

# trailing junk after ibFileEof that no AMap page covers is not copied
cp "$TMP/good-unicode.pst" "$TMP/junk.pst"
head -c 5000 /dev/urandom >>"$TMP/junk.pst"
run repair -o "$TMP/junk.out.pst" "$TMP/junk.pst"
expect_rc 1
expect_out 'not copied'
[ "$(stat -c %s "$TMP/junk.out.pst")" = \
  "$(stat -c %s "$TMP/good-unicode.pst")" ] ||
	fail "junk: the trailing bytes were kept"
run scan "$TMP/junk.out.pst"
expect_rc 0
exit 0
