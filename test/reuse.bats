#!/usr/bin/env bats
# PID reuse storm: in a PID namespace of our own, decoys recycle PIDs
# while gracekill waits; no decoy may ever receive a signal from
# gracekill.  Two ways to recycle: a tiny pid_max (per namespace since
# Linux 6.14), and ns_last_pid aimed at each freed target PID (any
# kernel); the first falls back to the second on older kernels.

load helper

setup() {
	gk_setup
	[[ -x $GK_DECOY ]] || {
		echo "test helper missing: $GK_DECOY (run make)" >&2
		return 1
	}
}

# pid_max is kept per PID namespace since Linux 6.14; before that, a write
# in the namespace would change the host's value.
pid_max_per_ns() {
	local v major minor
	v=$(uname -r)
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%[!0-9]*}
	((major > 6 || (major == 6 && minor >= 14)))
}

# storm MODE: the storm and its checks; MODE pidmax or aim.
storm() {
	local mode=$1 host_pid_max dir name now reused
	host_pid_max=$(</proc/sys/kernel/pid_max)
	dir=$BATS_TEST_TMPDIR
	name=$(gk_name)
	ln -s "$GK_TARGET" "$dir/$name"
	cat >"$dir/ns.sh" <<'NS'
dir=$1 gk=$2 link=$3 decoy=$4 mode=$5
deadline=$((SECONDS + 20))
until_file() {
	until [ -e "$1" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "timeout: $1" >>"$dir/fail"; exit 1; }
		sleep 0.01
	done
}
aim=
if [ "$mode" = pidmax ]; then
	echo 400 >/proc/sys/kernel/pid_max || { echo "pid_max" >>"$dir/fail"; exit 1; }
else
	aim=-A
fi
cat /proc/sys/kernel/pid_max >"$dir/ns_pid_max"
"$decoy" $aim -l "$dir/decoy.log" -R "$dir/storm.ready" -x "$dir/stop" \
    -P "$dir/watch" -n 16 &
storm=$!
until_file "$dir/storm.ready"
# Targets started now get recycled PIDs, and theirs recycle in turn.
pids=() i=0
for opts in "-c TERM -x 0" "-c TERM -x 0" "-c TERM -x 0" "-c TERM -x 0" \
    "-c TERM -x 0 -d 200" "-c TERM -x 0 -d 200" "-c TERM -x 0 -d 300" \
    "-i TERM -c USR1 -x 0" "-i TERM -c USR1 -x 0" "-i TERM -c USR1 -x 0" \
    "-i TERM -i USR1" "-i TERM -i USR1" "-i TERM -i USR1"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	"$link" -R "$dir/t$i.ready" $opts &
	pids+=($!)
done
for j in $(seq "$i"); do until_file "$dir/t$j.ready"; done
printf '%s\n' "${pids[@]}" >"$dir/watch.tmp"
mv "$dir/watch.tmp" "$dir/watch"
printf '%s\n' "${pids[@]}" >"$dir/targets"
"$gk" --json -S TERM/0.4/USR1/0.4/KILL/2 "${pids[@]}" >"$dir/out" 2>"$dir/err"
echo $? >"$dir/rc.gk"
: >"$dir/stop"
wait "$storm"
echo $? >"$dir/rc.storm"
for p in "${pids[@]}"; do
	rc=0
	wait "$p" || rc=$?
	echo "$p $rc" >>"$dir/fates"
done
NS
	run --separate-stderr timeout 60 unshare --pid --fork --mount-proc \
	    --kill-child bash "$dir/ns.sh" "$dir" "$GRACEKILL" "$dir/$name" \
	    "$GK_DECOY" "$mode"
	# Whatever happened, the host's pid_max must be as it was.
	now=$(</proc/sys/kernel/pid_max)
	if [[ $now != "$host_pid_max" ]]; then
		echo "$host_pid_max" >/proc/sys/kernel/pid_max
		echo "host pid_max changed from $host_pid_max to $now" >&2
		false
	fi
	[[ $status == 0 && ! -e $dir/fail ]] || {
		echo "namespace script failed ($status): $stderr" >&2
		cat "$dir/fail" >&2 2>/dev/null
		false
	}
	[[ $mode != pidmax || $(<"$dir/ns_pid_max") == 400 ]]
	[[ $(<"$dir/rc.gk") == 0 ]] || { cat "$dir/out" "$dir/err" >&2; false; }
	[[ $(<"$dir/rc.storm") == 0 ]]
	output=$(<"$dir/out")
	assert_jq '.summary.exited == 10 and .summary.killed == 3'
	assert_jq '.targets | length == 13'
	# The storm did recycle the targets' PIDs while gracekill waited...
	reused=$(grep -c '^reuse ' "$dir/decoy.log") || :
	((reused > 0)) || { echo "no target PID was recycled" >&2; false; }
	# ...and no decoy ever got a signal.
	if grep -Ev '^reuse ' "$dir/decoy.log" >&2; then
		echo "decoys were signalled (above)" >&2
		false
	fi
	# Each target's fate: 0 for those that exited, 137 for the killed.
	[[ $(grep -c ' 0$' "$dir/fates") == 10 &&
	    $(grep -c ' 137$' "$dir/fates") == 3 ]] || {
		cat "$dir/fates" >&2
		false
	}
}

@test "PID reuse storm, tiny pid_max (ns_last_pid before 6.14)" {
	if pid_max_per_ns; then
		storm pidmax
	else
		storm aim
	fi
}

@test "PID reuse storm, ns_last_pid aimed at freed PIDs" {
	storm aim
}
