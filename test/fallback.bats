#!/usr/bin/env bats
# Without pidfds (ENOSYS, EMFILE from pidfd_open, injected with strace)
# gracekill watches /proc instead: targets are still stopped and reported.

load helper

# gk_strace ERRNO ARG...: gracekill -v with pidfd_open failing with ERRNO.
fallback_run() {
	local errno=$1
	shift
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error="$errno" "$GRACEKILL" -v "$@"
}

# said_fallback PID TEXT: -v said PID (or every target) is watched
# through /proc because pidfd_open failed with TEXT.
said_fallback() {
	local l ev
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^gracekill:\ \[\+[0-9]+\.[0-9]{3}s\]\ (.*)$ ]] || continue
		ev=${BASH_REMATCH[1]}
		[[ $ev == "using /proc polling for $1: pidfd_open: $2" ||
		    $ev == "pidfd_open: $2: using /proc polling for every target" ]] &&
		    return 0
	done
	printf 'no fallback event for %s (%s) in:\n%s\n' "$1" "$2" \
	    "$stderr" >&2
	return 1
}

@test "ENOSYS: the target is still stopped and reported" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	t0=$(gk_us)
	fallback_run ENOSYS -t 10 "$pid"
	assert_status 0
	assert_elapsed_below "$t0" 3000
	assert_output_match "^$pid $GK_NAME: exited .*after [0-9.]+s${gk_reap_re}\$"
	said_fallback "$pid" "Function not implemented"
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM
}

@test "EMFILE: the target is still stopped and reported" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	fallback_run EMFILE -t 10 "$pid"
	assert_status 0
	assert_output_match "^$pid $GK_NAME: exited .*after [0-9.]+s${gk_reap_re}\$"
	said_fallback "$pid" "Too many open files"
	gk_assert_exit "$pid" 0
}

@test "ENOSYS: escalation to SIGKILL works" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error=ENOSYS "$GRACEKILL" --json -t 0.2 \
	    --kill-wait 3 "$pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"killed"'
	gx_assert_target "$pid" .signals '["TERM","KILL"]'
	gx_assert_target "$pid" .reason '"ignores SIGTERM"'
	gk_assert_exit "$pid" KILL
}

@test "EMFILE: a schedule runs step by step" {
	gk_start -c INT -k 2 -x 3
	pid=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error=EMFILE "$GRACEKILL" --json \
	    -S INT/0.3/INT/3/KILL/2 "$pid"
	assert_status 0
	gx_assert_target "$pid" .signals '["INT","INT"]'
	gx_assert_target "$pid" .outcome '"exited"'
	gk_assert_exit "$pid" 3
	gk_assert_siglog "$GK_LOG" INT INT
	gx_assert_gap "$GK_LOG" 1 2 280 1500
}

@test "ENOSYS: a survivor is reported, exit 2" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	fallback_run ENOSYS --no-escalate -t 0.3 "$pid"
	assert_status 2
	assert_output_line "$pid $GK_NAME: survived in state S"
	said_fallback "$pid" "Function not implemented"
	gk_assert_alive "$pid"
}

@test "EMFILE for some targets only: none is dropped" {
	gk_start -c TERM -x 0
	a=$GK_PID
	gk_start -c TERM -x 0
	b=$GK_PID
	gk_start -i TERM -c USR1 -k 0
	c=$GK_PID
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error=EMFILE:when=2+ "$GRACEKILL" -v --json \
	    -t 0.3 --kill-wait 3 "$a" "$b" "$c"
	assert_status 0
	assert_jq '.targets | length == 3'
	gx_assert_target "$a" .outcome '"exited"'
	gx_assert_target "$b" .outcome '"exited"'
	gx_assert_target "$c" .outcome '"killed"'
	n=$(grep -c 'using /proc polling for' <<<"$stderr") || :
	[[ $n == 2 ]] || { echo "expected 2 fallback events: $stderr" >&2; false; }
	gk_assert_exit "$a" 0
	gk_assert_exit "$b" 0
	gk_assert_exit "$c" KILL
}

# unreaped_child OPTION...: a gk-target child with these options, whose
# parent never reaps it; sets child.
unreaped_child() {
	gx_userdir root
	clink=$GX_UDIR/$(gk_name)
	ln -s "$GX_TARGET" "$clink"
	gx_start_as --reuid=0 --regid=0 --keep-groups -- -c USR1 -k 0 \
	    -s "exec '$clink' -R '$GX_UDIR/child.ready' $*"
	child=$(gx_record_file "$GX_UDIR/child.ready")
}

@test "ENOSYS: a zombie that is never reaped counts as gone at once" {
	unreaped_child -c TERM -x 9
	t0=$(gk_us)
	fallback_run ENOSYS -t 30 "$child"
	assert_status 0
	assert_elapsed_below "$t0" 3000
	assert_output_match "^$child [^ ]+: exited with status 9 after [0-9.]+s${gk_unreaped_re}\$"
	[[ $(gk_state "$child") == Z ]]
}

@test "ENOSYS: a draining target is waited for, its status read from /proc" {
	# A parent that never reaps: the zombie keeps the status to read.
	unreaped_child -c TERM -x 6 -d 300
	t0=$(gk_us)
	fallback_run ENOSYS -t 10 "$child"
	assert_status 0
	assert_elapsed_above "$t0" 300
	assert_elapsed_below "$t0" 3000
	assert_output_match "^$child [^ ]+: exited with status 6 after 0\.[3-9][0-9]{2}s${gk_unreaped_re}\$"
	said_fallback "$child" "Function not implemented"
}

@test "ENOSYS with --no-wait: signalled" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	fallback_run ENOSYS --no-wait "$pid"
	assert_status 0
	assert_output_line "$pid $GK_NAME: signalled with SIGTERM"
	gk_assert_exit "$pid" 0
	gk_assert_siglog "$GK_LOG" TERM
}
