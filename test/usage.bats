#!/usr/bin/env bats
# Command line: help, version, every DURATION and SIGNAL spelling, and
# usage errors (exit 64, exact message, nothing signalled).

load helper

@test "-h and --help print the synopsis on stdout and exit 0" {
	gk_run -h
	assert_status 0
	assert_stderr_empty
	[[ ${lines[0]} == "usage: gracekill "* ]]
	local help=$output
	gk_run --help
	assert_status 0
	[[ $output == "$help" ]]
}

@test "--help: every long option on a line of its own, in 80 columns" {
	local opt line n=0
	gk_run --help
	assert_status 0
	for opt in pid pidfile name exe full parent user older tree signal \
	    timeout kill-wait schedule no-escalate no-cont no-wait json quiet \
	    verbose dry-run oknodo remove-pidfile list help version cgroup \
	    unit pgroup session port; do
		assert_output_match "^  (-[a-zA-Z], |    )--$opt[ =[]"
	done
	for line in "${lines[@]}"; do
		((${#line} <= 80)) || { echo "too long: $line" >&2; false; }
		n=$((n + 1))
	done
	((n <= 48)) || { echo "$n lines" >&2; false; }
	[[ ${lines[-1]} == *"See gracekill(1)." ]]
}

@test "-h, -V and -l: output that cannot be written is exit 3" {
	local opt
	for opt in -h -V -l --help --version --list; do
		run --separate-stderr sh -c '"$0" "$1" >/dev/full' \
		    "$GRACEKILL" "$opt"
		assert_status 3
		assert_stderr "gracekill: write error on standard output: No space left on device"
	done
}

@test "-V and --version print the version" {
	gk_run -V
	assert_status 0
	[[ $output == "gracekill 0.1.0" ]]
	assert_stderr_empty
	gk_run --version
	assert_status 0
	[[ $output == "gracekill 0.1.0" ]]
}

# getopt's message names argv[0]; accept the basename or the path.
assert_getopt_error() {
	[[ ${stderr_lines[0]} == "gracekill: $1" ||
	    ${stderr_lines[0]} == "$GRACEKILL: $1" ]] || {
		printf 'expected getopt message: %s\ngot: %s\n' "$1" "$stderr" >&2
		return 1
	}
}

@test "unknown long option: getopt's message, then the synopsis, exit 64" {
	gk_run -h
	local synopsis=${output%%$'\n\n'*}
	gk_start -c TERM -x 0
	gk_run --bogus-option "$GK_NAME"
	assert_status 64
	[[ -z $output ]]
	assert_getopt_error "unrecognized option '--bogus-option'"
	[[ ${stderr#*$'\n'} == "$synopsis" ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "unknown short option: getopt's message, then the synopsis, exit 64" {
	gk_run -h
	local synopsis=${output%%$'\n\n'*}
	gk_run -Z 12345
	assert_status 64
	assert_getopt_error "invalid option -- 'Z'"
	[[ ${stderr#*$'\n'} == "$synopsis" ]]
	gk_run --pid
	assert_status 64
	assert_getopt_error "option '--pid' requires an argument"
	[[ ${stderr#*$'\n'} == "$synopsis" ]]
	gk_run --oknodo=yes 12345
	assert_status 64
	assert_getopt_error "option '--oknodo' doesn't allow an argument"
}

@test "no selector at all is a usage error" {
	gk_run
	assert_status 64
	assert_stderr "gracekill: no process selected: give a PID, a NAME or a selector option"
	gk_run -t 5 -s INT
	assert_status 64
	assert_stderr "gracekill: no process selected: give a PID, a NAME or a selector option"
}

@test "every DURATION form is accepted by --timeout" {
	local d
	# 0 escalates at once: see "-t 0 escalates at once".
	for d in 30 30s 1.5s 250ms 2m 1h infinity; do
		gk_start -c TERM -x 0
		gk_run -t "$d" -p "$GK_PID"
		assert_status 0
		gk_assert_exit "$GK_PID" 0
		gk_assert_siglog "$GK_LOG" TERM
	done
}

@test "every DURATION form is accepted by --kill-wait" {
	local d
	for d in 30 30s 1.5s 250ms 2m 1h 0 infinity; do
		gk_start -c TERM -x 0
		gk_run --kill-wait "$d" -p "$GK_PID"
		assert_status 0
		gk_assert_exit "$GK_PID" 0
	done
}

@test "every DURATION form is accepted by --older" {
	local d
	gk_start -c TERM -x 0
	# The target is younger than each of these...
	for d in 30 30s 2m 1h infinity; do
		gk_run --dry-run --older "$d" -p "$GK_PID"
		assert_status 1
	done
	# ...and older than each of these, once 1.6 s have passed.
	gk_poll gk_older_than "$GK_PID" 1600
	for d in 1.5s 250ms 0; do
		gk_run --dry-run --older "$d" -p "$GK_PID"
		assert_status 0
	done
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "-t 250ms escalates after a quarter of a second" {
	gk_start -i TERM
	local t0
	t0=$(gk_us)
	gk_run -t 250ms -p "$GK_PID"
	assert_status 0
	assert_elapsed_above "$t0" 250
	assert_elapsed_below "$t0" 1500
	gk_assert_exit "$GK_PID" KILL
}

@test "-t 0 escalates at once" {
	gk_start -i TERM
	local t0
	t0=$(gk_us)
	gk_run -t 0 -p "$GK_PID"
	assert_status 0
	assert_elapsed_below "$t0" 1000
	gk_assert_exit "$GK_PID" KILL
}

@test "bad durations exit 64 and quote the text" {
	local opt d
	gk_start -c TERM -x 0
	for opt in --timeout --kill-wait --older; do
		for d in 5x -5 "" 5sec 1e3 0x10 1.5.5s s ms " 5" "5 " inf nan \
		    infinityx 99999999999999999999 99999999999999999999ms 1,5s; do
			gk_run "$opt" "$d" -p "$GK_PID"
			assert_status 64
			assert_stderr "gracekill: $opt: invalid duration: '$d'"
		done
	done
	gk_run -t 5x -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --timeout: invalid duration: '5x'"
	gk_run --timeout=-1 -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --timeout: invalid duration: '-1'"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "every SIGNAL spelling is accepted" {
	local rtmin rtmax pair s want
	rtmin=$(kill -l SIGRTMIN)
	rtmax=$(kill -l SIGRTMAX)
	for pair in TERM:15 SIGTERM:15 sigterm:15 term:15 Term:15 15:15 \
	    INT:2 SIGINT:2 2:2 HUP:1 USR1:10 sigusr2:12 WINCH:28 \
	    RTMIN:$rtmin RTMIN+1:$((rtmin + 1)) rtmin+2:$((rtmin + 2)) \
	    SIGRTMIN+3:$((rtmin + 3)) RTMAX:$rtmax RTMAX-1:$((rtmax - 1)) \
	    sigrtmax-2:$((rtmax - 2)); do
		s=${pair%:*}
		want=${pair##*:}
		gk_start -c "$want" -x 0
		gk_run -s "$s" -t 5 -p "$GK_PID"
		assert_status 0
		gk_assert_exit "$GK_PID" 0
		gk_assert_siglog "$GK_LOG" "$want"
	done
}

@test "--signal 0 sends nothing and only waits" {
	gk_start -c USR1 -x 5
	gk_bg -s 0 -t 5 --no-escalate -p "$GK_PID"
	gk_poll gk_has_pidfd "$GK_BG"
	kill -USR1 "$GK_PID"
	gk_bg_wait
	assert_status 0
	gk_assert_exit "$GK_PID" 5
	gk_assert_siglog "$GK_LOG" USR1
}

@test "--signal 0 on a target that stays: survivor after the timeout" {
	gk_start -c TERM -c INT -c HUP -c USR1 -k 0
	gk_run -s 0 -t 300ms --no-escalate -p "$GK_PID"
	assert_status 2
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "bad signals exit 64 and quote the text" {
	local s
	gk_start -c TERM -x 0
	for s in FOO SIGFOO "" SIG 65 99 -1 -15 +15 15x 1.5 "TERM " " TERM" \
	    RTMIN+ RTMIN+99 RTMAX-99 RTMIN-1 RTMAX+1 99999999999999999999; do
		gk_run -s "$s" -p "$GK_PID"
		assert_status 64
		assert_stderr "gracekill: --signal: unknown signal: '$s'"
	done
	gk_run --signal=FOO -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --signal: unknown signal: 'FOO'"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "bad --pid values exit 64 and quote the text" {
	local p
	gk_start -c TERM -x 0
	for p in abc 0 -3 +5 1x "" " 5" 0x10 1.0 99999999999999999999; do
		gk_run -p "$p" "$GK_PID"
		assert_status 64
		assert_stderr "gracekill: --pid: invalid PID: '$p'"
	done
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "an all-digit positional PID too large for pid_t" {
	gk_run 99999999999
	assert_status 64
	assert_stderr "gracekill: invalid PID: '99999999999'"
}

@test "bad --parent exits 64" {
	gk_run --parent x
	assert_status 64
	assert_stderr "gracekill: --parent: invalid PID: 'x'"
	gk_run -P ""
	assert_status 64
	assert_stderr "gracekill: --parent: invalid PID: ''"
}

@test "an empty --name is a usage error" {
	gk_run --name ""
	assert_status 64
	assert_stderr "gracekill: --name: empty name: ''"
	gk_run -n ""
	assert_status 64
	assert_stderr "gracekill: --name: empty name: ''"
}

@test "bad --tree mode exits 64" {
	gk_start -c TERM -x 0
	gk_run --tree=x -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --tree: invalid mode: 'x'"
	gk_run --tree= -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --tree: invalid mode: ''"
	gk_assert_alive "$GK_PID"
}

@test "usage errors win over other trouble and signal nothing" {
	gk_start -c TERM -x 0
	gk_run -p "$GK_PID" -F /nonexistent/pidfile -t 5x
	assert_status 64
	assert_stderr "gracekill: --timeout: invalid duration: '5x'"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "-T takes no mode: -T mixed, -Tall and --tree mixed are usage errors" {
	local name=mixed
	gk_start -c TERM -x 0
	gk_run -T mixed -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: -T takes a mode only as --tree=mixed (and -n mixed selects processes named mixed)"
	gk_run -vTall -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: -T takes a mode only as --tree=all (and -n all selects processes named all)"
	gk_run -p "$GK_PID" --tree "$name"
	assert_status 64
	assert_stderr "gracekill: --tree takes a mode only as --tree=mixed (and -n mixed selects processes named mixed)"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
	# -T alone, and a mode after =, are fine.
	gk_run --dry-run -T -p "$GK_PID"
	assert_status 0
	assert_output_line "schedule: TERM/10s/KILL/5s (tree: all)"
	gk_run --dry-run --tree=mixed -p "$GK_PID"
	assert_status 0
	assert_output_line "schedule: TERM/10s/KILL/5s (tree: mixed)"
}

@test "the usage synopsis is the manual's SYNOPSIS" {
	local manual usage
	manual=$(mandoc -Tascii "$BATS_TEST_DIRNAME/../gracekill.1" | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' ' ')
	gk_run -h
	usage=$(sed -n '/^usage: /,/^$/p' <<<"$output" | sed 's/^usage: //' |
	    tr -s ' \t\n' ' ')
	[[ ${manual# } == "${usage# }" ]] || {
		printf 'manual: %s\nusage:  %s\n' "$manual" "$usage" >&2
		false
	}
}
