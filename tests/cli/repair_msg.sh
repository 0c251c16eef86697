# repair_msg.sh - stage 3 of `pstfix repair` (the messaging layer) on
# files the writer made (Unicode and ANSI) whose NBT parent links were
# broken in place: three messages point at a folder that does not exist
# (orphans), two folders are each other's parent (a cycle that never
# reaches the root).  The NBT leaf entry's nidParent is rewritten and the
# page's CRC recomputed (MS-PST 2.2.2.7.7.4 NBTENTRY, 2.2.2.7.1 trailer;
# offsets written here independently of formats/ndb), so the NDB stays
# sound and only the messaging level is asked for.
# Each one: scan reports PF7005/PF7004 errors; `repair -o` exits 1 at the
# messaging level with every message kept; the result scans clean; `ls`
# shows "Recovered Items" under the IPM subtree with the three messages
# and the cut folder; libpff (pffexport -m all) and readpst find every
# message, three of them in "Recovered Items"; a second repair of the
# result finds nothing to do.
. "$(dirname "$0")/common.shlib"
need_python
command -v pffexport >/dev/null 2>&1 || skip "pffexport absent (pff-tools)"
command -v readpst >/dev/null 2>&1 || skip "readpst absent (pst-utils)"

# set_parent FILE NID PARENT: the NBT entry of NID gets nidParent PARENT.
set_parent() {
	python3 - "$@" <<'PY' || fail "set_parent $*"
import sys, zlib
path, nid, parent = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
with open(path, "r+b") as f:
    hdr = f.read(564)
    ansi = int.from_bytes(hdr[10:12], "little") in (14, 15)
    w = 4 if ansi else 8                   # BID, IB and NID slot width
    ib = int.from_bytes(hdr[188:192] if ansi else hdr[224:232], "little")
    meta = 496 if ansi else 488            # cEnt cEntMax cbEnt cLevel
    crc_at = 508 if ansi else 500
    for _ in range(16):
        f.seek(ib)
        page = bytearray(f.read(512))
        cent, level = page[meta], page[meta + 3]
        cb = page[meta + 2]
        ents = [page[i * cb:(i + 1) * cb] for i in range(cent)]
        key = lambda e: int.from_bytes(e[:w], "little")
        if level == 0:
            hit = [i for i, e in enumerate(ents) if key(e) == nid]
            if not hit:
                sys.exit("nid %#x not found" % nid)
            at = hit[0] * cb + 3 * w
            page[at:at + 4] = parent.to_bytes(4, "little")
            # MS-PST 5.3: seed 0, no final inversion
            crc = zlib.crc32(bytes(page[:500 if ansi else 496]),
                             0xFFFFFFFF) ^ 0xFFFFFFFF
            page[crc_at:crc_at + 4] = crc.to_bytes(4, "little")
            f.seek(ib)
            f.write(page)
            sys.exit(0)
        down = [e for e in ents if key(e) <= nid][-1]
        ib = int.from_bytes(down[2 * w:3 * w], "little")
    sys.exit("NBT deeper than 16 levels")
PY
}

# ls --json: the NIDs of FOLDER's items, one a line.
items() {
	"$PSTFIX" ls --json "$1" "$2" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("type") == "item":
        print(o["nid"])'
}

# libpff / readpst: how many messages in all, and in "Recovered Items".
pff_count() {
	rm -rf "$TMP/x" "$TMP/x.export" "$TMP/x.recovered" \
		"$TMP/x.orphans"
	pffexport -m all -q -t "$TMP/x" "$1" >/dev/null 2>&1 ||
		fail "pffexport cannot read $1"
	ri=$(find "$TMP/x.export" -type d -name 'Recovered Items')
	[ -n "$ri" ] || fail "libpff shows no Recovered Items in $1"
	echo "$(find "$TMP/x.export" -type d -name 'Message*' | wc -l)" \
	     "$(find "$ri" -mindepth 1 -maxdepth 1 -type d -name 'Message*' |
		wc -l)"
}

readpst_count() {
	rm -rf "$TMP/r" && mkdir "$TMP/r"
	readpst -j 0 -e -D -o "$TMP/r" "$1" >/dev/null 2>&1 ||
		fail "readpst cannot read $1"
	ri=$(find "$TMP/r" -type d -name 'Recovered Items')
	[ -n "$ri" ] || fail "readpst shows no Recovered Items in $1"
	echo "$(find "$TMP/r" -name '*.eml' | wc -l)" \
	     "$(find "$ri" -maxdepth 1 -name '*.eml' | wc -l)"
}

for fmt in unicode ansi; do
	good=$TMP/good-$fmt.pst bad=$TMP/bad-$fmt.pst fixed=$TMP/fixed-$fmt.pst
	run create --sample folders=4,messages=40,attachments=0-1 \
		--format $fmt -o "$good"
	expect_rc 0
	n=$(scan_messages "$good")
	[ "$n" -ge 40 ] || fail "$fmt: sample has $n messages"
	# Inbox/Folder 1..4 are 0x8102, 0x8122, 0x8142, 0x8162
	cp "$good" "$bad"
	for m in $(items "$good" 0x8102 | head -n 3); do
		set_parent "$bad" "$m" 0x7FFFE2
	done
	set_parent "$bad" 0x8122 0x8142
	set_parent "$bad" 0x8142 0x8122
	run scan "$bad"
	expect_rc 4
	expect_out 'PF7005'
	expect_out 'PF7004'

	run repair -o "$fixed" "$bad"
	expect_rc 1
	expect_out 'repaired \(messaging\)'
	expect_out "moved 3 orphan messages to 'Recovered Items'"
	expect_out 'a parent cycle'
	expect_out "$n messages kept, 0 lost; 0 errors, 0 warnings left"
	run scan "$fixed"
	expect_rc 0
	expect_out ': clean$'
	[ "$(scan_messages "$fixed")" = "$n" ] ||
		fail "$fmt: message count changed"
	run ls "$fixed"
	expect_out '^    Recovered Items  \[3 items\]'
	[ "$(pff_count "$fixed")" = "$n 3" ] ||
		fail "$fmt: libpff finds $(pff_count "$fixed"), want $n 3"
	[ "$(readpst_count "$fixed")" = "$n 3" ] ||
		fail "$fmt: readpst finds $(readpst_count "$fixed"), want $n 3"

	run repair -o "$TMP/again-$fmt.pst" "$fixed"
	expect_rc 0
	echo "ok: $fmt"
done
exit 0
