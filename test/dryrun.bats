#!/usr/bin/env bats
# --dry-run: one line per target (PID, user, name, command line), then
# the schedule; nothing is signalled.

load helper

@test "--dry-run lists PID, user, name and command line, then the schedule" {
	local name path
	name=$(gk_name)
	path=$(gk_link "$name")
	gk_start -n "$name" -c TERM -x 0
	gk_run --dry-run -p "$GK_PID"
	assert_status 0
	assert_output_lines 2
	[[ ${lines[0]} == "$GK_PID root $name $path -c TERM -x 0 -R $GK_READY -L $GK_LOG" ]]
	[[ ${lines[1]} == "schedule: TERM/10s/KILL/5s" ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--dry-run: one line per target, ordered by PID" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	local a=$GK_PID
	gk_start -n "$name" -c TERM -x 0
	local b=$GK_PID
	gk_run --dry-run "$name"
	assert_status 0
	assert_output_lines 3
	local lo=$a hi=$b
	((a < b)) || { lo=$b; hi=$a; }
	[[ ${lines[0]} == "$lo root $name "* ]]
	[[ ${lines[1]} == "$hi root $name "* ]]
	[[ ${lines[2]} == "schedule: "* ]]
	gk_assert_alive "$a" "$b"
}

@test "--dry-run shows the schedule that was asked for" {
	gk_start -c TERM -x 0
	gk_run --dry-run -s INT -t 2 --kill-wait 1 -p "$GK_PID"
	assert_status 0
	[[ ${lines[-1]} == "schedule: INT/2s/KILL/1s" ]]
	gk_run --dry-run --no-escalate -p "$GK_PID"
	assert_status 0
	[[ ${lines[-1]} == "schedule: TERM/10s" ]]
	gk_run --dry-run -s sighup -t 30s -p "$GK_PID"
	assert_status 0
	[[ ${lines[-1]} == "schedule: HUP/30s/KILL/5s" ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--dry-run: a TERM-ignoring target is not killed either" {
	gk_start -i TERM
	gk_run --dry-run -t 0 -p "$GK_PID"
	assert_status 0
	gk_assert_alive "$GK_PID"
}

@test "--dry-run with nothing matched: exit 1" {
	gk_run --dry-run "$(gk_name)"
	assert_status 1
	assert_stderr "gracekill: no matching process"
}

@test "--dry-run --json: outcome matched, no signals, a matched count" {
	gk_start -c TERM -x 0
	gk_run --dry-run --json -p "$GK_PID"
	assert_status 0
	[[ $(jq -s length <<<"$output") == 1 ]]
	assert_jq ".targets[0].pid == $GK_PID and .targets[0].outcome == \"matched\""
	assert_jq '.targets[0].signals == [] and .targets[0].seconds == null'
	assert_jq '.summary.matched == 1 and .exit_code == 0'
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--dry-run with a refused PID: exit 3" {
	gk_start -c TERM -x 0
	run --separate-stderr sh -c 'exec "$0" --dry-run -p $$,'"$GK_PID" "$GRACEKILL"
	assert_status 3
	[[ $stderr == *": refusing to signal: gracekill itself" ]]
	gk_assert_alive "$GK_PID"
}

@test "--dry-run with a bad option value: exit 64" {
	gk_start -c TERM -x 0
	gk_run --dry-run -t 5x -p "$GK_PID"
	assert_status 64
	gk_assert_alive "$GK_PID"
}

@test "--dry-run escapes control characters in the command line" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -S $'a\nb\tc' -c TERM -x 0
	gk_run --dry-run -p "$GK_PID"
	assert_status 0
	assert_output_lines 2
	[[ ${lines[0]} == "$GK_PID root $name "* ]]
	[[ ${lines[0]} != *$'\t'* ]]
	gk_assert_alive "$GK_PID"
}
