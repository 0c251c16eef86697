# bad_input.sh - bad input never crashes or hangs.  Zero-filled files,
# random files, a real header followed by random bytes, truncated and
# overwritten copies of corpus files: each scan (text and --json) must end
# within 20 s with status 0, 4 or 8: never a signal, never a timeout (124)
# and never 1 (what ASan and UBSan exit with in `make san`).
. "$(dirname "$0")/common.shlib"

d=$TMP/inputs
mkdir "$d"

# random SEED BYTES: deterministic bytes (AES-CTR of zeros under a key made
# from SEED; python's seeded generator when openssl is absent).
random() {
	if command -v openssl >/dev/null 2>&1; then
		head -c "$2" /dev/zero |
			openssl enc -aes-128-ctr -nosalt -pass "pass:seed$1" \
				2>/dev/null
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import random, sys
random.seed(int(sys.argv[1])); n = int(sys.argv[2])
sys.stdout.buffer.write(random.getrandbits(8 * n).to_bytes(n, "little")
                        if n else b"")' "$1" "$2"
	else
		skip "neither openssl nor python3 to make random input"
	fi
}

# overwrite FILE OFFSET SEED: 512 random bytes at OFFSET, in place.
overwrite() {
	random "$3" 512 >"$TMP/patch"
	dd if="$TMP/patch" of="$1" bs=512 seek=$(($2 / 512)) count=1 \
		conv=notrunc 2>/dev/null
}

for n in 0 1 511 512 564 4096 65536 300000; do
	head -c $n /dev/zero >"$d/zero-$n.pst"
done
for n in 1 24 512 564 4096 65536 271360; do
	random $n $n >"$d/random-$n.pst"
done
# Random bytes behind the !BDN magic: the header decoder gets further.
for n in 564 4096 271360; do
	{ printf '!BDN'; random $((n + 7)) $((n - 4)); } >"$d/magic-$n.pst"
done

if [ -d "$CORPUS" ]; then
	uni=$CORPUS/pstsdk-sample1.pst            # Unicode, 271360 bytes
	ansi=$CORPUS/pstsdk-sample2-ansi.pst      # ANSI
	size=$(wc -c <"$uni" | tr -d ' ')
	# A valid-looking header, random (or zero) rest.
	for s in 1 2 3; do
		{ head -c 564 "$uni"; random $((100 + s)) $((size - 564)); } \
			>"$d/hdr-random-$s.pst"
	done
	{ head -c 512 "$ansi"; random 200 $((size - 512)); } \
		>"$d/hdr-random-ansi.pst"
	{ head -c 564 "$uni"; head -c $((size - 564)) /dev/zero; } \
		>"$d/hdr-zero.pst"
	# Truncated copies.
	for n in 600 1000 17408 100000 $((size / 2)) $((size - 1)); do
		head -c $n "$uni" >"$d/trunc-uni-$n.pst"
		head -c $n "$ansi" >"$d/trunc-ansi-$n.pst"
	done
	big=$CORPUS/generator-900msgs.pst
	head -c 1900000 "$big" >"$d/trunc-900msgs.pst"
	# One 512-byte block of random bytes over pages and blocks.
	k=1
	for off in 16896 17408 17920 19968 32256 65536 131072 200704; do
		cp "$uni" "$d/patch-uni-$k.pst"
		overwrite "$d/patch-uni-$k.pst" $off $((300 + k))
		cp "$ansi" "$d/patch-ansi-$k.pst"
		overwrite "$d/patch-ansi-$k.pst" $off $((400 + k))
		k=$((k + 1))
	done
else
	echo "note: ../shared/corpus absent: corpus-derived inputs skipped"
fi

if command -v timeout >/dev/null 2>&1; then
	limit="timeout 20"
else
	echo "note: no timeout(1): hangs will not be caught"
	limit=
fi

bad=0
n=0
for f in "$d"/*; do
	for mode in "" "--json --max-per-code 0 -v"; do
		n=$((n + 1))
		rc=0
		# shellcheck disable=SC2086
		$limit "$PSTFIX" scan $mode "$f" >"$OUT" 2>"$ERR" || rc=$?
		case $rc in
		0|4|8)
			# Whatever happened, the file got its verdict.
			grep -Fq "$f" "$OUT" || {
				echo "no verdict: $f $mode"
				bad=$((bad + 1))
			}
			;;
		*)
			echo "exit $rc: pstfix scan $mode $f"
			head -n 20 "$ERR"
			bad=$((bad + 1))
			;;
		esac
	done
done
[ "$bad" -eq 0 ] || fail "$bad of $n scans crashed, hung or lost a verdict"
echo "$n scans of $(ls "$d" | wc -l | tr -d ' ') bad files: all ended well"
exit 0
