# bash completion for gracekill(1); needs bash-completion (2.11 or later).

# _gracekill_reply [PREFIX]: add to COMPREPLY the words read on stdin,
# one a line, each after PREFIX, that begin with cur, quoted for the
# command line (process names may hold blanks).
_gracekill_reply()
{
	local word
	while IFS= read -r word; do
		printf -v word '%s%q' "${1-}" "$word"
		[[ $word == "$cur"* ]] && COMPREPLY+=("$word")
	done
}

# Signal names, one a line: those `gracekill -l` lists ("NUMBER NAME"),
# or a built-in list when no gracekill on PATH knows -l.
_gracekill_signals()
{
	local list name
	if list=$(command gracekill -l 2>/dev/null) && [[ $list ]]; then
		while read -r _ name; do
			printf '%s\n' "$name"
		done <<<"$list"
		return
	fi
	printf '%s\n' HUP INT QUIT ILL TRAP ABRT IOT BUS FPE KILL USR1 SEGV \
	    USR2 PIPE ALRM TERM STKFLT CHLD CLD CONT STOP TSTP TTIN TTOU URG \
	    XCPU XFSZ VTALRM PROF WINCH IO POLL PWR SYS \
	    RTMIN RTMIN+{1..15} RTMAX-{14..1} RTMAX
}

# With -p the PIDs, else the names (comm) of the processes in /proc, one
# a line.  Kernel threads (empty command line) are never targets.
_gracekill_procs()
{
	local dir arg name
	for dir in /proc/[0-9]*; do
		arg='' name=''
		{ read -r -d '' arg <"$dir/cmdline"; } 2>/dev/null
		{ read -r name <"$dir/comm"; } 2>/dev/null
		[[ $arg && $name ]] || continue
		if [[ ${1-} == -p ]]; then
			printf '%s\n' "${dir#/proc/}"
		else
			printf '%s\n' "$name"
		fi
	done
}

# Complete a PID, also as the next item of a comma list.
_gracekill_pids()
{
	local pre=''
	[[ $cur == *,* ]] && pre=${cur%,*},
	_gracekill_reply "$pre" < <(_gracekill_procs -p)
}

# A SIG/DURATION/SIG/... list: offer a signal where one is due.
_gracekill_schedule()
{
	local pre='' slashes
	[[ $cur == */* ]] && pre=${cur%/*}/
	slashes=${pre//[!\/]/}
	((${#slashes} % 2 == 0)) || return
	_gracekill_reply "$pre" < <(_gracekill_signals)
}

# Cgroups under the cgroup2 mount (from /proc/self/mountinfo, see
# proc(5)) as cgroup paths, /system.slice/x.service; with -u the unit
# names among them.
_gracekill_cgroups()
{
	local mnt rest
	while read -r _ _ _ _ mnt rest; do
		[[ $rest == *" - cgroup2 "* ]] && break
		mnt=''
	done </proc/self/mountinfo
	[[ $mnt ]] || return
	if [[ ${1-} == -u ]]; then
		find "$mnt" -mindepth 1 -type d \( -name '*.service' \
		    -o -name '*.scope' -o -name '*.slice' -o -name '*.socket' \
		    -o -name '*.mount' -o -name '*.swap' \) -printf '%f\n'
	else
		find "$mnt" -mindepth 1 -type d -printf '/%P\n'
	fi 2>/dev/null | sort -u
}

# Complete cur after prev (the variables of _gracekill).
_gracekill_word()
{
	case $prev in
	-s | --signal)
		_gracekill_reply < <(_gracekill_signals)
		return
		;;
	-S | --schedule)
		_gracekill_schedule
		return
		;;
	-n | --name)
		_gracekill_reply < <(_gracekill_procs | sort -u)
		return
		;;
	-p | --pid | -P | --parent)
		_gracekill_pids
		return
		;;
	-u | --user)
		_gracekill_reply < <(compgen -u -- "$cur")
		return
		;;
	-F | --pidfile | -x | --exe)
		_filedir
		return
		;;
	--cgroup)
		_gracekill_reply < <(_gracekill_cgroups)
		return
		;;
	--unit)
		_gracekill_reply < <(_gracekill_cgroups -u)
		return
		;;
	--port)
		[[ $cur == *:* ]] || _gracekill_reply < <(printf '%s\n' tcp: udp:)
		compopt -o nospace
		return
		;;
	--tree)
		# Only --tree=MODE takes a mode: "--tree all" names "all".
		if [[ $split == true ]]; then
			_gracekill_reply < <(printf '%s\n' all mixed)
			return
		fi
		;;
	-f | --full | -t | --timeout | --kill-wait | --older | -g | \
	    --pgroup | --session)
		return
		;;
	esac
	[[ $split == true ]] && return

	if [[ $cur == -* ]]; then
		_gracekill_reply < <(printf '%s\n' -p --pid -F --pidfile -n \
		    --name -x --exe -f --full -P --parent -u --user --older \
		    --cgroup --unit -g --pgroup --session --port -T --tree \
		    --tree= -s --signal -t --timeout --kill-wait -S --schedule \
		    --no-escalate --no-cont --no-wait -j --json -q --quiet \
		    -v --verbose --dry-run -o --oknodo --remove-pidfile -l \
		    --list -h --help -V --version)
		# A first argument -SIG means -s SIG, as with kill.
		((cword == 1)) && _gracekill_reply - < <(_gracekill_signals)
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	_gracekill_reply < <(_gracekill_procs | sort -u)
}

_gracekill()
{
	# shellcheck disable=SC2034  # _init_completion sets words too
	local cur prev words cword split
	_init_completion -s -n : || return
	_gracekill_word
	# Readline replaces only the text after the last colon.
	__ltrim_colon_completions "$cur"
}
complete -F _gracekill gracekill
