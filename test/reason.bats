#!/usr/bin/env bats
# Why escalation was needed, as /proc shows it, in text and JSON; the
# state letter of survivors.

load helper

@test "ignores TERM: killed, reason in text" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	gk_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: killed by SIGKILL after [0-9.]+s \\(ignores SIGTERM\\)${gk_reap_re}\$"
	gk_assert_exit "$pid" KILL
}

@test "ignores TERM: killed, reason in JSON" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	gx_json_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .reason '"ignores SIGTERM"'
	gx_assert_target "$pid" .signals '["TERM","KILL"]'
	gk_assert_exit "$pid" KILL
}

@test "ignores the graceful signal given with -s" {
	gk_start -i INT -c USR1 -k 0
	pid=$GK_PID
	gx_json_run -s INT -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .reason '"ignores SIGINT"'
	gk_assert_exit "$pid" KILL
}

@test "blocks TERM: killed, reason in text and JSON" {
	gk_start -B TERM -c USR1 -k 0
	pid=$GK_PID
	gx_json_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .reason '"blocks SIGTERM"'
	gx_assert_target "$pid" .outcome '"killed"'
	gk_assert_exit "$pid" KILL
	gk_start -B TERM -c USR1 -k 0
	pid=$GK_PID
	gk_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: killed by SIGKILL after [0-9.]+s \\(blocks SIGTERM\\)${gk_reap_re}\$"
	gk_assert_exit "$pid" KILL
}

@test "catching TERM without exiting is no reason /proc can show" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	gx_json_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .reason 'null'
	gk_assert_exit "$pid" KILL
}

@test "stopped: killed, reason stopped (T)" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	kill -STOP "$pid"
	gk_poll gx_stopped "$pid"
	gk_run --no-cont -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: killed by SIGKILL after [0-9.]+s \\(stopped \\(T\\)\\)${gk_reap_re}\$"
	gk_assert_exit "$pid" KILL
}

# traced: strace attached to the target (state stays S, TracerPid set).
attach_strace() {
	strace -qq -o /dev/null -p "$1" 3>&- &
	tracer=$!
	gk_record "$tracer"
	gk_poll tracer_is "$1" "$tracer"
}
tracer_is() { grep -q "^TracerPid:[[:space:]]*$2\$" "/proc/$1/status"; }

@test "traced: killed, reason traced by PID N" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	attach_strace "$pid"
	gx_json_run -t 0.3 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .reason "\"traced by PID $tracer\""
	gk_assert_exit "$pid" KILL
}

@test "traced: the reason in text" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	attach_strace "$pid"
	gk_run -t 0.3 --kill-wait 3 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: killed by SIGKILL after [0-9.]+s \\(traced by PID $tracer\\)${gk_reap_re}\$"
	gk_assert_exit "$pid" KILL
}

# -D: the target sleeps in state D until SIGKILL ends it.
start_dstate() {
	gk_start -D -c TERM -k 0
	pid=$GK_PID
	vchild=$(gx_record_file "$GK_READY.vchild")
	gk_poll gx_state_is "$pid" D
}

@test "uninterruptible sleep: survives in state D, reason in JSON" {
	start_dstate
	gx_json_run --no-escalate -t 0.3 "$pid"
	assert_status 2
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .state '"D"'
	gx_assert_target "$pid" .reason '"uninterruptible sleep (D)"'
	gx_assert_target "$pid" .seconds 'null'
	gk_assert_alive "$pid"
}

@test "uninterruptible sleep: survives in state D, reason in text" {
	start_dstate
	gk_run --no-escalate -t 0.3 "$pid"
	assert_status 2
	assert_output_line "$pid $GK_NAME: survived in state D (uninterruptible sleep (D))"
	gk_assert_alive "$pid"
}

@test "uninterruptible sleep: SIGKILL ends it, the reason is kept" {
	start_dstate
	gx_json_run -t 0.3 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .reason '"uninterruptible sleep (D)"'
	gk_assert_exit "$pid" KILL
}

@test "survivors report their state letter" {
	gk_start -c TERM -k 0
	a=$GK_PID an=$GK_NAME
	gk_start -i TERM -c USR1 -k 0
	b=$GK_PID bn=$GK_NAME
	gk_start -c TERM -x 0
	c=$GK_PID
	kill -STOP "$c"
	gk_poll gx_stopped "$c"
	gk_run --no-escalate --no-cont -t 0.3 "$a" "$b" "$c"
	assert_status 2
	assert_output_line "$a $an: survived in state S"
	assert_output_line "$b $bn: survived in state S (ignores SIGTERM)"
	assert_output_match "^$c [^ ]+: survived in state T \\(stopped \\(T\\)\\)\$"
	assert_output_lines 3
	gk_assert_alive "$a" "$b" "$c"
}

@test "survivors in JSON: state letter, seconds null" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	gx_json_run --no-escalate -t 0.2 "$pid"
	assert_status 2
	gx_assert_target "$pid" .state '"S"'
	gx_assert_target "$pid" .reason '"ignores SIGTERM"'
	gx_assert_target "$pid" .seconds 'null'
	gx_assert_target "$pid" .exit 'null'
	assert_jq '.summary.survived == 1 and .exit_code == 2'
}

@test "names with control characters are escaped" {
	name=$(printf 'gx\033x%s' "$RANDOM")
	gk_start -n "$name" -c TERM -x 0
	pid=$GK_PID
	gk_run -t 3 "$pid"
	assert_status 0
	[[ $output != *$'\033'* ]] || { echo "raw ESC in: $output" >&2; false; }
	assert_output_match "^$pid gx.+x[0-9]+: exited with status 0 after"
	gk_assert_exit "$pid" 0
}
