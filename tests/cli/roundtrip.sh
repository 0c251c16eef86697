# roundtrip.sh - the writer's round trip: for each kind of file, `pstfix
# create --sample` writes a PST/OST and a manifest, and tests/tools/
# roundtrip.py checks that `pstfix scan --json` finds nothing (no error, no
# warning) and that both independent readers -- libpff's pffexport and
# readpst -- find every folder and message with the manifest's subject,
# sender, recipients, body text and attachment bytes.  What the readers
# cannot show, and where they are wrong, is documented (with the evidence)
# at the top of roundtrip.py; nothing is skipped silently.
#
# Prints one line per case and a matrix at the end: per case, pstfix (scan
# and ls), libpff, readpst and the manifest checks, with timings.
. "$(dirname "$0")/common.shlib"
need_python
command -v pffexport >/dev/null 2>&1 ||
	skip "pffexport absent (pff-tools; make setup installs it)"
command -v readpst >/dev/null 2>&1 ||
	skip "readpst absent (pst-utils; make setup installs it)"
tools=$(cd "$(dirname "$0")/../tools" && pwd)

# Writer bug "table-parent" (roundtrip.py): folder table nodes written with
# nidParent = the folder (Outlook writes 0); libpff showed three unnamed
# root folders, readpst contents tables as messages.  Fixed in ea9e126;
# scan warns PF7023 since 40d14c0.  1 would allow exactly those symptoms
# (and fail when they are absent); keep 0.
KNOWN_BUG_TABLE_PARENT=0

# 4K-page OSTs (wVer 36): scan is clean and both readers read every folder,
# message, body and attachment of the writer's files (the ost4k case passes,
# same checks as the others).  Set this to 1 only with evidence that 4K
# files do not work yet: the ost4k case then reports XFAIL instead of
# failing the test, and XPASS (a failure) once it works again.
KNOWN_FAIL_4K=0

known=
[ "$KNOWN_BUG_TABLE_PARENT" = 1 ] && known=table-parent

# Where the readers write.  They make a file per message and more
# (pffexport: a directory and five files a message), 70,000 entries for the
# 10,000-message case.  On the machine this test was written on (ext4 on a
# virtual disk, under load) deleting those took 53 to 220 s, on tmpfs 0.3 s:
# the exports go to /dev/shm when it is a writable directory with 1 GB free
# (the 10k case needs about 200 MB there), else under $TMP.  The PST files
# themselves are written under $TMP, on a real file system (the writer
# fsyncs and renames).
WORKROOT=$TMP
_free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "${_free:-0}" -gt 1048576 ]; then
	WORKROOT=$(mktemp -d /dev/shm/pstfix-roundtrip.XXXXXX) || WORKROOT=$TMP
	trap 'rm -rf "$TMP" "$WORKROOT"' EXIT
fi
echo "reader exports under $WORKROOT"

now() {
	python3 -c 'import time; print("%.2f" % time.time())'
}

nfail=0
MATRIX=$TMP/matrix
: >"$MATRIX"

# rt NAME SPEC FORMAT ENCODING [roundtrip.py options...]
rt() {
	_name=$1 _spec=$2 _fmt=$3 _enc=$4
	shift 4
	_d=$TMP/$_name
	_w=$WORKROOT/$_name.export
	_log=$TMP/$_name.log
	mkdir "$_d" "$_w" || fail "mkdir $_d $_w"
	_t0=$(now)
	run create --sample "$_spec" --format "$_fmt" --encoding "$_enc" \
		-o "$_d/f.pst" --manifest "$_d/m.jsonl"
	_t1=$(now)
	if [ "$RC" -ne 0 ]; then
		show
		_v="create=FAIL(exit $RC)"
		_ok=1
	else
		_ok=0
		python3 "$tools/roundtrip.py" --workdir "$_w" \
			${known:+"--known=$known"} "$@" \
			"$PSTFIX" "$_d/f.pst" "$_d/m.jsonl" >"$_log" 2>&1 ||
			_ok=$?
		_v=$(sed -n 's/^verdict: //p' "$_log")
		[ -n "$_v" ] || _v="roundtrip.py=ERROR(exit $_ok)"
	fi
	_t2=$(now)
	rm -rf "$_d" "$_w"
	_t3=$(now)
	_secs=$(echo "$_t0 $_t1 $_t2 $_t3" | awk '{ printf("create %.1fs, " \
	    "check %.1fs, clean-up %.1fs", $2 - $1, $3 - $2, $4 - $3) }')
	_res=PASS
	if [ "$_ok" -ne 0 ]; then
		_res=FAIL
		if [ "$_name" = ost4k ] && [ "$KNOWN_FAIL_4K" = 1 ]; then
			_res=XFAIL
		fi
	elif [ "$_name" = ost4k ] && [ "$KNOWN_FAIL_4K" = 1 ]; then
		_res=XPASS   # works now: set KNOWN_FAIL_4K=0
	fi
	case $_res in
	FAIL|XPASS) nfail=$((nfail + 1)) ;;
	esac
	# the whole report, notes (documented differences) included
	echo "=== $_name: --sample $_spec --format $_fmt --encoding $_enc $*"
	cat "$_log" 2>/dev/null
	[ "$_res" = XFAIL ] && echo "(known failure: KNOWN_FAIL_4K=1)"
	[ "$_res" = XPASS ] && echo "(KNOWN_FAIL_4K=1 but it passed: set it to 0)"
	echo "$_res: $_name: $_v; $_secs"
	printf '%-16s %-6s %-44s %s\n' "$_name" "$_res" "$_v" "$_secs" \
		>>"$MATRIX"
}

T0=$(now)

# Unicode (wVer 23) with each encoding; unicode=1: non-ASCII subjects,
# names, folder names and attachment names (the generator's default).
S=messages=40,folders=4,attachments=0-3,unicode=1
rt unicode-none "$S" unicode none
rt unicode-permute "$S" unicode permute
rt unicode-cyclic "$S" unicode cyclic
# plain text only: no HTML body, so no PidTagInternetCodepage either
rt nohtml messages=20,folders=2,html=0 unicode permute
# ASCII names and text
rt ascii messages=40,folders=4,attachments=0-3,unicode=0 unicode permute
# ANSI (wVer 14): strings are Windows-1252 on disk.  With ASCII content
# the round trip is exact.  With unicode=1 characters 1252 lacks become
# "?" by design, so bodies can only be compared between the two readers
# (--ansi-lossy).  The writer names the codepage (PidTagMessageCodepage
# 1252, the HTML in 1252 with character references), so readpst labels
# the text right (the "ansi-codepage" bug of roundtrip.py is fixed).
rt ansi messages=40,folders=4,attachments=0-3,unicode=0 ansi permute
rt ansi-unicode messages=20,folders=2,attachments=0-2,unicode=1 ansi permute \
	--ansi-lossy
# OST, 512-byte pages (wVer 23, client "SO") and 4K pages (wVer 36)
rt ost "$S" ost permute
rt ost4k "$S" ost4k permute
# 4K with folders of 600 messages: multi-block heaps and row matrices,
# whose blocks the writer leaves uncompressed so libpff 20180714 can size
# them (it measures a data tree's leaves by their stored size)
rt ost4k-big messages=1200,folders=1,body=100-300,attachments=0-1 ost4k permute
# the empty store: the standard folders only
rt empty messages=0,folders=0 unicode permute
# 10,000 messages in 21 folders.  Everything is counted, found and compared
# through libpff; readpst's .eml files are all found by folder and subject,
# but parsed as MIME (body, attachments) for every 10th message only:
# Python's email package needs about 2 ms a message, 20 of the 30 seconds
# this case took in full (2026-11-27, 2 CPUs).
rt many messages=10000,folders=20,body=100-300,attachments=0-0 \
	unicode permute --every 10
# one message with 200 recipients (PidTagDisplayTo of 200 names, a
# recipient table of several blocks)
rt rcpt200 recipients=200-200,messages=1 unicode permute
# 50 attachments on one message
rt att50 attachments=50-50,messages=1 unicode permute
# one 30 MB attachment (a data tree of XBLOCKs)
rt att30m attach-size=30m-30m,attachments=1-1,messages=1 unicode permute
# 30 folders nested 30 deep under the Inbox; 62 messages reach all of them
rt deep folders=30,depth=30,messages=62 unicode permute
# the Outbox: 5 unsent messages, UNSENT|SUBMIT with a Bcc (manifest,
# libpff's Flags line and BCC recipients, readpst's Bcc header)
rt outbox outbox=5 unicode permute --expect-outbox 5

T1=$(now)
echo
printf '%-16s %-6s %-44s %s\n' case result "per side" time
cat "$MATRIX"
echo "$T0 $T1" | awk '{printf "total %.1fs\n", $2 - $1}'
[ "$nfail" -eq 0 ] || fail "$nfail round-trip case(s) failed"
exit 0
