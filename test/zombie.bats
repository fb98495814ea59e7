#!/usr/bin/env bats
# Zombies (issue 13): a target that exited but is not reaped is gone
# all the same, and the report names the parent that holds it; one that
# is a zombie when selected gets no signal; --dry-run marks zombies.

# helper.bash and bats set GK_PID, gk_time_re, lines, stderr_lines ...
# shellcheck disable=SC2030,SC2031,SC2153,SC2154

load helper

# zombie_family [CHILD-OPTION...]: a gk-target parent that never reaps
# (it lives until killed) and its child, a gk-target with the options
# given.  Sets parent, pname, child, cname, clog.
zombie_family() {
	local cmd
	cname=$(gk_name)
	cmd=$(gk_child_cmd c1 "$cname" "$@")
	gk_start -c USR1 -k 0 -s "$cmd"
	parent=$GK_PID pname=$GK_NAME
	child=$(gk_child_pid c1)
	clog=$(gk_child_log c1)
}

# A perl parent that reaps its child (started from its arguments) only
# once it gets SIGUSR1, then exits with the child's exit status.
# shellcheck disable=SC2016
late_reaper='use POSIX ();
my $go = 0;
$SIG{USR1} = sub { $go = 1 };
my $usr1 = POSIX::SigSet->new(POSIX::SIGUSR1());
POSIX::sigprocmask(POSIX::SIG_BLOCK(), $usr1) or die "sigprocmask: $!\n";
defined(my $pid = fork()) or die "fork: $!\n";
if ($pid == 0) { exec { $ARGV[0] } @ARGV; die "exec: $!\n"; }
POSIX::sigsuspend(POSIX::SigSet->new()) until $go;
waitpid($pid, 0) == $pid or die "waitpid: $!\n";
exit($? >> 8);'

# late_family [CHILD-OPTION...]: the late reaper, under a unique name, and
# its child.  Sets parent, pname, child, cname, clog.
late_family() {
	local plink
	pname=$(gk_name)
	plink=$GK_RUNDIR/$pname
	ln -s "$(command -v perl)" "$plink"
	cname=$(gk_name)
	clog=$GK_RUNDIR/c1.log
	: >"$clog"
	"$plink" -e "$late_reaper" "$(gk_link "$cname")" "$@" \
	    -R "$GK_RUNDIR/c1.ready" -L "$clog" \
	    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
	parent=$!
	gk_record "$parent"
	child=$(gk_child_pid c1)
}

# zb_is_zombie PID: PID is a zombie (Z) now.
zb_is_zombie() { [[ $(gk_state "$1") == Z ]]; }

# zb_reaped PID: PID is gone from /proc.
zb_reaped() { [[ ! -e /proc/$1 ]]; }

# zb_line PID NAME TEXT NOTE: the ERE of PID's report line, TEXT before
# the duration and NOTE (if any) after it.
zb_line() {
	printf '^%s %s: %s after %s%s$' "$1" "$2" "$3" "$gk_time_re" "$4"
}

# The signal-sending calls gracekill could make.
signal_calls=kill,tkill,tgkill,pidfd_send_signal,rt_sigqueueinfo,rt_tgsigqueueinfo

@test "already a zombie when selected: no signal, exited after 0.000s, parent named" {
	zombie_family -e 7
	gk_poll zb_is_zombie "$child"
	run --separate-stderr gk_strace -f -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace="$signal_calls" "$GRACEKILL" -v -t 5 "$cname"
	assert_status 0
	assert_output_lines 1
	[[ ${lines[0]} == "$child $cname: exited with status 7 after 0.000s (not reaped by $parent $pname)" ]]
	assert_stderr_match "^gracekill: \\[\\+$gk_time_re\\] $child \\($cname\\) is a zombie already: nothing to send\$"
	# Nothing was sent, to it or to anyone.
	if [[ -s $BATS_TEST_TMPDIR/trace ]]; then
		cat "$BATS_TEST_TMPDIR/trace" >&2
		false
	fi
	zb_is_zombie "$child"
	gk_assert_alive "$parent"
}

@test "already a zombie, JSON: signals [], seconds 0, status from /proc, reaped false" {
	zombie_family -e 7
	gk_poll zb_is_zombie "$child"
	gx_json_run -t 5 -p "$child"
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":7}'
	gx_assert_target "$child" .signals '[]'
	gx_assert_target "$child" .seconds '0'
	gx_assert_target "$child" .state 'null'
	gx_assert_target "$child" .reason 'null'
	gx_assert_target "$child" .reaped 'false'
	gx_assert_target "$child" .parent "{\"pid\":$parent,\"name\":\"$pname\"}"
	assert_jq '.summary.exited == 1 and .exit_code == 0'
	zb_is_zombie "$child"
	gk_assert_alive "$parent"
}

@test "already a zombie that died by a signal: exited on that signal, nothing sent" {
	zombie_family -k 0
	kill -USR2 "$child"
	gk_poll zb_is_zombie "$child"
	gx_json_run -t 5 -p "$child"
	assert_status 0
	gx_assert_target "$child" .exit '{"signal":"USR2"}'
	gx_assert_target "$child" .signals '[]'
	gx_assert_target "$child" .reaped 'false'
	gk_run -t 5 -p "$child"
	assert_status 0
	[[ ${lines[0]} == "$child $cname: exited on SIGUSR2 after 0.000s (not reaped by $parent $pname)" ]]
	gx_assert_log_empty "$clog"
}

@test "turns into a zombie while waited for: exited, not reaped by its parent" {
	zombie_family -c TERM -x 9
	gk_run -t 5 "$cname"
	assert_status 0
	assert_output_lines 1
	assert_line_match 0 "$(zb_line "$child" "$cname" 'exited with status 9' \
	    " \\(not reaped by $parent $pname\\)")"
	zb_is_zombie "$child"
	gk_assert_siglog "$clog" TERM
	gk_assert_alive "$parent"
}

@test "turns into a zombie while waited for, JSON: reaped false, parent pid and name" {
	zombie_family -c TERM -x 9
	gx_json_run -t 5 "$cname"
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":9}'
	gx_assert_target "$child" .signals '["TERM"]'
	gx_assert_target "$child" .reaped 'false'
	gx_assert_target "$child" .parent "{\"pid\":$parent,\"name\":\"$pname\"}"
	zb_is_zombie "$child"
}

@test "killed, not reaped: the reason and then the parent" {
	zombie_family -i TERM
	gk_run -t 0.2 --kill-wait 5 -p "$child"
	assert_status 0
	assert_line_match 0 "$(zb_line "$child" "$cname" 'killed by SIGKILL' \
	    " \\(ignores SIGTERM\\) \\(not reaped by $parent $pname\\)")"
	gx_assert_log_empty "$clog"
	zombie_family -i TERM
	gx_json_run -t 0.2 --kill-wait 5 -p "$child"
	assert_status 0
	gx_assert_target "$child" .outcome '"killed"'
	gx_assert_target "$child" .exit '{"signal":"KILL"}'
	gx_assert_target "$child" .signals '["TERM","KILL"]'
	gx_assert_target "$child" .reason '"ignores SIGTERM"'
	gx_assert_target "$child" .reaped 'false'
	gx_assert_target "$child" .parent "{\"pid\":$parent,\"name\":\"$pname\"}"
}

@test "a parent that reaps late: gracekill does not wait for the reap" {
	late_family -c TERM -x 9
	start=$(gk_us)
	gk_run -t 5 -p "$child"
	assert_status 0
	assert_line_match 0 "$(zb_line "$child" "$cname" 'exited with status 9' \
	    " \\(not reaped by $parent $pname\\)")"
	# Only our USR1 lets the parent reap: gracekill returned before.
	zb_is_zombie "$child"
	assert_elapsed_below "$start" 3000
	kill -USR1 "$parent"
	gk_poll zb_reaped "$child"
	# The parent reaped it and saw its status.
	gk_assert_exit "$parent" 9
}

@test "a parent that reaps while gracekill still waits for another: reaped true" {
	late_family -c TERM -x 9
	# The other target ignores TERM and ends on USR1, when we say.
	gk_start -i TERM -c USR1 -x 0
	other=$GK_PID
	gk_bg --json -t 5 -p "$child" -p "$other"
	gk_poll zb_is_zombie "$child"
	kill -USR1 "$parent"
	gk_poll zb_reaped "$child"
	gk_assert_exit "$parent" 9
	kill -USR1 "$other"
	gk_bg_wait
	assert_status 0
	gx_assert_target "$child" .outcome '"exited"'
	gx_assert_target "$child" .exit '{"code":9}'
	gx_assert_target "$child" .reaped 'true'
	gx_assert_target "$child" .parent 'null'
	gx_assert_target "$other" .exit '{"code":0}'
}

@test "reaped by its parent at once: reaped true, parent null, no note" {
	# A parent ignoring SIGCHLD: the kernel reaps its child as it exits.
	cname=$(gk_name)
	gk_start -i CHLD -c USR1 -k 0 -s "$(gk_child_cmd c1 "$cname" -c TERM -x 5)"
	parent=$GK_PID
	child=$(gk_child_pid c1)
	gk_run -t 5 -p "$child"
	assert_status 0
	assert_output_lines 1
	assert_line_match 0 "$(zb_line "$child" "$cname" 'exited with status 5' '')"
	cname=$(gk_name)
	gk_start -i CHLD -c USR1 -k 0 -s "$(gk_child_cmd c2 "$cname" -c TERM -x 5)"
	child=$(gk_child_pid c2)
	gx_json_run -t 5 -p "$child"
	assert_status 0
	gx_assert_target "$child" .exit '{"code":5}'
	gx_assert_target "$child" .reaped 'true'
	gx_assert_target "$child" .parent 'null'
	gk_assert_alive "$parent" "$GK_PID"
}

@test "--dry-run marks a zombie and names its parent" {
	zombie_family -e 3
	gk_poll zb_is_zombie "$child"
	# A live namesake, listed as usual.
	path=$(gk_link "$cname")
	gk_start -n "$cname" -c TERM -x 0
	live=$GK_PID
	gk_run --dry-run "$cname"
	assert_status 0
	assert_output_lines 3
	zline="$child root $cname (zombie, not reaped by $parent $pname)"
	lline="$live root $cname $path -c TERM -x 0 -R $GK_READY -L $GK_LOG"
	if ((child < live)); then
		[[ ${lines[0]} == "$zline" && ${lines[1]} == "$lline" ]]
	else
		[[ ${lines[0]} == "$lline" && ${lines[1]} == "$zline" ]]
	fi
	[[ ${lines[2]} == "schedule: TERM/10s/KILL/5s" ]]
	zb_is_zombie "$child"
	gk_assert_alive "$live" "$parent"
	gk_assert_siglog "$GK_LOG"
}

@test "--dry-run --json: a zombie is matched, reaped false, with its parent" {
	zombie_family -e 3
	gk_poll zb_is_zombie "$child"
	gk_start -n "$cname" -c TERM -x 0
	live=$GK_PID
	gx_json_run --dry-run "$cname"
	assert_status 0
	gx_assert_target "$child" .outcome '"matched"'
	gx_assert_target "$child" .signals '[]'
	gx_assert_target "$child" .seconds 'null'
	gx_assert_target "$child" .reaped 'false'
	gx_assert_target "$child" .parent "{\"pid\":$parent,\"name\":\"$pname\"}"
	gx_assert_target "$live" .outcome '"matched"'
	gx_assert_target "$live" .reaped 'true'
	gx_assert_target "$live" .parent 'null'
	assert_jq '.summary.matched == 2 and .exit_code == 0'
	zb_is_zombie "$child"
	gk_assert_alive "$live"
}

@test "a process whose main thread exited shows Z but is no zombie: it gets TERM" {
	gk_start -t -c TERM -x 3
	gk_poll zb_is_zombie "$GK_PID"
	gk_assert_alive "$GK_PID"
	gk_run --dry-run -p "$GK_PID"
	assert_status 0
	[[ ${lines[0]} == "$GK_PID root $GK_NAME "* && ${lines[0]} != *zombie* ]]
	gx_json_run --dry-run -p "$GK_PID"
	assert_status 0
	gx_assert_target "$GK_PID" .reaped 'true'
	gx_json_run -t 5 -p "$GK_PID"
	assert_status 0
	gx_assert_target "$GK_PID" .outcome '"exited"'
	gx_assert_target "$GK_PID" .signals '["TERM"]'
	gx_assert_target "$GK_PID" .exit '{"code":3}'
	gk_assert_siglog "$GK_LOG" TERM
	gk_assert_exit "$GK_PID" 3
}
