# pstfix.bash - bash completion for pstfix(1).
#
# Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/pstfix, where bash-completion
# loads it on first use; or source it from ~/.bashrc.  It needs nothing
# from bash-completion: it reads COMP_WORDS itself.
#
# Completes: the commands and outbox actions; each command's options (the
# lists below; tests/cli/completion.sh fails when they differ from the
# getopt tables in pstfix/cli); option values with a fixed set (--format,
# --encoding, --auth, --tls, --server's scheme); *.pst and *.ost files
# (any case) and directories where a mailbox is expected; directories for
# export -o, --eml and --spool; and problem codes for `pstfix problems`,
# asked of the pstfix being completed (`pstfix problems`, local, no
# network), so they match the installed version.

_pstfix_options()
{
	case $1 in
	scan) echo "-j --jobs --json -q --quiet -v --verbose --max-per-code
		--cross-check --xcheck-timeout --from-list -h --help" ;;
	repair) echo "-o --output -n --dry-run -j --jobs --json -q --quiet
		-v --verbose -h --help" ;;
	info | ls | "outbox status") echo "--json -h --help" ;;
	problems) echo "--json --markdown -h --help" ;;
	create) echo "--sample -o --output --format --encoding --name
		--manifest --force -h --help" ;;
	import) echo "-o --output --format --encoding --name --force
		-h --help" ;;
	export) echo "-o --output --format --folder --since --until --salvage
		--no-salvage --bcc --no-sync -q --quiet -v --verbose
		-h --help" ;;
	"outbox list") echo "--json --all --stranded -v --verbose --eml
		--no-salvage -h --help" ;;
	"outbox send") echo "--server --spool --from-override
		--include-drafts --only --resend-uncertain --dry-run --sendmail
		--tls --ca-file --helo --user --password-file
		--password-command --token-file --token-command --auth
		--retry-delay --max-retry-delay --give-up --once --retry-now
		--max-connections --raise-after --rate --connect-timeout --greeting-timeout
		--command-timeout --data-timeout --dot-timeout --json
		--no-salvage -v --verbose -h --help" ;;
	"outbox probe") echo "--server --try-ports --ca-file --tls --user
		--password-file --password-command --token-file --token-command
		--auth --timeout --json -v --verbose -h --help" ;;
	esac
}

# Files whose name ends in .pst or .ost (any case), and directories to
# descend into.
_pstfix_mailboxes()
{
	local f
	local -a dirs
	mapfile -t dirs < <(compgen -d -- "$1")
	COMPREPLY=("${dirs[@]}")
	while IFS= read -r f; do
		case ${f,,} in
		*.pst | *.ost) [[ -d $f ]] || COMPREPLY+=("$f") ;;
		esac
	done < <(compgen -f -- "$1")
}

_pstfix_dirs()
{
	mapfile -t COMPREPLY < <(compgen -d -- "$1")
}

_pstfix_files()
{
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

_pstfix_words()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_pstfix_codes()
{
	local bin=${COMP_WORDS[0]}
	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
	command -v -- "$bin" >/dev/null 2>&1 || bin=pstfix
	_pstfix_words "$("$bin" problems 2>/dev/null | cut -d' ' -f1)" "$1"
}

# The value of option PREV for command CMD; 1 when PREV takes no value.
_pstfix_value()
{
	local cmd=$1 prev=$2 cur=$3
	case $prev in
	-o | --output)
		case $cmd in
		export) _pstfix_dirs "$cur" ;;
		*) _pstfix_mailboxes "$cur" ;;
		esac ;;
	--eml | --spool) _pstfix_dirs "$cur" ;;
	--from-list | --manifest | --ca-file | --password-file | --token-file)
		_pstfix_files "$cur" ;;
	--sendmail)
		_pstfix_files "$cur"
		[[ -z $cur ]] && COMPREPLY+=(/usr/sbin/sendmail) ;;
	--format)
		case $cmd in
		export) _pstfix_words "eml mbox maildir" "$cur" ;;
		*) _pstfix_words "unicode ansi ost ost4k" "$cur" ;;
		esac ;;
	--encoding) _pstfix_words "none permute cyclic" "$cur" ;;
	--auth) _pstfix_words "plain login xoauth2 auto" "$cur" ;;
	--tls) _pstfix_words "none" "$cur" ;;
	--server)
		compopt -o nospace 2>/dev/null
		_pstfix_words "smtps:// smtp://" "$cur" ;;
	-j | --jobs | --max-per-code | --xcheck-timeout | --sample | --name | \
	--folder | --since | --until | --user | --password-command | \
	--token-command | --helo | --only | --from-override | --retry-delay | \
	--max-retry-delay | --give-up | --max-connections | --raise-after | \
	--rate | --connect-timeout | --greeting-timeout | --command-timeout | \
	--data-timeout | --dot-timeout | --timeout)
		;;    # a number, a name or a date: nothing to offer
	*) return 1 ;;
	esac
	return 0
}

# The operands of CMD.
_pstfix_operand()
{
	local cmd=$1 cur=$2
	case $cmd in
	problems) _pstfix_codes "$cur" ;;
	import) _pstfix_files "$cur" ;;    # mbox files have no fixed suffix
	"outbox status") _pstfix_dirs "$cur" ;;
	help) _pstfix_words "scan info ls repair problems create import
		export outbox help" "$cur" ;;
	"outbox probe") ;;
	*) _pstfix_mailboxes "$cur" ;;
	esac
}

_pstfix()
{
	local cword=$COMP_CWORD cur prev cmd i=1
	local -a words=("${COMP_WORDS[@]}")
	COMPREPLY=()

	# --tls=none and --try-ports=LIST: bash splits words at '='
	if ((cword >= 2)) && [[ ${words[cword - 1]} == "=" ]]; then
		[[ ${words[cword - 2]} == --tls ]] &&
			_pstfix_words "none" "${words[cword]}"
		return 0
	fi
	if ((cword >= 3)) && [[ ${words[cword]} == "=" ]]; then
		[[ ${words[cword - 1]} == --tls ]] && COMPREPLY=(none)
		return 0
	fi
	cur=${words[cword]}
	prev=${words[cword - 1]}

	if ((cword == 1)); then
		if [[ $cur == -* ]]; then
			_pstfix_words "--version --help" "$cur"
		else
			_pstfix_operand help "$cur"
		fi
		return 0
	fi
	cmd=${words[1]}
	if [[ $cmd == outbox ]]; then
		if ((cword == 2)); then
			[[ $cur == -* ]] && _pstfix_words "--help" "$cur" ||
				_pstfix_words "list send status probe" "$cur"
			return 0
		fi
		cmd="outbox ${words[2]}"
		i=2
	fi
	if [[ $cmd == help ]]; then
		((cword == 2)) && _pstfix_operand help "$cur"
		return 0
	fi

	compopt -o filenames 2>/dev/null
	((cword - 1 > i)) && _pstfix_value "$cmd" "$prev" "$cur" && return 0
	if [[ $cur == -* ]]; then
		compopt +o filenames 2>/dev/null
		_pstfix_words "$(_pstfix_options "$cmd")" "$cur"
		return 0
	fi
	_pstfix_operand "$cmd" "$cur"
	return 0
}

complete -F _pstfix pstfix
