#!/usr/bin/env bats
# -x/--exe PATH: the executable behind /proc/PID/exe, including a binary
# deleted or replaced on disk (" (deleted)").

load helper

# copy NAME: a private copy of gk-target called NAME; prints its path.
copy() {
	local path=$BATS_TEST_TMPDIR/bin/$1
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$GK_TARGET" "$path"
	printf '%s\n' "$path"
}

@test "-x PATH stops processes of that executable only" {
	local a b
	a=$(copy "$(gk_name)")
	b=$(copy "$(gk_name)")
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 3
	local ta=$GK_PID
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 4
	local ta2=$GK_PID
	gk_start_cmd "${b##*/}" "$b" -c TERM -x 0
	local control=$GK_PID
	gk_run -x "$a"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$ta" 3
	gk_assert_exit "$ta2" 4
	gk_assert_alive "$control"
}

@test "--exe=PATH: a symlink's name does not matter, the binary does" {
	local a name
	a=$(copy "$(gk_name)")
	name=$(gk_name)
	ln -s "$a" "$BATS_TEST_TMPDIR/$name"
	gk_start_cmd "$name" "$BATS_TEST_TMPDIR/$name" -c TERM -x 5
	local t=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run --exe="$a"
	assert_status 0
	[[ $output == "$t $name: exited with status 5 after "* ]]
	gk_assert_exit "$t" 5
	gk_assert_alive "$control"
}

@test "a binary deleted after start still matches" {
	local a b
	a=$(copy "$(gk_name)")
	b=$(copy "$(gk_name)")
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 6
	local t=$GK_PID
	gk_start_cmd "${b##*/}" "$b" -c TERM -x 0
	local control=$GK_PID
	rm "$a" "$b"
	[[ $(readlink "/proc/$t/exe") == "$a (deleted)" ]]
	gk_run -x "$a"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$t "* ]]
	gk_assert_exit "$t" 6
	gk_assert_alive "$control"
}

@test "old (deleted) and new processes of an upgraded binary both match" {
	local a
	a=$(copy "$(gk_name)")
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 1
	local old=$GK_PID
	rm "$a"
	cp "$GK_TARGET" "$a"
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 2
	local new=$GK_PID
	[[ $(readlink "/proc/$old/exe") == "$a (deleted)" ]]
	[[ $(readlink "/proc/$new/exe") == "$a" ]]
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run -x "$a"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$old" 1
	gk_assert_exit "$new" 2
	gk_assert_alive "$control"
}

@test "a deleted binary does not match a longer path" {
	local a
	a=$(copy "$(gk_name)")
	gk_start_cmd "${a##*/}" "$a" -c TERM -x 0
	local t=$GK_PID
	rm "$a"
	gk_run -x "${a%?}"
	assert_status 1
	gk_assert_alive "$t"
	gk_run -x "$a (deleted)x"
	assert_status 1
	gk_assert_alive "$t"
	gk_assert_siglog "$GK_LOG"
}

@test "-x of a path nothing runs: nothing matched" {
	local a
	a=$(copy "$(gk_name)")
	gk_start -c TERM -x 0
	gk_run -x "$a"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$GK_PID"
}

@test "-x and -n narrow each other" {
	local a name other
	a=$(copy "$(gk_name)")
	name=${a##*/}
	other=$(gk_name)
	ln -s "$a" "$BATS_TEST_TMPDIR/$other"
	gk_start_cmd "$name" "$a" -c TERM -x 1
	local both=$GK_PID
	# The name without the executable, the executable without the name.
	gk_start -n "$name" -c TERM -x 0
	local name_only=$GK_PID
	gk_start_cmd "$other" "$BATS_TEST_TMPDIR/$other" -c TERM -x 0
	local exe_only=$GK_PID
	gk_run -x "$a" -n "$name"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$both" 1
	gk_assert_alive "$name_only" "$exe_only"
}
