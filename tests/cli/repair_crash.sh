# repair_crash.sh - `pstfix repair FILE` (in place) killed with SIGKILL at
# random moments, in a bounded loop over a mid-size writer file with a
# broken header.  After every kill: FILE.bak, when it exists, is the
# original, and FILE is either the original or a complete repaired file
# (scan exits 0); without FILE.bak, FILE is the original.  Nothing else
# under a final name.  At the end a run to completion succeeds whatever
# the killed runs left (temporaries, a FILE.bak that is FILE itself).
# The kill moments spread over one measured uninterrupted run; the
# timing only chooses moments, nothing asserts on it.
. "$(dirname "$0")/common.shlib"

ROUNDS=${REPAIR_CRASH_ROUNDS:-16}

sha() { sha256sum "$1" | cut -d' ' -f1; }
ms() { date +%s%3N; }
rand() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

run create --sample messages=300,attachments=1-2,attach-size=20k-60k \
	-o "$TMP/orig.pst"
expect_rc 0
# break dwCRCFull (MS-PST 2.2.2.6, offset 524): a header-level repair
printf '\377\377\377\377' |
	dd of="$TMP/orig.pst" bs=1 seek=524 conv=notrunc 2>/dev/null
orig=$(sha "$TMP/orig.pst")
mkdir "$TMP/w"
F=$TMP/w/f.pst

# one uninterrupted run, for the length of the window
cp "$TMP/orig.pst" "$F"
t0=$(ms)
run repair -q "$F"
expect_rc 1
span=$(( $(ms) - t0 ))
[ "$span" -ge 1 ] || span=1
rm -f "$F.bak"

killed=0 before=0 between=0 after=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	cp "$TMP/orig.pst" "$F"
	# most of a run is its scans: aim at its second half, where the copy,
	# the rescan and the install happen
	delay=$(( span / 3 + $(rand) % (span - span / 3 + span / 4 + 1) ))
	"$PSTFIX" repair -q "$F" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	if [ -e "$F.bak" ]; then
		[ "$(sha "$F.bak")" = "$orig" ] ||
			fail "round $i: FILE.bak is not the original"
		if [ "$(sha "$F")" = "$orig" ]; then
			between=$((between + 1))
		else
			"$PSTFIX" scan -q "$F" >/dev/null 2>&1 ||
				fail "round $i: FILE is neither the original" \
				     "nor a complete repaired file"
			after=$((after + 1))
		fi
	else
		[ "$(sha "$F")" = "$orig" ] ||
			fail "round $i: no FILE.bak and FILE is not" \
			     "the original"
		before=$((before + 1))
	fi
	# only FILE, FILE.bak and our temporaries may exist
	for x in "$TMP"/w/*; do
		case $x in
		"$F" | "$F.bak" | "$F".pstfix-*) ;;
		*) fail "round $i: unexpected file $x" ;;
		esac
	done
	# a crash between the two install steps leaves FILE.bak = FILE:
	# keep that state for the next run to meet; clear the rest
	if [ $i -lt "$ROUNDS" ]; then
		rm -f "$TMP"/w/f.pst.pstfix-*
		[ -e "$F.bak" ] && [ "$(sha "$F")" != "$orig" ] &&
			rm -f "$F.bak"
		[ -e "$F.bak" ] && ! [ "$F" -ef "$F.bak" ] && rm -f "$F.bak"
	fi
done
echo "rounds $ROUNDS, killed $killed: original untouched $before," \
     "backup linked $between, repaired $after (window $span ms)"

# whatever is left, a run to completion repairs the file
[ -e "$F.bak" ] && ! [ "$F" -ef "$F.bak" ] && rm -f "$F.bak"
if [ "$(sha "$F")" = "$orig" ]; then
	run repair -q "$F"
	expect_rc 1
	[ "$(sha "$F.bak")" = "$orig" ] ||
		fail "final: FILE.bak is not the original"
fi
run scan "$F"
expect_rc 0
exit 0
