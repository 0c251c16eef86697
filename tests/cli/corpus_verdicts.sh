# corpus_verdicts.sh - every corpus file gets the verdict it deserves:
# clean files exit 0 (warnings allowed), ODD files exit 0 with warnings
# that say what is odd, the CORRUPT file exits 4 naming its three known
# faults, NOTPST files exit 8 with a one-line reason; nothing crashes.
. "$(dirname "$0")/common.shlib"
need_corpus

for f in "$CORPUS"/*.pst "$CORPUS"/*.ost "$CORPUS"/*.bin; do
	run scan "$f"
	case ${f##*/} in
	NOTPST-*)
		expect_rc 8
		expect_out ': cannot check: not a PST file: ' ;;
	CORRUPT-*)
		expect_rc 4 ;;
	ODD-aspose-eof-mismatch.pst)
		expect_rc 0
		expect_out '^PF1013 warning ROOT.ibFileEof is 0x42400 but the file has 0xae500 bytes' ;;
	ODD-aspose-split-part1.pst)
		expect_rc 0
		expect_out '^PF6065 warning' ;;
	*)
		expect_rc 0
		expect_no_out '^PF[0-9]{4} error' ;;
	esac
done

# The real corruption: header CRCs, fAMapValid and the BBT root BID.
run scan "$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst"
expect_out '^PF1001 error .*dwCRCPartial CRC mismatch \(read 0x424c6db2, computed 0x34620c55\)'
expect_out '^PF1001 error .*dwCRCFull CRC mismatch'
expect_out '^PF1015 error +ROOT.fAMapValid is 0'
expect_out '^PF3003 error +BBT page at 0x7e00 bid 0x148: BID mismatch \(trailer 0x148, referenced as 0x138\)'
exit 0
