#!/usr/bin/env bats
# SIGINT, SIGTERM or SIGHUP to gracekill while it waits: the report of the
# moment, no further escalation, exit 2 while something still runs.

load helper

# interrupt SIG: gracekill waits on a target that catches TERM and never
# exits; SIG to gracekill mid-wait.
interrupt() {
	local sig=$1
	gk_start -c TERM -k 0
	pid=$GK_PID log=$GK_LOG
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	gx_bg_gracekill "$out" "$err" --json -S TERM/30/KILL/5 "$pid"
	gk=$GX_GK_PID
	gk_record "$gk"
	# The target logs TERM: gracekill has sent it and is waiting now.
	gk_poll gx_file_has "$log" '^15 '
	t0=$(gk_us)
	kill -"$sig" "$gk"
	gx_wait rc "$gk"
	assert_elapsed_below "$t0" 2000
	output=$(<"$out")
	stderr=$(<"$err")
	status=$rc
	assert_status 2
	assert_jq '.exit_code == 2'
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .signals '["TERM"]'
	gx_assert_target "$pid" .state '"S"'
	assert_jq '.summary.survived == 1'
	# No escalation happened: the target is alive and got only TERM.
	gk_assert_alive "$pid"
	gk_assert_siglog "$log" TERM
}

@test "SIGINT mid-wait: report of the moment, exit 2, no escalation" {
	interrupt INT
}

@test "SIGTERM mid-wait: report of the moment, exit 2, no escalation" {
	interrupt TERM
}

@test "SIGHUP mid-wait: report of the moment, exit 2, no escalation" {
	interrupt HUP
}

@test "SIGINT mid-wait: a target already gone is reported as exited" {
	gk_start -c TERM -x 7
	a=$GK_PID
	gk_start -c TERM -k 0
	b=$GK_PID blog=$GK_LOG
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	gx_bg_gracekill "$out" "$err" -t 30 "$a" "$b"
	gk=$GX_GK_PID
	gk_record "$gk"
	gk_poll gx_file_has "$blog" '^15 '
	gk_assert_exit "$a" 7
	kill -INT "$gk"
	gx_wait rc "$gk"
	[[ $rc == 2 ]] || { echo "exit $rc" >&2; cat "$out" "$err" >&2; false; }
	output=$(<"$out")
	lines=()
	mapfile -t lines <"$out"
	assert_output_match "^$a [^ ]+: exited with status 7 after [0-9.]+s${gk_reap_re}\$"
	assert_output_line "$b $(cat "/proc/$b/comm"): survived in state S"
	assert_output_lines 2
	gk_assert_alive "$b"
	gk_assert_siglog "$blog" TERM
}

@test "SIGINT during a later step's wait: no KILL follows" {
	gk_start -c TERM -k 0 -c USR1
	pid=$GK_PID log=$GK_LOG
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	gx_bg_gracekill "$out" "$err" --json -S TERM/0.2/USR1/30/KILL/5 "$pid"
	gk=$GX_GK_PID
	gk_record "$gk"
	gk_poll gx_file_has "$log" '^10 '
	kill -INT "$gk"
	gx_wait rc "$gk"
	output=$(<"$out")
	status=$rc
	assert_status 2
	gx_assert_target "$pid" .signals '["TERM","USR1"]'
	gx_assert_target "$pid" .outcome '"survived"'
	gk_assert_alive "$pid"
	gk_assert_siglog "$log" TERM USR1
}

# early_interrupt SYSCALL ARG...: gracekill ARG with SIGINT delivered on
# its first SYSCALL (by strace), while it is still finding its targets.
early_interrupt() {
	local call=$1
	shift
	run --separate-stderr gk_strace -qq -o /dev/null \
	    -e trace="$call" -e inject="$call":signal=INT:when=1 \
	    "$GRACEKILL" --json -t 5 "$@"
}

@test "SIGINT while PIDs are being held: nothing is signalled, all survive" {
	gk_start -c TERM -x 0
	a=$GK_PID alog=$GK_LOG
	gk_start -c TERM -x 0
	b=$GK_PID blog=$GK_LOG
	early_interrupt pidfd_open -p "$a,$b"
	assert_status 2
	gx_assert_target "$a" .outcome '"survived"'
	gx_assert_target "$b" .outcome '"survived"'
	gx_assert_target "$a" .signals '[]'
	gk_assert_alive "$a"
	gk_assert_alive "$b"
	gx_assert_log_empty "$alog"
	gx_assert_log_empty "$blog"
}

@test "SIGINT during the scan by name: nothing is signalled" {
	gk_start -c TERM -x 0
	pid=$GK_PID log=$GK_LOG
	early_interrupt getdents64 -n "$GK_NAME"
	assert_status 2
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .signals '[]'
	gk_assert_alive "$pid"
	gx_assert_log_empty "$log"
}
