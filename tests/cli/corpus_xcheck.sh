# corpus_xcheck.sh - pstfix and libpff (the independent reader, in a child
# process) see the same folders with the same item and sub-folder counts in
# every corpus file libpff can read.  Where they differ, the difference is
# expected and explained here:
#   ODD-aspose-split-part1.pst: two contents tables are empty but their row
#     index points at a zero-byte allocation; libpff reads that as "record
#     entries but no value array" and cannot count those folders (PF8007).
#     The spec (MS-PST 2.3.2.1, 2.3.4.1) makes it an empty table: pstfix is
#     right, and scan says so with PF6065.
#   CORRUPT-aspose-bulk-halfwritten.pst: libpff refuses the header CRC
#     (PF8001); pstfix reports the damage itself.
. "$(dirname "$0")/common.shlib"
need_corpus

for f in "$CORPUS"/*.pst "$CORPUS"/*.ost; do
	case ${f##*/} in NOTPST-*) continue ;; esac
	run scan --cross-check -v "$f"
	case ${f##*/} in
	CORRUPT-aspose-bulk-halfwritten.pst)
		expect_out '^PF8001 warning.*libpff could not read the file: .*checksum'
		continue ;;
	ODD-aspose-split-part1.pst)
		expect_out '^PF8007 warning.*"Top of Personal Folders/Inbox/SubInbox": libpff cannot count'
		expect_out '^PF6065 warning nid 0x80ae: table context is empty'
		expect_no_out '^PF800[2-5] '
		continue ;;
	esac
	expect_no_out '^PF800[1-5] '
	expect_out '^PF8006 info +libpff agrees: [0-9]+ folders, [0-9]+ items'
done
exit 0
