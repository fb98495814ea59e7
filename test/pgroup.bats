#!/usr/bin/env bats
# -g/--pgroup PGID[,...] and --session SID[,...] (issue 12): members of
# those process groups and sessions; 0 is gracekill's own.  Each group
# or session is one the test makes (setsid, or bash's job control);
# gracekill's own is only ever that of a script in a new session, never
# the test's, which bats shares with other processes.

# Scripts for other shells are single-quoted; helper.bash sets gk_time_re.
# shellcheck disable=SC2016,SC2154

# helper.bash sets gk_time_re and gk_reap_re.
# shellcheck disable=SC2154

load helper

# pg_start [-n NAME] [GK-TARGET OPTION]...: gk_start with the target the
# leader of a new session and process group (setsid execs at once: a
# background job of the test's shell leads no group).
pg_start() {
	local name=""
	if [[ $1 == -n ]]; then
		name=$2
		shift 2
	fi
	[[ -n $name ]] || name=$(gk_name)
	gk_start_cmd "$name" setsid "$(gk_link "$name")" "$@"
}

# pg_ids PID: "PGID SID" of PID.
pg_ids() {
	local stat f
	read -r stat <"/proc/$1/stat"
	read -ra f <<<"${stat##*) }"
	printf '%s %s\n' "${f[2]}" "${f[3]}"
}

# pg_session_start: a gk-target that leads a new session, after its bash
# has started members m1 (exits on TERM) and m2 (ignores TERM), each in
# a process group of its own (job control).  Sets L, M1, M2.
pg_session_start() {
	local name m1c m2c
	name=$(gk_name)
	m1c=$(gk_child_cmd m1 "$(gk_name)" -c TERM -x 0)
	m2c=$(gk_child_cmd m2 "$(gk_name)" -i TERM)
	gk_start_cmd "$name" setsid bash -c \
	    "set -m; $m1c & $m2c & set +m; exec \"\$@\"" bash \
	    "$(gk_link "$name")" -c TERM -x 0
	L=$GK_PID
	M1=$(gk_child_pid m1)
	M2=$(gk_child_pid m2)
	[[ $(pg_ids "$L") == "$L $L" ]]
	[[ $(pg_ids "$M1") == "$M1 $L" ]]
	[[ $(pg_ids "$M2") == "$M2 $L" ]]
}

# pg_own SELECTOR: run a script as the leader of a new session that
# starts m1 (exits on TERM) and m2 (ignores TERM), in its own group, or
# with job control each in a group of its own when SELECTOR is
# --session, then runs gracekill --json SELECTOR 0, first as a dry run
# with -g 0.  Sets S (the script), M1, M2, and output, stderr, DRY (the
# dry run's report) and RC from gracekill.
pg_own() {
	local sel=$1 m1c m2c base script jc=""
	m1c=$(gk_child_cmd m1 "$(gk_name)" -c TERM -x 0)
	m2c=$(gk_child_cmd m2 "$(gk_name)" -i TERM)
	base=$BATS_TEST_TMPDIR/own
	[[ $sel == --session ]] && jc="set -m"
	script="$jc
$m1c &
$m2c &
set +m"'
for i in {1..500}; do
	[[ -s $1/m1.ready && -s $1/m2.ready ]] && break
	sleep 0.01
done
[[ -s $1/m1.ready && -s $1/m2.ready ]] || exit 99
"$0" --json --dry-run -g 0 >"$2.dry"
"$0" --json "$3" 0 -t 300ms --kill-wait 2s >"$2.out" 2>"$2.err"
echo $? >"$2.rc"'
	setsid bash -c "$script" "$GRACEKILL" "$GK_RUNDIR" "$base" "$sel" \
	    >/dev/null 2>&1 3>&- &
	S=$!
	gk_record "$S"
	M1=$(gk_child_pid m1)
	M2=$(gk_child_pid m2)
	gk_assert_exit "$S" 0
	RC=$(<"$base.rc")
	DRY=$(<"$base.dry")
	output=$(<"$base.out")
	stderr=$(<"$base.err")
}

@test "-g: every member of a process group, a control in another group survives" {
	local c1 c2 l k k_log k2 k2_log
	c1=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 0)
	c2=$(gk_child_cmd c2 "$(gk_name)" -i TERM)
	pg_start -c TERM -x 0 -s "$c1" -s "$c2"
	l=$GK_PID
	local a b
	a=$(gk_child_pid c1)
	b=$(gk_child_pid c2)
	[[ $(pg_ids "$a") == "$l $l" ]]
	[[ $(pg_ids "$b") == "$l $l" ]]
	pg_start -c TERM -x 0
	k=$GK_PID
	k_log=$GK_LOG
	gk_start -c TERM -x 0
	k2=$GK_PID
	k2_log=$GK_LOG
	gx_json_run -g "$l" -t 300ms
	assert_status 0
	assert_jq '.targets | length == 3'
	gx_assert_target "$l" .outcome '"exited"'
	gx_assert_target "$l" .signals '["TERM"]'
	gx_assert_target "$a" .outcome '"exited"'
	gx_assert_target "$b" .outcome '"killed"'
	gx_assert_target "$b" .signals '["TERM","KILL"]'
	gx_assert_target "$b" .cgroup null
	assert_jq 'has("cgroups") | not'
	gk_assert_exit "$l" 0
	gk_assert_dead "$a" "$b"
	gk_assert_siglog "$(gk_child_log c1)" TERM
	gk_assert_alive "$k" "$k2"
	gx_assert_log_empty "$k_log"
	gx_assert_log_empty "$k2_log"
}

@test "--pgroup, the long form, in text" {
	local l name
	name=$(gk_name)
	pg_start -n "$name" -c TERM -x 6
	l=$GK_PID
	gk_run --pgroup "$l" -t 2
	assert_status 0
	assert_output_lines 1
	[[ ${lines[0]} =~ ^$l\ $name:\ exited\ with\ status\ 6\ after\ $gk_time_re$gk_reap_re$ ]]
	gk_assert_exit "$l" 6
}

@test "-g 0: gracekill's own group, from a script in a new session" {
	local k k_log k2 k2_log gk
	gk_start -c TERM -x 0
	k=$GK_PID
	k_log=$GK_LOG
	pg_start -c TERM -x 0
	k2=$GK_PID
	k2_log=$GK_LOG
	pg_own -g
	[[ $RC == 0 ]]
	assert_jq '.targets | length == 4'
	gx_assert_target "$M1" .outcome '"exited"'
	gx_assert_target "$M1" .signals '["TERM"]'
	gx_assert_target "$M2" .outcome '"killed"'
	gx_assert_target "$M2" .signals '["TERM","KILL"]'
	gx_assert_target "$S" .outcome '"skipped"'
	gx_assert_target "$S" .reason '"ancestor of gracekill"'
	gk=$(gk_jq '.targets[] | select(.reason == "gracekill itself") | .pid')
	[[ $gk =~ ^[0-9]+$ ]]
	gx_assert_target "$gk" .signals '[]'
	assert_jq '.exit_code == 0'
	gk_assert_dead "$M1" "$M2"
	gk_assert_siglog "$(gk_child_log m1)" TERM
	gk_assert_alive "$k" "$k2"
	gx_assert_log_empty "$k_log"
	gx_assert_log_empty "$k2_log"
}

@test "--session: members in several groups of a session, a control outside survives" {
	local k k_log k2 k2_log
	gk_start -c TERM -x 0
	k=$GK_PID
	k_log=$GK_LOG
	pg_start -c TERM -x 0
	k2=$GK_PID
	k2_log=$GK_LOG
	pg_session_start
	# The leader's group is the leader alone.
	gx_json_run --dry-run -g "$L"
	assert_status 0
	assert_jq "[.targets[].pid] == [$L]"
	gx_json_run --session "$L" -t 300ms
	assert_status 0
	assert_jq '.targets | length == 3'
	gx_assert_target "$L" .outcome '"exited"'
	gx_assert_target "$M1" .outcome '"exited"'
	gx_assert_target "$M2" .outcome '"killed"'
	gx_assert_target "$M2" .signals '["TERM","KILL"]'
	gk_assert_exit "$L" 0
	gk_assert_dead "$M1" "$M2"
	gk_assert_alive "$k" "$k2"
	gx_assert_log_empty "$k_log"
	gx_assert_log_empty "$k2_log"
}

@test "--session 0: gracekill's own session, from a script in a new session" {
	local k k_log
	gk_start -c TERM -x 0
	k=$GK_PID
	k_log=$GK_LOG
	pg_own --session
	[[ $RC == 0 ]]
	# m1 and m2 lead groups of their own: -g 0 found only the script
	# and gracekill, never targets, so nothing matched.
	jq -e '.exit_code == 1 and ([.targets[].outcome] | unique) == ["skipped"]' <<<"$DRY"
	assert_jq '.targets | length == 4'
	gx_assert_target "$M1" .outcome '"exited"'
	gx_assert_target "$M2" .outcome '"killed"'
	gx_assert_target "$S" .reason '"ancestor of gracekill"'
	assert_jq '[.targets[] | select(.reason == "gracekill itself")] | length == 1'
	assert_jq '.exit_code == 0'
	gk_assert_dead "$M1" "$M2"
	gk_assert_alive "$k"
	gx_assert_log_empty "$k_log"
}

@test "-g and --session take comma lists and repeat" {
	local l1 l2 l3 l3_log opt
	for opt in -g --session; do
		pg_start -c TERM -x 1
		l1=$GK_PID
		pg_start -c TERM -x 2
		l2=$GK_PID
		pg_start -c TERM -x 0
		l3=$GK_PID
		l3_log=$GK_LOG
		gx_json_run "$opt" "$l1,$l2" -t 2
		assert_status 0
		assert_jq "[.targets[].pid] == ([$l1, $l2] | sort)"
		gk_assert_exit "$l1" 1
		gk_assert_exit "$l2" 2
		gk_assert_alive "$l3"
		gx_assert_log_empty "$l3_log"
		pg_start -c TERM -x 1
		l1=$GK_PID
		gx_json_run "$opt" "$l1" "$opt" "$l3" -t 2
		assert_status 0
		assert_jq "[.targets[].pid] == ([$l1, $l3] | sort)"
		gk_assert_exit "$l1" 1
		gk_assert_exit "$l3" 0
	done
}

@test "-g narrowed by -n: only the members of that name" {
	local na nb s1 s2 s3 l l_log a1 a2 b k k_log
	na=$(gk_name)
	nb=$(gk_name)
	s1=$(gk_child_cmd a1 "$na" -i TERM)
	s2=$(gk_child_cmd a2 "$na" -c TERM -x 0)
	s3=$(gk_child_cmd b "$nb" -c TERM -x 0)
	pg_start -c TERM -x 0 -s "$s1" -s "$s2" -s "$s3"
	l=$GK_PID
	l_log=$GK_LOG
	a1=$(gk_child_pid a1)
	a2=$(gk_child_pid a2)
	b=$(gk_child_pid b)
	gk_start -n "$na" -c TERM -x 0
	k=$GK_PID
	k_log=$GK_LOG
	gx_json_run -g "$l" -n "$na" -t 300ms
	assert_status 0
	assert_jq '.targets | length == 2'
	gx_assert_target "$a1" .outcome '"killed"'
	gx_assert_target "$a2" .outcome '"exited"'
	gk_assert_dead "$a1" "$a2"
	gk_assert_alive "$l" "$b" "$k"
	gx_assert_log_empty "$l_log"
	gx_assert_log_empty "$(gk_child_log b)"
	gx_assert_log_empty "$k_log"
}

@test "a bad PGID or SID is a usage error" {
	local bad
	for bad in abc -1 1x +5 2147483648 99999999999 ' 1'; do
		gk_run -g "$bad"
		assert_status 64
		assert_stderr "gracekill: --pgroup: invalid PGID: '$bad'"
		gk_run --session "$bad"
		assert_status 64
		assert_stderr "gracekill: --session: invalid SID: '$bad'"
	done
	for bad in '1,' ,1 1,,2 0,x; do
		gk_run --pgroup "$bad"
		assert_status 64
		[[ $stderr == "gracekill: --pgroup: invalid PGID: '"*"'" ]]
	done
	gk_run -g ""
	assert_status 64
	assert_stderr "gracekill: --pgroup: invalid PGID: ''"
}
