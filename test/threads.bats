#!/usr/bin/env bats
# A process whose main thread has exited while another thread runs shows
# Z in /proc but is alive: it is not reported as exited.

load helper

# threads_of PID: the Threads: count in /proc/PID/status (the zombie
# leader still counts).
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

start_threaded() {
	gk_start -t "$@"
	pid=$GK_PID
	[[ $(gk_state "$pid") == Z ]]
	[[ $(threads_of "$pid") == 2 ]]
	[[ $(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l) == 2 ]]
}

@test "main thread gone, other thread running: survived, exit 2" {
	start_threaded -c TERM -k 0
	gk_run -s 0 -t 1 --no-escalate "$pid"
	assert_status 2
	assert_output_match "^$pid $GK_NAME: survived in state [A-Z]"
	assert_output_lines 1
	[[ $(threads_of "$pid") == 2 ]]
	gx_assert_log_empty "$GK_LOG"
}

@test "main thread gone: JSON says survived, not exited" {
	start_threaded -c TERM -k 0
	gx_json_run -s 0 -t 0.5 --no-escalate "$pid"
	assert_status 2
	gx_assert_target "$pid" .outcome '"survived"'
	gx_assert_target "$pid" .seconds 'null'
	assert_jq '.summary.exited == 0 and .summary.survived == 1'
}

@test "main thread gone: TERM reaches the other thread, then it exits" {
	start_threaded -c TERM -x 6
	gx_json_run -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_target "$pid" .exit '{"code":6}'
	gk_assert_exit "$pid" 6
	gk_assert_siglog "$GK_LOG" TERM
}

@test "main thread gone, in the /proc fallback: survived, exit 2" {
	start_threaded -c TERM -k 0
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error=ENOSYS "$GRACEKILL" -s 0 -t 1 \
	    --no-escalate "$pid"
	assert_status 2
	assert_output_match "^$pid $GK_NAME: survived in state [A-Z]"
	[[ $(threads_of "$pid") == 2 ]]
}
