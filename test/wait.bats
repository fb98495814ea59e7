#!/usr/bin/env bats
# Waiting: gracekill returns as soon as the last target is gone, waits
# for slow ones, treats a zombie as exited but a process whose main
# thread exited as alive, and handles --no-wait.  Signals to gracekill
# itself: interrupt.bats; the /proc fallback: fallback.bats.

load helper

@test "a graceful exit returns well before the timeout" {
	gk_start -c TERM -x 0
	local t0
	t0=$(gk_us)
	gk_run -t 10 -p "$GK_PID"
	assert_status 0
	assert_elapsed_below "$t0" 2000
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ exited\ with\ status\ 0\ after\ $gk_time_re$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "the default TERM action: exited on SIGTERM" {
	gk_start
	gk_run -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ exited\ on\ SIGTERM\ after\ $gk_time_re$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" TERM
}

@test "a target that drains is waited for, not escalated" {
	gk_start -c TERM -x 3 -d 600
	local t0
	t0=$(gk_us)
	gk_run -t 10 -p "$GK_PID"
	assert_status 0
	assert_elapsed_above "$t0" 600
	assert_elapsed_below "$t0" 2500
	gk_assert_exit "$GK_PID" 3
	[[ $output == "$GK_PID $GK_NAME: exited with status 3 after 0."[6-9]* ||
	    $output == "$GK_PID $GK_NAME: exited with status 3 after 1."* ]]
}

@test "several targets: returns when the slowest is gone" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 1 -d 100
	local a=$GK_PID
	gk_start -n "$name" -c TERM -x 2 -d 300
	local b=$GK_PID
	gk_start -n "$name" -c TERM -x 3 -d 700
	local c=$GK_PID
	local t0
	t0=$(gk_us)
	gk_run -t 10 "$name"
	assert_status 0
	assert_elapsed_above "$t0" 700
	assert_elapsed_below "$t0" 2500
	assert_output_lines 3
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_exit "$c" 3
}

@test "a zombie counts as exited: its parent never reaps it" {
	local cmd
	cmd=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 7)
	gk_start -s "$cmd"
	local parent=$GK_PID child
	child=$(gk_child_pid c1)
	local t0
	t0=$(gk_us)
	gk_run -t 10 -p "$child"
	assert_status 0
	assert_elapsed_below "$t0" 2000
	[[ $(gk_state "$child") == Z ]]
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_alive "$parent"
}

@test "main thread gone, another thread alive: not exited (survives)" {
	gk_start -t -i TERM
	[[ $(gk_state "$GK_PID") == Z ]]
	gk_run --json -t 300ms --no-escalate -p "$GK_PID"
	assert_status 2
	assert_jq '.targets[0].outcome == "survived"'
	[[ -d /proc/$GK_PID/task ]]
	[[ $(ls "/proc/$GK_PID/task" | wc -l) == 2 ]]
}

@test "main thread gone: waited for until the last thread exits" {
	gk_start -t -c TERM -x 4 -d 400
	local t0
	t0=$(gk_us)
	gk_run -t 10 -p "$GK_PID"
	assert_status 0
	assert_elapsed_above "$t0" 400
	assert_elapsed_below "$t0" 2500
	[[ $output == "$GK_PID $GK_NAME: exited with status 4 after "* ]]
	gk_assert_exit "$GK_PID" 4
}

@test "main thread gone: escalation kills the remaining thread" {
	gk_start -t -i TERM
	gk_run -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output == "$GK_PID $GK_NAME: killed by SIGKILL after "* ]]
	gk_assert_exit "$GK_PID" KILL
}

@test "--no-wait: signals and returns at once" {
	gk_start -c TERM -x 0 -d 800
	local t0
	t0=$(gk_us)
	gk_run --no-wait -p "$GK_PID"
	assert_status 0
	assert_elapsed_below "$t0" 600
	[[ $output == "$GK_PID $GK_NAME: signalled with SIGTERM" ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG" TERM
	gk_assert_exit "$GK_PID" 0
}

@test "--no-wait with -s INT" {
	gk_start -c INT -x 2
	gk_run --no-wait -s INT -p "$GK_PID"
	assert_status 0
	[[ $output == "$GK_PID $GK_NAME: signalled with SIGINT" ]]
	gk_assert_exit "$GK_PID" 2
	gk_assert_siglog "$GK_LOG" INT
}
