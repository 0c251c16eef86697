# scan_walk.sh - the directory walk without the corpus: *.pst / *.ost in
# any case, sorted, recursive, other files ignored, a symlink loop and two
# paths to one directory visited once (by the first path in walk order:
# a/again sorts before b), a dangling *.pst link reported.
. "$(dirname "$0")/common.shlib"

d=$TMP/share
mkdir -p "$d/b/c" "$d/a"
for f in Z.PST a/x.pst b/y.Ost b/c/z.pst b/notes.txt b/pst b/c/q.pst.bak; do
	: >"$d/$f"
done
ln -s .. "$d/b/c/up"            # a loop
ln -s ../b "$d/a/again"         # the same directory twice
ln -s nowhere.pst "$d/a/dangling.pst"

run scan -q "$d"
expect_rc 8                      # empty files are not PSTs
cat >"$TMP/expected" <<LIST
$d/Z.PST
$d/a/again/c/z.pst
$d/a/again/y.Ost
$d/a/dangling.pst
$d/a/x.pst
LIST
sed '$d' "$OUT" | sed 's/: cannot check.*$//' >"$TMP/got"
cmp -s "$TMP/got" "$TMP/expected" || {
	diff "$TMP/expected" "$TMP/got"
	fail "walk found the wrong files or order"
}
expect_out '^scanned 5 files: 0 clean, 0 with errors, 5 could not be checked'

# A trailing slash does not double the separator.
run scan -q "$d/"
expect_out "^$d/Z.PST: "

# A file named on the command line is checked whatever its name.
run scan -q "$d/b/notes.txt"
expect_rc 8
expect_lines "$OUT" 1
exit 0
