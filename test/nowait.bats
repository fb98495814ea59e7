#!/usr/bin/env bats
# --no-wait: send the first signal and return at once.

load helper

@test "--no-wait returns at once with the outcome signalled" {
	# The target lingers 3 s after TERM: gracekill must not wait for it.
	gk_start -c TERM -x 0 -d 3000
	pid=$GK_PID
	t0=$(gk_us)
	gk_run --no-wait -t 30 "$pid"
	assert_status 0
	assert_elapsed_below "$t0" 1500
	assert_output_line "$pid $GK_NAME: signalled with SIGTERM"
	assert_output_lines 1
	assert_stderr_empty
	gk_assert_alive "$pid"
	gk_poll gx_file_has "$GK_LOG" '^15 '
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "--no-wait --json: signalled, the signal listed, seconds null" {
	gk_start -c USR1 -x 0 -d 3000
	pid=$GK_PID
	t0=$(gk_us)
	gx_json_run --no-wait -s USR1 "$pid"
	assert_status 0
	assert_elapsed_below "$t0" 1500
	gx_assert_target "$pid" .outcome '"signalled"'
	gx_assert_target "$pid" .signals '["USR1"]'
	assert_jq '.exit_code == 0'
	gk_assert_alive "$pid"
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" USR1
}

@test "--no-wait never escalates: a target ignoring TERM keeps running" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	gk_run --no-wait -t 0 --kill-wait 0 "$pid"
	assert_status 0
	assert_output_line "$pid $GK_NAME: signalled with SIGTERM"
	# gracekill has exited: nothing can follow.
	gk_assert_alive "$pid"
	[[ $(gk_state "$pid") == S ]]
}

@test "--no-wait with several targets signals each once" {
	gk_start -c TERM -x 0
	a=$GK_PID alog=$GK_LOG
	gk_start -c TERM -x 0
	b=$GK_PID blog=$GK_LOG
	gx_json_run --no-wait "$a" "$b"
	assert_status 0
	gx_assert_target "$a" .outcome '"signalled"'
	gx_assert_target "$b" .outcome '"signalled"'
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" 0
	gk_assert_siglog "$alog" TERM
	gk_assert_siglog "$blog" TERM
}
