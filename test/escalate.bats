#!/usr/bin/env bats
# Escalation: a target that does not yield to the graceful signal gets
# SIGKILL after the grace period, with the reason /proc shows; with
# --no-escalate it survives (exit 2).  Stopped targets get SIGCONT.

load helper

@test "TERM ignored: killed after the grace period" {
	gk_start -i TERM
	local t0
	t0=$(gk_us)
	gk_run -t 500ms --kill-wait 5 -p "$GK_PID"
	assert_status 0
	assert_elapsed_above "$t0" 500
	assert_elapsed_below "$t0" 2000
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ 0\.[5-9][0-9]{2}s\ \(ignores\ SIGTERM\)$gk_reap_re$ ||
	    $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ 1\.[0-9]{3}s\ \(ignores\ SIGTERM\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
}

@test "TERM blocked: killed, reason blocks SIGTERM" {
	gk_start -B TERM
	gk_run -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ $gk_time_re\ \(blocks\ SIGTERM\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
}

@test "TERM caught but not acted on: killed, no reason given" {
	gk_start -c TERM -k 0
	gk_run -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ $gk_time_re$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
	gk_assert_siglog "$GK_LOG" TERM
}

@test "-s INT ignored: reason names SIGINT" {
	gk_start -i INT
	gk_run -s INT -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ \(ignores\ SIGINT\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
}

@test "--no-escalate: a survivor, exit 2, no SIGKILL" {
	gk_start -i TERM -c USR1 -x 9
	local t0
	t0=$(gk_us)
	gk_run --no-escalate -t 300ms -p "$GK_PID"
	assert_status 2
	assert_elapsed_above "$t0" 300
	assert_elapsed_below "$t0" 2000
	[[ $output == "$GK_PID $GK_NAME: survived in state S (ignores SIGTERM)" ]]
	gk_assert_alive "$GK_PID"
	# Still alive well after gracekill returned: nothing was sent later.
	kill -USR1 "$GK_PID"
	gk_assert_exit "$GK_PID" 9
}

@test "escalation only for the survivors, all on one timeline" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	local a=$GK_PID
	gk_start -n "$name" -i TERM
	local b=$GK_PID
	gk_start -n "$name" -c TERM -x 5 -d 200
	local c=$GK_PID
	local t0
	t0=$(gk_us)
	gk_run --json -t 600ms "$name"
	assert_status 0
	assert_elapsed_above "$t0" 600
	assert_elapsed_below "$t0" 2000
	assert_jq "(.targets[] | select(.pid == $a) | .signals) == [\"TERM\"]"
	assert_jq "(.targets[] | select(.pid == $b) | .signals) == [\"TERM\", \"KILL\"]"
	assert_jq "(.targets[] | select(.pid == $c) | .signals) == [\"TERM\"]"
	assert_jq '.summary.exited == 2 and .summary.killed == 1'
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" KILL
	gk_assert_exit "$c" 5
}

@test "--no-escalate with one survivor and one exit: exit 2" {
	gk_start -c TERM -x 0
	local a=$GK_PID
	gk_start -i TERM
	local b=$GK_PID
	gk_run --no-escalate -t 300ms -p "$a,$b"
	assert_status 2
	assert_output_lines 2
	gk_assert_exit "$a" 0
	gk_assert_alive "$b"
}

@test "a stopped target gets SIGCONT after the graceful signal" {
	gk_start -c TERM -x 0
	kill -STOP "$GK_PID"
	gk_poll eval '[[ $(gk_state "$GK_PID") == T ]]'
	local t0
	t0=$(gk_us)
	gk_run -t 5 -p "$GK_PID"
	assert_status 0
	assert_elapsed_below "$t0" 2000
	gk_assert_exit "$GK_PID" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "--no-cont: a stopped target stays stopped, killed, reason stopped (T)" {
	gk_start -c TERM -x 0
	kill -STOP "$GK_PID"
	gk_poll eval '[[ $(gk_state "$GK_PID") == T ]]'
	gk_run --no-cont -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ $gk_time_re\ \(stopped\ \(T\)\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
	gk_assert_siglog "$GK_LOG"
}

@test "--no-cont --no-escalate: survivor in state T" {
	gk_start -c TERM -x 0
	kill -STOP "$GK_PID"
	gk_poll eval '[[ $(gk_state "$GK_PID") == T ]]'
	gk_run --no-cont --no-escalate -t 200ms -p "$GK_PID"
	assert_status 2
	[[ $output == "$GK_PID $GK_NAME: survived in state T (stopped (T))" ]]
	[[ $(gk_state "$GK_PID") == T ]]
	kill -CONT "$GK_PID"
	gk_assert_exit "$GK_PID" 0
}

@test "uninterruptible sleep: killed, reason uninterruptible sleep (D)" {
	gk_start -c TERM -D
	local vchild
	vchild=$(gk_wait_ready "$GK_READY.vchild")
	gk_record "$vchild"
	gk_poll eval '[[ $(gk_state "$GK_PID") == D ]]'
	gk_run -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ $gk_time_re\ \(uninterruptible\ sleep\ \(D\)\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
	gk_assert_alive "$vchild"
}

@test "uninterruptible sleep, --no-escalate: survived in state D" {
	gk_start -c TERM -D
	local vchild
	vchild=$(gk_wait_ready "$GK_READY.vchild")
	gk_record "$vchild"
	gk_poll eval '[[ $(gk_state "$GK_PID") == D ]]'
	gk_run --json --no-escalate -t 200ms -p "$GK_PID"
	assert_status 2
	assert_jq '.targets[0].outcome == "survived" and .targets[0].state == "D"'
	assert_jq '.targets[0].reason == "uninterruptible sleep (D)"'
	gk_assert_alive "$GK_PID"
}

@test "a traced target: killed, reason traced by PID N" {
	gk_start -c TERM -k 0
	strace -qq -o /dev/null -p "$GK_PID" 3>&- &
	local tracer=$!
	gk_record "$tracer"
	gk_poll eval '[[ $(awk "/^TracerPid:/ {print \$2}" /proc/$GK_PID/status) == $tracer ]]'
	gk_run -t 300ms -p "$GK_PID"
	assert_status 0
	[[ $output =~ ^$GK_PID\ $GK_NAME:\ killed\ by\ SIGKILL\ after\ $gk_time_re\ \(traced\ by\ PID\ $tracer\)$gk_reap_re$ ]]
	gk_assert_exit "$GK_PID" KILL
}

@test "-t 0: SIGKILL follows the graceful signal at once" {
	gk_start -c TERM -k 0
	local t0
	t0=$(gk_us)
	gk_run -t 0 -p "$GK_PID"
	assert_status 0
	assert_elapsed_below "$t0" 1000
	gk_assert_exit "$GK_PID" KILL
}

@test "a signal that fails on a later step is trouble: exit 3" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	# The second pidfd_send_signal, the KILL, fails with EPERM.
	run --separate-stderr gk_strace -qq -o /dev/null \
	    -e inject=pidfd_send_signal:error=EPERM:when=2 "$GRACEKILL" \
	    --json -t 200ms --kill-wait 300ms -p "$pid"
	assert_status 3
	assert_stderr "gracekill: PID $pid ($GK_NAME): SIGKILL: Operation not permitted"
	gx_assert_target "$pid" .outcome '"survived"'
	assert_jq '.exit_code == 3'
	gk_assert_alive "$pid"
}
