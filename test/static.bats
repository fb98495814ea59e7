#!/usr/bin/env bats
# make static: gracekill-static needs no libc or anything else from the
# file system: it runs in a chroot holding only itself and /proc.

load helper

setup_file() {
	local src=$BATS_TEST_DIRNAME/..
	make -C "$src" static >"$BATS_FILE_TMPDIR/make.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/make.log" >&2
		return 1
	}
	export GK_STATIC=$src/gracekill-static
}

setup() {
	gk_setup || return 1
	GK_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$GK_ROOT/proc"
	cp "$GK_STATIC" "$GK_ROOT/gracekill"
}

# chroot_run ARG...: run /gracekill ARG... chrooted in GK_ROOT, with a
# proc mount that lives in a mount namespace of its own and ends with it.
chroot_run() {
	# shellcheck disable=SC2016 # the inner sh expands them
	run --separate-stderr unshare --mount sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" || exit 100
		exec chroot "$root" /gracekill "$@"' sh "$GK_ROOT" "$@"
}

@test "gracekill-static: an ELF executable without interpreter or dynamic section" {
	run readelf -lW "$GK_STATIC"
	assert_status 0
	assert_output_line "Elf file type is EXEC (Executable file)"
	[[ $output != *INTERP* && $output != *DYNAMIC* ]] || {
		printf 'program headers name a loader:\n%s\n' "$output" >&2
		return 1
	}
	run readelf -d "$GK_STATIC"
	assert_status 0
	assert_output_line "There is no dynamic section in this file."
}

@test "gracekill-static runs in an empty chroot: --version" {
	chroot_run --version
	assert_status 0
	assert_stderr_empty
	[[ $output == "$("$GRACEKILL" --version)" && $output == "gracekill "* ]]
	[[ $(ls -A "$GK_ROOT") == $'gracekill\nproc' ]]
	# The proc mount stayed in the namespace that is gone now.
	if mountpoint -q "$GK_ROOT/proc"; then
		echo "$GK_ROOT/proc is still mounted" >&2
		return 1
	fi
}

@test "from the empty chroot: a target found by name exits on SIGTERM" {
	gk_start -c TERM
	chroot_run -t 5 -n "$GK_NAME"
	assert_status 0
	assert_stderr_empty
	assert_output_lines 1
	assert_output_match "^$GK_PID $GK_NAME: exited on SIGTERM after $gk_time_re${gk_reap_re}\$"
	gk_assert_exit "$GK_PID" TERM
	gk_assert_siglog "$GK_LOG" TERM
}

@test "from the empty chroot: a target ignoring SIGTERM is killed, with the reason" {
	gk_start -i TERM
	chroot_run -S TERM/0.2/KILL/5 -p "$GK_PID"
	assert_status 0
	assert_stderr_empty
	assert_output_match "^$GK_PID $GK_NAME: killed by SIGKILL after $gk_time_re \\(ignores SIGTERM\\)${gk_reap_re}\$"
	gk_assert_exit "$GK_PID" KILL
	gk_assert_siglog "$GK_LOG"
}

@test "from the empty chroot: JSON report, as the regular build writes it" {
	gk_start -c TERM -x 7
	chroot_run --json -t 5 "$GK_PID"
	assert_status 0
	assert_jq ".targets[0].pid == $GK_PID and .targets[0].outcome == \"exited\""
	assert_jq '.targets[0].exit == {"code": 7} and .exit_code == 0'
	gk_assert_exit "$GK_PID" 7
}

@test "from the empty chroot: nothing matched (exit 1) and a PID out of range (exit 64)" {
	chroot_run -t 1 -n "$(gk_name)"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	chroot_run -p 99999999999
	assert_status 64
	assert_stderr "gracekill: --pid: invalid PID: '99999999999'"
	chroot_run -s 0 -p +5
	assert_status 64
	assert_stderr "gracekill: --pid: invalid PID: '+5'"
}
