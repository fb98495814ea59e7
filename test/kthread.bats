#!/usr/bin/env bats
# Kernel threads are never targeted.  These tests only ever run
# gracekill with --dry-run -s 0 --no-escalate: nothing can be sent.

load helper

SAFE=(--dry-run -s 0 --no-escalate)

# a_kthread: the PID of a kernel thread other than kthreadd, with a
# plain name (kworker names change and run past 15 characters).
a_kthread() {
	local d comm
	for d in /proc/[0-9]*; do
		[[ ${d#/proc/} != 2 ]] || continue
		[[ $(awk '/^PPid:/ {print $2}' "$d/status" 2>/dev/null) == 2 ]] ||
		    continue
		comm=$(cat "$d/comm" 2>/dev/null) || continue
		[[ ${#comm} -le 15 && $comm != kworker* ]] || continue
		echo "${d#/proc/}"
		return 0
	done
	return 1
}

@test "kthreadd matched by name is skipped: nothing matched" {
	[[ $(cat /proc/2/comm) == kthreadd ]]
	gk_run "${SAFE[@]}" kthreadd
	assert_status 1
	[[ $output != *kthreadd* ]]
	assert_stderr "gracekill: no matching process"
	gk_run "${SAFE[@]}" --json -n kthreadd
	assert_status 1
	assert_jq '[.targets[] | select(.outcome != "skipped")] == []'
	assert_jq '[.targets[] | select(.pid == 2) | .reason] | all(. == "kernel thread")'
	assert_jq '.exit_code == 1'
}

@test "kthreadd given by PID: refused, exit 3" {
	gk_run "${SAFE[@]}" -p 2
	assert_status 3
	assert_stderr "gracekill: PID 2: refusing to signal: kernel thread"
}

@test "another kernel thread given by PID: refused, exit 3" {
	local k
	k=$(a_kthread)
	gk_run "${SAFE[@]}" -p "$k"
	assert_status 3
	assert_stderr "gracekill: PID $k: refusing to signal: kernel thread"
	gk_run "${SAFE[@]}" --json "$k"
	assert_status 3
	assert_jq ".targets[0].pid == $k and .targets[0].outcome == \"skipped\""
	assert_jq '.targets[0].reason == "kernel thread"'
}

@test "a kernel thread matched by name is skipped" {
	local k name
	k=$(a_kthread)
	name=$(cat "/proc/$k/comm")
	gk_run "${SAFE[@]}" --json -n "$name"
	assert_status 1
	assert_jq "[.targets[] | select(.pid == $k) | .outcome] == [\"skipped\"]"
	assert_jq '[.targets[] | select(.outcome != "skipped")] == []'
}

@test "the children of kthreadd are all skipped" {
	gk_run "${SAFE[@]}" --json -P 2
	assert_status 1
	assert_jq '[.targets[] | select(.outcome != "skipped")] == []'
	assert_jq '.exit_code == 1'
}

@test "a kernel thread beside our target: ours is matched, dry run" {
	local k
	k=$(a_kthread)
	gk_start -c TERM -x 0
	gk_run "${SAFE[@]}" -n "$(cat "/proc/$k/comm")" -n "$GK_NAME"
	assert_status 0
	[[ ${lines[0]} == "$GK_PID "* ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}
