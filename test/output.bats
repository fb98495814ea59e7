#!/usr/bin/env bats
# Output: write errors on stdout, --quiet, --verbose.

load helper

closed_stdout() { "$@" >&-; }
full_stdout() { "$@" >/dev/full; }

@test "stdout closed: an error message and exit 3" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	run --separate-stderr closed_stdout "$GRACEKILL" -t 5 "$pid"
	assert_status 3
	[[ ${#stderr_lines[@]} -ge 1 && ${stderr_lines[-1]} =~ ^gracekill:\ .*Bad\ file\ descriptor$ ]] || {
		echo "expected an EBADF message, got: $stderr" >&2
		false
	}
	gk_assert_exit "$pid" 0
}

# A pipe whose reader has gone: fd 8 writes to a FIFO nobody reads.
broken_pipe() {
	fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	exec 7<>"$fifo" 8>"$fifo"
	exec 7<&-
}

@test "reader gone: EPIPE is reported with exit 3, no death by SIGPIPE" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	broken_pipe
	err=$BATS_TEST_TMPDIR/err
	rc=0
	env --default-signal=PIPE "$GRACEKILL" -t 5 "$pid" >&8 2>"$err" ||
	    rc=$?
	exec 8>&-
	[[ $rc == 3 ]] || { echo "exit $rc, stderr:" >&2; cat "$err" >&2; false; }
	grep -Eq '^gracekill: .*Broken pipe$' "$err" ||
	    { echo "no EPIPE message:" >&2; cat "$err" >&2; false; }
	gk_assert_exit "$pid" 0
}

@test "reader gone with --json: exit 3 and a message" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	broken_pipe
	err=$BATS_TEST_TMPDIR/err
	rc=0
	env --default-signal=PIPE "$GRACEKILL" --json -t 5 "$pid" >&8 \
	    2>"$err" || rc=$?
	exec 8>&-
	[[ $rc == 3 ]] || { echo "exit $rc, stderr:" >&2; cat "$err" >&2; false; }
	grep -Eq '^gracekill: .*Broken pipe$' "$err"
	gk_assert_exit "$pid" 0
}

@test "a pipeline whose reader exits early: exit 3, not 141" {
	gk_start -c TERM -x 0 -d 300
	pid=$GK_PID
	err=$BATS_TEST_TMPDIR/err
	rcfile=$BATS_TEST_TMPDIR/rc
	{
		rc=0
		env --default-signal=PIPE "$GRACEKILL" -t 5 "$pid" 2>"$err" ||
		    rc=$?
		echo "$rc" >"$rcfile"
	} | true
	gk_poll test -s "$rcfile"
	rc=$(<"$rcfile")
	[[ $rc == 3 ]] || { echo "exit $rc, stderr:" >&2; cat "$err" >&2; false; }
	grep -Eq '^gracekill: .*Broken pipe$' "$err"
	gk_assert_exit "$pid" 0
}

@test "stdout on a full device: exit 3 and ENOSPC" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	run --separate-stderr full_stdout "$GRACEKILL" -t 5 "$pid"
	assert_status 3
	[[ ${stderr_lines[-1]} =~ ^gracekill:\ .*No\ space\ left\ on\ device$ ]] || {
		echo "got: $stderr" >&2
		false
	}
	gk_assert_exit "$pid" 0
}

@test "-q prints nothing on success" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	gk_run -q -t 5 "$pid"
	assert_status 0
	[[ -z $output ]]
	assert_stderr_empty
	gk_assert_exit "$pid" 0
}

@test "-q prints nothing when something survived, the status tells" {
	gk_start -c TERM -k 0
	pid=$GK_PID
	gk_run -q --no-escalate -t 0.2 "$pid"
	assert_status 2
	[[ -z $output ]]
	assert_stderr_empty
	gk_assert_alive "$pid"
}

@test "-q prints nothing when nothing matched" {
	gk_run -q --name "$(gk_name)"
	assert_status 1
	[[ -z $output ]]
	assert_stderr_empty
}

@test "-q still prints errors" {
	gk_run -q -s FOO 1234
	assert_status 64
	assert_stderr "gracekill: --signal: unknown signal: 'FOO'"
}

@test "-v writes timestamped events: sent, exited" {
	gk_start -c TERM -x 3
	pid=$GK_PID name=$GK_NAME
	gk_run -v -t 5 "$pid"
	assert_status 0
	assert_output_match "^$pid $name: exited with status 3 after [0-9.]+s${gk_reap_re}\$"
	local l sent=0 exited=0 prev=-1 t
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^gracekill:\ \[\+([0-9]+)\.([0-9]{3})s\]\ (.*)$ ]] || {
			echo "not a timestamped event: $l" >&2
			return 1
		}
		t=$((10#${BASH_REMATCH[1]} * 1000 + 10#${BASH_REMATCH[2]}))
		((t >= prev)) || { echo "time went back: $l" >&2; return 1; }
		prev=$t
		[[ ${BASH_REMATCH[3]} == "sent SIGTERM to $pid ($name)" ]] &&
		    sent=$((sent + 1))
		[[ ${BASH_REMATCH[3]} == "$pid ($name) exited with status 3" ]] &&
		    exited=$((exited + 1))
	done
	[[ $sent == 1 && $exited == 1 ]] || {
		echo "expected one sent and one exited event, got:" >&2
		printf '%s\n' "$stderr" >&2
		false
	}
	gk_assert_exit "$pid" 3
}

@test "-v shows the escalation to SIGKILL" {
	gk_start -i TERM -c USR1 -k 0
	pid=$GK_PID name=$GK_NAME
	gk_run -v -t 0.2 --kill-wait 2 "$pid"
	assert_status 0
	printf '%s\n' "${stderr_lines[@]}" |
	    grep -Eq "^gracekill: \[\+[0-9]+\.[0-9]{3}s\] sent SIGTERM to $pid \($name\)\$"
	printf '%s\n' "${stderr_lines[@]}" |
	    grep -Eq "^gracekill: \[\+[0-9]+\.[0-9]{3}s\] sent SIGKILL to $pid \($name\)\$" || {
		echo "no SIGKILL event in:" >&2
		printf '%s\n' "$stderr" >&2
		false
	}
	gk_assert_exit "$pid" KILL
}

@test "without -v nothing is written to stderr on success" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	gk_run -t 5 "$pid"
	assert_status 0
	assert_stderr_empty
	gk_assert_exit "$pid" 0
}
