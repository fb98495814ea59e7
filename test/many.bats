#!/usr/bin/env bats
# Many targets are waited for in parallel: 200 targets, some slow to
# drain, some ignoring TERM, all stopped within one grace period.

load helper

# wait_all_ready PID...: the ready files m0.ready... hold these PIDs.
wait_all_ready() {
	local files=() i=0 p pid
	for p; do
		files+=("$GK_RUNDIR/m$((i++)).ready")
	done
	gk_poll gk_all_ready "${files[@]}"
	i=0
	for p; do
		read -r pid <"${files[i++]}"
		[[ $pid == "$p" ]] || { echo "ready: $pid, want $p" >&2; return 1; }
	done
}

@test "200 targets, some slow to drain: all stopped in one grace period" {
	local name path i n=200 pids=()
	name=$(gk_name)
	path=$(gk_link "$name")
	gk_start -c TERM -x 0
	local control=$GK_PID
	for ((i = 0; i < n; i++)); do
		local opts=(-c TERM -x $((i % 50)))
		# Every fourth drains for 600 ms: one after another they
		# would take 30 s.
		((i % 4 == 0)) && opts+=(-d 600)
		"$path" "${opts[@]}" -R "$GK_RUNDIR/m$i.ready" \
		    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
		pids+=($!)
	done
	gk_record "${pids[@]}"
	wait_all_ready "${pids[@]}"
	local t0
	t0=$(gk_us)
	gk_run --json -t 3 "$name"
	assert_status 0
	assert_elapsed_above "$t0" 600
	assert_elapsed_below "$t0" 3000
	assert_jq ".targets | length == $n"
	assert_jq ".summary.exited == $n and .summary.killed == 0"
	assert_jq '[.targets[].seconds] | max < 3'
	for ((i = 0; i < n; i++)); do
		gk_assert_exit "${pids[i]}" $((i % 50))
	done
	gk_assert_alive "$control"
}

@test "200 targets ignoring TERM: all killed right after one grace period" {
	local name path i n=200 pids=()
	name=$(gk_name)
	path=$(gk_link "$name")
	for ((i = 0; i < n; i++)); do
		local opts=(-c TERM -x 0)
		((i % 2)) && opts=(-i TERM)
		"$path" "${opts[@]}" -R "$GK_RUNDIR/m$i.ready" \
		    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
		pids+=($!)
	done
	gk_record "${pids[@]}"
	wait_all_ready "${pids[@]}"
	local t0
	t0=$(gk_us)
	gk_run --json -t 500ms "$name"
	assert_status 0
	assert_elapsed_above "$t0" 500
	assert_elapsed_below "$t0" 2500
	assert_jq ".summary.exited == $((n / 2)) and .summary.killed == $((n / 2))"
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			gk_assert_exit "${pids[i]}" KILL
		else
			gk_assert_exit "${pids[i]}" 0
		fi
	done
}
