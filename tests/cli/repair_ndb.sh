# repair_ndb.sh - the NDB stage of `pstfix repair` (B-tree rebuild from a
# trailer scan) on files the writer made (Unicode, ANSI, 4K OST) and on
# the corpus's half-written file.
# Damage: the first 64 bytes zeroed (magic, CRCs, wVer gone: the layout
# is probed), the NBT root page zeroed (every node comes back from the
# leaf pages the scan finds), the BBT root BREF off by one BID (header
# CRCs fixed, so only the tree is wrong).  Each: `repair -o` exits 1 at
# the btree level with every message kept; the output scans clean; libpff
# (pffinfo) and readpst open it and readpst reads the same subjects in the
# same folders as in the undamaged file.  Offsets are MS-PST 2.2.2.6 /
# 2.2.2.5, written here independently of formats/ndb/header.c.
. "$(dirname "$0")/common.shlib"
need_python
command -v pffinfo >/dev/null 2>&1 || skip "pffinfo absent (pff-tools)"
command -v readpst >/dev/null 2>&1 || skip "readpst absent (pst-utils)"

# header FILE FMT FIELD [NEW]: print a ROOT field (nbt_bid nbt_ib bbt_bid
# bbt_ib), or set it to NEW and recompute dwCRCPartial / dwCRCFull.
header() {
	python3 - "$@" <<'PY' || fail "header $*"
import sys, zlib
path, fmt, field = sys.argv[1:4]
ansi = fmt == "ansi"
w = 4 if ansi else 8
root = 164 if ansi else 180
off = root + 4 + w * {"nbt_bid": 4, "nbt_ib": 5, "bbt_bid": 6,
                      "bbt_ib": 7}[field]
crc = lambda b: zlib.crc32(b, 0xFFFFFFFF) ^ 0xFFFFFFFF
with open(path, "r+b") as f:
    h = bytearray(f.read(512 if ansi else 564))
    if len(sys.argv) == 4:
        print(int.from_bytes(h[off:off + w], "little"))
        sys.exit(0)
    h[off:off + w] = int(sys.argv[4]).to_bytes(w, "little")
    h[4:8] = crc(bytes(h[8:8 + 471])).to_bytes(4, "little")
    if not ansi:
        h[524:528] = crc(bytes(h[8:8 + 516])).to_bytes(4, "little")
    f.seek(0)
    f.write(h)
PY
}

# message_leaf FILE FMT: the offset of the NBT leaf page that holds the
# most normal-message NIDs (type 0x04), found by walking from BREFNBT
# (MS-PST 2.2.2.7.7: BTENTRY key, BREF; NBTENTRY nid first).
message_leaf() {
	python3 - "$@" <<'PY' || fail "message_leaf $*"
import sys
path, fmt = sys.argv[1:3]
w = 4 if fmt == "ansi" else 8
ps = 4096 if fmt == "ost4k" else 512
ents = {"ansi": 496, "unicode": 488, "ost4k": 4056}[fmt]
f = open(path, "rb")
def page(ib):
    f.seek(ib)
    return f.read(ps)
def meta(p):
    if ps == 4096:
        return int.from_bytes(p[ents:ents + 2], "little"), p[ents + 4], p[ents + 5]
    return p[ents], p[ents + 2], p[ents + 3]
f.seek(188 if w == 4 else 224)
stack, best = [int.from_bytes(f.read(w), "little")], (-1, 0)
while stack:
    ib = stack.pop()
    p = page(ib)
    cent, cb, level = meta(p)
    for i in range(cent):
        e = p[i * cb:(i + 1) * cb]
        if level:
            stack.append(int.from_bytes(e[2 * w:3 * w], "little"))
    if not level:
        n = sum(1 for i in range(cent) if p[i * cb] & 0x1F == 4)
        best = max(best, (n, ib))
print(best[1])
PY
}

# check NAME FMT [REGEX]: repair $TMP/NAME.pst (its output matching
# REGEX too) and compare with good-FMT.
check() {
	name=$1 fmt=$2
	run repair -o "$TMP/$name.out.pst" "$TMP/$name.pst"
	expect_rc 1
	expect_out 'repaired \(btree\)'
	[ $# -lt 3 ] || expect_out "$3"
	expect_out "$(cat "$TMP/n-$fmt") messages kept, 0 lost; 0 errors"
	run scan "$TMP/$name.out.pst"
	expect_rc 0
	[ "$(scan_messages "$TMP/$name.out.pst")" = "$(cat "$TMP/n-$fmt")" ] ||
		fail "$name: message count changed"
	pffinfo "$TMP/$name.out.pst" >"$TMP/pffinfo" 2>&1 ||
		{ cat "$TMP/pffinfo"; fail "$name: libpff cannot open it"; }
	readpst_subjects "$TMP/$name.out.pst" "$TMP/rp-$name" ||
		fail "$name: readpst cannot open it"
	diff -r "$TMP/rp-$fmt" "$TMP/rp-$name" >/dev/null ||
		fail "$name: readpst reads something else than in the original"
	echo "ok: $name"
}

for fmt in unicode ansi ost4k; do
	ps=512
	[ $fmt = ost4k ] && ps=4096
	g=$TMP/good-$fmt.pst
	run create --sample messages=120,attachments=0-2 --format $fmt -o "$g"
	expect_rc 0
	scan_messages "$g" >"$TMP/n-$fmt"
	[ "$(cat "$TMP/n-$fmt")" -ge 120 ] || fail "$fmt: sample has no messages"
	readpst_subjects "$g" "$TMP/rp-$fmt" || fail "readpst cannot read $fmt"

	cp "$g" "$TMP/zhdr-$fmt.pst"
	dd if=/dev/zero of="$TMP/zhdr-$fmt.pst" bs=64 count=1 conv=notrunc \
		2>/dev/null
	check zhdr-$fmt $fmt 'header unreadable'

	cp "$g" "$TMP/nbtroot-$fmt.pst"
	ib=$(header "$g" $fmt nbt_ib)
	dd if=/dev/zero of="$TMP/nbtroot-$fmt.pst" bs=$ps count=1 \
		seek=$((ib / ps)) conv=notrunc 2>/dev/null
	check nbtroot-$fmt $fmt

	# an NBT leaf of messages zeroed, no older copy of it in the file:
	# the messages come back from their PCs into "Recovered Items"
	cp "$g" "$TMP/leaf-$fmt.pst"
	dd if=/dev/zero of="$TMP/leaf-$fmt.pst" bs=$ps count=1 \
		seek=$(($(message_leaf "$g" $fmt) / ps)) conv=notrunc 2>/dev/null
	run repair -o "$TMP/leaf-$fmt.out.pst" "$TMP/leaf-$fmt.pst"
	expect_rc 1
	expect_out 'lost and found: [1-9][0-9]* messages'
	expect_out "$(cat "$TMP/n-$fmt") messages kept, 0 lost; 0 errors"
	readpst_subjects "$TMP/leaf-$fmt.out.pst" "$TMP/rp-leaf-$fmt" ||
		fail "leaf-$fmt: readpst cannot open it"
	[ -s "$TMP/rp-leaf-$fmt/Recovered Items.mbox.subjects" ] ||
		fail "leaf-$fmt: no Recovered Items"
	sort "$TMP/rp-$fmt"/*.subjects >"$TMP/all-good"
	sort "$TMP/rp-leaf-$fmt"/*.subjects >"$TMP/all-leaf"
	cmp -s "$TMP/all-good" "$TMP/all-leaf" ||
		fail "leaf-$fmt: readpst reads other subjects"
	echo "ok: leaf-$fmt"

	cp "$g" "$TMP/bbtbid-$fmt.pst"
	header "$TMP/bbtbid-$fmt.pst" $fmt bbt_bid \
		$(($(header "$g" $fmt bbt_bid) + 4))
	check bbtbid-$fmt $fmt
done

# the corpus's half-written file: BBT root BREF at a page whose trailer
# BID differs, both header CRCs bad, fAMapValid 0; its NBT is intact.
f=$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst
[ -f "$f" ] || { echo "SKIP: $f absent"; exit 0; }
run repair -o "$TMP/half.pst" "$f"
expect_rc 1
expect_out 'repaired \(btree\)'
expect_out ' 0 lost; 0 errors'
run scan "$TMP/half.pst"
expect_rc 0
pffinfo "$TMP/half.pst" >"$TMP/pffinfo" 2>&1 ||
	{ cat "$TMP/pffinfo"; fail "half-written: libpff cannot open it"; }
readpst -q -o "$TMP" "$TMP/half.pst" >/dev/null 2>&1 ||
	fail "half-written: readpst cannot open it"
echo "ok: half-written"
exit 0
