#!/usr/bin/env bats
# Stopped targets get SIGCONT after a graceful signal, unless --no-cont.

load helper

start_stopped() {
	gk_start "$@"
	kill -STOP "$GK_PID"
	gk_poll gx_stopped "$GK_PID"
}

@test "a stopped target gets SIGCONT after TERM and exits on TERM" {
	start_stopped -c TERM -x 0
	pid=$GK_PID
	t0=$(gk_us)
	gk_run -t 5 "$pid"
	assert_status 0
	assert_elapsed_below "$t0" 3000
	assert_output_match "^$pid $GK_NAME: exited with status 0 after [0-9.]+s${gk_reap_re}\$"
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "SIGCONT is never listed in the JSON signals" {
	start_stopped -c TERM -x 0
	pid=$GK_PID
	gx_json_run -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["TERM"]'
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_target "$pid" .exit '{"code":0}'
	gk_assert_exit "$pid" 0
}

@test "SIGCONT after the first step of a schedule, not listed" {
	start_stopped -c USR1 -c TERM -k 2 -x 0
	pid=$GK_PID
	gx_json_run -S USR1/0.2/TERM/3/KILL/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["USR1","TERM"]'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" USR1 TERM
}

@test "SIGCONT arrives after the graceful signal" {
	# The target catches CONT too: TERM, then CONT, reach the handler in
	# signal-number order once it runs; what matters is that both came.
	start_stopped -c TERM -c CONT -k 2 -x 0
	pid=$GK_PID
	gx_json_run -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["TERM"]'
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM CONT
}

@test "--no-cont: the target stays stopped and needs SIGKILL" {
	start_stopped -c TERM -x 0
	pid=$GK_PID
	gk_run --no-cont -t 0.3 --kill-wait 2 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: killed by SIGKILL after [0-9.]+s \\(stopped \\(T\\)\\)${gk_reap_re}\$"
	gk_assert_exit "$pid" KILL
	gx_assert_log_empty "$GK_LOG"
}

@test "--no-cont --json: killed, reason stopped (T), no SIGCONT" {
	start_stopped -c TERM -x 0
	pid=$GK_PID
	gx_json_run --no-cont -t 0.3 --kill-wait 2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .signals '["TERM","KILL"]'
	gx_assert_target "$pid" .reason '"stopped (T)"'
	gk_assert_exit "$pid" KILL
	gx_assert_log_empty "$GK_LOG"
}

@test "--no-cont --no-escalate: the stopped target survives in state T" {
	start_stopped -c TERM -x 0
	pid=$GK_PID
	gx_json_run --no-cont --no-escalate -t 0.3 "$pid"
	assert_status 2
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .state '"T"'
	gx_assert_target "$pid" .reason '"stopped (T)"'
	gk_assert_alive "$pid"
	gx_stopped "$pid"
	gx_assert_log_empty "$GK_LOG"
}

@test "a running target gets no SIGCONT" {
	gk_start -c TERM -c CONT -k 0
	pid=$GK_PID
	gk_run -S TERM/0.3/KILL/2 "$pid"
	assert_status 0
	gk_assert_exit "$pid" KILL
	gk_assert_siglog "$GK_LOG" TERM
}
