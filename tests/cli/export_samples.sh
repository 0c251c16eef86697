# export_samples.sh - `pstfix export` of the writer's samples: for each
# kind of file, `pstfix create --sample` writes a PST/OST and a manifest and
# tests/tools/export_check.py checks the export against the manifest
# (subject, From, To/Cc addresses, no Bcc header, body bytes, attachment
# names and bytes), against `readpst -e` (same count, subjects, addresses,
# bodies, attachment bytes), against Python's email parser (policy=
# default: no defect) and the SMTP-safety rules (7-bit, CRLF, <= 998), and
# lets s-nail read the mbox export of every folder.
. "$(dirname "$0")/common.shlib"
need_python
command -v readpst >/dev/null 2>&1 || skip "readpst absent (make setup)"
command -v s-nail >/dev/null 2>&1 || skip "s-nail absent (make setup)"
tools=$(cd "$(dirname "$0")/../tools" && pwd)

nfail=0
# case NAME SPEC FORMAT ENCODING
case_() {
	_d=$TMP/$1
	mkdir "$_d" || fail "mkdir $_d"
	run create --sample "$2" --format "$3" --encoding "$4" \
		-o "$_d/f.pst" --manifest "$_d/m.jsonl"
	expect_rc 0
	if python3 "$tools/export_check.py" --manifest "$_d/m.jsonl" \
		--readpst --mua --workdir "$_d" "$PSTFIX" "$_d/f.pst" \
		>"$_d/log" 2>&1; then
		echo "PASS $1: $(head -n 1 "$_d/log")"
	else
		echo "FAIL $1 (--sample $2 --format $3 --encoding $4):"
		cat "$_d/log"
		nfail=$((nfail + 1))
	fi
	rm -rf "$_d"
}

S=messages=40,folders=4,attachments=0-3,unicode=1
case_ unicode "$S" unicode permute
case_ unicode-cyclic "$S" unicode cyclic
case_ ascii messages=30,folders=3,attachments=0-3,unicode=0 unicode none
case_ nohtml messages=20,folders=2,html=0 unicode permute
case_ ansi messages=30,folders=3,attachments=0-2,unicode=0 ansi permute
case_ ost "$S" ost permute
case_ ost4k "$S" ost4k permute
case_ deep folders=12,depth=12,messages=30 unicode permute
case_ att50 attachments=50-50,messages=1 unicode permute
case_ rcpt200 recipients=200-200,messages=1 unicode permute
case_ outbox outbox=5 unicode permute
case_ att30m attach-size=30m-30m,attachments=1-1,messages=1 unicode permute
case_ empty messages=0,folders=0 unicode permute
[ "$nfail" -eq 0 ] || fail "$nfail sample case(s) failed"
exit 0
