#!/usr/bin/env bats
# Signal names, numbers, real-time signals and signal 0.

load helper

@test "RTMIN+1 arrives as the C library's SIGRTMIN+1" {
	gk_start -c RTMIN+1 -x 0
	pid=$GK_PID
	gx_json_run -s RTMIN+1 -t 2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["RTMIN+1"]'
	gx_assert_target "$pid" .outcome '"exited"'
	gk_assert_exit "$pid" 0
	# bash's kill -l uses the same C library numbering (34 + 1 = 35).
	gk_assert_siglog "$GK_LOG" "$(kill -l RTMIN+1)"
}

@test "RTMAX-1 arrives as SIGRTMAX-1, also given as sigrtmax-1" {
	gk_start -c RTMAX-1 -x 0
	pid=$GK_PID
	gk_run -s sigrtmax-1 -t 2 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited with status 0 after [0-9.]+s${gk_reap_re}\$"
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" "$(kill -l RTMAX-1)"
}

@test "RTMIN+1 in a schedule" {
	gk_start -c RTMIN+1 -c RTMIN+2 -k 2 -x 0
	pid=$GK_PID
	gx_json_run -S RTMIN+1/0.2/RTMIN+2/2/KILL/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["RTMIN+1","RTMIN+2"]'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" "$(kill -l RTMIN+1)" "$(kill -l RTMIN+2)"
}

@test "-s 0 delivers nothing: the target survives, its log stays empty" {
	gk_start -c TERM -c INT -c HUP -c QUIT -c USR1 -c USR2 -c CONT \
	    -c WINCH -c ALRM -k 0
	pid=$GK_PID
	t0=$(gk_us)
	gk_run -s 0 -t 1 --no-escalate "$pid"
	assert_status 2
	assert_elapsed_above "$t0" 990
	assert_output_line "$pid $GK_NAME: survived in state S"
	assert_output_lines 1
	gk_assert_alive "$pid"
	gx_assert_log_empty "$GK_LOG"
}

@test "-s 0 with --json: survived, state S, no signal listed" {
	gk_start -c TERM -c INT -c HUP -c USR1 -c CONT -k 0
	pid=$GK_PID
	gx_json_run -s 0 -t 0.3 --no-escalate "$pid"
	assert_status 2
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .state '"S"'
	gx_assert_target "$pid" .signals '[]'
	gk_assert_alive "$pid"
	gx_assert_log_empty "$GK_LOG"
}

@test "-s 0 only waits: it returns as soon as the process exits by itself" {
	go=$BATS_TEST_TMPDIR/go
	sh -c 'until [ -e "$1" ]; do sleep 0.01; done; exit 4' sh "$go" \
	    3>&- &
	pid=$!
	gk_record "$pid"
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	gx_bg_gracekill "$out" "$err" -s 0 -t 30 --no-escalate "$pid"
	gk=$GX_GK_PID
	gk_record "$gk"
	# Once gracekill holds the pidfd, let the process go.
	gk_poll gx_has_pidfds "$gk" 1
	gk_assert_alive "$pid"
	t0=$(gk_us)
	touch "$go"
	gx_wait rc "$gk"
	assert_elapsed_below "$t0" 3000
	[[ $rc == 0 ]] || { cat "$out" "$err" >&2; false; }
	grep -Eq "^$pid sh: exited with status 4 after [0-9.]+s${gk_reap_re}\$" "$out" ||
	    { cat "$out" "$err" >&2; false; }
	gk_assert_exit "$pid" 4
}

# Each accepted spelling of TERM and USR1 delivers that signal.
@test "signal names with and without SIG, in any case, and numbers" {
	local spelling want
	for spelling in TERM SIGTERM term sigterm Term SigTerm 15 \
	    USR1 SIGUSR1 usr1 sigusr1 Usr1 10 HUP sighup 1 RTMIN rtmin+0 34; do
		case $spelling in
		*[Tt][Ee][Rr][Mm] | 15) want=TERM ;;
		*[Uu][Ss][Rr]1 | 10) want=USR1 ;;
		*[Hh][Uu][Pp] | 1) want=HUP ;;
		*) want=RTMIN ;;
		esac
		gk_start -c "$want" -x 0
		pid=$GK_PID
		gx_json_run -s "$spelling" -t 2 "$pid"
		assert_status 0
		gx_assert_target "$pid" .signals "[\"$want\"]"
		gk_assert_exit "$pid" 0
		gk_assert_siglog "$GK_LOG" "$want"
	done
}

@test "signal spellings in a schedule" {
	gk_start -c USR1 -c TERM -k 2 -x 0
	pid=$GK_PID
	gx_json_run -S sigusr1/0.1/15/2/kill/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["USR1","TERM"]'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" USR1 TERM
}

bad_signal() {
	gk_start -c TERM -k 0
	gk_run -s "$1" "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --signal: unknown signal: '$1'"
	gk_assert_alive "$GK_PID"
	gx_assert_log_empty "$GK_LOG"
}

@test "unknown signal name" { bad_signal FOO; }
@test "unknown signal with SIG" { bad_signal SIGFOO; }
@test "signal number out of range" { bad_signal 65; }
@test "real-time signal beyond RTMAX" { bad_signal RTMIN+40; }
@test "signal with trailing text" { bad_signal TERMx; }
@test "empty signal" { bad_signal ''; }

@test "a first argument -SIG means -s SIG, as with kill and pkill" {
	local spelling
	for spelling in -9:KILL -KILL:KILL -kill:KILL -SIGKILL:KILL; do
		gk_start -c TERM -x 0
		gk_run "${spelling%%:*}" "$GK_PID"
		assert_status 0
		gk_assert_exit "$GK_PID" "${spelling#*:}"
	done
	gk_start -c INT -x 4
	gk_run -int -t 5 "$GK_PID"
	assert_status 0
	gk_assert_exit "$GK_PID" 4
	gk_assert_siglog "$GK_LOG" INT
	gk_start -c RTMIN+2 -x 5
	gk_run -RTMIN+2 -t 5 -n "$GK_NAME"
	assert_status 0
	gk_assert_exit "$GK_PID" 5
	gk_assert_siglog "$GK_LOG" "$(gk_signum RTMIN+2)"
}

@test "-SIG only as the first argument; later it is an unknown option" {
	gk_start -c TERM -x 0
	gk_run "$GK_PID" -9
	assert_status 64
	[[ ${stderr_lines[0]} == *"invalid option -- '9'" ]]
	gk_run -v -KILL "$GK_PID"
	assert_status 64
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "-l lists every signal name with its number, RT signals included" {
	gk_run -l
	assert_status 0
	assert_stderr_empty
	assert_output_line " 1 HUP"
	assert_output_line " 9 KILL"
	assert_output_line "15 TERM"
	assert_output_line " 6 IOT"
	assert_output_line "$(printf '%2d RTMIN' "$(kill -l RTMIN)")"
	assert_output_line "$(printf '%2d RTMIN+1' "$(($(kill -l RTMIN) + 1))")"
	assert_output_line "$(printf '%2d RTMAX' "$(kill -l RTMAX)")"
	assert_output_line "$(printf '%2d RTMAX-1' "$(($(kill -l RTMAX) - 1))")"
	# Every name listed is accepted, and means its number.
	local n name rc
	while read -r n name; do
		rc=0
		"$GRACEKILL" --dry-run -s "$name" -p 1 >/dev/null 2>&1 || rc=$?
		[[ $rc == 3 ]] || { echo "-s $name: exit $rc" >&2; false; }
	done <<<"$output"
	gk_run --list
	assert_status 0
	((${#lines[@]} >= 64))
}
