#!/usr/bin/env bats
# -n NAME longer than comm's 15 characters: matches when the first 15
# characters equal comm and the basename of argv[0] or of the executable
# equals NAME.

load helper

# longname: a unique name of 22 characters.
longname() { printf '%s%s\n' "$(gk_name)" "-long-name"; }

@test "a long NAME matches through argv[0]" {
	local name
	name=$(longname)
	gk_start -n "$name" -c TERM -x 4
	local t=$GK_PID
	[[ $(cat "/proc/$t/comm") == "${name:0:15}" ]]
	gk_run "$name"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$t "* ]]
	gk_assert_exit "$t" 4
}

@test "-n LONG leaves a process whose comm agrees but whose name differs" {
	local name other
	name=$(longname)
	other=${name:0:15}-different
	gk_start -n "$name" -c TERM -x 4
	local t=$GK_PID
	gk_start -n "$other" -c TERM -x 0
	local control=$GK_PID
	[[ $(cat "/proc/$control/comm") == "$(cat "/proc/$t/comm")" ]]
	gk_run -n "$name"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$t" 4
	gk_assert_alive "$control"
	gk_assert_siglog "$GK_LOG"
}

@test "a long NAME matches through the executable's basename" {
	local name dir
	name=$(longname)
	dir=$BATS_TEST_TMPDIR/bin
	mkdir "$dir"
	cp "$GK_TARGET" "$dir/$name"
	# argv[0] is something else; the executable is called NAME.
	gk_start_cmd "$name" bash -c 'exec -a someother "$0" "$@"' \
	    "$dir/$name" -c TERM -x 5
	local t=$GK_PID
	[[ $(tr '\0' '\n' <"/proc/$t/cmdline" | head -1) == someother ]]
	gk_run -n "$name"
	assert_status 0
	gk_assert_exit "$t" 5
}

@test "a long NAME does not match when neither argv[0] nor exe agree" {
	local name dir
	name=$(longname)
	dir=$BATS_TEST_TMPDIR/bin
	mkdir "$dir"
	cp "$GK_TARGET" "$dir/${name}x"
	gk_start_cmd "$name" bash -c 'exec -a someother "$0" "$@"' \
	    "$dir/${name}x" -c TERM -x 0
	local t=$GK_PID
	[[ $(cat "/proc/$t/comm") == "${name:0:15}" ]]
	gk_run -n "$name"
	assert_status 1
	gk_assert_alive "$t"
	gk_assert_siglog "$GK_LOG"
}

@test "the first 15 characters alone match comm exactly" {
	local name
	name=$(longname)
	gk_start -n "$name" -c TERM -x 6
	local t=$GK_PID
	gk_start -n "${name:0:14}" -c TERM -x 0
	local control=$GK_PID
	gk_run "${name:0:15}"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$t" 6
	gk_assert_alive "$control"
}

@test "a 16-character NAME needs more than comm" {
	local name
	name=$(longname)
	gk_start -n "${name:0:15}" -c TERM -x 0
	local t=$GK_PID
	gk_run -n "${name:0:16}"
	assert_status 1
	gk_assert_alive "$t"
	gk_assert_siglog "$GK_LOG"
}
