#!/bin/sh
# cli_options.sh - every option of every command, read from the getopt
# tables of pstfix/cli/cmd_*.c (the code, not its help text, is the truth).
#
#   tests/tools/cli_options.sh [SRCDIR]     (default pstfix/cli)
#
# Prints one line per option: the command (the file name: cmd_outbox_send.c
# is "outbox send"), a tab, the option: "--name" for each row of a
# `struct option` table, "-c" for each letter of the optstring given to
# getopt_long().  A row that follows a comment with "refuse" in it (an
# option recognised only to reject it, such as probe's --password) is
# printed with a third field "refused".  Used by tests/cli/manpage.sh and
# tests/cli/completion.sh, so that neither the manual page nor the
# completion can lag behind an option added to the code.
set -u
dir=${1:-pstfix/cli}
for f in "$dir"/cmd_*.c; do
	cmd=$(basename "$f" .c | sed 's/^cmd_//; s/_/ /g')
	awk -v cmd="$cmd" '
	/refuse/ && /\/\*/ { refused = 1 }
	/\{ *"[a-z0-9-]+", *(no|required|optional)_argument/ {
		match($0, /"[a-z0-9-]+"/)
		name = substr($0, RSTART + 1, RLENGTH - 2)
		printf "%s\t--%s%s\n", cmd, name, refused ? "\trefused" : ""
	}
	/getopt_long\(/ {
		# the optstring: the first string literal of the call
		if (match($0, /"[^"]*"/)) {
			s = substr($0, RSTART + 1, RLENGTH - 2)
			gsub(/:/, "", s)
			for (i = 1; i <= length(s); i++)
				printf "%s\t-%s\n", cmd, substr(s, i, 1)
		}
	}' "$f"
done
