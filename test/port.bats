#!/usr/bin/env bats
# --port (issue 13): the holders of a listening TCP or bound UDP socket
# are the targets; after the schedule every port given is checked again,
# and one still held (or held by a process gracekill cannot see) is not
# free.  Every server is a gk-listen on an ephemeral port of 127.0.0.1,
# ::1 or a wildcard, read from its ready file.

# helper.bash and bats set GK_PID, gk_time_re, lines, stderr_lines ...
# shellcheck disable=SC2030,SC2031,SC2153,SC2154

load helper

GK_LISTEN=${GK_LISTEN:-"$BATS_TEST_DIRNAME/gk-listen"}
# A throwaway user of this file's own: another file run at the same time
# (gk_user_del kills every process of its user) cannot end ours.
GK_USER=gkportuser

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }

setup() {
	gk_setup || return 1
	if [[ ! -f $GK_LISTEN || ! -x $GK_LISTEN ]]; then
		echo "test helper missing: $GK_LISTEN (run make)" >&2
		return 1
	fi
	GK_LISTEN=$(realpath "$GK_LISTEN")
	GL_SEQ=0
	GX_UDIR=''
}

# gl_live_child PID: PID has a child that is not a zombie.
gl_live_child() {
	local c
	for c in $(gk_children "$1"); do
		gk_alive "$c" && return 0
	done
	return 1
}

# gl_settled: the listener being started is ready, or it has ended.
gl_settled() { [[ -s $GL_READY ]] || ! gl_live_child "$GL_PARENT"; }

# gl_start [-U] [-n NAME] [GK-LISTEN OPTION]...: start gk-listen under
# NAME (default: a fresh one), with -U as GK_USER, and wait until it is
# ready.  Its parent is a gk-target ignoring SIGCHLD, so the kernel reaps
# it the moment it exits and its report line never depends on when a
# shell gets round to it.  Records the listener, its workers and child.
# Sets GL_PID, GL_PORT, GL_NAME, GL_PATH, GL_READY, GL_PARENT, GL_WORKERS
# (an array) and GL_CHILD.  Returns 2 when gk-listen ended without being
# ready (its port taken by another socket of the machine).
gl_start() {
	local name="" user=false bin=$GK_LISTEN dir=$GK_RUNDIR cmd f pid
	while :; do
		case ${1-} in
		-U) user=true; shift ;;
		-n) name=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[[ -n $name ]] || name=$(gk_name)
	if $user; then
		[[ -n $GX_UDIR ]] || gx_userdir
		if [[ ! -e $GX_UDIR/.gk-listen ]]; then
			cp "$GK_LISTEN" "$GX_UDIR/.gk-listen"
			chmod 0755 "$GX_UDIR/.gk-listen"
		fi
		bin=$GX_UDIR/.gk-listen dir=$GX_UDIR
	fi
	GL_SEQ=$((GL_SEQ + 1))
	GL_NAME=$name
	GL_PATH=$dir/$name
	GL_READY=$dir/l$GL_SEQ.ready
	GL_WORKERS=()
	GL_CHILD=''
	[[ -e $GL_PATH ]] || ln -s "$bin" "$GL_PATH"
	cmd='exec'
	$user && cmd+=$(printf ' setpriv --reuid=%q --regid=%q --clear-groups' \
	    "$GK_USER" "$GK_USER")
	cmd+=$(printf ' %q' "$GL_PATH" "$@" -R "$GL_READY")
	gk_start -i CHLD -c USR1 -k 0 -s "$cmd" || return 1
	GL_PARENT=$GK_PID
	gk_poll gl_settled || return 1
	[[ -s $GL_READY ]] || return 2
	read -r GL_PID GL_PORT <"$GL_READY"
	gk_record "$GL_PID"
	for f in "$GL_READY".*; do
		[[ $f == *.tmp || ! -f $f ]] && continue
		read -r pid <"$f"
		gk_record "$pid"
		if [[ $f == *.child ]]; then
			GL_CHILD=$pid
		else
			GL_WORKERS[${f##*.} - 1]=$pid
		fi
	done
}

# gl_pair FIRST-OPTION... -- SECOND-OPTION...: two listeners on one port:
# the first on an ephemeral port, the second given it with -p.  When
# another socket of the machine holds that port for the second address,
# both are ended and a new port is tried, at most 10 times.  Sets GL1_PID,
# GL1_NAME, GL2_PID, GL2_NAME and GL_PORT.
gl_pair() {
	local first=() second=() try rc
	while [[ $1 != -- ]]; do
		first+=("$1")
		shift
	done
	shift
	second=("$@")
	for try in 1 2 3 4 5 6 7 8 9 10; do
		gl_start "${first[@]}" || return 1
		GL1_PID=$GL_PID GL1_NAME=$GL_NAME
		rc=0
		gl_start "${second[@]}" -p "$GL_PORT" || rc=$?
		if ((rc == 0)); then
			GL2_PID=$GL_PID GL2_NAME=$GL_NAME
			return 0
		fi
		((rc == 2)) || return 1
		echo "port $GL_PORT taken (try $try): another one" >&2
		kill -KILL "$GL1_PID" 2>/dev/null
		gk_wait_gone "$GL1_PID" || return 1
	done
	return 1
}

# gl_line PID NAME TEXT: the ERE of PID's report line with TEXT before
# the duration, and nothing after it (no zombie note).
gl_line() {
	printf '^%s %s: %s after %s$' "$1" "$2" "$3" "$gk_time_re"
}

# gl_assert_pids JQ PID...: the JSON on stdout has JQ (a list of PIDs)
# equal to the PIDs given, in any order.
gl_assert_pids() {
	local want got filter=$1
	shift
	want=$(printf '%s\n' "$@" | sort -n | paste -sd' ')
	got=$(jq -r "$filter | sort | map(tostring) | join(\" \")" \
	    <<<"$output")
	if [[ $got != "$want" ]]; then
		printf '%s: expected %s, got %s\n%s\n' "$filter" "$want" "$got" \
		    "$output" >&2
		return 1
	fi
}

@test "a TCP listener on 127.0.0.1: stopped, the port free, exit 0" {
	gl_start
	gk_run -t 5 --port "$GL_PORT"
	assert_status 0
	assert_stderr_empty
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: free" ]]
	gk_assert_dead "$GL_PID"
	gk_assert_alive "$GL_PARENT"
}

@test "JSON: each port with proto, addr, port, free and held_by" {
	gl_start
	gx_json_run -t 5 --port "127.0.0.1:$GL_PORT"
	assert_status 0
	assert_jq ".ports == [{\"proto\": \"tcp\", \"addr\": \"127.0.0.1\",
	    \"port\": $GL_PORT, \"free\": true, \"held_by\": []}]"
	assert_jq '.targets | length == 1'
	gx_assert_target "$GL_PID" .outcome '"exited"'
	gx_assert_target "$GL_PID" .exit '{"code":0}'
	gx_assert_target "$GL_PID" .signals '["TERM"]'
	gx_assert_target "$GL_PID" .reaped 'true'
	gx_assert_target "$GL_PID" .parent 'null'
	assert_jq '.exit_code == 0 and .summary.exited == 1'
	gk_assert_dead "$GL_PID"
}

@test "IPv6: a listener on ::1 is stopped through [::1]:PORT" {
	gl_start -a ::1
	gk_run -t 5 --port "[::1]:$GL_PORT"
	assert_status 0
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port [::1]:$GL_PORT: free" ]]
	gk_assert_dead "$GL_PID"
	gl_start -a ::1
	gx_json_run -t 5 --port "tcp:[::1]:$GL_PORT"
	assert_status 0
	assert_jq ".ports == [{\"proto\": \"tcp\", \"addr\": \"::1\",
	    \"port\": $GL_PORT, \"free\": true, \"held_by\": []}]"
	gx_assert_target "$GL_PID" .outcome '"exited"'
	gk_assert_dead "$GL_PID"
}

@test "UDP: udp:PORT stops a bound socket, IPv4 and IPv6; tcp is the default" {
	gl_start -u
	u4=$GL_PID u4name=$GL_NAME p4=$GL_PORT
	gl_start -u -a ::1
	u6=$GL_PID u6name=$GL_NAME p6=$GL_PORT
	# Nothing listens on TCP there: nothing matched, the TCP port free.
	gk_run -t 5 --port "$p4"
	assert_status 1
	assert_stderr 'gracekill: no matching process'
	assert_output_lines 1
	[[ ${lines[0]} == "port $p4: free" ]]
	gk_assert_alive "$u4" "$u6"
	gk_run -t 5 --port "udp:$p4" --port "udp:[::1]:$p6"
	assert_status 0
	assert_stderr_empty
	assert_output_lines 4
	lo=$u4 loname=$u4name hi=$u6 hiname=$u6name
	((u4 < u6)) || { lo=$u6 loname=$u6name hi=$u4 hiname=$u4name; }
	assert_line_match 0 "$(gl_line "$lo" "$loname" 'exited with status 0')"
	assert_line_match 1 "$(gl_line "$hi" "$hiname" 'exited with status 0')"
	[[ ${lines[2]} == "port udp:$p4: free" ]]
	[[ ${lines[3]} == "port udp:[::1]:$p6: free" ]]
	gk_assert_dead "$u4" "$u6"
	gl_start -u
	gx_json_run -t 5 --port "udp:127.0.0.1:$GL_PORT"
	assert_status 0
	assert_jq ".ports == [{\"proto\": \"udp\", \"addr\": \"127.0.0.1\",
	    \"port\": $GL_PORT, \"free\": true, \"held_by\": []}]"
	gx_assert_target "$GL_PID" .exit '{"code":0}'
}

@test "a prefork server: the dry run lists master and workers, all holders" {
	gl_start -w 3
	gx_json_run --dry-run --port "$GL_PORT"
	assert_status 0
	gl_assert_pids '[.targets[].pid]' "$GL_PID" "${GL_WORKERS[@]}"
	gl_assert_pids '.ports[0].held_by' "$GL_PID" "${GL_WORKERS[@]}"
	assert_jq '[.targets[].outcome] | unique == ["matched"]'
	assert_jq '.ports[0].free == false and .exit_code == 0'
	gk_assert_alive "$GL_PID" "${GL_WORKERS[@]}"
}

@test "a prefork server stopped with TERM: all gone, the port free, exit 0" {
	gl_start -w 3
	gx_json_run -t 5 --port "$GL_PORT"
	assert_status 0
	gx_assert_target "$GL_PID" .outcome '"exited"'
	gx_assert_target "$GL_PID" .exit '{"code":0}'
	gx_assert_target "$GL_PID" .reaped 'true'
	assert_jq ".ports == [{\"proto\": \"tcp\", \"addr\": null,
	    \"port\": $GL_PORT, \"free\": true, \"held_by\": []}]"
	# Every holder is held before the first signal: the workers the
	# master ends on its TERM are still in the report.
	gl_assert_pids '[.targets[].pid]' "$GL_PID" "${GL_WORKERS[@]}"
	assert_jq '[.targets[].outcome] - ["exited", "vanished"] == []'
	assert_jq '.exit_code == 0'
	gk_assert_dead "$GL_PID" "${GL_WORKERS[@]}"
}

@test "a prefork server ignoring TERM: master and every worker killed" {
	gl_start -w 3 -i
	gx_json_run -t 0.2 --kill-wait 5 --port "$GL_PORT"
	assert_status 0
	gl_assert_pids '[.targets[].pid]' "$GL_PID" "${GL_WORKERS[@]}"
	for p in "$GL_PID" "${GL_WORKERS[@]}"; do
		gx_assert_target "$p" .outcome '"killed"'
		gx_assert_target "$p" .exit '{"signal":"KILL"}'
		gx_assert_target "$p" .signals '["TERM","KILL"]'
		gx_assert_target "$p" .reason '"ignores SIGTERM"'
	done
	assert_jq '.ports[0].free == true and .ports[0].held_by == []'
	assert_jq '.exit_code == 0'
	gk_assert_dead "$GL_PID" "${GL_WORKERS[@]}"
}

@test "SO_REUSEPORT workers, a socket each: all are holders, all killed" {
	gl_start -w 2 -r -i
	gx_json_run -t 0.2 --kill-wait 5 --port "$GL_PORT"
	assert_status 0
	gl_assert_pids '[.targets[].pid]' "$GL_PID" "${GL_WORKERS[@]}"
	assert_jq '[.targets[].outcome] | unique == ["killed"]'
	assert_jq '.ports[0].free == true and .exit_code == 0'
	gk_assert_dead "$GL_PID" "${GL_WORKERS[@]}"
}

@test "a child that inherited the listener and is not selected: not free, exit 2" {
	gl_start -c
	[[ -n $GL_CHILD ]]
	gk_run -t 5 --port "$GL_PORT" -p "$GL_PID"
	assert_status 2
	assert_stderr_empty
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: held by $GL_CHILD ($GL_NAME)" ]]
	gk_assert_dead "$GL_PID"
	gk_assert_alive "$GL_CHILD"
	gx_json_run -t 5 --port "127.0.0.1:$GL_PORT" -p "$GL_PID"
	# The master is gone: nothing matched, and the port is still held.
	assert_status 2
	assert_jq '.targets == []'
	assert_jq ".ports == [{\"proto\": \"tcp\", \"addr\": \"127.0.0.1\",
	    \"port\": $GL_PORT, \"free\": false, \"held_by\": [$GL_CHILD]}]"
	assert_jq '.exit_code == 2'
	gk_assert_alive "$GL_CHILD"
}

@test "the inherited listener with both holders selected: both stopped, free" {
	gl_start -c
	gx_json_run -t 5 --port "$GL_PORT"
	assert_status 0
	gl_assert_pids '[.targets[].pid]' "$GL_PID" "$GL_CHILD"
	gx_assert_target "$GL_PID" .outcome '"exited"'
	gx_assert_target "$GL_CHILD" .outcome '"exited"'
	gx_assert_target "$GL_CHILD" .exit '{"code":0}'
	gx_assert_target "$GL_CHILD" .signals '["TERM"]'
	assert_jq '.ports[0].free == true and .exit_code == 0'
	gk_assert_dead "$GL_PID" "$GL_CHILD"
}

@test "a survivor still holds its port: named in text and JSON, exit 2" {
	gl_start -i
	gk_run -t 0.2 --no-escalate --port "$GL_PORT"
	assert_status 2
	assert_output_lines 2
	[[ ${lines[0]} == "$GL_PID $GL_NAME: survived in state S (ignores SIGTERM)" ]]
	[[ ${lines[1]} == "port $GL_PORT: held by $GL_PID ($GL_NAME)" ]]
	gx_json_run -t 0.2 --no-escalate --port "$GL_PORT"
	assert_status 2
	gx_assert_target "$GL_PID" .outcome '"survived"'
	assert_jq ".ports[0].free == false and .ports[0].held_by == [$GL_PID]"
	assert_jq '.exit_code == 2'
	gk_assert_alive "$GL_PID"
}

@test "ADDR: a listener on 127.0.0.1 is not selected by another address" {
	gl_start
	for spec in "[::1]:$GL_PORT" "127.0.0.2:$GL_PORT" "0.0.0.0:$GL_PORT" \
	    "[::]:$GL_PORT" "udp:127.0.0.1:$GL_PORT"; do
		gk_run -t 5 --port "$spec"
		assert_status 1
		assert_stderr 'gracekill: no matching process'
		assert_output_lines 1
		[[ ${lines[0]} == "port $spec: free" ]]
	done
	gk_assert_alive "$GL_PID"
}

@test "ADDR: a 0.0.0.0 listener is selected by 127.0.0.1:PORT" {
	gl_start -a 0.0.0.0
	gk_run -t 5 --port "127.0.0.1:$GL_PORT"
	assert_status 0
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port 127.0.0.1:$GL_PORT: free" ]]
	gk_assert_dead "$GL_PID"
}

@test "ADDR: a v6only :: listener serves [::1] but not 127.0.0.1" {
	gl_start -a :: -V
	gk_run -t 5 --port "127.0.0.1:$GL_PORT"
	assert_status 1
	[[ ${lines[0]} == "port 127.0.0.1:$GL_PORT: free" ]]
	gk_assert_alive "$GL_PID"
	gk_run -t 5 --port "[::1]:$GL_PORT"
	assert_status 0
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	gk_assert_dead "$GL_PID"
}

@test "ADDR: a dual-stack :: listener serves 127.0.0.1 (net.ipv6.bindv6only 0)" {
	local v6only
	read -r v6only </proc/sys/net/ipv6/bindv6only
	gl_start -a ::
	gk_run -t 5 --port "127.0.0.1:$GL_PORT"
	if [[ $v6only == 0 ]]; then
		assert_status 0
		assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
		gk_assert_dead "$GL_PID"
	else
		# Here a :: socket is v6only unless it says otherwise.
		assert_status 1
		gk_assert_alive "$GL_PID"
	fi
}

@test "ADDR: a listener on ::ffff:127.0.0.1 counts as 127.0.0.1" {
	gl_start -a ::ffff:127.0.0.1
	gk_run -t 5 --port "[::1]:$GL_PORT"
	assert_status 1
	gk_assert_alive "$GL_PID"
	gx_json_run --dry-run --port "127.0.0.1:$GL_PORT"
	assert_status 0
	assert_jq ".targets | map(.pid) == [$GL_PID]"
	# The same through /proc/net, which shows the mapped address.
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=socket:error=EAFNOSUPPORT \
	    "$GRACEKILL" -t 5 --port "[::ffff:127.0.0.1]:$GL_PORT"
	assert_status 0
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port [::ffff:127.0.0.1]:$GL_PORT: free" ]]
	gk_assert_dead "$GL_PID"
}

@test "ADDR: of two listeners on one port, 127.0.0.1:PORT takes the IPv4 one" {
	gl_pair -- -a ::1
	v4=$GL1_PID v4name=$GL1_NAME v6=$GL2_PID v6name=$GL2_NAME
	gk_run -t 5 --port "127.0.0.1:$GL_PORT"
	assert_status 0
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$v4" "$v4name" 'exited with status 0')"
	[[ ${lines[1]} == "port 127.0.0.1:$GL_PORT: free" ]]
	gk_assert_dead "$v4"
	gk_assert_alive "$v6"
	gk_run -t 5 --port "[::1]:$GL_PORT"
	assert_status 0
	assert_line_match 0 "$(gl_line "$v6" "$v6name" 'exited with status 0')"
	gk_assert_dead "$v6"
}

@test "comma lists and repeated --port: every port, reported in order" {
	gl_start
	t4=$GL_PID p1=$GL_PORT
	gl_start -a ::1
	t6=$GL_PID p2=$GL_PORT
	gl_start -u
	u4=$GL_PID p3=$GL_PORT
	gx_json_run -t 5 --port "$p1,[::1]:$p2" --port "udp:$p3"
	assert_status 0
	gl_assert_pids '[.targets[].pid]' "$t4" "$t6" "$u4"
	assert_jq '[.targets[].outcome] | unique == ["exited"]'
	assert_jq ".ports == [
	    {\"proto\": \"tcp\", \"addr\": null, \"port\": $p1, \"free\": true, \"held_by\": []},
	    {\"proto\": \"tcp\", \"addr\": \"::1\", \"port\": $p2, \"free\": true, \"held_by\": []},
	    {\"proto\": \"udp\", \"addr\": null, \"port\": $p3, \"free\": true, \"held_by\": []}]"
	gk_assert_dead "$t4" "$t6" "$u4"
}

@test "comma lists in text; a socket serving two specs is one target" {
	gl_start
	gl_start -u
	u4=$GL_PID u4name=$GL_NAME p3=$GL_PORT
	gl_start
	gk_run -t 5 --port "$GL_PORT,127.0.0.1:$GL_PORT" --port "udp:$p3"
	assert_status 0
	assert_output_lines 5
	lo=$u4 loname=$u4name hi=$GL_PID hiname=$GL_NAME
	((u4 < GL_PID)) || { lo=$GL_PID loname=$GL_NAME hi=$u4 hiname=$u4name; }
	assert_line_match 0 "$(gl_line "$lo" "$loname" 'exited with status 0')"
	assert_line_match 1 "$(gl_line "$hi" "$hiname" 'exited with status 0')"
	[[ ${lines[2]} == "port $GL_PORT: free" ]]
	[[ ${lines[3]} == "port 127.0.0.1:$GL_PORT: free" ]]
	[[ ${lines[4]} == "port udp:$p3: free" ]]
	gk_assert_dead "$u4" "$GL_PID"
}

@test "bad ports and addresses: usage error 64 that quotes the text" {
	gl_start
	local -a cases=(
		"0|port out of range|0"
		"65536|port out of range|65536"
		"99999999999999999999|port out of range|99999999999999999999"
		"|empty argument|"
		"tcp:|missing port|tcp:"
		"udp:|missing port|udp:"
		"127.0.0.1:|missing port|127.0.0.1:"
		"[::1]|missing port|[::1]"
		"http|invalid port|http"
		"80a|invalid port|80a"
		"-1|invalid port|-1"
		"+80|invalid port|+80"
		" 80|invalid port| 80"
		"80 |invalid port|80 "
		"0x50|invalid port|0x50"
		"sctp:80|invalid protocol or address|sctp:80"
		"TCP:80|invalid protocol or address|TCP:80"
		"localhost:80|invalid protocol or address|localhost:80"
		"tcp:udp:80|invalid protocol or address|tcp:udp:80"
		"256.1.1.1:80|invalid IPv4 address|256.1.1.1:80"
		"1.2.3:80|invalid IPv4 address|1.2.3:80"
		":80|missing address|:80"
		"::1:80|IPv6 address needs brackets|::1:80"
		"fe80::1:80|IPv6 address needs brackets|fe80::1:80"
		"[::1]80|missing ':' after ']'|[::1]80"
		"[::1|invalid IPv6 address|[::1"
		"[]:80|invalid IPv6 address|[]:80"
		"[127.0.0.1]:80|invalid IPv6 address|[127.0.0.1]:80"
		"[fe80::1%lo]:80|invalid IPv6 address|[fe80::1%lo]:80"
		"[::1]:0|port out of range|[::1]:0"
		"80,|missing port|"
		"$GL_PORT,x|invalid port|x"
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r arg reason quoted <<<"$c"
		gk_run -t 5 --port "$arg"
		assert_status 64
		assert_stderr "gracekill: --port: $reason: '$quoted'"
		[[ -z $output ]]
	done
	# A bad --port after a good one: nothing is signalled.
	gk_run -t 5 --port "$GL_PORT" --port 70000
	assert_status 64
	assert_stderr "gracekill: --port: port out of range: '70000'"
	gk_assert_alive "$GL_PID"
}

# spelling SPEC PROTO ADDR PID: a dry run with --port SPEC selects PID
# alone and reports the port as PROTO ADDR (JSON) with GL_PORT.
spelling() {
	gx_json_run --dry-run --port "$1" || return 1
	assert_status 0 || return 1
	gl_assert_pids '[.targets[].pid]' "$4" || return 1
	assert_jq ".ports == [{\"proto\": \"$2\", \"addr\": $3,
	    \"port\": $GL_PORT, \"free\": false, \"held_by\": [$4]}]"
}

@test "every accepted spelling selects its listener" {
	gl_start
	p=$GL_PORT l=$GL_PID lname=$GL_NAME
	for s in "$p" "tcp:$p" "0$p" "00$p" "tcp:00$p"; do
		spelling "$s" tcp null "$l"
	done
	for s in "127.0.0.1:$p" "tcp:127.0.0.1:$p" "[::ffff:127.0.0.1]:$p" \
	    "tcp:[::ffff:7f00:1]:$p" "127.0.0.1:0$p"; do
		spelling "$s" tcp '"127.0.0.1"' "$l"
	done
	gl_start -a ::1
	for s in "[::1]:$GL_PORT" "tcp:[::1]:$GL_PORT" \
	    "[0:0:0:0:0:0:0:1]:$GL_PORT" "[::0001]:$GL_PORT"; do
		spelling "$s" tcp '"::1"' "$GL_PID"
	done
	spelling "$GL_PORT" tcp null "$GL_PID"
	gl_start -u
	spelling "udp:$GL_PORT" udp null "$GL_PID"
	spelling "udp:127.0.0.1:$GL_PORT" udp '"127.0.0.1"' "$GL_PID"
	spelling "udp:[::ffff:127.0.0.1]:$GL_PORT" udp '"127.0.0.1"' "$GL_PID"
	gl_start -u -a ::1
	spelling "udp:[::1]:$GL_PORT" udp '"::1"' "$GL_PID"
	spelling "udp:$GL_PORT" udp null "$GL_PID"
	# The report quotes the spelling given.
	gk_run -t 5 --port "tcp:0$p"
	assert_status 0
	assert_line_match 0 "$(gl_line "$l" "$lname" 'exited with status 0')"
	[[ ${lines[1]} == "port tcp:0$p: free" ]]
	gk_assert_dead "$l"
}

# Four listeners: TCP and UDP, IPv4 and IPv6.  Sets L (their PIDs) and
# SPECS (a comma list selecting each).
four_listeners() {
	L=() SPECS=''
	gl_start
	L+=("$GL_PID") SPECS+="$GL_PORT"
	gl_start -a ::1
	L+=("$GL_PID") SPECS+=",[::1]:$GL_PORT"
	gl_start -u
	L+=("$GL_PID") SPECS+=",udp:127.0.0.1:$GL_PORT"
	gl_start -u -a ::1
	L+=("$GL_PID") SPECS+=",udp:[::1]:$GL_PORT"
}

# The -v line saying that /proc/net is read instead, for errno text $1.
fallback_re() {
	printf '^gracekill: \\[\\+%s\\] sock_diag unavailable \\(%s\\): reading /proc/net$' \
	    "$gk_time_re" "$1"
}

@test "no sock_diag (socket fails): /proc/net gives the same holders, -v says so" {
	four_listeners
	gx_json_run -v --dry-run --port "$SPECS"
	assert_status 0
	[[ $stderr != *"sock_diag unavailable"* ]]
	want=$(jq -cS '{targets: [.targets[] | {pid, outcome}], ports}' <<<"$output")
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=socket:error=EAFNOSUPPORT \
	    "$GRACEKILL" -v --json --dry-run --port "$SPECS"
	assert_status 0
	got=$(jq -cS '{targets: [.targets[] | {pid, outcome}], ports}' <<<"$output")
	[[ $got == "$want" ]]
	gl_assert_pids '[.targets[].pid]' "${L[@]}"
	assert_stderr_match "$(fallback_re 'Address family not supported by protocol')"
	gk_assert_alive "${L[@]}"
	# A real stop through /proc/net, checked again through /proc/net.
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=socket:error=EAFNOSUPPORT \
	    "$GRACEKILL" -v --json -t 5 --port "$SPECS"
	assert_status 0
	assert_jq '[.targets[].outcome] | unique == ["exited"]'
	assert_jq '[.ports[].free] | unique == [true]'
	assert_jq '.exit_code == 0'
	gk_assert_dead "${L[@]}"
}

@test "sock_diag failing midway (sendmsg): /proc/net fills in, the same result" {
	four_listeners
	gx_json_run --dry-run --port "$SPECS"
	want=$(jq -cS '{targets: [.targets[] | {pid, outcome}], ports}' <<<"$output")
	run --separate-stderr gk_strace -f -qq -o /dev/null \
	    -e inject=sendmsg:error=ENOBUFS \
	    "$GRACEKILL" -v --json --dry-run --port "$SPECS"
	assert_status 0
	got=$(jq -cS '{targets: [.targets[] | {pid, outcome}], ports}' <<<"$output")
	[[ $got == "$want" ]]
	assert_stderr_match "$(fallback_re 'No buffer space available')"
	gk_assert_alive "${L[@]}"
}

# gk_copy_for_user: a copy of the gracekill under test, named gracekill,
# that GK_USER can run (BATS_TEST_DIRNAME may be private to root).  Sets
# GX_GRACEKILL.
gk_copy_for_user() {
	[[ -n $GX_UDIR ]] || gx_userdir
	GX_GRACEKILL=$GX_UDIR/gracekill
	cp "$GRACEKILL" "$GX_GRACEKILL"
	chmod 0755 "$GX_GRACEKILL"
}

# as_user ARG...: run the copy of gracekill as GK_USER, as gk_run does.
as_user() {
	run --separate-stderr setpriv --reuid="$GK_USER" --regid="$GK_USER" \
	    --clear-groups "$@"
}

@test "not root: a root listener it cannot see is trouble (exit 3), never free" {
	gl_start
	gk_copy_for_user
	as_user "$GX_GRACEKILL" -t 1 --port "$GL_PORT"
	assert_status 3
	assert_stderr "gracekill: port $GL_PORT: a listener whose holder gracekill cannot see"
	assert_output_lines 1
	[[ ${lines[0]} == "port $GL_PORT: held by a process gracekill cannot see" ]]
	as_user "$GX_GRACEKILL" --json -t 1 --port "127.0.0.1:$GL_PORT"
	assert_status 3
	assert_jq '.targets == [] and .exit_code == 3'
	assert_jq ".ports == [{\"proto\": \"tcp\", \"addr\": \"127.0.0.1\",
	    \"port\": $GL_PORT, \"free\": false, \"held_by\": []}]"
	as_user "$GX_GRACEKILL" --dry-run --port "$GL_PORT"
	assert_status 3
	assert_stderr "gracekill: port $GL_PORT: a listener whose holder gracekill cannot see"
	# The same through /proc/net.
	as_user env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -o /dev/null -e inject=socket:error=EAFNOSUPPORT \
	    "$GX_GRACEKILL" -t 1 --port "$GL_PORT"
	assert_status 3
	assert_stderr "gracekill: port $GL_PORT: a listener whose holder gracekill cannot see"
	[[ ${lines[0]} == "port $GL_PORT: held by a process gracekill cannot see" ]]
	gk_assert_alive "$GL_PID"
}

@test "not root: its own listener is stopped and the port free" {
	gl_start -U
	gk_copy_for_user
	as_user "$GX_GRACEKILL" -t 5 --port "$GL_PORT"
	assert_status 0
	assert_stderr_empty
	assert_line_match 0 "$(gl_line "$GL_PID" "$GL_NAME" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: free" ]]
	gk_assert_dead "$GL_PID"
}

@test "not root: its own holder stopped, root's still there: exit 3, not free" {
	gl_pair -U -- -a ::1
	mine=$GL1_PID minename=$GL1_NAME root=$GL2_PID
	gk_copy_for_user
	as_user "$GX_GRACEKILL" -t 5 --port "$GL_PORT"
	assert_status 3
	assert_stderr "gracekill: port $GL_PORT: a listener whose holder gracekill cannot see"
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$mine" "$minename" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: held by a process gracekill cannot see" ]]
	gk_assert_dead "$mine"
	gk_assert_alive "$root"
}

@test "--dry-run --port: who holds it, with PID, user, name and command line" {
	gl_start -w 2
	gk_run --dry-run --port "$GL_PORT"
	assert_status 0
	assert_stderr_empty
	assert_output_lines 4
	mapfile -t pids < <(printf '%s\n' "$GL_PID" "${GL_WORKERS[@]}" | sort -n)
	for i in 0 1 2; do
		[[ ${lines[i]} == "${pids[i]} root $GL_NAME $GL_PATH -w 2 -R $GL_READY" ]]
	done
	[[ ${lines[3]} == "schedule: TERM/10s/KILL/5s" ]]
	gk_assert_alive "$GL_PID" "${GL_WORKERS[@]}"
	# Another user's holder shows that user.
	gl_start -U -u
	gk_run --dry-run --port "udp:$GL_PORT"
	assert_status 0
	assert_output_lines 2
	[[ ${lines[0]} == "$GL_PID $GK_USER $GL_NAME $GL_PATH -u -R $GL_READY" ]]
	gk_assert_alive "$GL_PID"
	# Nothing holds a port: nothing matched.
	gk_run --dry-run --port "udp:[::1]:$GL_PORT"
	assert_status 1
	assert_stderr 'gracekill: no matching process'
}

@test "--port narrowed by -n: another holder and a namesake survive, exit 2" {
	gl_pair -- -a ::1
	a=$GL1_PID aname=$GL1_NAME b=$GL2_PID bname=$GL2_NAME
	# Not a holder, but named as the one to stop (a gk-target: its link
	# lives in a directory of its own).
	mkdir "$BATS_TEST_TMPDIR/namesake"
	GK_RUNDIR=$BATS_TEST_TMPDIR/namesake gk_start -n "$aname" -c TERM -x 0
	namesake=$GK_PID namelog=$GK_LOG
	gk_run -t 5 --port "$GL_PORT" -n "$aname"
	assert_status 2
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$a" "$aname" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: held by $b ($bname)" ]]
	gk_assert_dead "$a"
	gk_assert_alive "$b" "$namesake"
	gx_assert_log_empty "$namelog"
	# Narrowed to the address left: free once it is stopped.
	gx_json_run -t 5 --port "[::1]:$GL_PORT" -n "$bname"
	assert_status 0
	assert_jq ".targets | map(.pid) == [$b]"
	assert_jq '.ports[0].free == true'
	gk_assert_dead "$b"
	gk_assert_alive "$namesake"
}

@test "--port narrowed by -u: root's holder and the user's other process survive" {
	gl_pair -U -- -a ::1
	mine=$GL1_PID minename=$GL1_NAME root=$GL2_PID rootname=$GL2_NAME
	# A process of the user holding no socket.
	gx_start_as --reuid="$GK_USER" --regid="$GK_USER" --clear-groups -- \
	    -c TERM -x 0
	other=$GK_PID otherlog=$GK_LOG
	gk_run -t 5 --port "$GL_PORT" -u "$GK_USER"
	assert_status 2
	assert_output_lines 2
	assert_line_match 0 "$(gl_line "$mine" "$minename" 'exited with status 0')"
	[[ ${lines[1]} == "port $GL_PORT: held by $root ($rootname)" ]]
	gk_assert_dead "$mine"
	gk_assert_alive "$root" "$other"
	gx_assert_log_empty "$otherlog"
}
