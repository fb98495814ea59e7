#!/usr/bin/env bats
# -S/--schedule: every accepted form, every malformed one, and how the
# steps share one timeline.

load helper

@test "SIG/DUR pairs are sent in order, each after the previous grace" {
	gk_start -c USR1 -c USR2 -c TERM -k 3 -x 5
	pid=$GK_PID log=$GK_LOG
	gx_json_run -S USR1/0.3/USR2/0.3/TERM/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_target "$pid" .signals '["USR1","USR2","TERM"]'
	gx_assert_target "$pid" .exit '{"code":5}'
	gk_assert_exit "$pid" 5
	gk_assert_siglog "$log" USR1 USR2 TERM
	gx_assert_gap "$log" 1 2 280 1500
	gx_assert_gap "$log" 2 3 280 1500
}

@test "a target that exits at the first step ends the schedule at once" {
	gk_start -c INT -x 0
	pid=$GK_PID
	t0=$(gk_us)
	gx_json_run -S INT/30/TERM/30/KILL/5 "$pid"
	assert_status 0
	assert_elapsed_below "$t0" 3000
	gx_assert_target "$pid" .signals '["INT"]'
	gx_assert_target "$pid" .outcome '"exited"'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" INT
}

@test "a target that exits only on the second INT (rq worker)" {
	gk_start -c INT -k 2 -x 3
	pid=$GK_PID log=$GK_LOG
	gk_run -S INT/0.3/INT/2/KILL/2 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited with status 3 after [0-9.]+s${gk_reap_re}\$"
	assert_output_lines 1
	gk_assert_exit "$pid" 3
	gk_assert_siglog "$log" INT INT
	gx_assert_gap "$log" 1 2 280 1500
}

@test "the second INT is reported in the JSON signals" {
	gk_start -c INT -k 2 -x 3
	pid=$GK_PID
	gx_json_run -S INT/0.2/INT/2/KILL/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["INT","INT"]'
	gx_assert_target "$pid" .exit '{"code":3}'
	gk_assert_exit "$pid" 3
}

@test "a plain DURATION means TERM/DURATION/KILL" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	t0=$(gk_us)
	gx_json_run -S 0.3 "$pid"
	assert_status 0
	assert_elapsed_above "$t0" 290
	assert_elapsed_below "$t0" 3000
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .signals '["TERM","KILL"]'
	gx_assert_target "$pid" .exit '{"signal":"KILL"}'
	gk_assert_exit "$pid" KILL
}

@test "a plain DURATION: a target that exits on TERM gets nothing else" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	gx_json_run -S 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["TERM"]'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "a plain DURATION shows as TERM/DURATION/KILL/5s in a dry run" {
	gk_start -c TERM -k 0
	gk_run --dry-run -S 30 "$GK_PID"
	assert_status 0
	assert_output_line "schedule: TERM/30s/KILL/5s"
	gk_assert_alive "$GK_PID"
	gx_assert_log_empty "$GK_LOG"
}

@test "a trailing signal without a duration waits the default kill-wait" {
	gk_start -c TERM -k 0
	gk_run --dry-run -S INT/60/INT/10/KILL "$GK_PID"
	assert_status 0
	assert_output_line "schedule: INT/60s/INT/10s/KILL/5s"
	gx_assert_log_empty "$GK_LOG"
}

@test "a trailing signal without a duration is sent and waited for" {
	gk_start -i INT -c USR1 -k 0
	pid=$GK_PID
	gx_json_run -S INT/0.2/KILL "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .signals '["INT","KILL"]'
	gk_assert_exit "$pid" KILL
}

@test "Apache's graceful stop: WINCH/DUR/TERM/DUR/KILL/DUR" {
	gk_start -c WINCH -k 1 -x 0
	a=$GK_PID
	gk_start -i WINCH -c TERM -x 0
	b=$GK_PID
	gk_start -i WINCH -i TERM
	c=$GK_PID
	gx_json_run -S WINCH/0.3/TERM/0.3/KILL/2 "$a" "$b" "$c"
	assert_status 0
	gx_assert_target "$a" .signals '["WINCH"]'
	gx_assert_target "$b" .signals '["WINCH","TERM"]'
	gx_assert_target "$c" .signals '["WINCH","TERM","KILL"]'
	gx_assert_target "$a" .outcome '"exited"'
	gx_assert_target "$b" .outcome '"exited"'
	gx_assert_target "$c" .outcome '"killed"'
	assert_jq '.summary.exited == 2 and .summary.killed == 1'
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" 0
	gk_assert_exit "$c" KILL
}

@test "forever repeats the rest until the target exits on its fourth USR1" {
	gk_start -c USR1 -k 4 -x 4
	pid=$GK_PID log=$GK_LOG
	gx_json_run -S USR1/0.1/forever/USR1/0.1 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["USR1","USR1","USR1","USR1"]'
	gx_assert_target "$pid" .exit '{"code":4}'
	gk_assert_exit "$pid" 4
	gk_assert_siglog "$log" USR1 USR1 USR1 USR1
	gx_assert_gap "$log" 3 4 90 1500
}

@test "forever at the start repeats the whole list" {
	gk_start -c USR1 -c USR2 -k 4 -x 6
	pid=$GK_PID log=$GK_LOG
	gx_json_run -S forever/USR1/0.1/USR2/0.1 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["USR1","USR2","USR1","USR2"]'
	gk_assert_exit "$pid" 6
	gk_assert_siglog "$log" USR1 USR2 USR1 USR2
}

@test "a step does not signal targets already gone" {
	gk_start -c USR1 -x 0
	a=$GK_PID
	gk_start -c USR1 -c USR2 -k 2 -x 0
	b=$GK_PID blog=$GK_LOG
	trace=$BATS_TEST_TMPDIR/trace
	run --separate-stderr gk_strace -f -qq -o "$trace" \
	    -e trace=pidfd_send_signal,kill,tgkill,tkill,rt_sigqueueinfo \
	    -e signal=none "$GRACEKILL" --json -S USR1/0.3/USR2/2/KILL/2 \
	    "$a" "$b"
	assert_status 0
	gx_assert_target "$a" .signals '["USR1"]'
	gx_assert_target "$b" .signals '["USR1","USR2"]'
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" 0
	gk_assert_siglog "$blog" USR1 USR2
	# Exactly three signals left gracekill: USR1 twice, USR2 once.
	sent=$(grep -Ec 'SIG(USR1|USR2|KILL|TERM|CONT)' "$trace") || :
	usr2=$(grep -c 'SIGUSR2' "$trace") || :
	[[ $sent == 3 && $usr2 == 1 ]] || {
		echo "expected 3 signals (1 USR2), strace saw:" >&2
		cat "$trace" >&2
		false
	}
}

@test "one timeline: the second step's signal goes only to those left" {
	gk_start -c TERM -x 0 -d 100
	a=$GK_PID alog=$GK_LOG
	gk_start -i TERM -c USR1 -k 0
	b=$GK_PID
	gx_json_run -S TERM/0.5/KILL/2 "$a" "$b"
	assert_status 0
	gx_assert_target "$a" .signals '["TERM"]'
	gx_assert_target "$a" .outcome '"exited"'
	gx_assert_target "$b" .signals '["TERM","KILL"]'
	gx_assert_target "$b" .outcome '"killed"'
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" KILL
	gk_assert_siglog "$alog" TERM
}

# Each malformed list: exit 64, the exact message, and nothing signalled.
bad_schedule() {
	local list=$1 want=$2
	gk_start -c TERM -c INT -c USR1 -c HUP -k 0
	gk_run -S "$list" "$GK_PID"
	assert_status 64
	assert_stderr "$want"
	[[ -z $output ]]
	gk_assert_alive "$GK_PID"
	gx_assert_log_empty "$GK_LOG"
}

@test "schedule: unknown signal" {
	bad_schedule TERM/5/FOO/5 \
	    "gracekill: --schedule: unknown signal: 'FOO' in 'TERM/5/FOO/5'"
}

@test "schedule: unknown real-time signal" {
	bad_schedule TERM/5/RTMIN+99/5 \
	    "gracekill: --schedule: unknown signal: 'RTMIN+99' in 'TERM/5/RTMIN+99/5'"
}

@test "schedule: invalid duration" {
	bad_schedule TERM/5x/KILL \
	    "gracekill: --schedule: invalid duration: '5x' in 'TERM/5x/KILL'"
}

@test "schedule: negative duration" {
	bad_schedule TERM/-1/KILL \
	    "gracekill: --schedule: invalid duration: '-1' in 'TERM/-1/KILL'"
}

@test "schedule: empty step in the middle" {
	bad_schedule TERM//KILL \
	    "gracekill: --schedule: empty step: '' in 'TERM//KILL'"
}

@test "schedule: empty step at the end" {
	bad_schedule TERM/5/ \
	    "gracekill: --schedule: empty step: '' in 'TERM/5/'"
}

@test "schedule: empty step at the start" {
	bad_schedule /TERM/5 \
	    "gracekill: --schedule: empty step: '' in '/TERM/5'"
}

@test "schedule: forever at the end has nothing to repeat" {
	bad_schedule TERM/5/forever \
	    "gracekill: --schedule: nothing to repeat after forever: 'forever' in 'TERM/5/forever'"
}

@test "schedule: forever given twice" {
	bad_schedule forever/TERM/5/forever/KILL/5 \
	    "gracekill: --schedule: forever given twice: 'forever' in 'forever/TERM/5/forever/KILL/5'"
}

@test "schedule: a duration where a signal belongs" {
	bad_schedule TERM/5/10s \
	    "gracekill: --schedule: missing signal: '10s' in 'TERM/5/10s'"
}

schedule_conflict() {
	gk_start -c TERM -k 0
	gk_run "$@" "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --schedule cannot be combined with --signal, --timeout or --kill-wait"
	gk_assert_alive "$GK_PID"
	gx_assert_log_empty "$GK_LOG"
}

@test "-S with -s is a usage error" {
	schedule_conflict -S TERM/5/KILL -s INT
}

@test "-s before -S is a usage error too" {
	schedule_conflict -s INT -S TERM/5/KILL
}

@test "-S with -t is a usage error" {
	schedule_conflict -S TERM/5/KILL -t 3
}

@test "-S with --kill-wait is a usage error" {
	schedule_conflict --kill-wait 3 --schedule TERM/5/KILL
}

@test "long forms conflict too: --signal=, --timeout=, --schedule=" {
	schedule_conflict --signal=INT --schedule=5
	schedule_conflict --schedule=TERM/5/KILL --timeout=5
}

@test "-S with --no-escalate is a usage error" {
	gk_start -c TERM -k 0
	gk_run -S TERM/5 --no-escalate "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --no-escalate cannot be combined with --schedule"
	gx_assert_log_empty "$GK_LOG"
}

@test "a long step is read whole, not cut short" {
	# Found by fuzzing: a step copied into a fixed buffer lost its unit,
	# so 000...0005s read as 0.
	gk_start -c TERM -x 0
	zeros=$(printf '0%.0s' {1..80})
	gk_run --dry-run -S "TERM/${zeros}5s" "$GK_PID"
	assert_status 0
	[[ ${lines[-1]} == "schedule: TERM/5s" ]] || {
		echo "got: ${lines[-1]}" >&2
		false
	}
	gk_run -S "TERM/${zeros}5x" "$GK_PID"
	assert_status 64
	[[ $stderr == "gracekill: --schedule: invalid duration: '${zeros}5x' in 'TERM/${zeros}5x'" ]] || {
		echo "got: $stderr" >&2
		false
	}
}
