#!/usr/bin/env bats
# --remove-pidfile: removed once its process is gone or when stale; kept
# for a survivor and when refused or malformed.

load helper

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }

setup() {
	gk_setup
	pf=$BATS_TEST_TMPDIR/app.pid
}

@test "removed once its process is gone" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 0
	assert_stderr_empty
	[[ ! -e $pf ]]
	gk_assert_exit "$pid" 0
}

@test "removed once its process is gone after SIGKILL" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile -t 0.2 --kill-wait 2 -F "$pf"
	assert_status 0
	[[ ! -e $pf ]]
	gk_assert_exit "$pid" KILL
}

@test "removed when stale" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	kill -TERM "$pid"
	gk_assert_exit "$pid" 0
	[[ ! -e /proc/$pid ]]
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	[[ ! -e $pf ]]
}

@test "removed when stale, with --oknodo: exit 0" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	kill -TERM "$pid"
	gk_assert_exit "$pid" 0
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile -o -F "$pf"
	assert_status 0
	[[ ! -e $pf ]]
}

@test "kept for a survivor" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile --no-escalate -t 0.2 -F "$pf"
	assert_status 2
	[[ -f $pf && $(<"$pf") == "$pid" ]]
	gk_assert_alive "$pid"
}

@test "kept when refused as insecure" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	chown "$GK_USER" "$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 3
	[[ ${stderr_lines[0]} == "gracekill: $pf: insecure pidfile ("* ]]
	[[ -f $pf && $(<"$pf") == "$pid" ]]
	gk_assert_alive "$pid"
	gx_assert_log_empty "$GK_LOG"
}

@test "kept when malformed" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	printf '%s junk\n' "$pid" >"$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 3
	assert_stderr "gracekill: $pf: malformed first line: expected a decimal PID"
	[[ -f $pf ]]
	gk_assert_alive "$pid"
}

@test "kept when out of range" {
	printf '0\n' >"$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 3
	assert_stderr "gracekill: $pf: PID out of range: '0'"
	[[ -f $pf ]]
}

@test "kept when empty" {
	: >"$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 3
	assert_stderr "gracekill: $pf: empty pidfile"
	[[ -f $pf ]]
}

@test "a symlink not owned by root is kept, and so is its target" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$BATS_TEST_TMPDIR/real.pid"
	ln -s "$BATS_TEST_TMPDIR/real.pid" "$pf"
	chown -h "$GK_USER" "$pf"
	gk_run --remove-pidfile -F "$pf"
	assert_status 3
	assert_stderr "gracekill: $pf: symbolic link not owned by root"
	[[ -L $pf && -f $BATS_TEST_TMPDIR/real.pid ]]
	gk_assert_alive "$pid"
}

@test "without --remove-pidfile the pidfile stays" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	gk_run -F "$pf"
	assert_status 0
	[[ -f $pf ]]
	gk_assert_exit "$pid" 0
}

@test "a pidfile rewritten meanwhile is not removed" {
	# The service restarted and wrote a new PID before gracekill ended:
	# the file no longer names the process that is gone.
	gk_start -c TERM -x 0 -d 300
	pid=$GK_PID
	gk_start -c TERM -k 0
	other=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	gx_bg_gracekill "$out" "$err" --remove-pidfile -F "$pf"
	gk=$GX_GK_PID
	gk_poll gx_file_has "$BATS_TEST_TMPDIR/t1.log" '^15 '
	printf '%s\n' "$other" >"$pf.new"
	mv "$pf.new" "$pf"
	gx_wait rc "$gk"
	[[ $rc == 0 ]] || { cat "$out" "$err" >&2; false; }
	[[ -f $pf && $(<"$pf") == "$other" ]]
	gk_assert_exit "$pid" 0
	gk_assert_alive "$other"
}

@test "kept when a criterion leaves its live process out" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	gk_run --remove-pidfile --older 1h -F "$pf"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	[[ -e $pf ]] || { echo "the pidfile of a live process was removed" >&2; false; }
	gk_assert_alive "$pid"
	gk_assert_siglog "$GK_LOG"
}
