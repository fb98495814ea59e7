#!/usr/bin/env bats
# --older DURATION: a filter on the age of a process (start time in
# /proc/PID/stat against the boot clock).

load helper

@test "--older keeps the old process and leaves the young one" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 3
	local old=$GK_PID
	gk_poll gk_older_than "$old" 700
	gk_start -n "$name" -c TERM -x 0
	local young=$GK_PID
	gk_run --older 500ms "$name"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$old $name: exited with status 3 after "* ]]
	gk_assert_exit "$old" 3
	gk_assert_alive "$young"
	gk_assert_siglog "$GK_LOG"
}

@test "--older 0 keeps every process" {
	gk_start -c TERM -x 2
	gk_run --older 0 -p "$GK_PID"
	assert_status 0
	gk_assert_exit "$GK_PID" 2
}

@test "--older 1h leaves a young process: nothing matched" {
	gk_start -c TERM -x 0
	gk_run --older 1h -n "$GK_NAME"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--older narrows --pid too" {
	gk_start -c TERM -x 0
	gk_run --older 2m -p "$GK_PID"
	assert_status 1
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--older infinity matches nothing" {
	gk_start -c TERM -x 0
	gk_run --older infinity -p "$GK_PID"
	assert_status 1
	gk_assert_alive "$GK_PID"
}

@test "--older with a bad duration: exit 64" {
	gk_start -c TERM -x 0
	gk_run --older 5x -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --older: invalid duration: '5x'"
	gk_run --older -1s -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --older: invalid duration: '-1s'"
	gk_assert_alive "$GK_PID"
}
