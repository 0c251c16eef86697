# usage.sh - bad command lines: status 16, one line on stderr, nothing on
# stdout; and the help and version forms that succeed.
. "$(dirname "$0")/common.shlib"

expect_usage_error
expect_err "no command"
expect_usage_error nosuch
expect_err "unknown command 'nosuch'"
expect_usage_error --bogus
expect_usage_error -x
expect_usage_error scan
expect_err "no file or directory"
expect_usage_error scan --bogus x.pst
expect_err "unknown option --bogus"
expect_usage_error scan --json=1 x.pst
expect_usage_error scan -z x.pst
expect_usage_error scan -j 0 x.pst
expect_usage_error scan -j 257 x.pst
expect_usage_error scan -j 2x x.pst
expect_usage_error scan -j -1 x.pst
expect_usage_error scan -j
expect_usage_error scan x.pst --from-list
expect_usage_error scan --max-per-code ten x.pst
expect_usage_error scan --xcheck-timeout 5 x.pst
expect_err "needs --cross-check"
expect_usage_error scan --cross-check --xcheck-timeout 0 x.pst
expect_usage_error problems --json --markdown
expect_usage_error problems extra
expect_usage_error help nosuch
expect_usage_error info
expect_usage_error ls

# The successful forms.
for args in "--version" "-V"; do
	run $args
	expect_rc 0
	expect_out '^pstfix [0-9]'
done
for args in "help" "-h" "--help"; do
	run $args
	expect_rc 0
	for c in scan info ls problems help; do
		expect_out "^  $c "
	done
done
for c in scan info ls problems; do
	run help $c
	expect_rc 0
	expect_out "^usage: pstfix $c"
	run $c --help
	expect_rc 0
	expect_out "^usage: pstfix $c"
done
exit 0
