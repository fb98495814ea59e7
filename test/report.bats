#!/usr/bin/env bats
# The text report: one line per target ordered by PID, escaped names,
# -q and -v.

load helper

@test "one line per target, ordered by PID" {
	local p=()
	gk_start -c TERM -x 1
	gk_start -c TERM -x 2
	gk_start -c TERM -x 3
	mapfile -t p < <(printf '%s\n' "${GK_PIDS[@]}" | sort -n)
	# Given, and so held and signalled, in the opposite order.
	gk_run -p "${p[2]},${p[1]},${p[0]}"
	assert_status 0
	assert_output_lines 3
	[[ ${lines[0]} == "${p[0]} "* && ${lines[1]} == "${p[1]} "* &&
	    ${lines[2]} == "${p[2]} "* ]]
}

@test "control characters in a name are escaped: one line per target" {
	local name
	name=$(gk_name)
	name="${name:0:8}"$'\n\t\x1b'z
	gk_start -n "$name" -c TERM -x 0
	[[ $(cat "/proc/$GK_PID/comm") == "$name" ]]
	gk_run -p "$GK_PID"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$GK_PID ${name:0:8}"* ]]
	[[ $output != *$'\t'* && $output != *$'\x1b'* ]]
	[[ $output == *": exited with status 0 after "* ]]
	gk_assert_exit "$GK_PID" 0
}

@test "-q prints nothing on success" {
	gk_start -c TERM -x 0
	gk_run -q -p "$GK_PID"
	assert_status 0
	[[ -z $output ]]
	assert_stderr_empty
	gk_assert_exit "$GK_PID" 0
}

@test "-q still exits 2 for a survivor, silently" {
	gk_start -i TERM
	gk_run -q --no-escalate -t 200ms -p "$GK_PID"
	assert_status 2
	[[ -z $output ]]
	gk_assert_alive "$GK_PID"
}

@test "-v: timestamped events on stderr" {
	gk_start -c TERM -x 0
	gk_run -v -p "$GK_PID"
	assert_status 0
	[[ $output == "$GK_PID $GK_NAME: exited with status 0 after "* ]]
	local l sent=0 exited=0
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^gracekill:\ \[\+[0-9]+\.[0-9]{3}s\]\  ]] || {
			echo "not a verbose line: $l" >&2
			return 1
		}
		[[ $l == *"] sent SIGTERM to $GK_PID ($GK_NAME)" ]] && sent=1
		[[ $l == *"] $GK_PID ($GK_NAME) exited with status 0" ]] && exited=1
	done
	((sent && exited)) || { echo "missing events: $stderr" >&2; false; }
	gk_assert_exit "$GK_PID" 0
}

@test "-v: escalation is an event" {
	gk_start -i TERM
	gk_run -v -t 200ms -p "$GK_PID"
	assert_status 0
	local l kill=0
	for l in "${stderr_lines[@]}"; do
		[[ $l == *"] sent SIGKILL to $GK_PID ($GK_NAME)" ]] && kill=1
	done
	((kill)) || { echo "no SIGKILL event: $stderr" >&2; false; }
	gk_assert_exit "$GK_PID" KILL
}

@test "no live line when stderr is not a terminal" {
	gk_start -c TERM -x 0 -d 300
	gk_run -p "$GK_PID"
	assert_status 0
	assert_stderr_empty
	gk_assert_exit "$GK_PID" 0
}

# esc_name: a unique name with an escape sequence that clears a terminal.
esc_name() {
	local name
	name=$(gk_name)
	printf '%s\n' "${name:0:10}"$'\x1b[2J'
}

@test "-v events escape control characters in a name" {
	local name
	name=$(esc_name)
	gk_start -n "$name" -c TERM -x 0
	[[ $(cat "/proc/$GK_PID/comm") == "$name" ]]
	gk_run -v -p "$GK_PID"
	assert_status 0
	[[ $stderr != *$'\x1b'* ]] || { echo "raw ESC on stderr" >&2; false; }
	grep -qF "] sent SIGTERM to $GK_PID (${name:0:10}\\x1b[2J)" <<<"$stderr" ||
	    { echo "no escaped name in: $stderr" >&2; false; }
	gk_assert_exit "$GK_PID" 0
}

@test "warnings escape control characters in a name" {
	local name
	name=$(esc_name)
	gk_start -n "$name" -c TERM -x 0
	run --separate-stderr gk_strace -qq -o /dev/null \
	    -e inject=pidfd_send_signal:error=EPERM "$GRACEKILL" -p "$GK_PID"
	assert_status 3
	assert_stderr "gracekill: PID $GK_PID (${name:0:10}\\x1b[2J): cannot signal: Operation not permitted"
	gk_assert_alive "$GK_PID"
}
