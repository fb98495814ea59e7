#!/usr/bin/env bats
# The order of finding and signalling: every target is held before the
# first signal; a scan of /proc is over before it, so a process a target
# forks on its signal is never a match.  Seen with strace.

load helper

# trace_run TRACE ARG...: gracekill ARG under strace, the calls in TRACE
# written to $BATS_TEST_TMPDIR/trace; sets status and output.
trace_run() {
	local trace=$1
	shift
	run --separate-stderr gk_strace -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace="$trace" "$GRACEKILL" "$@"
}

# first_line REGEX: the number of the first trace line matching REGEX.
first_line() {
	grep -n -m1 -E "$1" "$BATS_TEST_TMPDIR/trace" | cut -d: -f1
}

# last_line REGEX: the number of the last trace line matching REGEX.
last_line() {
	grep -n -E "$1" "$BATS_TEST_TMPDIR/trace" | tail -n1 | cut -d: -f1
}

@test "PIDs: every pidfd is open before the first signal" {
	gk_start -c TERM -x 0
	a=$GK_PID
	gk_start -c TERM -x 0
	b=$GK_PID
	trace_run pidfd_open,pidfd_send_signal -t 5 -p "$a,$b"
	assert_status 0
	sent=$(first_line '^pidfd_send_signal\(.*SIGTERM')
	opened=$(last_line "^pidfd_open\\($b,")
	[[ -n $sent && -n $opened ]] || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	((opened < sent)) || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" 0
}

@test "two names: nothing is sent before the scan is over" {
	gk_start -c TERM -x 0
	a=$GK_PID an=$GK_NAME
	gk_start -c TERM -x 0
	b=$GK_PID
	trace_run getdents64,pidfd_send_signal --json -t 5 -n "$an" -n "$GK_NAME"
	assert_status 0
	assert_jq '.targets | length == 2'
	scanned=$(last_line '^getdents64\(')
	sent=$(first_line '^pidfd_send_signal\(')
	[[ -n $scanned && -n $sent ]] || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	((scanned < sent)) || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	gx_assert_target "$a" .outcome '"exited"'
	gx_assert_target "$b" .outcome '"exited"'
}

@test "a process a target forks on its signal, with its name, is not a match" {
	name=$(gk_name)
	cmd=$(gk_child_cmd c1 "$name" -c TERM -x 0)
	gk_start -n "$name" -c TERM -x 0 -S "$cmd"
	parent=$GK_PID
	# 1500 idle decoys after the parent fill the first getdents64 of
	# the scan (32 KiB), so the child, forked later with a higher PID,
	# could only show up in a later one, which strace holds back for
	# 300 ms: a scan that signalled as it went would find it there.
	gx_idle_crowd 1500
	run --separate-stderr gk_strace -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=getdents64 -e inject=getdents64:delay_enter=300000:when=2 \
	    "$GRACEKILL" --json -t 5 -n "$name"
	assert_status 0
	# The scan did take more than one getdents64 with entries.
	n=$(grep -c '^getdents64(.*) = [1-9]' "$BATS_TEST_TMPDIR/trace")
	((n >= 2)) || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	assert_jq '.targets | length == 1'
	gx_assert_target "$parent" .outcome '"exited"'
	child=$(gk_child_pid c1)
	gk_assert_alive "$child"
	gx_assert_crowd_alive
	[[ ! -s $(gk_child_log c1) ]] || {
		echo "the child caught a signal:" >&2
		cat "$(gk_child_log c1)" >&2
		false
	}
}
