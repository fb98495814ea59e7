#!/usr/bin/env bats
# Never targeted: PID 1 (in a PID namespace of our own), gracekill
# itself, its ancestors and threads that are not thread-group leaders.
# Given explicitly they are refused (exit 3); matched they are skipped.

load helper

# ns_start NAME [GK-TARGET OPTION]...: start gk-target NAME as PID 1 of a
# new PID namespace.  Sets NS_PID (its PID outside) and NS_LOG.
ns_start() {
	local name=$1 path
	shift
	path=$(gk_link "$name")
	NS_LOG=$GK_RUNDIR/ns1.log
	: >"$NS_LOG"
	"${GK_PIDNS[@]}" "$path" "$@" \
	    -R "$GK_RUNDIR/ns1.ready" -L "$NS_LOG" \
	    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
	local unshare_pid=$!
	gk_record "$unshare_pid"
	[[ $(gk_wait_ready "$GK_RUNDIR/ns1.ready") == 1 ]]
	NS_PID=$(gk_children "$unshare_pid")
	[[ $NS_PID =~ ^[0-9]+$ ]]
	gk_record "$NS_PID"
}

# ns_run ARG...: run gracekill inside the namespace of NS_PID.  -r keeps
# NS_PID's root: entering a mount namespace alone would land in the root
# of its mounts, the host's when this runs in a chroot.
ns_run() {
	run --separate-stderr nsenter -t "$NS_PID" -p -m -r "$GRACEKILL" "$@"
}

@test "PID 1 given explicitly: refused, exit 3" {
	ns_start "$(gk_name)" -c TERM -x 0
	ns_run -t 1 -p 1
	assert_status 3
	assert_stderr "gracekill: PID 1: refusing to signal: init (PID 1)"
	gk_assert_alive "$NS_PID"
	gk_assert_siglog "$NS_LOG"
}

@test "PID 1 given explicitly, --json: skipped with the reason" {
	ns_start "$(gk_name)" -c TERM -x 0
	ns_run --json -t 1 1
	assert_status 3
	assert_jq '.targets[0].pid == 1 and .targets[0].outcome == "skipped"'
	assert_jq '.targets[0].reason == "init (PID 1)"'
	assert_jq '.summary.skipped == 1 and .exit_code == 3'
	gk_assert_alive "$NS_PID"
	gk_assert_siglog "$NS_LOG"
}

# ns_child ID: the outside PID of the namespace's child with ready file
# ID.ready (which holds the PID inside); records it.
ns_child() {
	local inside c
	inside=$(gk_wait_ready "$GK_RUNDIR/$1.ready") || return 1
	for c in $(gk_children "$NS_PID"); do
		if [[ $(awk '/^NSpid:/ {print $NF}' "/proc/$c/status") == "$inside" ]]; then
			gk_record "$c"
			printf '%s\n' "$c"
			return 0
		fi
	done
	return 1
}

@test "PID 1 matched by name: left out, its namesake is stopped" {
	local name ctl cmd
	name=$(gk_name)
	ctl=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0)
	cmd=$(gk_child_cmd c2 "$name" -c TERM -x 0)
	ns_start "$name" -c TERM -x 0 -s "$ctl" -s "$cmd"
	local control child
	control=$(ns_child c1)
	child=$(ns_child c2)
	ns_run --json -t 2 "$name"
	assert_status 0
	assert_jq '(.targets[] | select(.pid == 1) | .outcome) == "skipped"'
	assert_jq '(.targets[] | select(.pid == 1) | .reason) == "init (PID 1)"'
	assert_jq '[.targets[] | select(.outcome == "exited")] | length == 1'
	gk_assert_alive "$NS_PID" "$control"
	gk_assert_siglog "$NS_LOG"
	gk_assert_gone "$child"
	gk_assert_siglog "$(gk_child_log c2)" TERM
}

@test "PID 2 of a PID namespace is no kernel thread: it is stopped" {
	local name cmd
	name=$(gk_name)
	cmd=$(gk_child_cmd c1 "$name" -c TERM -x 0)
	ns_start "$(gk_name)" -c TERM -x 0 -s "$cmd"
	local child
	child=$(ns_child c1)
	[[ $(cat "$GK_RUNDIR/c1.ready") == 2 ]]
	ns_run --json -t 2 "$name"
	assert_status 0
	assert_jq '.targets[0].pid == 2 and .targets[0].outcome == "exited"'
	gk_assert_gone "$child"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_alive "$NS_PID"
}

@test "gracekill itself given explicitly: refused, exit 3" {
	local pidf=$BATS_TEST_TMPDIR/self.pid
	run --separate-stderr sh -c 'echo $$ >"$1"; exec "$0" -p $$' \
	    "$GRACEKILL" "$pidf"
	assert_status 3
	assert_stderr "gracekill: PID $(cat "$pidf"): refusing to signal: gracekill itself"
}

@test "gracekill itself matched by name: skipped, its namesake stopped" {
	local name link
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	link=$BATS_TEST_TMPDIR/self/$name
	mkdir "$BATS_TEST_TMPDIR/self"
	ln -s "$GRACEKILL" "$link"
	run --separate-stderr "$link" --json -t 2 "$name"
	assert_status 0
	assert_jq "(.targets[] | select(.pid == $GK_PID) | .outcome) == \"exited\""
	assert_jq '[.targets[] | select(.outcome == "skipped" and .reason == "gracekill itself")] | length == 1'
	gk_assert_exit "$GK_PID" 0
}

# ancestor_script NAME BODY: a bash script called NAME (so its comm is
# NAME) running BODY; it records its PID and the status of BODY.
ancestor_script() {
	local path=$GK_RUNDIR/scripts/$1
	mkdir -p "$GK_RUNDIR/scripts"
	cat >"$path" <<-SCRIPT
	#!/bin/bash
	echo \$\$ >"$GK_RUNDIR/script.pid"
	$2
	echo \$? >"$GK_RUNDIR/script.rc"
	SCRIPT
	chmod +x "$path"
	printf '%s\n' "$path"
}

@test "a script named NAME running 'gracekill NAME' survives" {
	local name script
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	script=$(ancestor_script "$name" \
	    "\"$GRACEKILL\" --json -t 2 $name >\"$GK_RUNDIR/out.json\"")
	run "$script"
	[[ -f $GK_RUNDIR/script.rc ]]
	[[ $(cat "$GK_RUNDIR/script.rc") == 0 ]]
	local spid
	spid=$(cat "$GK_RUNDIR/script.pid")
	output=$(cat "$GK_RUNDIR/out.json")
	assert_jq "(.targets[] | select(.pid == $spid) | .outcome) == \"skipped\""
	assert_jq "(.targets[] | select(.pid == $spid) | .reason) == \"ancestor of gracekill\""
	assert_jq "(.targets[] | select(.pid == $GK_PID) | .outcome) == \"exited\""
	gk_assert_exit "$GK_PID" 0
}

@test "the text report leaves a skipped ancestor out" {
	local name script
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	script=$(ancestor_script "$name" \
	    "\"$GRACEKILL\" -t 2 $name >\"$GK_RUNDIR/out.txt\"")
	run "$script"
	[[ $(cat "$GK_RUNDIR/script.rc") == 0 ]]
	[[ $(cat "$GK_RUNDIR/out.txt") == "$GK_PID $name: exited with status 0 after "* ]]
	[[ $(wc -l <"$GK_RUNDIR/out.txt") == 1 ]]
	gk_assert_exit "$GK_PID" 0
}

@test "a grandparent named NAME is spared too" {
	local name script
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	script=$(ancestor_script "$name" \
	    "bash -c '\"$GRACEKILL\" -t 2 $name; exit \$?' >/dev/null")
	run "$script"
	[[ -f $GK_RUNDIR/script.rc ]]
	[[ $(cat "$GK_RUNDIR/script.rc") == 0 ]]
	gk_assert_exit "$GK_PID" 0
}

@test "an ancestor given explicitly: refused, exit 3" {
	local name script
	name=$(gk_name)
	script=$(ancestor_script "$name" \
	    "\"$GRACEKILL\" -t 2 -p \$\$ 2>\"$GK_RUNDIR/err\"")
	run "$script"
	[[ -f $GK_RUNDIR/script.rc ]]
	[[ $(cat "$GK_RUNDIR/script.rc") == 3 ]]
	[[ $(cat "$GK_RUNDIR/err") == "gracekill: PID $(cat "$GK_RUNDIR/script.pid"): refusing to signal: ancestor of gracekill" ]]
}

@test "an ancestor given explicitly beside a real target: it is stopped, exit 3" {
	local name script
	name=$(gk_name)
	gk_start -c TERM -x 0
	script=$(ancestor_script "$name" \
	    "\"$GRACEKILL\" -t 2 -p \$\$,$GK_PID 2>/dev/null >/dev/null")
	run "$script"
	[[ $(cat "$GK_RUNDIR/script.rc") == 3 ]]
	gk_assert_exit "$GK_PID" 0
}

@test "a thread that is not a thread-group leader: refused, exit 3" {
	gk_start -t -c TERM -x 0
	local tid
	tid=$(ls "/proc/$GK_PID/task" | grep -vx "$GK_PID")
	[[ $tid =~ ^[0-9]+$ ]]
	gk_run -t 1 -p "$tid"
	assert_status 3
	assert_stderr "gracekill: PID $tid: refusing to signal: thread of PID $GK_PID"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
	gk_run --json -t 1 -p "$tid"
	assert_status 3
	assert_jq ".targets[0].pid == $tid and .targets[0].outcome == \"skipped\""
	assert_jq ".targets[0].reason == \"thread of PID $GK_PID\""
}

@test "a thread is refused without pidfds too (the /proc fallback)" {
	gk_start -t -c TERM -x 0
	local tid
	tid=$(ls "/proc/$GK_PID/task" | grep -vx "$GK_PID")
	[[ $tid =~ ^[0-9]+$ ]]
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=pidfd_open:error=ENOSYS "$GRACEKILL" -t 1 -p "$tid"
	assert_status 3
	assert_stderr "gracekill: PID $tid: refusing to signal: thread of PID $GK_PID"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}
