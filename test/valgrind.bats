#!/usr/bin/env bats
# Typical invocations under valgrind report no error and no leak.  Always
# the plain build: valgrind cannot run an ASan binary, so when GRACEKILL
# names one (make sanitize), the plain ./gracekill next to it is used.

load helper

setup() {
	gk_setup
	VG_GRACEKILL=$BATS_TEST_DIRNAME/../gracekill
	[[ -x $VG_GRACEKILL ]] || {
		echo "plain gracekill missing: $VG_GRACEKILL (run make)" >&2
		return 1
	}
}

# vg_run ARG...: gracekill under valgrind; errors give exit 99 and
# "==PID==" lines in the log.  "--PID--" lines are valgrind's own notes:
# valgrind 3.19 does not know pidfd_open (it returns ENOSYS), so there
# gracekill runs its /proc fallback.
vg_run() {
	run --separate-stderr valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --log-file="$BATS_TEST_TMPDIR/vg.log" "$VG_GRACEKILL" "$@"
	if grep -q '^==' "$BATS_TEST_TMPDIR/vg.log" || [[ $status == 99 ]]; then
		echo "valgrind reported:" >&2
		cat "$BATS_TEST_TMPDIR/vg.log" >&2
		return 1
	fi
}

@test "valgrind: a target that exits on TERM" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	vg_run -t 10 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited .*after [0-9.]+s${gk_reap_re}$"
	gk_assert_exit "$pid" 0
}

@test "valgrind: --json, escalation to SIGKILL, -v" {
	gk_start -i TERM -c USR1 -k 0
	a=$GK_PID
	gk_start -c TERM -x 3
	b=$GK_PID
	vg_run --json -v -t 0.3 --kill-wait 5 "$a" "$b"
	assert_status 0
	assert_jq '.summary.killed == 1 and .summary.exited == 1'
	gk_assert_exit "$a" KILL
	gk_assert_exit "$b" 3
}

@test "valgrind: a schedule with forever, by name" {
	gk_start -c USR1 -k 3 -x 0
	pid=$GK_PID
	vg_run -S USR1/0.1/forever/USR1/0.1 --name "$GK_NAME"
	assert_status 0
	gk_assert_exit "$pid" 0
}

@test "valgrind: a survivor, a pidfile, --remove-pidfile" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$BATS_TEST_TMPDIR/app.pid"
	vg_run --remove-pidfile --no-escalate -t 0.2 -F "$BATS_TEST_TMPDIR/app.pid"
	assert_status 2
	gk_assert_alive "$pid"
}

@test "valgrind: a malformed pidfile and nothing matched" {
	printf 'x\n' >"$BATS_TEST_TMPDIR/bad.pid"
	vg_run -F "$BATS_TEST_TMPDIR/bad.pid"
	assert_status 3
	vg_run --name "$(gk_name)"
	assert_status 1
}

@test "valgrind: dry run and --full" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	vg_run --dry-run --json --full "^$BATS_TEST_TMPDIR/$GK_NAME( |\$)"
	assert_status 0
	assert_jq '.targets | length == 1'
	gk_assert_alive "$pid"
}

@test "valgrind: usage errors" {
	vg_run -S TERM/5x 1234
	assert_status 64
	vg_run -s FOO 1234
	assert_status 64
}

@test "valgrind: --no-wait" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	vg_run --no-wait "$pid"
	assert_status 0
	gk_assert_exit "$pid" 0
}
