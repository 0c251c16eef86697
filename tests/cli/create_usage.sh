# create_usage.sh - `pstfix create`: bad command lines are usage errors
# (status 16, one line on stderr, nothing on stdout, nothing written); an
# existing OUT is never replaced without --force, and is replaced with it;
# the same SPEC gives byte-identical files and manifests, whatever the
# output's name and the time of day (sample.c: seeded generator, fixed
# clock), for every format and encoding.
. "$(dirname "$0")/common.shlib"

# a directory of its own ($TMP holds run's stdout and stderr)
mkdir "$TMP/w" && cd "$TMP/w" || fail "cd $TMP/w"

# only_files NAME...: the current directory holds exactly these
only_files() {
	for _f in * .[!.]*; do
		[ -e "$_f" ] || continue
		case " $* " in
		*" $_f "*) ;;
		*) fail "unexpected file '$_f' beside OUT" ;;
		esac
	done
}

# ---- usage errors: 16, one line, nothing created ----
expect_usage_error create
expect_err "needs --sample SPEC and -o OUT"
expect_usage_error create --sample messages=1
expect_err "needs --sample SPEC and -o OUT"
expect_usage_error create -o out.pst
expect_err "needs --sample SPEC and -o OUT"
expect_usage_error create --sample messages=1 -o
expect_usage_error create --sample bogus=1 -o out.pst
expect_err "unknown sample key 'bogus'"
expect_usage_error create --sample messages=1,colour=red -o out.pst
expect_err "unknown sample key 'colour'"
expect_usage_error create --sample messages=abc -o out.pst
expect_err "bad value for 'messages'"
expect_usage_error create --sample messages -o out.pst
expect_err "'messages' is not key=value"
expect_usage_error create --sample body=300-200 -o out.pst
expect_err "bad value for 'body'"
expect_usage_error create --sample attach-size=3g -o out.pst
expect_err "bad value for 'attach-size'"
expect_usage_error create --sample html=2 -o out.pst
expect_err "bad value for 'html'"
expect_usage_error create --sample messages=1 -o out.pst --format nope
expect_err "unknown format 'nope'"
expect_usage_error create --sample messages=1 -o out.pst --encoding rot13
expect_err "unknown encoding 'rot13'"
expect_usage_error create --sample messages=1 -o out.pst extra
expect_err "unexpected argument 'extra'"
expect_usage_error create --bogus
expect_err "unknown option --bogus"
expect_usage_error create --sample bogus=1 -o out.pst --manifest m.jsonl
[ ! -e out.pst ] || fail "a usage error created out.pst"
[ ! -e m.jsonl ] || fail "a usage error created the manifest"
only_files   # usage errors leave nothing

# help succeeds
run create --help
expect_rc 0
expect_out '^usage: pstfix create --sample SPEC -o OUT'
run help create
expect_rc 0
expect_out '^usage: pstfix create'

# ---- an existing OUT: kept without --force, replaced with it ----
run create --sample messages=1 -o out.pst
expect_rc 0
expect_out '^out.pst: 1 messages in 3 folders \(\+0 in the Outbox\)$'
cp out.pst out.orig || fail "cp"
echo "not a manifest" >m.jsonl
expect_usage_error create --sample messages=5 -o out.pst --manifest m.jsonl
expect_err "out.pst exists \(use --force to replace it\)"
cmp -s out.pst out.orig || fail "create without --force changed out.pst"
[ "$(cat m.jsonl)" = "not a manifest" ] ||
	fail "create without --force wrote the manifest"
# also when OUT is not a PST at all
echo "precious" >notes.txt
expect_usage_error create --sample messages=1 -o notes.txt
[ "$(cat notes.txt)" = precious ] || fail "notes.txt was changed"

run create --sample messages=5 -o out.pst --manifest m.jsonl --force
expect_rc 0
expect_out '^out.pst: 5 messages in 3 folders'
cmp -s out.pst out.orig && fail "--force did not replace out.pst"
expect_lines m.jsonl 5
run scan -q out.pst
expect_rc 0
expect_out 'out.pst: clean$'
run info --json out.pst
expect_out '"messages":5[,}]'

# no temporary file is left beside OUT
only_files out.pst out.orig m.jsonl notes.txt

# ---- deterministic: same SPEC, same bytes ----
SPEC=messages=30,folders=3,depth=2,attachments=0-2,recipients=1-4
SPEC=$SPEC,outbox=2,seed=7
mkdir sub || fail "mkdir"
for fe in unicode:none unicode:permute unicode:cyclic ansi:permute \
	ost:permute ost4k:permute; do
	f=${fe%%:*} e=${fe#*:}
	run create --sample "$SPEC" --format "$f" --encoding "$e" \
		-o one.pst --manifest one.jsonl --force
	expect_rc 0
	# another name, another directory, another second
	sleep 1
	run create --sample "$SPEC" --format "$f" --encoding "$e" \
		-o sub/two.pst --manifest two.jsonl --force
	expect_rc 0
	cmp one.pst sub/two.pst ||
		fail "--format $f --encoding $e: two runs differ"
	cmp one.jsonl two.jsonl ||
		fail "--format $f --encoding $e: manifests differ"
done
# --force on an existing file gives the same bytes as a fresh one
run create --sample "$SPEC" -o fresh.pst
expect_rc 0
run create --sample "$SPEC" -o out.pst --force
expect_rc 0
cmp fresh.pst out.pst || fail "--force and fresh output differ"
# the seed matters
run create --sample "$SPEC,seed=8" -o seed8.pst
expect_rc 0
cmp -s fresh.pst seed8.pst && fail "seed=8 gave the same file as seed=7"
exit 0
