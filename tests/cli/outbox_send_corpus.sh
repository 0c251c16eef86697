#!/bin/sh
# outbox_send_corpus: `outbox send --dry-run` over every file of the
# corpus (real PSTs and OSTs, damaged and not-PST ones included) ends
# with a report and 0 (nothing stranded to send, or all sendable), 65
# (something not sendable) or 66 (not readable), never a crash; and a
# real send through --sendmail of whatever they hold leaves each file
# unchanged.
. tests/cli/common.shlib
need_corpus

printf '#!/bin/sh\ncat >/dev/null\n' >"$TMP/sm"
chmod +x "$TMP/sm"
k=0
for f in "$CORPUS"/*; do
	case $f in *.tsv|*.md) continue ;; esac
	k=$((k + 1))
	run outbox send --dry-run "$f"
	case $RC in 0|65|66) ;; *) show; fail "$(basename "$f"): exit $RC" ;;
	esac
	expect_out '^summary: '
	before=$(sha256sum <"$f")
	run outbox send "$f" --sendmail "$TMP/sm" --spool "$TMP/sp$k" \
		--give-up 10s
	case $RC in 0|65|66|75) ;; *) show; fail "$(basename "$f"): send" \
		"exit $RC" ;; esac
	[ "$(sha256sum <"$f")" = "$before" ] || fail "$(basename "$f") changed"
done
[ "$k" -gt 0 ] || skip "the corpus is empty"
echo "$k corpus files: dry run and send, each unchanged"
exit 0
