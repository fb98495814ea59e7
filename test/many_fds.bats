#!/usr/bin/env bats
# Many targets in one invocation, with a soft RLIMIT_NOFILE far below
# their number: gracekill raises it and stops them all.

load helper
load helper_extra

# 10 000 targets take over three minutes to start here; 2000 still far
# exceed the soft limit of 1024.  GX_MANY=10000 runs the full size.
GX_MANY=${GX_MANY:-2000}

@test "$GX_MANY targets with ulimit -Sn 1024: all stopped" {
	(( $(ulimit -Hn) > GX_MANY + 64 )) || {
		echo "hard RLIMIT_NOFILE $(ulimit -Hn) is below $GX_MANY" >&2
		false
	}
	name=$(gk_name)
	link=$(gk_link "$name")
	rdir=$BATS_TEST_TMPDIR/ready
	mkdir "$rdir"
	pids=()
	for ((i = 0; i < GX_MANY; i++)); do
		"$link" -R "$rdir/$i" -c TERM -x 0 >/dev/null 2>&1 3>&- &
		pids+=($!)
		echo "$! x" >>"$GK_PIDS_FILE.many"
	done
	ready_all() { (($(find "$rdir" -type f ! -name '*.tmp' | wc -l) == GX_MANY)); }
	GK_TIMEOUT=60 gk_poll ready_all
	# Record them for teardown only now, with their start times.
	for p in "${pids[@]}"; do gk_record "$p"; done
	run --separate-stderr bash -c 'ulimit -Sn 1024 && exec "$@"' sh \
	    "$GRACEKILL" --json -v -t 30 --name "$name"
	assert_status 0
	n=$(jq '[.targets[] | select(.outcome == "exited" and .exit.code == 0)] | length' <<<"$output")
	[[ $n == "$GX_MANY" ]] || {
		echo "only $n of $GX_MANY exited with status 0" >&2
		jq -c '.summary' <<<"$output" >&2
		false
	}
	assert_jq ".summary.exited == $GX_MANY"
	if grep -q 'using /proc polling' <<<"$stderr"; then
		echo "gracekill fell back to /proc polling:" >&2
		grep -m3 'using /proc polling' <<<"$stderr" >&2
		false
	fi
	for p in "${pids[@]}"; do
		gk_wait_gone "$p"
	done
}
