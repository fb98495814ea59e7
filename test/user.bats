#!/usr/bin/env bats
# -u/--user USER: a selector of every process of USER when alone, a
# filter on the real or effective user ID with any other selector.  All
# with a throwaway user whose only processes are the tests' own.

load helper

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }
setup() { gk_user_setup; }
teardown() { gk_user_teardown; }

# start_as MODE NAME [GK-TARGET OPTION]...: start a target whose real
# (ruid), effective (euid) or both (reuid) user IDs are the throwaway's.
start_as() {
	local mode=$1 name=$2 path
	shift 2
	path=$(gk_link "$name")
	case $mode in
	reuid) gk_start_cmd "$name" setpriv --reuid="$GK_UID" \
	    --regid="$GK_GID" --clear-groups "$path" "$@" ;;
	ruid) gk_start_cmd "$name" setpriv --ruid="$GK_UID" \
	    --clear-groups "$path" "$@" ;;
	euid) gk_start_cmd "$name" setpriv --euid="$GK_UID" \
	    --clear-groups "$path" "$@" ;;
	esac
}

# uids PID: the real and effective user IDs of PID.
uids() { awk '/^Uid:/ {print $2, $3}' "/proc/$1/status"; }

@test "the targets run with the intended user IDs" {
	start_as reuid "$(gk_name)"
	[[ $(uids "$GK_PID") == "$GK_UID $GK_UID" ]]
	start_as ruid "$(gk_name)"
	[[ $(uids "$GK_PID") == "$GK_UID 0" ]]
	start_as euid "$(gk_name)"
	[[ $(uids "$GK_PID") == "0 $GK_UID" ]]
}

@test "-u USER alone: every process of USER, real or effective" {
	local name
	name=$(gk_name)
	start_as reuid "$name" -c TERM -x 1
	local a=$GK_PID
	start_as ruid "$name" -c TERM -x 2
	local b=$GK_PID
	start_as euid "$name" -c TERM -x 3
	local c=$GK_PID
	gk_start -n "$name" -c TERM -x 0
	local control=$GK_PID
	gk_run -u "$GK_USER"
	assert_status 0
	assert_output_lines 3
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_exit "$c" 3
	gk_assert_alive "$control"
	gk_assert_siglog "$GK_LOG"
}

@test "--user=UID by number" {
	start_as reuid "$(gk_name)" -c TERM -x 4
	local a=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run --user="$GK_UID"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$a" 4
	gk_assert_alive "$control"
}

@test "-u as a filter on -n: only the user's namesake" {
	local name
	name=$(gk_name)
	start_as reuid "$name" -c TERM -x 5
	local mine=$GK_PID
	gk_start -n "$name" -c TERM -x 0
	local root=$GK_PID
	gk_run -n "$name" -u "$GK_USER"
	assert_status 0
	assert_output_lines 1
	[[ $output == "$mine $name: exited with status 5 after "* ]]
	gk_assert_exit "$mine" 5
	gk_assert_alive "$root"
	gk_assert_siglog "$GK_LOG"
}

@test "-u as a filter: real-only and effective-only IDs pass it" {
	local name
	name=$(gk_name)
	start_as ruid "$name" -c TERM -x 6
	local r=$GK_PID
	start_as euid "$name" -c TERM -x 7
	local e=$GK_PID
	gk_start -n "$name" -c TERM -x 0
	local root=$GK_PID
	gk_run "$name" -u "$GK_USER"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$r" 6
	gk_assert_exit "$e" 7
	gk_assert_alive "$root"
}

@test "-u narrows --pid: a root process given by PID is left" {
	gk_start -c TERM -x 0
	local root=$GK_PID
	start_as reuid "$(gk_name)" -c TERM -x 8
	local mine=$GK_PID
	gk_run -u "$GK_USER" -p "$root"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$root" "$mine"
	gk_run -u "$GK_USER" -p "$root,$mine"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$mine" 8
	gk_assert_alive "$root"
}

@test "-u filters -f and -P as well" {
	local name cmd
	name=$(gk_name)
	start_as reuid "$name" -c TERM -x 1
	local mine=$GK_PID
	cmd=$(gk_child_cmd c1 "$name" -c TERM -x 0)
	gk_start -n "$name" -c TERM -x 0 -s "$cmd"
	local root=$GK_PID child
	child=$(gk_child_pid c1)
	gk_run -f "/$name -c TERM" -u "$GK_USER"
	assert_status 0
	assert_output_lines 1
	gk_assert_exit "$mine" 1
	gk_run -P "$root" -u "$GK_USER"
	assert_status 1
	gk_assert_alive "$root" "$child"
}

@test "an unknown user is a usage error" {
	gk_start -c TERM -x 0
	gk_run -u gracekill-no-such-user -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --user: unknown user: 'gracekill-no-such-user'"
	gk_run --user "" -p "$GK_PID"
	assert_status 64
	assert_stderr "gracekill: --user: unknown user: ''"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "--dry-run shows the user" {
	local name
	name=$(gk_name)
	start_as reuid "$name" -c TERM -x 0
	gk_run --dry-run -u "$GK_USER"
	assert_status 0
	[[ ${lines[0]} == "$GK_PID $GK_USER $name "* ]]
	gk_assert_alive "$GK_PID"
}
