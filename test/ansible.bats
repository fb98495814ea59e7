#!/usr/bin/env bats
# contrib/ansible: the gracekill module (changed, unchanged, failed, check
# mode, the returned report) and the example playbook stop-and-deploy.yml
# (host by host, the new release only where the stop succeeded), run with
# Debian's ansible-playbook against localhost on the tests' own targets.
# Ansible takes about a second to start, so each test is one playbook run
# that makes several checks.

load helper

CONTRIB=$BATS_TEST_DIRNAME/../contrib/ansible

setup() {
	gk_setup || return 1
	# Everything Ansible writes stays in this test's directory.
	A=$BATS_TEST_TMPDIR/ansible
	mkdir -p "$A/home" "$A/local" "$A/remote" "$A/play"
	: >"$A/ansible.cfg"
	export HOME=$A/home ANSIBLE_HOME=$A/home/.ansible
	export ANSIBLE_CONFIG=$A/ansible.cfg ANSIBLE_LOCAL_TEMP=$A/local
	export ANSIBLE_REMOTE_TEMP=$A/remote ANSIBLE_RETRY_FILES_ENABLED=false
	export ANSIBLE_NOCOWS=1 ANSIBLE_NOCOLOR=1 ANSIBLE_GATHERING=explicit
	export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_PIPELINING=true
	# A playbook finds the module in library/ next to it.
	ln -s "$(realpath "$CONTRIB/library")" "$A/play/library"
	# The tree callback writes each host's last result there as JSON.
	export ANSIBLE_CALLBACKS_ENABLED=tree ANSIBLE_CALLBACK_TREE_DIR=$A/tree
}

# gk_play PLAYBOOK [ARG]...: run ansible-playbook on localhost.
gk_play() {
	run --separate-stderr ansible-playbook -c local -i localhost, "$@"
}

# assert_result FILTER: `jq -e FILTER` is true of the results that the
# last task of a playbook run on localhost shows with debug.
assert_result() {
	if ! jq -e ".msg | ($1)" "$A/tree/localhost" >/dev/null; then
		printf 'jq check failed: %s\non:\n' "$1" >&2
		jq .msg "$A/tree/localhost" >&2
		return 1
	fi
}

# assert_tree HOST FILTER: `jq -e FILTER` is true of HOST's last result
# (written by the tree callback, which leaves out "failed").
assert_tree() {
	if ! jq -e "$2" "$A/tree/$1" >/dev/null; then
		printf 'jq check failed on %s: %s\non:\n' "$1" "$2" >&2
		cat "$A/tree/$1" >&2
		return 1
	fi
}

# assert_log_empty FILE: no signal arrived.
assert_log_empty() {
	if [[ -s $1 ]]; then
		printf 'expected no signal, got:\n' >&2
		cat "$1" >&2
		return 1
	fi
}

@test "module: changed, unchanged, check mode and the report" {
	gk_start -c TERM -x 7
	a=$GK_NAME p1=$GK_PID
	gk_start -c TERM -x 0
	p2=$GK_PID
	gk_start -c TERM -x 0
	c=$GK_NAME p3=$GK_PID log3=$GK_LOG
	gk_start -c TERM -x 0
	p4=$GK_PID
	pf=$BATS_TEST_TMPDIR/a.pid
	printf '%s\n' "$p1" >"$pf"
	# The last task finds gracekill through PATH.
	mkdir "$A/bin"
	ln -s "$GRACEKILL" "$A/bin/gracekill"
	cat >"$A/play/module.yml" <<-EOF
	- hosts: all
	  gather_facts: false
	  module_defaults:
	    gracekill: {executable: "$GRACEKILL"}
	  tasks:
	    - gracekill: {name: "$c", schedule: TERM/5/KILL/2}
	      check_mode: true
	      register: dry
	    - gracekill: {name: "${c}x"}
	      check_mode: true
	      register: dry_none
	    - gracekill:
	        pidfile: "$pf"
	        name: "$a"
	        schedule: TERM/5/KILL/2
	        remove_pidfile: true
	      register: stop
	    # A comma inside a regular expression stays whole.
	    - gracekill:
	        full: '(/$c){1,2}'
	        signal: term
	        timeout: 5
	        kill_wait: 1
	      register: regex
	    # A string of PIDs is split at commas.
	    - gracekill: {pid: "$p2,$p4"}
	      register: pids
	    - gracekill: {name: "$a", executable: null}
	      register: again
	    - ansible.builtin.debug:
	        msg: "{{ dict(dry=dry, dry_none=dry_none, stop=stop,
	              regex=regex, pids=pids, again=again) }}"
	EOF
	PATH=$A/bin:$PATH gk_play "$A/play/module.yml"
	assert_status 0
	# Check mode: a match is a change, the target is untouched.
	assert_result '.dry | .changed and (.failed | not) and .exit_code == 0'
	assert_result ".dry.cmd | index(\"--dry-run\") != null"
	assert_result ".dry.targets == [.dry.report.targets[0]]"
	assert_result ".dry.targets[0] | .pid == $p3 and .name == \"$c\" and
	    .outcome == \"matched\" and .signals == []"
	assert_result '.dry.summary.matched == 1'
	assert_result '.dry_none | (.changed | not) and (.failed | not) and
	    .exit_code == 1 and .targets == []'
	# The stop: what ended how, and the pidfile removed.
	assert_result '.stop | .changed and (.failed | not) and .rc == 0 and
	    .exit_code == 0'
	assert_result ".stop.targets | length == 1"
	assert_result ".stop.targets[0] | .pid == $p1 and .name == \"$a\" and
	    .outcome == \"exited\" and .exit == {\"code\": 7} and
	    .signals == [\"TERM\"]"
	assert_result '.stop.summary | .exited == 1 and .killed == 0 and
	    .survived == 0'
	assert_result ".stop.report | .version == 1 and .exit_code == 0"
	assert_result ".stop.pidfiles_removed == [\"$pf\"]"
	[[ ! -e $pf ]]
	assert_result ".stop.cmd == [\"$GRACEKILL\", \"--json\",
	    \"--pidfile=$pf\", \"--name=$a\", \"--schedule=TERM/5/KILL/2\",
	    \"--remove-pidfile\"]"
	# gracekill's own command line matches too: it is skipped.
	assert_result "[.regex.targets[] | select(.outcome != \"skipped\") |
	    [.pid, .outcome]] == [[$p3, \"exited\"]]"
	assert_result ".regex.cmd[2:] == [\"--full=(/$c){1,2}\",
	    \"--signal=term\", \"--timeout=5\", \"--kill-wait=1\"]"
	assert_result '.regex.changed'
	assert_result ".pids.cmd[2:] == [\"--pid=$p2\", \"--pid=$p4\"]"
	assert_result ".pids | .changed and .summary.exited == 2 and
	    (.targets | map(.pid) | sort) == ([$p2, $p4] | sort)"
	# Nothing left: no failure, no change; gracekill found through PATH.
	assert_result '.again | (.changed | not) and (.failed | not) and
	    .exit_code == 1 and .targets == [] and .summary.exited == 0'
	assert_result ".again.cmd[0] == \"$A/bin/gracekill\""
	assert_result '.again.stderr == "gracekill: no matching process\n" or
	    .again.stderr == "gracekill: no matching process"'
	gk_assert_exit "$p1" 7
	gk_assert_exit "$p3" 0
	# One TERM: check mode sent nothing.
	gk_assert_siglog "$log3" TERM
	gk_assert_exit "$p2" 0
	gk_assert_exit "$p4" 0
}

@test "module: failed on a survivor, on trouble and on usage errors" {
	gk_start -i TERM -c USR1 -k 0
	b=$GK_NAME p=$GK_PID log=$GK_LOG
	bad=$BATS_TEST_TMPDIR/bad.pid
	printf 'abc\n' >"$bad"
	cat >"$A/play/fail.yml" <<-EOF
	- hosts: all
	  gather_facts: false
	  module_defaults:
	    gracekill: {executable: "$GRACEKILL"}
	  tasks:
	    - gracekill:
	        name: "$b"
	        signal: TERM
	        timeout: 200ms
	        no_escalate: true
	      register: survivor
	      ignore_errors: true
	    - gracekill: {pidfile: "$bad"}
	      register: trouble
	      ignore_errors: true
	    - gracekill: {name: "$b", timeout: 5x}
	      register: usage
	      ignore_errors: true
	    - gracekill: {name: "$b", schedule: TERM/1, signal: INT}
	      register: exclusive
	      ignore_errors: true
	    - gracekill: {older: 1s}
	      register: unselected
	      ignore_errors: true
	    - ansible.builtin.debug:
	        msg: "{{ dict(survivor=survivor, trouble=trouble, usage=usage,
	              exclusive=exclusive, unselected=unselected) }}"
	EOF
	gk_play "$A/play/fail.yml"
	assert_status 0
	msg="1 process still running after the schedule: $p ($b) [state S,"
	msg+=" ignores SIGTERM]"
	assert_result ".survivor | .failed and .changed and .rc == 2 and
	    .exit_code == 2 and .msg == \"$msg\""
	assert_result ".survivor.targets[0] | .pid == $p and
	    .outcome == \"survived\" and .state == \"S\" and
	    .reason == \"ignores SIGTERM\" and .signals == [\"TERM\"]"
	assert_result '.survivor.summary.survived == 1'
	msg="gracekill: $bad: malformed first line: expected a decimal PID"
	assert_result ".trouble | .failed and (.changed | not) and .rc == 3 and
	    .msg == \"$msg\" and .report.exit_code == 3"
	assert_result ".usage | .failed and .rc == 64 and (.report | not) and
	    .msg == \"gracekill: --timeout: invalid duration: '5x'\""
	assert_result '.exclusive | .failed and (.rc | not) and
	    .msg == "parameters are mutually exclusive: schedule|signal"'
	assert_result '.unselected | .failed and (.rc | not) and
	    (.msg | startswith("one of the following is required: pid,"))'
	# The survivor got one TERM, ignored it, and runs on.
	gk_assert_alive "$p"
	assert_log_empty "$log"
	[[ $(gk_state "$p") == S ]]
}

# deploy_host HOST [GK-TARGET OPTION]...: a host of the example playbook:
# an old release running under a fresh name with a pidfile, and release 2
# ready to start.  Adds HOST to the inventory.  Sets NAME, ROOT, OLD, LOG.
deploy_host() {
	local host=$1
	shift
	gk_start "$@"
	NAME=$GK_NAME OLD=$GK_PID LOG=$GK_LOG
	ROOT=$BATS_TEST_TMPDIR/$host
	mkdir -p "$ROOT/releases/2/bin"
	ln -s "$GK_TARGET" "$ROOT/releases/2/bin/$NAME"
	printf '%s\n' "$OLD" >"$ROOT/app.pid"
	cat >>"$A/inventory.yml" <<-EOF2
	    $host:
	      app_name: "$NAME"
	      app_root: "$ROOT"
	      app_pidfile: "$ROOT/app.pid"
	EOF2
}

# deploy_inventory: start the inventory of group app.
deploy_inventory() {
	cat >"$A/inventory.yml" <<-EOF2
	app:
	  vars:
	    app_user: root
	    app_args: [-c, TERM, -x, "0"]
	    gracekill: "$GRACEKILL"
	  hosts:
	EOF2
}

# assert_pidfile ROOT PID: ROOT/app.pid still names PID.
assert_pidfile() {
	local pid
	read -r pid <"$1/app.pid"
	if [[ $pid != "$2" ]]; then
		echo "$1/app.pid names $pid, expected $2" >&2
		return 1
	fi
}

@test "stop-and-deploy.yml: host by host, the new release only where stopped" {
	deploy_inventory
	deploy_host gk-a -c TERM -x 0
	a=$NAME ra=$ROOT olda=$OLD loga=$LOG
	# The old release on gk-b ignores TERM and its schedule never kills.
	deploy_host gk-b -i TERM -c USR1 -k 0
	b=$NAME rb=$ROOT oldb=$OLD logb=$LOG
	printf '      app_stop_schedule: TERM/200ms\n' >>"$A/inventory.yml"
	deploy_host gk-c -c TERM -x 0
	rc=$ROOT oldc=$OLD logc=$LOG
	run --separate-stderr ansible-playbook -c local \
	    -i "$A/inventory.yml" -e app_release=2 "$CONTRIB/stop-and-deploy.yml"
	assert_status 2
	# gk-a: stopped, switched, the new release started and checked.
	gk_assert_exit "$olda" 0
	gk_assert_siglog "$loga" TERM
	[[ $(readlink "$ra/current") == "$ra/releases/2" ]]
	read -r new <"$ra/app.pid"
	gk_record "$new"
	[[ $new != "$olda" ]]
	gk_assert_alive "$new"
	[[ $(<"/proc/$new/comm") == "$a" ]]
	assert_tree gk-a ".exit_code == 0 and (.targets | length) == 1 and
	    (.targets[0] | .pid == $new and .name == \"$a\" and
	    .outcome == \"matched\" and .signals == [])"
	# gk-b: the stop failed, naming the survivor; nothing switched or
	# started; the old release runs on.
	msg="1 process still running after the schedule: $oldb ($b) [state S,"
	msg+=" ignores SIGTERM]"
	assert_tree gk-b ".rc == 2 and .msg == \"$msg\" and
	    .targets[0].outcome == \"survived\""
	[[ ! -e $rb/current ]]
	assert_pidfile "$rb" "$oldb"
	gk_assert_alive "$oldb"
	# gk-c: max_fail_percentage ended the play before it.
	[[ ! -e $A/tree/gk-c ]]
	[[ ! -e $rc/current ]]
	assert_pidfile "$rc" "$oldc"
	gk_assert_alive "$oldc"
	assert_log_empty "$logc"
}

@test "stop-and-deploy.yml --check: every host, nothing signalled or started" {
	deploy_inventory
	deploy_host gk-a -c TERM -x 0
	ra=$ROOT olda=$OLD loga=$LOG
	deploy_host gk-b -c TERM -x 0
	rb=$ROOT oldb=$OLD logb=$LOG
	run --separate-stderr ansible-playbook -c local --check \
	    -i "$A/inventory.yml" -e app_release=2 "$CONTRIB/stop-and-deploy.yml"
	assert_status 0
	# Per host: the stop and the switch would change, the report loop, the
	# start and its check are skipped.
	assert_output_match '^gk-a +: ok=2 +changed=2 +unreachable=0 +failed=0 +skipped=3 '
	assert_output_match '^gk-b +: ok=2 +changed=2 +unreachable=0 +failed=0 +skipped=3 '
	for r in "$ra" "$rb"; do
		[[ ! -e $r/current ]]
	done
	assert_pidfile "$ra" "$olda"
	assert_pidfile "$rb" "$oldb"
	gk_assert_alive "$olda" "$oldb"
	assert_log_empty "$loga"
	assert_log_empty "$logb"
}
