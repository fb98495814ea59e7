#!/usr/bin/env bats
# Waiting sleeps in poll/epoll until a target exits or a deadline
# passes: a 2 s wait is a handful of wait calls, not a polling loop.

load helper

# count_calls FILE: the system calls in an strace -o FILE, each counted
# once (an interrupted call shows as "unfinished" and "resumed").
count_calls() {
	grep -vc -e 'resumed>' -e '^[0-9]* *+++' -e '^[0-9]* *---' "$1" || :
}

@test "waiting 2 s on a TERM-ignoring target makes a handful of wait calls" {
	gk_start -i TERM
	local trace=$BATS_TEST_TMPDIR/trace t0
	t0=$(gk_us)
	run --separate-stderr gk_strace -f -o "$trace" \
	    -e trace=poll,ppoll,epoll_wait,epoll_pwait,epoll_pwait2 \
	    "$GRACEKILL" -t 2 --no-escalate -p "$GK_PID"
	assert_status 2
	assert_elapsed_above "$t0" 2000
	local n
	n=$(count_calls "$trace")
	echo "wait calls: $n" >&2
	((n >= 1 && n <= 10))
	gk_assert_alive "$GK_PID"
}

@test "no sleep loop either: few sleeps, selects and /proc reads" {
	gk_start -i TERM
	local trace=$BATS_TEST_TMPDIR/trace
	run --separate-stderr gk_strace -f -o "$trace" \
	    -e trace=nanosleep,clock_nanosleep,select,pselect6,pause,openat,read \
	    "$GRACEKILL" -t 2 --no-escalate -p "$GK_PID"
	assert_status 2
	local sleeps opens
	sleeps=$(grep -cE '^[0-9]+ +(nanosleep|clock_nanosleep|select|pselect6)\(' "$trace" || :)
	opens=$(grep -cE "^[0-9]+ +openat\(.*\"/proc/$GK_PID/" "$trace" || :)
	echo "sleeps: $sleeps, opens of /proc/$GK_PID: $opens" >&2
	((sleeps <= 10 && opens <= 20))
}

@test "one wait set for many targets: the calls do not grow per target" {
	local name i
	name=$(gk_name)
	for ((i = 0; i < 20; i++)); do
		gk_start -n "$name" -i TERM
	done
	local trace=$BATS_TEST_TMPDIR/trace
	run --separate-stderr gk_strace -f -o "$trace" \
	    -e trace=poll,ppoll,epoll_wait,epoll_pwait,epoll_pwait2 \
	    "$GRACEKILL" -t 1 --no-escalate "$name"
	assert_status 2
	local n
	n=$(count_calls "$trace")
	echo "wait calls: $n" >&2
	((n >= 1 && n <= 10))
}

@test "exits are woken for at once: ten staggered exits, few wakeups" {
	local name i
	name=$(gk_name)
	for ((i = 1; i <= 10; i++)); do
		gk_start -n "$name" -c TERM -x 0 -d $((i * 100))
	done
	local trace=$BATS_TEST_TMPDIR/trace t0
	t0=$(gk_us)
	run --separate-stderr gk_strace -f -o "$trace" \
	    -e trace=poll,ppoll,epoll_wait,epoll_pwait,epoll_pwait2 \
	    "$GRACEKILL" -t 10 "$name"
	assert_status 0
	assert_elapsed_above "$t0" 1000
	assert_elapsed_below "$t0" 3000
	local n
	n=$(count_calls "$trace")
	echo "wait calls: $n" >&2
	((n >= 1 && n <= 30))
}
