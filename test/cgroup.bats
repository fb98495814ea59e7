#!/usr/bin/env bats
# --cgroup and --unit (issue 12): every process of a cgroup and of the
# cgroups below it, re-read at every step, killed with cgroup.kill when
# the cgroup is selected whole, else frozen and killed member by member.
# Each test makes its own cgroups under the cgroup2 mount (helper.bash
# gk_cg_*); fork storms are capped by a v1 pids cgroup, run in a PID
# namespace and end by themselves after a deadline.

# Scripts for other shells are single-quoted; helper.bash sets gk_time_re
# and gk_reap_re.
# shellcheck disable=SC2016,SC2154

load helper

setup() {
	gk_setup || return 1
	CG=$(gk_cg_make) || return 1
	CGP=$(gk_cg_path "$CG")
}

# cg_start [-n NAME] DIR [GK-TARGET OPTION]...: gk_start with the target
# (and whatever it spawns) in cgroup DIR.
cg_start() {
	local name=""
	if [[ $1 == -n ]]; then
		name=$2
		shift 2
	fi
	[[ -n $name ]] || name=$(gk_name)
	local dir=$1
	shift
	gk_start_cmd "$name" gk_cg_exec "$dir" -- "$(gk_link "$name")" "$@"
}

# cg_ppid PID: the parent of PID.
cg_ppid() {
	local stat f
	read -r stat <"/proc/$1/stat"
	read -ra f <<<"${stat##*) }"
	printf '%s\n' "${f[1]}"
}

# cg_events DIR LINE: DIR's cgroup.events has LINE ("populated 0").
cg_events() { grep -qx -- "$2" "$1/cgroup.events"; }

# cg_count DIR N: DIR itself holds at least N processes.
cg_count() { (($(wc -l <"$1/cgroup.procs") >= $2)); }

# cg_event TEXT: gracekill -v logged exactly the event TEXT.
cg_event() {
	local l
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^gracekill:\ \[\+[0-9]+\.[0-9]{3}s\]\ (.*)$ &&
		    ${BASH_REMATCH[1]} == "$1" ]] && return 0
	done
	printf 'expected the event "%s", got:\n%s\n' "$1" "${stderr-}" >&2
	return 1
}

# cg_no_event ERE: no -v event of the last run matches ERE.
cg_no_event() {
	local l
	for l in "${stderr_lines[@]}"; do
		if [[ $l =~ $1 ]]; then
			printf 'unexpected event: %s\n' "$l" >&2
			return 1
		fi
	done
}

# cg_outcomes_ok: every target of the JSON report ended.
cg_outcomes_ok() {
	assert_jq '[.targets[].outcome] - ["exited", "killed", "vanished"] == []'
}

# A forker that keeps moving to a new PID: each generation waits 50 ms,
# forks the next and exits, until GK_END.  fd 9 is a FIFO nobody writes
# to, so the wait needs no fork.
HOP_SH='((EPOCHSECONDS < GK_END)) || exit 0
read -rt 0.05 -u 9
bash -c "$GK_HOP" &
exit 0'

# A fork storm: each process forks a copy of itself every 50 ms until
# GK_END; pids.max stops the growth.
STORM_SH='while ((EPOCHSECONDS < GK_END)); do
	bash -c "$GK_STORM" &
	read -rt 0.05 -u 9
done'

# hop_start: the hopper, ignoring SIGTERM, in CG and a pids cgroup of 16,
# alive for at most 20 s.  Waits until its first generation has moved on.
hop_start() {
	local fifo=$BATS_TEST_TMPDIR/hop.fifo
	mkfifo "$fifo"
	gk_cg_bounded 16 "$CG" -- env GK_HOP="$HOP_SH" \
	    GK_END=$((EPOCHSECONDS + 20)) bash -c \
	    'trap "" TERM; exec 9<>"$1"; exec bash -c "$GK_HOP"' hop "$fifo" \
	    >/dev/null 2>&1 3>&- &
	gk_record $!
	gk_poll gk_gone $! && gk_poll cg_events "$CG" 'populated 1'
}

# storm_start: the fork storm, ignoring SIGTERM, as PID 1 of a PID
# namespace, in CG and a pids cgroup of 40, alive for at most 15 s.
# Waits until it has grown.  Sets STORM (the process whose child is the
# namespace's init).
storm_start() {
	local fifo=$BATS_TEST_TMPDIR/storm.fifo
	mkfifo "$fifo"
	gk_cg_bounded 40 "$CG" -- env --ignore-signal=TERM GK_STORM="$STORM_SH" \
	    GK_END=$((EPOCHSECONDS + 15)) "${GK_PIDNS[@]}" bash -c \
	    'exec 9<>"$1"; exec bash -c "$GK_STORM"' storm "$fifo" \
	    >/dev/null 2>&1 3>&- &
	STORM=$!
	gk_record "$STORM"
	gk_poll cg_count "$CG" 12
}

# cg_traced FAULT... -- ARG...: run gracekill ARG... under strace with
# FAULT (strace options) injected.
cg_traced() {
	local fault=()
	while [[ $1 != -- ]]; do
		fault+=("$1")
		shift
	done
	shift
	run --separate-stderr gk_strace -f -qq --seccomp-bpf -o /dev/null \
	    "${fault[@]}" "$GRACEKILL" "$@"
}

@test "--tree misses a daemon that double-forked out of its service; --cgroup stops it" {
	local svc daemon dcmd S D
	svc=$(gk_name)
	daemon=$(gk_name)
	dcmd=$(gk_child_cmd d "$daemon" -c TERM -x 0)
	gk_start_cmd "$svc" gk_cg_exec "$CG" -- sh -c "($dcmd &); exec \"\$@\"" \
	    sh "$(gk_link "$svc")" -c TERM -x 3
	S=$GK_PID
	D=$(gk_child_pid d)
	[[ $(cg_ppid "$D") != "$S" ]]
	gx_json_run --tree -t 2 -p "$S"
	assert_status 0
	assert_jq '.targets | length == 1'
	assert_jq 'has("cgroups") | not'
	gx_assert_target "$S" .outcome '"exited"'
	gx_assert_target "$S" .exit '{"code":3}'
	gx_assert_target "$S" .cgroup null
	gk_assert_exit "$S" 3
	gk_assert_alive "$D"
	gx_assert_log_empty "$(gk_child_log d)"

	gx_json_run --cgroup "$CGP" -t 2
	assert_status 0
	assert_jq '.targets | length == 1'
	gx_assert_target "$D" .outcome '"exited"'
	gx_assert_target "$D" .exit '{"code":0}'
	gx_assert_target "$D" .signals '["TERM"]'
	gx_assert_target "$D" .cgroup "\"$CGP\""
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_siglog "$(gk_child_log d)" TERM
	gk_assert_dead "$D"
	cg_events "$CG" 'populated 0'
}

@test "a process that keeps moving to a new PID is stopped with its cgroup" {
	hop_start
	gk_run --json -v -t 300ms --kill-wait 3s --cgroup "$CGP"
	assert_status 0
	# Waiting ends only once the cgroup is empty.
	cg_events "$CG" 'populated 0'
	cg_event "wrote cgroup.kill of $CGP"
	cg_outcomes_ok
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	assert_jq "[.targets[].cgroup] - [\"$CGP\"] == []"
	assert_jq '.exit_code == 0'
}

@test "a bounded fork storm in a cgroup ends by cgroup.kill" {
	storm_start
	local init t0
	init=$(gk_children "$STORM")
	t0=$(gk_us)
	gk_run --json -v -t 200ms --kill-wait 3s --cgroup "$CGP"
	assert_status 0
	assert_elapsed_below "$t0" 3000
	cg_events "$CG" 'populated 0'
	cg_event "wrote cgroup.kill of $CGP"
	cg_no_event '\] froze '
	cg_outcomes_ok
	# The namespace's init takes no SIGTERM from outside.
	gx_assert_target "$init" .outcome '"killed"'
	gx_assert_target "$init" .signals '["TERM","KILL"]'
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_gone "$STORM"
}

@test "without cgroup.kill the storm is frozen, killed member by member, thawed" {
	storm_start
	# The first stat at the cgroup's directory is cgroup.kill's.
	cg_traced -e trace=newfstatat -P "$CG" \
	    -e inject=newfstatat:error=ENOENT:when=1 -- \
	    --json -v -t 200ms --kill-wait 3s --cgroup "$CGP"
	assert_status 0
	cg_events "$CG" 'populated 0'
	cg_events "$CG" 'frozen 0'
	cg_no_event 'wrote cgroup\.kill'
	cg_event "froze $CGP"
	cg_event "thawed $CGP"
	cg_outcomes_ok
	assert_jq '[.targets[] | select(.outcome == "killed")] | length > 0'
	assert_jq '[.targets[].signals[]] - ["TERM", "KILL"] == []'
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_gone "$STORM"
}

@test "a failed write of cgroup.kill is trouble, and the freeze path still ends all" {
	storm_start
	cg_traced -e trace=write -P "$CG/cgroup.kill" \
	    -e inject=write:error=EBUSY -- \
	    --json -v -t 200ms --kill-wait 3s --cgroup "$CGP"
	assert_status 3
	assert_stderr_line "gracekill: cgroup $CGP: cgroup.kill: Device or resource busy"
	cg_events "$CG" 'populated 0'
	cg_events "$CG" 'frozen 0'
	cg_no_event 'wrote cgroup\.kill'
	cg_event "froze $CGP"
	cg_event "thawed $CGP"
	cg_outcomes_ok
	assert_jq '.exit_code == 3'
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
}

@test "gracekill inside the cgroup it stops (ExecStop=) spares itself and its shell" {
	local c1 m1 m2 c base stop sh gk
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0)
	cg_start "$CG" -c TERM -x 0 -s "$c1"
	m1=$GK_PID
	c=$(gk_child_pid c1)
	cg_start "$CG" -i TERM
	m2=$GK_PID
	base=$BATS_TEST_TMPDIR/stop
	# The shell notes any signal it gets; gracekill is its child.
	stop='for s in TERM INT HUP QUIT USR1; do trap "echo $s >>\"$1.sig\"" $s; done
"$0" --json -v --cgroup "$2" -t 300ms --kill-wait 2s >"$1.out" 2>"$1.err"
echo $? >"$1.rc"'
	gk_cg_exec "$CG" -- bash -c "$stop" "$GRACEKILL" "$base" "$CGP" \
	    >/dev/null 2>&1 3>&- &
	sh=$!
	gk_record "$sh"
	gk_assert_exit "$sh" 0
	[[ $(<"$base.rc") == 0 ]]
	[[ ! -e $base.sig ]]
	output=$(<"$base.out")
	mapfile -t stderr_lines <"$base.err"
	stderr=$(<"$base.err")
	gk=$(gk_jq '.targets[] | select(.reason == "gracekill itself") | .pid')
	[[ $gk =~ ^[0-9]+$ ]]
	gx_assert_target "$gk" .outcome '"skipped"'
	gx_assert_target "$gk" .signals '[]'
	gx_assert_target "$sh" .outcome '"skipped"'
	gx_assert_target "$sh" .reason '"ancestor of gracekill"'
	gx_assert_target "$sh" .signals '[]'
	gx_assert_target "$m1" .signals '["TERM"]'
	gx_assert_target "$m1" .exit '{"code":0}'
	gx_assert_target "$c" .outcome '"exited"'
	gx_assert_target "$m2" .outcome '"killed"'
	gx_assert_target "$m2" .signals '["TERM","KILL"]'
	assert_jq '.targets | length == 5'
	# Not empty: gracekill and its shell were still in it.
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": false}]"
	assert_jq '.exit_code == 0'
	cg_event "skipping $gk (${GRACEKILL##*/}): gracekill itself"
	cg_event "skipping $sh (bash): ancestor of gracekill"
	cg_no_event 'cgroup\.kill|froze|got SIG'
	gk_assert_exit "$m1" 0
	gk_assert_exit "$m2" KILL
	gk_assert_dead "$c"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	cg_events "$CG" 'populated 0'
}

@test "nested cgroups: a member of a child cgroup is stopped, reported under the selected path" {
	local sub other m0 m1 k
	sub=$(gk_cg_make "$CG")
	other=$(gk_cg_make)
	cg_start "$CG" -c TERM -x 0
	m0=$GK_PID
	cg_start "$sub" -i TERM
	m1=$GK_PID
	cg_start "$other" -c TERM -x 0
	k=$GK_PID
	gx_json_run --cgroup "$CGP" -t 300ms
	assert_status 0
	assert_jq '.targets | length == 2'
	gx_assert_target "$m0" .cgroup "\"$CGP\""
	gx_assert_target "$m1" .cgroup "\"$CGP\""
	gx_assert_target "$m0" .outcome '"exited"'
	gx_assert_target "$m1" .outcome '"killed"'
	gx_assert_target "$m1" .signals '["TERM","KILL"]'
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_exit "$m0" 0
	gk_assert_exit "$m1" KILL
	gk_assert_alive "$k"
	gx_assert_log_empty "$GK_LOG"
	cg_events "$sub" 'populated 0'
}

@test "a child cgroup selected alone leaves its parent's members; text report" {
	local sub subp m0 m1 name
	sub=$(gk_cg_make "$CG")
	subp=$(gk_cg_path "$sub")
	cg_start "$CG" -c TERM -x 0
	m0=$GK_PID
	local m0_log=$GK_LOG
	name=$(gk_name)
	cg_start -n "$name" "$sub" -c TERM -x 4
	m1=$GK_PID
	gk_run --cgroup "$subp" -t 2
	assert_status 0
	assert_output_lines 2
	[[ ${lines[0]} =~ ^$m1\ $name:\ exited\ with\ status\ 4\ after\ $gk_time_re$gk_reap_re$ ]]
	[[ ${lines[1]} == "cgroup $subp: empty" ]]
	gk_assert_exit "$m1" 4
	gk_assert_alive "$m0"
	gx_assert_log_empty "$m0_log"
}

@test "a missing cgroup selects nothing and says so" {
	local name
	name=$(gk_name)
	gk_run --cgroup "/$name"
	assert_status 1
	assert_stderr "gracekill: cgroup /$name: no such cgroup" \
	    "gracekill: no matching process"
	[[ $output == "cgroup /$name: no such cgroup" ]]
	gx_json_run --cgroup "$name/x" -t 1
	assert_status 1
	assert_jq '.targets == []'
	assert_jq ".cgroups == [{\"path\": \"/$name/x\", \"empty\": true}]"
	assert_jq '.exit_code == 1'
}

@test "a missing cgroup next to an existing one: the existing one is stopped" {
	local name m
	name=$(gk_name)
	cg_start "$CG" -c TERM -x 0
	m=$GK_PID
	gk_run --cgroup "/$name" --cgroup "$CGP" -t 2
	assert_status 0
	assert_stderr "gracekill: cgroup /$name: no such cgroup"
	assert_output_lines 3
	[[ ${lines[1]} == "cgroup /$name: no such cgroup" ]]
	[[ ${lines[2]} == "cgroup $CGP: empty" ]]
	gk_assert_exit "$m" 0
}

@test "a missing cgroup before an existing one: JSON names the existing one per target" {
	local name m
	name=$(gk_name)
	cg_start "$CG" -c TERM -x 0
	m=$GK_PID
	gx_json_run --cgroup "/$name" --cgroup "$CGP" -t 2
	assert_status 0
	assert_jq '.targets | length == 1'
	gx_assert_target "$m" .cgroup "\"$CGP\""
	assert_jq ".cgroups == [{\"path\": \"/$name\", \"empty\": true}, {\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_exit "$m" 0
}

# cg_trace_members [STRACE OPTION]...: stop a member of CG and one of a
# child cgroup, not an outsider of the same name, tracing gracekill's
# openat and ioctl calls into $BATS_TEST_TMPDIR/trace.  Sets m0, m1, k.
cg_trace_members() {
	local name sub
	name=$(gk_name)
	sub=$(gk_cg_make "$CG")
	cg_start -n "$name" "$CG" -c TERM -x 0
	m0=$GK_PID
	cg_start -n "$name" "$sub" -c TERM -x 0
	m1=$GK_PID
	cg_start -n "$name" "$(gk_cg_make)" -c TERM -x 0
	k=$GK_PID
	run --separate-stderr gk_strace -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=openat,ioctl "$@" "$GRACEKILL" --json -t 2 --cgroup "$CGP" \
	    -n "$name"
	assert_status 0
	assert_jq '.targets | length == 2'
	gx_assert_target "$m0" .outcome '"exited"'
	gx_assert_target "$m1" .outcome '"exited"'
	gk_assert_alive "$k"
}

# cg_read_cgroup_file PID: the trace shows gracekill reading PID/cgroup.
cg_read_cgroup_file() { grep -q "\"$1/cgroup\"" "$BATS_TEST_TMPDIR/trace" || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }; }

@test "a member of the cgroup itself is confirmed by its pidfd's cgroup ID, of a child cgroup through /proc" {
	cg_trace_members
	if cg_read_cgroup_file "$m0"; then
		echo "read /proc/$m0/cgroup although the pidfd tells" >&2
		false
	fi
	cg_read_cgroup_file "$m1"
}

@test "without PIDFD_GET_INFO every member is confirmed through /proc/PID/cgroup" {
	cg_trace_members -e inject=ioctl:error=ENOTTY
	cg_read_cgroup_file "$m0"
	cg_read_cgroup_file "$m1"
}

@test "no cgroup2 mounted is trouble" {
	local mount
	mount=$(gk_cg_mount)
	# In a mount namespace of its own, made private before the unmount
	# so that nothing propagates to the host's.
	run --separate-stderr unshare --mount --propagation unchanged sh -c \
	    'mount --make-private "$1" && umount "$1" && shift && exec "$@"' \
	    sh "$mount" "$GRACEKILL" --cgroup "$CGP" -t 1
	assert_status 3
	assert_stderr "gracekill: no cgroup2 file system is mounted"
	gk_cg_mount >/dev/null
}

@test "--unit finds a service's cgroup, with and without .service" {
	local unit base path form m
	unit=$(gk_cg_unit "$CG")
	path=$(gk_cg_path "$unit")
	base=${unit##*/}
	base=${base%.service}
	for form in "$base" "$base.service"; do
		cg_start "$unit" -c TERM -x 0
		m=$GK_PID
		gx_json_run --unit "$form" -t 2
		assert_status 0
		assert_jq '.targets | length == 1'
		gx_assert_target "$m" .outcome '"exited"'
		gx_assert_target "$m" .cgroup "\"$path\""
		assert_jq ".cgroups == [{\"path\": \"$path\", \"empty\": true}]"
		gk_assert_exit "$m" 0
	done
}

@test "--unit keeps another unit type's suffix" {
	local scope m
	scope=$(gk_cg_mkdir "$CG/$(gk_name).scope")
	cg_start "$scope" -c TERM -x 0
	m=$GK_PID
	gx_json_run --unit "${scope##*/}" -t 2
	assert_status 0
	gx_assert_target "$m" .cgroup "\"$(gk_cg_path "$scope")\""
	gk_assert_exit "$m" 0
}

@test "--unit: a name that fits two cgroups is trouble naming both" {
	local cg2 name u1 u2 p1 p2 m1 m2
	cg2=$(gk_cg_make)
	name=$(gk_name)
	u1=$(gk_cg_unit "$CG" "$name")
	u2=$(gk_cg_unit "$cg2" "$name")
	cg_start "$u1" -c TERM -x 0
	m1=$GK_PID
	local m1_log=$GK_LOG
	cg_start "$u2" -c TERM -x 0
	m2=$GK_PID
	{ read -r p1; read -r p2; } < <(printf '%s\n' "$(gk_cg_path "$u1")" \
	    "$(gk_cg_path "$u2")" | LC_ALL=C sort)
	gk_run --unit "$name" -t 1
	assert_status 3
	assert_stderr "gracekill: unit $name.service: 2 cgroups have that name: $p1 $p2; give one with --cgroup"
	[[ -z $output ]]
	gk_assert_alive "$m1" "$m2"
	gx_assert_log_empty "$m1_log"
	gx_assert_log_empty "$GK_LOG"
}

@test "--unit: no such unit selects nothing" {
	local name
	name=$(gk_name)
	gk_run --unit "$name" -t 1
	assert_status 1
	assert_stderr "gracekill: unit $name.service: no such cgroup" \
	    "gracekill: no matching process"
}

@test "every form of a cgroup path selects the same cgroup" {
	local mount rel form m
	mount=$(gk_cg_mount)
	rel=${CGP#/}
	for form in "$CGP" "$rel" "$mount/$rel" "//$rel/" "$mount//$rel/"; do
		cg_start "$CG" -c TERM -x 0
		m=$GK_PID
		gx_json_run --cgroup "$form" -t 2
		assert_status 0
		assert_jq '.targets | length == 1'
		gx_assert_target "$m" .cgroup "\"$CGP\""
		assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
		gk_assert_exit "$m" 0
	done
}

@test "the root cgroup and paths with . or .. are refused" {
	local mount safe form
	mount=$(gk_cg_mount)
	# -n of a name nothing has: harmless even if the refusal failed.
	safe=$(gk_name)
	for form in / // "$mount" "$mount/"; do
		gk_run --cgroup "$form" -n "$safe"
		assert_status 64
		assert_stderr "gracekill: --cgroup: refusing the root cgroup '$form': it holds every process"
	done
	for form in "${CGP#/}/.." "$CGP/." .. "$mount/.."; do
		gk_run --cgroup "$form" -n "$safe"
		assert_status 64
		assert_stderr "gracekill: --cgroup: invalid cgroup: '$form'"
	done
	gk_run --cgroup "" -n "$safe"
	assert_status 64
	assert_stderr "gracekill: --cgroup: empty argument: ''"
}

@test "--cgroup narrowed by -n: only members of that name, frozen not cgroup.kill" {
	local na nb a1 a2 c1 c1_log c2 c2_log
	na=$(gk_name)
	nb=$(gk_name)
	cg_start -n "$na" "$CG" -i TERM
	a1=$GK_PID
	cg_start -n "$na" "$CG" -c TERM -x 0
	a2=$GK_PID
	cg_start -n "$nb" "$CG" -c TERM -x 0
	c1=$GK_PID
	c1_log=$GK_LOG
	gk_start -n "$na" -c TERM -x 0
	c2=$GK_PID
	c2_log=$GK_LOG
	gk_run --json -v --cgroup "$CGP" -n "$na" -t 300ms --kill-wait 2s
	assert_status 0
	assert_jq '.targets | length == 2'
	gx_assert_target "$a1" .outcome '"killed"'
	gx_assert_target "$a1" .signals '["TERM","KILL"]'
	gx_assert_target "$a2" .outcome '"exited"'
	gx_assert_target "$a2" .cgroup "\"$CGP\""
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": false}]"
	cg_event "froze $CGP"
	cg_event "thawed $CGP"
	cg_no_event 'cgroup\.kill'
	cg_events "$CG" 'frozen 0'
	gk_assert_exit "$a1" KILL
	gk_assert_exit "$a2" 0
	gk_assert_alive "$c1" "$c2"
	gx_assert_log_empty "$c1_log"
	gx_assert_log_empty "$c2_log"
	# The control is thawed: it still answers a signal.
	kill -TERM "$c1"
	gk_assert_exit "$c1" 0
}

@test "--tree=mixed with a cgroup: graceful steps to its root processes only" {
	local s1 s2 p p_log r c1 c2
	s1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -c INT -k 0)
	s2=$(gk_child_cmd c2 "$(gk_name)" -c TERM -c INT -k 0)
	cg_start "$CG" -c TERM -x 0 -s "$s1" -s "$s2"
	p=$GK_PID
	p_log=$GK_LOG
	c1=$(gk_child_pid c1)
	c2=$(gk_child_pid c2)
	cg_start "$CG" -c TERM -x 5
	r=$GK_PID
	gx_json_run --tree=mixed -t 300ms --cgroup "$CGP"
	assert_status 0
	assert_jq '.targets | length == 4'
	gx_assert_target "$p" .signals '["TERM"]'
	gx_assert_target "$r" .signals '["TERM"]'
	gx_assert_target "$r" .exit '{"code":5}'
	gx_assert_target "$c1" .signals '["KILL"]'
	gx_assert_target "$c2" .signals '["KILL"]'
	gx_assert_target "$c1" .outcome '"killed"'
	gx_assert_target "$c2" .cgroup "\"$CGP\""
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	gk_assert_exit "$p" 0
	gk_assert_exit "$r" 5
	gk_assert_siglog "$p_log" TERM
	gk_assert_siglog "$(gk_child_log c1)"
	gk_assert_siglog "$(gk_child_log c2)"
	gk_assert_dead "$c1" "$c2"
}

@test "--tree with a cgroup: SIGSTOP before SIGKILL is never listed" {
	local s1 p c1
	s1=$(gk_child_cmd c1 "$(gk_name)" -i TERM)
	cg_start "$CG" -i TERM -s "$s1"
	p=$GK_PID
	c1=$(gk_child_pid c1)
	gk_run --json -v --tree -t 300ms --cgroup "$CGP"
	assert_status 0
	gx_assert_target "$p" .signals '["TERM","KILL"]'
	gx_assert_target "$c1" .signals '["TERM","KILL"]'
	gx_assert_target "$c1" .outcome '"killed"'
	assert_jq '[.targets[].signals[]] - ["TERM", "KILL"] == []'
	gk_assert_exit "$p" KILL
	gk_assert_dead "$c1"
}

@test "--tree with a cgroup: a child that is a zombie when found gets no signal" {
	local p z zf=$BATS_TEST_TMPDIR/z.pid
	# On SIGTERM the member forks a child that exits at once, never reaped.
	cg_start "$CG" -c TERM -k 0 -S "echo \$\$ >$zf"
	p=$GK_PID
	gk_run --json -v --tree -t 600ms --cgroup "$CGP"
	assert_status 0
	z=$(<"$zf")
	gx_assert_target "$z" .outcome '"exited"'
	gx_assert_target "$z" .exit '{"code":0}'
	gx_assert_target "$z" .signals '[]'
	cg_event "$z (sh) is a zombie already: nothing to send"
	cg_no_event "sent SIG[A-Z]+ to $z "
	gx_assert_target "$p" .signals '["TERM","KILL"]'
	gk_assert_exit "$p" KILL
}

@test "--dry-run lists the members of a cgroup and signals nothing" {
	local sub m0 n0 m1 n1 l0 l1
	sub=$(gk_cg_make "$CG")
	n0=$(gk_name)
	cg_start -n "$n0" "$CG" -c TERM -x 0
	m0=$GK_PID
	l0=$GK_LOG
	n1=$(gk_name)
	cg_start -n "$n1" "$sub" -c TERM -x 0
	m1=$GK_PID
	l1=$GK_LOG
	gk_run --dry-run --cgroup "$CGP"
	assert_status 0
	assert_output_lines 3
	assert_output_match "^$m0 root $n0 .*/$n0 -c TERM -x 0 "
	assert_output_match "^$m1 root $n1 .*/$n1 -c TERM -x 0 "
	[[ ${lines[2]} == "schedule: TERM/10s/KILL/5s" ]]
	gx_json_run --dry-run --cgroup "$CGP"
	assert_status 0
	gx_assert_target "$m0" .outcome '"matched"'
	gx_assert_target "$m1" .cgroup "\"$CGP\""
	gx_assert_target "$m1" .signals '[]'
	assert_jq '.summary.matched == 2'
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": false}]"
	gk_assert_alive "$m0" "$m1"
	gx_assert_log_empty "$l0"
	gx_assert_log_empty "$l1"
}

@test "JSON: per-target cgroup, the cgroups list, no SIGCONT listed" {
	local m1 m2 m3
	cg_start "$CG" -c TERM -x 7
	m1=$GK_PID
	cg_start "$CG" -i TERM
	m2=$GK_PID
	cg_start "$CG" -c TERM -x 0
	m3=$GK_PID
	kill -STOP "$m3"
	gk_poll gx_stopped "$m3"
	gk_start -c TERM -x 0
	local k=$GK_PID
	gx_json_run --cgroup "$CGP" -t 300ms
	assert_status 0
	assert_jq '.targets | length == 3'
	gx_assert_target "$m1" .outcome '"exited"'
	gx_assert_target "$m1" .exit '{"code":7}'
	gx_assert_target "$m1" .signals '["TERM"]'
	gx_assert_target "$m2" .outcome '"killed"'
	gx_assert_target "$m2" .exit '{"signal":"KILL"}'
	gx_assert_target "$m2" .signals '["TERM","KILL"]'
	gx_assert_target "$m2" .reason '"ignores SIGTERM"'
	gx_assert_target "$m3" .outcome '"exited"'
	gx_assert_target "$m3" .signals '["TERM"]'
	assert_jq "[.targets[].cgroup] == [\"$CGP\", \"$CGP\", \"$CGP\"]"
	assert_jq ".cgroups == [{\"path\": \"$CGP\", \"empty\": true}]"
	assert_jq '.summary == {"exited": 2, "killed": 1, "survived": 0, "vanished": 0, "denied": 0, "skipped": 0}'
	assert_jq '.exit_code == 0'
	gk_assert_exit "$m1" 7
	gk_assert_exit "$m2" KILL
	gk_assert_exit "$m3" 0
	gk_assert_alive "$k"
}
