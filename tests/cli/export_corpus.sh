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

# Where readpst does less, these files show it, and the checker must say
# so: RTF-only bodies (Outlook's sync logs) readpst writes empty and an
# RTF-encapsulated HTML body it drops; a distribution list it skips;
# contacts it writes as "FN:(null)".
need_note() {
	[ -f "$TMP/$1.log" ] || return 0
	grep -q "^note $2" "$TMP/$1.log" || fail "$1: no note '$2'"
}
need_note aspose-sample.ost 'readpst-worse: no text body'
need_note aspose-sample.ost 'readpst-worse: no HTML body'
need_note aspose-contacts72.pst 'readpst-worse: vCard FN:(null)'
need_note java-libpst-dist-list.pst \
	'readpst-worse: distribution list not exported'

# That list as a vCard group with its three members: java-libpst's own
# test of this file (DistListTest) expects contact1@ (a contact) and the
# one-off members dist1@ and dist2@rjohnson.id.au.
f=$CORPUS/java-libpst-dist-list.pst
if [ -f "$f" ]; then
	run export -q "$f" -o "$TMP/dl"
	expect_rc 0
	v=$(grep -l '^KIND:group' -r "$TMP/dl" | head -n 1)
	[ -n "$v" ] || fail "no vCard group for the distribution list"
	got=$(tr -d '\r' <"$v" | sed -n 's/^MEMBER:mailto://p' | sort |
	      tr '\n' ' ')
	[ "$got" = "contact1@rjohnson.id.au dist1@rjohnson.id.au \
dist2@rjohnson.id.au " ] || fail "distribution list members: $got"
fi
exit 0
