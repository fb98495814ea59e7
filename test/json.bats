#!/usr/bin/env bats
# --json: exactly one document with every field of SPEC, for every
# outcome and exit status form.

load helper

# one_document: stdout is exactly one JSON document.
one_document() {
	[[ $(jq -s length <<<"$output") == 1 ]] || {
		echo "not exactly one JSON document: $output" >&2
		return 1
	}
}

@test "every field of a graceful exit: exit 7 on TERM gives {\"code\": 7}" {
	gk_start -c TERM -x 7 -d 100
	gk_run --json -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq '.version == 1'
	assert_jq '.targets | length == 1'
	assert_jq ".targets[0].pid == $GK_PID"
	assert_jq ".targets[0].name == \"$GK_NAME\""
	assert_jq '.targets[0].outcome == "exited"'
	assert_jq '.targets[0].exit == {"code": 7}'
	assert_jq '.targets[0].signals == ["TERM"]'
	assert_jq '.targets[0].seconds | type == "number" and . >= 0.1 and . < 2'
	assert_jq '.targets[0].state == null'
	assert_jq '.targets[0].reason == null'
	assert_jq '.targets[0] | keys == (["pid", "name", "outcome", "exit", "signals", "seconds", "state", "reason", "reaped", "parent", "cgroup"] | sort)'
	assert_jq '.summary == {"exited": 1, "killed": 0, "survived": 0, "vanished": 0, "denied": 0, "skipped": 0}'
	assert_jq '.exit_code == 0'
	assert_jq 'keys == (["version", "targets", "summary", "exit_code"] | sort)'
	gk_assert_exit "$GK_PID" 7
}

@test "the default TERM action gives {\"signal\": \"TERM\"}" {
	gk_start
	gk_run --json -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq '.targets[0].outcome == "exited"'
	assert_jq '.targets[0].exit == {"signal": "TERM"}'
	gk_assert_exit "$GK_PID" TERM
}

@test "a re-raised signal after cleanup: {\"signal\": \"INT\"}" {
	gk_start -c INT -d 100
	gk_run --json -s INT -p "$GK_PID"
	assert_status 0
	assert_jq '.targets[0].exit == {"signal": "INT"}'
	assert_jq '.targets[0].signals == ["INT"]'
	gk_assert_exit "$GK_PID" INT
}

@test "status 0 is reported as {\"code\": 0}" {
	gk_start -c TERM -x 0
	gk_run --json -p "$GK_PID"
	assert_status 0
	assert_jq '.targets[0].exit == {"code": 0}'
	gk_assert_exit "$GK_PID" 0
}

@test "killed: outcome, KILL signal, reason, summary" {
	gk_start -i TERM
	gk_run --json -t 300ms -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq '.targets[0].outcome == "killed"'
	assert_jq '.targets[0].exit == {"signal": "KILL"}'
	assert_jq '.targets[0].signals == ["TERM", "KILL"]'
	assert_jq '.targets[0].seconds >= 0.3 and .targets[0].seconds < 2'
	assert_jq '.targets[0].state == null'
	assert_jq '.targets[0].reason == "ignores SIGTERM"'
	assert_jq '.summary.killed == 1 and .summary.exited == 0'
	assert_jq '.exit_code == 0'
	gk_assert_exit "$GK_PID" KILL
}

@test "survived: state, null exit and seconds, exit_code 2" {
	gk_start -i TERM
	gk_run --json --no-escalate -t 200ms -p "$GK_PID"
	assert_status 2
	one_document
	assert_jq '.targets[0].outcome == "survived"'
	assert_jq '.targets[0].exit == null'
	assert_jq '.targets[0].seconds == null'
	assert_jq '.targets[0].state == "S"'
	assert_jq '.targets[0].reason == "ignores SIGTERM"'
	assert_jq '.targets[0].signals == ["TERM"]'
	assert_jq '.summary.survived == 1'
	assert_jq '.exit_code == 2'
	gk_assert_alive "$GK_PID"
}

@test "nothing matched: an empty target list, exit_code 1" {
	gk_run --json "$(gk_name)"
	assert_status 1
	one_document
	assert_jq '.version == 1 and .targets == [] and .exit_code == 1'
	assert_jq '.summary == {"exited": 0, "killed": 0, "survived": 0, "vanished": 0, "denied": 0, "skipped": 0}'
}

@test "nothing matched with --oknodo: exit_code 0" {
	gk_run --json -o "$(gk_name)"
	assert_status 0
	one_document
	assert_jq '.targets == [] and .exit_code == 0'
}

@test "a zombie of a non-reaping parent reports its status from /proc" {
	local cmd
	cmd=$(gk_child_cmd c1 "$(gk_name)" -c TERM -x 7 -d 50)
	gk_start -s "$cmd"
	local parent=$GK_PID child
	child=$(gk_child_pid c1)
	gk_run --json -p "$child"
	assert_status 0
	one_document
	[[ $(gk_state "$child") == Z ]]
	assert_jq ".targets[0].pid == $child"
	assert_jq '.targets[0].outcome == "exited"'
	assert_jq '.targets[0].exit == {"code": 7}'
	gk_assert_alive "$parent"
}

@test "a zombie killed by its signal: {\"signal\": \"TERM\"} from /proc" {
	local cmd
	cmd=$(gk_child_cmd c1 "$(gk_name)")
	gk_start -s "$cmd"
	local child
	child=$(gk_child_pid c1)
	gk_run --json -p "$child"
	assert_status 0
	[[ $(gk_state "$child") == Z ]]
	assert_jq '.targets[0].exit == {"signal": "TERM"}'
}

@test "an already-zombie target: gone at once, status from /proc" {
	local cmd
	cmd=$(gk_child_cmd c1 "$(gk_name)" -e 7)
	gk_start -s "$cmd"
	local child
	child=$(gk_child_pid c1)
	gk_poll eval '[[ $(gk_state "$child") == Z ]]'
	gk_run --json -t 5 -p "$child"
	assert_status 0
	one_document
	assert_jq '.targets[0].outcome == "exited" or .targets[0].outcome == "vanished"'
	assert_jq '.targets[0].outcome == "vanished" or .targets[0].exit == {"code": 7}'
	assert_jq '.exit_code == 0'
}

@test "several targets: ordered by PID, summary adds up" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 1
	gk_start -n "$name" -i TERM
	gk_start -n "$name"
	gk_run --json -t 300ms "$name"
	assert_status 0
	one_document
	assert_jq '.targets | length == 3'
	assert_jq '[.targets[].pid] == ([.targets[].pid] | sort)'
	assert_jq '.summary.exited == 2 and .summary.killed == 1'
	assert_jq '[.targets[].name] | unique == ["'"$name"'"]'
}

@test "--no-wait: outcome signalled" {
	gk_start -c TERM -x 0
	gk_run --json --no-wait -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq '.targets[0].outcome == "signalled"'
	assert_jq '.targets[0].signals == ["TERM"]'
	gk_assert_exit "$GK_PID" 0
}

@test "-j is --json" {
	gk_start -c TERM -x 2
	gk_run -j -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq '.targets[0].exit == {"code": 2}'
}

@test "a name with control characters is valid JSON" {
	local name
	name=$(gk_name)
	name="${name:0:8}"$'\t\n\x01'x
	gk_start -n "$name" -c TERM -x 0
	gk_run --json -p "$GK_PID"
	assert_status 0
	one_document
	assert_jq ".targets[0].pid == $GK_PID"
	assert_jq ".targets[0].name | test(\"^${name:0:8}\")"
	gk_assert_exit "$GK_PID" 0
}

@test "--json with -q still prints the document" {
	gk_start -c TERM -x 0
	gk_run --json -q -p "$GK_PID"
	assert_status 0
	one_document
	gk_assert_exit "$GK_PID" 0
}
