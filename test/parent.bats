#!/usr/bin/env bats
# -P/--parent PPID: the children of PPID, not PPID itself, nor its
# grandchildren.

load helper

@test "-P PPID stops the children, not the parent nor a control" {
	local c1 c2
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0)
	c2=$(gk_child_cmd c2 "$(gk_name)" -c TERM -x 0)
	gk_start -c TERM -x 0 -s "$c1" -s "$c2"
	local parent=$GK_PID plog=$GK_LOG k1 k2
	k1=$(gk_child_pid c1)
	k2=$(gk_child_pid c2)
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run -P "$parent"
	assert_status 0
	assert_output_lines 2
	gk_assert_gone "$k1" "$k2"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_siglog "$(gk_child_log c2)" TERM
	gk_assert_alive "$parent" "$control"
	gk_assert_siglog "$plog"
}

@test "--parent=PPID: grandchildren are not children" {
	local gc c1
	gc=$(gk_child_cmd g1 "$(gk_name)" -c TERM -x 0)
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0 -s "$gc")
	gk_start -c TERM -x 0 -s "$c1"
	local parent=$GK_PID k1 g1
	k1=$(gk_child_pid c1)
	g1=$(gk_child_pid g1)
	gk_run --parent="$parent"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$k1 "* ]]
	gk_assert_gone "$k1"
	gk_assert_alive "$parent" "$g1"
	gk_assert_siglog "$(gk_child_log g1)"
}

@test "-P of a process without children: nothing matched" {
	gk_start -c TERM -x 0
	gk_run -P "$GK_PID"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "-P and -p narrow each other" {
	local c1 c2
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0)
	c2=$(gk_child_cmd c2 "$(gk_name)" -c TERM -x 0)
	gk_start -c TERM -x 0 -s "$c1" -s "$c2"
	local parent=$GK_PID k1 k2
	k1=$(gk_child_pid c1)
	k2=$(gk_child_pid c2)
	gk_start -c TERM -x 3
	local other=$GK_PID
	# k1 is both; k2 only a child, other only a listed PID.
	gk_run -P "$parent" -p "$k1,$other"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$k1 "* ]]
	gk_assert_gone "$k1"
	gk_assert_alive "$k2" "$other" "$parent"
}
