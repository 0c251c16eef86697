# export_corpus.sh - `pstfix export` of every readable corpus file, checked
# by tests/tools/export_check.py: the EML set against `readpst -e` (count
# per kind, subjects, From, To/Cc names, text bodies, attachment bytes;
# what readpst does worse or only by itself is listed as notes, see the
# script), Python's email parser with policy=default (no defect), the
# SMTP-safety rules, and s-nail reading each folder's mbox.
. "$(dirname "$0")/common.shlib"
need_corpus
need_python
command -v readpst >/dev/null 2>&1 || skip "readpst absent (make setup)"
command -v s-nail >/dev/null 2>&1 || skip "s-nail absent (make setup)"
tools=$(cd "$(dirname "$0")/../tools" && pwd)

nfail=0 n=0
for f in "$CORPUS"/*.pst "$CORPUS"/*.ost; do
	b=$(basename "$f")
	case $b in
	NOTPST-*|CORRUPT-*) continue ;;   # not PSTs / export_salvage.sh
	esac
	n=$((n + 1))
	d=$TMP/$b
	mkdir "$d" || fail "mkdir $d"
	if python3 "$tools/export_check.py" --readpst --mua --workdir "$d" \
		"$PSTFIX" "$f" >"$d.log" 2>&1; then
		echo "PASS $(head -n 1 "$d.log")"
		sed -n 's/^note /    note /p' "$d.log"
	else
		echo "FAIL $b:"
		cat "$d.log"
		nfail=$((nfail + 1))
	fi
	rm -rf "$d"
done
[ "$n" -gt 0 ] || skip "no PST in $CORPUS"
[ "$nfail" -eq 0 ] || fail "$nfail of $n corpus files differ"
exit 0
