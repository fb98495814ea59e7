#!/usr/bin/env bats
# Many targets in one invocation, with a soft RLIMIT_NOFILE far below
# their number: gracekill raises it and stops them all.

load helper

# Issue 6 asks for 10 000; GX_MANY picks another size.
GX_MANY=${GX_MANY:-10000}

@test "$GX_MANY targets with ulimit -Sn 1024: all stopped" {
	(( $(ulimit -Hn) > GX_MANY + 64 )) || {
		echo "hard RLIMIT_NOFILE $(ulimit -Hn) is below $GX_MANY" >&2
		false
	}
	name=$(gk_name)
	gx_start_copies "$GX_MANY" "$name" "$BATS_TEST_TMPDIR/many.pids"
	# Straight to files: bats's run splits 50 000 lines slowly.
	out=$BATS_TEST_TMPDIR/out.json err=$BATS_TEST_TMPDIR/err
	rc=0
	bash -c 'ulimit -Sn 1024 && exec "$@"' sh \
	    "$GRACEKILL" --json -v -t 30 --name "$name" >"$out" 2>"$err" || rc=$?
	[[ $rc == 0 ]] || { echo "exit status $rc" >&2; tail "$err" >&2; false; }
	n=$(jq '[.targets[] | select(.outcome == "exited" and .exit.code == 0)] | length' "$out")
	[[ $n == "$GX_MANY" ]] || {
		echo "only $n of $GX_MANY exited with status 0" >&2
		jq -c '.summary' "$out" >&2
		false
	}
	[[ $(jq ".summary.exited" "$out") == "$GX_MANY" ]]
	grep -q 'raised the file descriptor limit' "$err"
	if grep -q 'using /proc polling' "$err"; then
		echo "gracekill fell back to /proc polling:" >&2
		grep -m3 'using /proc polling' "$err" >&2
		false
	fi
	# None left: gone, a zombie, or its PID recycled by someone else.
	none_left() {
		[[ -z $(gk_still_alive <"$GK_PIDS_FILE") ]]
	}
	gk_poll none_left
}
