#!/usr/bin/env bats
# A scan by name of a big /proc: with 1024 processes or more the comm
# files are read by one thread per CPU (up to 4); when no thread can
# start, by the main thread alone.  Either way exactly the target is
# found.

load helper
load helper_extra

@test "1500 other processes: threads if there are CPUs, only the target found" {
	gx_idle_crowd 1500
	gk_start -c TERM -x 0
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=clone,clone3 "$GRACEKILL" --json -t 5 -n "$GK_NAME"
	assert_status 0
	assert_jq '.targets | length == 1'
	gx_assert_target "$pid" .outcome '"exited"'
	threads=$(grep -Ec '^[0-9]+ +clone3?\(' "$BATS_TEST_TMPDIR/trace") || :
	if (($(nproc) >= 2)); then
		((threads >= 1)) || { echo "no thread was started" >&2; false; }
	else
		((threads == 0)) || { echo "threads on one CPU" >&2; false; }
	fi
	gx_assert_crowd_alive
	gk_assert_exit "$pid" 0
}

@test "1500 other processes and no thread can start: the scan still finds the target" {
	gx_idle_crowd 1500
	gk_start -c TERM -x 0
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e trace=clone,clone3 -e inject=clone,clone3:error=EAGAIN \
	    "$GRACEKILL" --json -t 5 -n "$GK_NAME"
	assert_status 0
	assert_jq '.targets | length == 1'
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_crowd_alive
	gk_assert_exit "$pid" 0
}

@test "a small /proc: no thread is started" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	# The crowds of the tests before may take a moment to be reaped.
	small_proc() { (($(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) < 900)); }
	gk_poll small_proc
	run --separate-stderr gk_strace -f -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=clone,clone3 "$GRACEKILL" -t 5 -n "$GK_NAME"
	assert_status 0
	! grep -Eq 'clone3?\(' "$BATS_TEST_TMPDIR/trace" || {
		cat "$BATS_TEST_TMPDIR/trace" >&2
		false
	}
}
