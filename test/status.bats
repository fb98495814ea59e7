#!/usr/bin/env bats
# The exit status of each ended target: from the pidfd once reaped
# (PIDFD_INFO_EXIT), from /proc while a zombie, unknown otherwise, and
# never a made-up 0.

load helper

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }

# strace options that hold every return from poll/epoll for 0.3 s, so
# that the test's shell has reaped the target before gracekill looks.
slow_wakeup=(-e inject=poll,ppoll,epoll_wait,epoll_pwait,epoll_pwait2:delay_exit=300000)

@test "reaped by its parent: the status comes from the pidfd" {
	gk_start -c TERM -x 7
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null "${slow_wakeup[@]}" \
	    "$GRACEKILL" --json -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_target "$pid" .exit '{"code":7}'
	gk_assert_exit "$pid" 7
}

@test "reaped by its parent: death by signal from the pidfd" {
	gk_start -c TERM
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null "${slow_wakeup[@]}" \
	    "$GRACEKILL" -t 5 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited on SIGTERM after [0-9.]+s${gk_reap_re}\$"
	gk_assert_exit "$pid" TERM
}

@test "reaped at once by the shell: exit status 7 in text and JSON" {
	gk_start -c TERM -x 7
	pid=$GK_PID
	gx_json_run -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .exit '{"code":7}'
	gk_assert_exit "$pid" 7
	gk_start -c TERM -x 0
	pid=$GK_PID
	gk_run -t 5 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited with status 0 after [0-9.]+s${gk_reap_re}\$"
	gk_assert_exit "$pid" 0
}

@test "killed by SIGKILL: the signal is the status" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	gx_json_run -t 0.2 --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .exit '{"signal":"KILL"}'
	gx_assert_target "$pid" .outcome '"killed"'
	gk_assert_exit "$pid" KILL
}

# zombie_child [CREDS...] [-- CHILD-OPTION...]: a gk-target parent that
# never reaps, and its child (the target) that exits with 9 on TERM, with
# any more gk-target options.  Sets child and parent.
zombie_child() {
	local creds=() clink
	while (($# > 0)) && [[ $1 != -- ]]; do
		creds+=("$1")
		shift
	done
	(($# == 0)) || shift
	gx_userdir
	clink=$GX_UDIR/$(gk_name)
	ln -s "$GX_TARGET" "$clink"
	gx_start_as "${creds[@]}" -- -c USR1 -k 0 \
	    -s "exec '$clink' -R '$GX_UDIR/child.ready' -c TERM -x 9 $*"
	parent=$GK_PID
	child=$(gx_record_file "$GX_UDIR/child.ready")
	childname=$(basename "$clink")
}

@test "a zombie not yet reaped: the status comes from /proc" {
	zombie_child --reuid=0 --regid=0 --keep-groups
	gk_run -t 5 "$child"
	assert_status 0
	assert_output_match "^$child $childname: exited with status 9 after [0-9.]+s${gk_unreaped_re}\$"
	[[ $(gk_state "$child") == Z ]]
}

@test "a zombie not yet reaped, in JSON" {
	zombie_child --reuid=0 --regid=0 --keep-groups
	gx_json_run -t 5 "$child"
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":9}'
	[[ $(gk_state "$child") == Z ]]
}

@test "a zombie that ends after a reaped target: its status is still read" {
	gk_start -c TERM -x 7
	reaped=$GK_PID
	zombie_child --reuid=0 --regid=0 --keep-groups -- -d 600
	# The first status comes from the pidfd; the zombie's, left for the
	# end, must still come from /proc.
	run --separate-stderr gk_strace -f -qq -o /dev/null "${slow_wakeup[@]}" \
	    "$GRACEKILL" --json -t 5 "$reaped" "$child"
	assert_status 0
	gx_assert_target "$reaped" .exit '{"code":7}'
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":9}'
	[[ $(gk_state "$child") == Z ]]
}

@test "a zombie's status is read while another target still runs" {
	gk_start -c TERM -x 7
	reaped=$GK_PID
	gk_start -c TERM -x 0 -d 1500
	slow=$GK_PID
	zombie_child --reuid=0 --regid=0 --keep-groups -- -d 300
	run --separate-stderr gk_strace -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=openat,epoll_wait "${slow_wakeup[@]}" \
	    "$GRACEKILL" --json -t 5 "$reaped" "$slow" "$child"
	assert_status 0
	gx_assert_target "$child" .exit '{"code":9}'
	gx_assert_target "$slow" .exit '{"code":0}'
	# The zombie's stat was read (the second read: the first held it)
	# before the last exit was seen.
	zombie=$(grep -n "\"$child/stat\"" "$BATS_TEST_TMPDIR/trace" | sed -n 2p | cut -d: -f1)
	last=$(grep -En '^epoll_wait\(.*\) = 1( \(DELAYED\))?$' "$BATS_TEST_TMPDIR/trace" | tail -n1 | cut -d: -f1)
	[[ -n $zombie && -n $last ]] && ((zombie < last)) || {
		cat "$BATS_TEST_TMPDIR/trace" >&2
		false
	}
}

@test "the user stops its own zombie: the real status, not 0" {
	uid=$(id -u "$GK_USER")
	zombie_child --reuid="$uid" --regid="$uid" --clear-groups
	run --separate-stderr setpriv --reuid="$uid" --regid="$uid" \
	    --clear-groups "$GRACEKILL" --json -t 5 "$child"
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":9}'
	[[ $(gk_state "$child") == Z ]]
}

@test "a zombie whose status the kernel hides: unknown, never a fake 0" {
	# The target runs as the user but with group root: the user may
	# signal it, but not ptrace it, so /proc shows 0 in field 52.
	uid=$(id -u "$GK_USER")
	zombie_child --reuid="$uid" --regid=0 --clear-groups
	run --separate-stderr setpriv --reuid="$uid" --regid="$uid" \
	    --clear-groups "$GRACEKILL" --json -t 5 "$child"
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit 'null'
	# The premise: the user reads 0 where root reads the real status.
	[[ $(gk_state "$child") == Z ]]
	stat=$(</proc/"$child"/stat)
	[[ ${stat##* } == $((9 << 8)) ]]
	stat=$(setpriv --reuid="$uid" --regid="$uid" --clear-groups \
	    cat "/proc/$child/stat")
	[[ ${stat##* } == 0 ]]
}

@test "a zombie whose status the kernel hides: text says unknown" {
	uid=$(id -u "$GK_USER")
	zombie_child --reuid="$uid" --regid=0 --clear-groups
	run --separate-stderr setpriv --reuid="$uid" --regid="$uid" \
	    --clear-groups "$GRACEKILL" -t 5 "$child"
	assert_status 0
	assert_output_match "^$child $childname: exited \\(status unknown\\) after [0-9.]+s${gk_unreaped_re}\$"
}

@test "without PIDFD_GET_INFO a reaped target's status is null" {
	gk_start -c TERM -x 7
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=ioctl:error=ENOTTY "${slow_wakeup[@]}" \
	    "$GRACEKILL" --json -t 5 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	gx_assert_target "$pid" .exit 'null'
	gk_assert_exit "$pid" 7
}

@test "without PIDFD_GET_INFO, text: exited (status unknown)" {
	gk_start -c TERM -x 7
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=ioctl:error=ENOTTY "${slow_wakeup[@]}" \
	    "$GRACEKILL" -t 5 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited \\(status unknown\\) after [0-9.]+s${gk_reap_re}\$"
	gk_assert_exit "$pid" 7
}

@test "without PIDFD_GET_INFO a zombie's status still comes from /proc" {
	zombie_child --reuid=0 --regid=0 --keep-groups
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=ioctl:error=ENOTTY "$GRACEKILL" --json -t 5 "$child"
	assert_status 0
	gx_assert_target "$child" .exit '{"code":9}'
}

@test "waiting for the status does not delay the return" {
	# The zombie is never reaped: the status is read from /proc at once.
	zombie_child --reuid=0 --regid=0 --keep-groups
	t0=$(gk_us)
	gk_run -t 30 "$child"
	assert_status 0
	assert_elapsed_below "$t0" 1500
}
