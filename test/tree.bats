#!/usr/bin/env bats
# -T/--tree[=all|mixed]: every descendant of every target.  all: every
# step signals the whole tree; mixed: graceful steps the selected only,
# SIGKILL the whole tree.  /proc is re-read to catch late children.

load helper

# tree PARENT-OPTS -- CHILD-OPTS: a parent with children c1 and c2 (each
# started with CHILD-OPTS).  Sets P, P_LOG, C1, C2.
tree() {
	local popts=() copts=()
	while [[ $1 != -- ]]; do popts+=("$1"); shift; done
	shift
	copts=("$@")
	local s1 s2
	s1=$(gk_child_cmd c1 "$(gk_name)" "${copts[@]}")
	s2=$(gk_child_cmd c2 "$(gk_name)" "${copts[@]}")
	gk_start "${popts[@]}" -s "$s1" -s "$s2"
	P=$GK_PID
	P_LOG=$GK_LOG
	C1=$(gk_child_pid c1)
	C2=$(gk_child_pid c2)
}

@test "--tree=all: TERM-ignoring children are killed after the grace" {
	tree -c TERM -x 0 -- -i TERM
	gk_start -c TERM -x 0
	local control=$GK_PID t0
	t0=$(gk_us)
	gk_run --json --tree=all -t 400ms -p "$P"
	assert_status 0
	assert_elapsed_above "$t0" 400
	assert_elapsed_below "$t0" 2500
	assert_jq '.targets | length == 3'
	assert_jq "(.targets[] | select(.pid == $P) | .outcome) == \"exited\""
	assert_jq "(.targets[] | select(.pid == $C1) | .outcome) == \"killed\""
	assert_jq "(.targets[] | select(.pid == $C2) | .signals) == [\"TERM\", \"KILL\"]"
	assert_jq "(.targets[] | select(.pid == $C2) | .reason) == \"ignores SIGTERM\""
	gk_assert_exit "$P" 0
	gk_assert_dead "$C1"
	gk_assert_dead "$C2"
	gk_assert_alive "$control"
}

@test "--tree=all: every child gets the graceful signal" {
	tree -c TERM -x 0 -- -c TERM -x 0
	gk_run -T -t 5 -p "$P"
	assert_status 0
	assert_output_lines 3
	gk_assert_exit "$P" 0
	gk_assert_gone "$C1" "$C2"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_siglog "$(gk_child_log c2)" TERM
}

@test "--tree: the default mode is all" {
	tree -c TERM -x 0 -- -c TERM -k 0
	gk_run --json --tree -t 300ms -p "$P"
	assert_status 0
	assert_jq "(.targets[] | select(.pid == $C1) | .signals) == [\"TERM\", \"KILL\"]"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_siglog "$(gk_child_log c2)" TERM
	gk_assert_dead "$C1"
	gk_assert_dead "$C2"
}

@test "--tree=mixed: children never see the graceful signal, die by SIGKILL" {
	tree -c TERM -x 0 -d 100 -- -c TERM -c CONT -c INT -k 0
	gk_start -c TERM -x 0
	local control=$GK_PID t0
	t0=$(gk_us)
	gk_run --json --tree=mixed -t 400ms -p "$P"
	assert_status 0
	assert_elapsed_above "$t0" 400
	assert_elapsed_below "$t0" 2500
	assert_jq "(.targets[] | select(.pid == $P) | .signals) == [\"TERM\"]"
	assert_jq "(.targets[] | select(.pid == $C1) | .signals) == [\"KILL\"]"
	assert_jq "(.targets[] | select(.pid == $C2) | .outcome) == \"killed\""
	gk_assert_exit "$P" 0
	gk_assert_siglog "$P_LOG" TERM
	gk_assert_siglog "$(gk_child_log c1)"
	gk_assert_siglog "$(gk_child_log c2)"
	gk_assert_dead "$C1"
	gk_assert_dead "$C2"
	gk_assert_alive "$control"
}

@test "--tree=mixed: a survivor parent and its children all get SIGKILL" {
	tree -i TERM -- -c TERM -k 0
	gk_run --tree=mixed -t 300ms -p "$P"
	assert_status 0
	gk_assert_exit "$P" KILL
	gk_assert_siglog "$(gk_child_log c1)"
	gk_assert_dead "$C1"
	gk_assert_dead "$C2"
}

@test "a child forking a grandchild on TERM is caught" {
	local gc c1
	# The grandchild notes its PID first: the TERM sent to the tree may
	# reach it before it ignores TERM.
	gc="echo \$\$ >$GK_RUNDIR/g1.pid; $(gk_child_cmd g1 "$(gk_name)" -i TERM)"
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -k 0 -S "$gc")
	gk_start -c TERM -x 0 -s "$c1"
	local parent=$GK_PID child grandchild
	child=$(gk_child_pid c1)
	[[ ! -e $GK_RUNDIR/g1.pid ]]
	gk_run --json --tree -t 500ms -p "$parent"
	assert_status 0
	assert_jq '.targets | length == 3'
	grandchild=$(gk_jq ".targets[] | select(.pid != $parent and .pid != $child) | .pid")
	if [[ -s $GK_RUNDIR/g1.pid ]]; then
		[[ $(cat "$GK_RUNDIR/g1.pid") == "$grandchild" ]]
	fi
	gk_record "$grandchild"
	assert_jq "(.targets[] | select(.pid == $grandchild) | .outcome) | . == \"killed\" or . == \"exited\""
	gk_assert_dead "$grandchild" "$child"
	gk_assert_exit "$parent" 0
}

@test "a descendant reparented after its parent died stays a target" {
	local gc c1
	gc=$(gk_child_cmd g1 "$(gk_name)" -i TERM)
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0 -s "$gc")
	gk_start -c TERM -x 0 -s "$c1"
	local parent=$GK_PID child grandchild
	child=$(gk_child_pid c1)
	grandchild=$(gk_child_pid g1)
	gk_run --json --tree -t 400ms -p "$parent"
	assert_status 0
	assert_jq '.targets | length == 3'
	assert_jq "(.targets[] | select(.pid == $grandchild) | .outcome) == \"killed\""
	gk_assert_dead "$grandchild"
	gk_assert_exit "$parent" 0
}

@test "without --tree the children are left alone" {
	tree -c TERM -x 0 -- -c TERM -x 0
	gk_run -t 2 -p "$P"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$P" 0
	gk_assert_alive "$C1" "$C2"
	gk_assert_siglog "$(gk_child_log c1)"
}

@test "--tree with --no-escalate: surviving children mean exit 2" {
	tree -c TERM -x 0 -- -i TERM
	gk_run --tree --no-escalate -t 300ms -p "$P"
	assert_status 2
	gk_assert_exit "$P" 0
	gk_assert_alive "$C1" "$C2"
}

@test "--tree without the children files: a full scan of /proc finds the tree" {
	# faccessat is how gracekill asks whether /proc has
	# task/TID/children (CONFIG_PROC_CHILDREN); say no.
	tree -c TERM -x 0 -- -i TERM
	run --separate-stderr gk_strace -f -o /dev/null \
	    -e trace=faccessat,faccessat2 \
	    -e inject=faccessat,faccessat2:error=ENOENT \
	    "$GRACEKILL" --json --tree=all -t 300ms -p "$P"
	assert_status 0
	assert_jq '.targets | length == 3'
	assert_jq "(.targets[] | select(.pid == $C1) | .outcome) == \"killed\""
	assert_jq "(.targets[] | select(.pid == $C2) | .outcome) == \"killed\""
	gk_assert_exit "$P" 0
	gk_assert_dead "$C1"
	gk_assert_dead "$C2"
}
