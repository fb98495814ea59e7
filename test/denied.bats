#!/usr/bin/env bats
# A target gracekill may not signal (EPERM) is denied, exit 3, and the
# other targets are still stopped.  gracekill runs as a throwaway user
# against a root-owned target of ours.

load helper

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }
setup() { gk_user_setup; }
teardown() { gk_user_teardown; }

# start_mine NAME [OPTION]...: a target owned by the throwaway user.
start_mine() {
	local name=$1 path
	shift
	path=$(gk_link "$name")
	gk_start_cmd "$name" setpriv --reuid="$GK_UID" --regid="$GK_GID" \
	    --clear-groups "$path" "$@"
}

@test "a root-owned target is denied, the user's own is still stopped" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	local root=$GK_PID root_log=$GK_LOG
	start_mine "$name" -c TERM -x 4
	local mine=$GK_PID
	run --separate-stderr gk_as_user "$GRACEKILL" -t 1 -p "$root,$mine"
	assert_status 3
	assert_stderr "gracekill: PID $root ($name): cannot signal: Operation not permitted"
	assert_output_line "$root $name: denied (operation not permitted)"
	assert_output_match "^$mine $name: exited with status 4 after $gk_time_re${gk_reap_re}\$"
	gk_assert_exit "$mine" 4
	gk_assert_alive "$root"
	gk_assert_siglog "$root_log"
}

@test "denied by name, in JSON: outcome, reason, summary, exit_code 3" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	local root=$GK_PID root_log=$GK_LOG
	start_mine "$name" -c TERM -x 0
	local mine=$GK_PID
	run --separate-stderr gk_as_user "$GRACEKILL" --json -t 1 "$name"
	assert_status 3
	assert_jq "(.targets[] | select(.pid == $root) | .outcome) == \"denied\""
	assert_jq "(.targets[] | select(.pid == $root) | .reason) | type == \"string\" and length > 0"
	assert_jq "(.targets[] | select(.pid == $root) | .signals) == []"
	assert_jq "(.targets[] | select(.pid == $mine) | .outcome) == \"exited\""
	assert_jq '.summary.denied == 1 and .summary.exited == 1'
	assert_jq '.exit_code == 3'
	gk_assert_exit "$mine" 0
	gk_assert_alive "$root"
	gk_assert_siglog "$root_log"
}

@test "only denied targets: exit 3, nothing signalled" {
	gk_start -c TERM -x 0
	run --separate-stderr gk_as_user "$GRACEKILL" -t 1 -p "$GK_PID"
	assert_status 3
	assert_stderr "gracekill: PID $GK_PID ($GK_NAME): cannot signal: Operation not permitted"
	[[ $output == "$GK_PID $GK_NAME: denied (operation not permitted)" ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "denied beats a survivor: exit 3" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	local root=$GK_PID
	start_mine "$name" -i TERM
	local mine=$GK_PID
	run --separate-stderr gk_as_user "$GRACEKILL" --no-escalate -t 200ms "$name"
	assert_status 3
	gk_assert_alive "$root" "$mine"
}
