#!/usr/bin/env bats
# -f/--full REGEX: a POSIX ERE against the arguments joined by single
# spaces, argv[0] first.  Every regex contains the test's unique name.

load helper

# ere TEXT: TEXT with the ERE special characters escaped.
ere() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

@test "-f matches the full command line, a control does not match" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 3
	local a=$GK_PID
	gk_start -n "$name" -c TERM -x 4
	local control=$GK_PID
	gk_run -f "$name -c TERM -x 3 "
	assert_status 0
	assert_output_lines 1
	[[ $output == "$a $name: exited with status 3 after "* ]]
	gk_assert_exit "$a" 3
	gk_assert_alive "$control"
}

@test "--full=REGEX is an ERE: alternation, classes, anchors" {
	local name path
	name=$(gk_name)
	path=$(gk_link "$name")
	gk_start -n "$name" -c TERM -x 1
	local a=$GK_PID
	gk_start -n "$name" -c TERM -x 2
	local b=$GK_PID
	gk_start -n "$name" -c TERM -x 9
	local control=$GK_PID
	gk_run --full="^$(ere "$path") -c TERM -x (1|[2]) -R "
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_alive "$control"
}

@test "argv[0] comes first, arguments are joined by single spaces" {
	local name path
	name=$(gk_name)
	path=$(gk_link "$name")
	gk_start -n "$name" -c TERM -x 5
	local a=$GK_PID
	gk_run -f "^$(ere "$path") -c TERM -x 5 -R $(ere "$GK_READY") -L $(ere "$GK_LOG")\$"
	assert_status 0
	gk_assert_exit "$a" 5
}

@test "an empty argument gives two spaces in a row" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -S "" -c TERM -x 6
	local a=$GK_PID
	gk_start -n "$name" -S ":" -c TERM -x 0
	local control=$GK_PID
	gk_run -f "$name -S  -c TERM"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$a" 6
	gk_assert_alive "$control"
}

@test "-f does not match the name alone when the command line differs" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	gk_run -f "^$name"
	assert_status 1
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "a regex that matches gracekill's own command line spares it" {
	local name
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 7
	gk_run --json -f "$name"
	assert_status 0
	assert_jq "(.targets[] | select(.pid == $GK_PID) | .outcome) == \"exited\""
	assert_jq '[.targets[] | select(.outcome == "exited")] | length == 1'
	gk_assert_exit "$GK_PID" 7
}

@test "a bad regex is a usage error (64) that quotes it" {
	local name re
	name=$(gk_name)
	gk_start -n "$name" -c TERM -x 0
	for re in "($name" "${name}[" "$name{1" "*$name\\"; do
		gk_run -f "$re"
		assert_status 64
		[[ ${#stderr_lines[@]} == 1 ]]
		[[ $stderr == "gracekill: --full: invalid regular expression: '$re': "?* ]]
	done
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "-f and -n narrow each other" {
	local a b
	a=$(gk_name)
	b=$(gk_name)
	gk_start -n "$a" -c TERM -x 1
	local both=$GK_PID
	# The name without the regex, the regex without the name.
	gk_start -n "$a" -c TERM -x 2
	local name_only=$GK_PID
	gk_start -n "$b" -c TERM -x 1 -k 1
	local regex_only=$GK_PID
	gk_run -f "$a -c TERM -x 1 |$b -c TERM -x 1 -k 1" -n "$a"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$both" 1
	gk_assert_alive "$name_only" "$regex_only"
}
