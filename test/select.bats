#!/usr/bin/env bats
# Selecting targets: -p (comma lists, repeats), positional PID and NAME,
# -n, --, nothing matched, --oknodo.  Every test checks both sides: the
# chosen targets are reported and gone, a control is still running.

load helper

@test "-p PID stops that process only" {
	gk_start -c TERM -x 0
	local control=$GK_PID control_log=$GK_LOG
	gk_start -n "$GK_NAME" -c TERM -x 3
	gk_run -p "$GK_PID"
	assert_status 0
	assert_output_lines 1
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ exited\ with\ status\ 3\ after\ $gk_time_re$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" 3
	gk_assert_siglog "$GK_LOG" TERM
	gk_assert_alive "$control"
	gk_assert_siglog "$control_log"
}

@test "--pid takes a comma list" {
	gk_start -c TERM -x 1
	local a=$GK_PID
	gk_start -c TERM -x 2
	local b=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run --pid "$a,$b"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_alive "$control"
	gk_assert_siglog "$GK_LOG"
}

@test "-p is repeatable and mixes with comma lists" {
	gk_start -c TERM -x 1
	local a=$GK_PID
	gk_start -c TERM -x 2
	local b=$GK_PID
	gk_start -c TERM -x 3
	local c=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run -p "$a" --pid="$b,$c" -p "$a"
	assert_status 0
	assert_output_lines 3
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_exit "$c" 3
	gk_assert_alive "$control"
}

@test "a positional all-digit argument is a PID" {
	gk_start -c TERM -x 4
	local a=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run "$a"
	assert_status 0
	[[ $output =~ ^$a\ [^:]+:\ exited\ with\ status\ 4 ]]
	gk_assert_exit "$a" 4
	gk_assert_alive "$control"
}

@test "a positional NAME matches comm exactly, every process of it" {
	local name other
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 5
	local a=$GK_PID
	gk_start -n "$name" -c TERM -x 6
	local b=$GK_PID
	gk_start -n "${name}x" -c TERM -x 0
	local longer=$GK_PID
	gk_start -n "${name:0:${#name}-1}" -c TERM -x 0
	local shorter=$GK_PID
	gk_run "$name"
	assert_status 0
	assert_output_lines 2
	local lo=$a hi=$b
	((a < b)) || { lo=$b; hi=$a; }
	[[ ${lines[0]} == "$lo $name: exited with status "* ]]
	[[ ${lines[1]} == "$hi $name: exited with status "* ]]
	gk_assert_exit "$a" 5
	gk_assert_exit "$b" 6
	gk_assert_alive "$longer" "$shorter"
}

@test "-n NAME and --name=NAME select by name" {
	gk_start -c TERM -x 7
	local a=$GK_PID an=$GK_NAME
	gk_start -c TERM -x 8
	local b=$GK_PID bn=$GK_NAME
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run -n "$an" --name="$bn"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$a" 7
	gk_assert_exit "$b" 8
	gk_assert_alive "$control"
}

@test "a PID and a NAME narrow each other: the PID if it has the name" {
	gk_start -c TERM -x 1
	local a=$GK_PID an=$GK_NAME
	gk_start -n "$an" -c TERM -x 0
	local namesake=$GK_PID
	gk_start -c TERM -x 0
	local b=$GK_PID bn=$GK_NAME
	# "a bn": a is not named bn, so nothing matches.
	gk_run "$a" "$bn"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$a" "$namesake" "$b"
	# "a an": a only, not its namesake; -n values are alternatives.
	gk_run "$a" "$bn" -n "$an"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$a" 1
	gk_assert_alive "$namesake" "$b"
}

@test "-- ends options: a NAME that starts with a dash" {
	local name
	name=-$(gk_name)
	name=${name:0:15}
	gk_start -n "$name" -c TERM -x 9
	local a=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	[[ $(cat "/proc/$a/comm") == "$name" ]]
	gk_run -- "$name"
	assert_status 0
	[[ $output == "$a $name: exited with status 9 after "* ]]
	gk_assert_exit "$a" 9
	gk_assert_alive "$control"
}

@test "-- ends options: a PID after it" {
	gk_start -c TERM -x 2
	local a=$GK_PID
	gk_run -t 5 -- "$a"
	assert_status 0
	gk_assert_exit "$a" 2
}

@test "nothing matched: exit 1 and a message" {
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run "$(gk_name)"
	assert_status 1
	[[ -z $output ]]
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$control"
	gk_assert_siglog "$GK_LOG"
}

@test "nothing matched with -q: exit 1, silent" {
	gk_run -q "$(gk_name)"
	assert_status 1
	[[ -z $output ]]
	assert_stderr_empty
}

@test "nothing matched with --oknodo or -o: exit 0, silent" {
	gk_run --oknodo "$(gk_name)"
	assert_status 0
	[[ -z $output ]]
	assert_stderr_empty
	gk_run -o -n "$(gk_name)"
	assert_status 0
	assert_stderr_empty
}

@test "a PID that no longer runs: nothing matched" {
	gk_start -c TERM -x 0
	local dead=$GK_PID
	kill -TERM "$dead"
	gk_assert_exit "$dead" 0
	gk_run -p "$dead"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_run -o -p "$dead"
	assert_status 0
}

@test "a live target and a dead PID: the live one is stopped, exit 0" {
	gk_start -c TERM -x 0
	local dead=$GK_PID
	kill -TERM "$dead"
	gk_assert_exit "$dead" 0
	gk_start -c TERM -x 6
	gk_run -p "$dead,$GK_PID"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$GK_PID" 6
}

@test "a PID given twice is one target" {
	gk_start -c TERM -x 0 -k 2
	gk_run -p "$GK_PID,$GK_PID" "$GK_PID" -n "$GK_NAME" -t 300ms
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$GK_PID" KILL
	gk_assert_siglog "$GK_LOG" TERM
}
