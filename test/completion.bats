#!/usr/bin/env bats
# completion.bats: the bash, zsh and fish completions in completions/,
# each driven through its shell's own completion machinery.
# shellcheck disable=SC2016  # scripts for other shells, in single quotes

load helper

SHELLS=(bash zsh fish)
# The built-in signal list: what gracekill accepts, RT names as it prints.
SIGNALS=(HUP INT QUIT ILL TRAP ABRT IOT BUS FPE KILL USR1 SEGV USR2 PIPE
    ALRM TERM STKFLT CHLD CLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM
    PROF WINCH IO POLL PWR SYS RTMIN RTMIN+{1..15} RTMAX-{14..1} RTMAX)
LONG=(--pid --pidfile --name --exe --full --parent --user --older --cgroup
    --unit --pgroup --session --port --tree --signal --timeout --kill-wait
    --schedule --no-escalate --no-cont --no-wait --json --quiet --verbose
    --dry-run --oknodo --remove-pidfile --list --help --version)
SHORT=(-p -F -n -x -f -P -u -g -T -s -t -S -j -q -v -o -l -h -V)

setup() {
	gk_setup
	COMPDIR=$(realpath "$BATS_TEST_DIRNAME/../completions")
	ZDUMP=$BATS_FILE_TMPDIR/zcompdump
	# No gracekill on PATH unless a test puts one in bin.
	mkdir "$BATS_TEST_TMPDIR/bin"
	PATH=$BATS_TEST_TMPDIR/bin:/usr/sbin:/usr/bin:/sbin:/bin
	CGROUPS=()
	COMP_PREFIX=()
}

teardown() {
	local i
	for ((i = ${#CGROUPS[@]} - 1; i >= 0; i--)); do
		rmdir "${CGROUPS[i]}"
	done
	gk_teardown
}

# comp SHELL LINE: run SHELL's completion of the last word of LINE; its
# candidates, each as the word would then stand, are left in lines.
# COMP_PREFIX, when set, is a command prefix to run the shell under.
comp() {
	COMP_SHELL=$1 COMP_LINE=$2
	case $1 in
	bash)
		set -- bash --norc --noprofile -c "$COMP_BASH" _ \
		    "$COMPDIR/gracekill.bash" "$2"
		;;
	zsh)
		set -- timeout 20 zsh -f "$BATS_TEST_DIRNAME/complete.zsh" \
		    "$COMPDIR" "$ZDUMP" "$2"
		;;
	fish)
		set -- fish --no-config \
		    -c 'source $argv[1]; and complete -C $argv[2]' \
		    "$COMPDIR/gracekill.fish" "$2"
		;;
	esac
	run "${COMP_PREFIX[@]}" "$@"
}

# comp_pidns SHELL LINE: comp as PID 1 of a new PID namespace with its
# own /proc, where a gk-target runs as PID 2 (and ends with it).
comp_pidns() {
	local COMP_PREFIX=(unshare --pid --fork --mount-proc
	    sh -c '"$0" & exec "$@"' "$GK_TARGET")
	comp "$@"
}

# Sets COMP_WORDS, COMP_CWORD as readline would (words split at blanks,
# and around runs of = and :), calls the completion function, prints
# each COMPREPLY after the text readline keeps (up to the last = or :).
COMP_BASH='
. /usr/share/bash-completion/bash_completion
. "$1"
compopt() { :; }	# the readline part, absent here
COMP_LINE=$2 COMP_POINT=${#2} COMP_WORDS=()
read -ra toks <<<"$2"
for tok in "${toks[@]}"; do
	while [[ $tok =~ ^([^=:]+|[=:]+)(.*)$ ]]; do
		COMP_WORDS+=("${BASH_REMATCH[1]}")
		tok=${BASH_REMATCH[2]}
	done
done
[[ $2 == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_gracekill gracekill "${COMP_WORDS[COMP_CWORD]}" \
    "${COMP_WORDS[COMP_CWORD - 1]}"
[[ $2 == *" " ]] && kept="" || kept=${2##* }
[[ $kept == *[=:]* ]] && kept=${kept%"${kept##*[=:]}"} || kept=""
for word in "${COMPREPLY[@]}"; do
	printf "%s\n" "$kept$word"
done'

# assert_candidates WORD...: the last comp offered exactly these WORDs
# (fish's descriptions, after a tab, left out).
assert_candidates() {
	local want got
	want=$(printf '%s\n' "$@" | LC_ALL=C sort -u)
	got=$(printf '%s\n' "${lines[@]}" | cut -f1 | LC_ALL=C sort -u)
	if [[ $status != 0 || $got != "$want" ]]; then
		printf '%s: %s\nstatus %s, expected:\n%s\ngot:\n%s\n' \
		    "$COMP_SHELL" "$COMP_LINE" "$status" "$want" "$output" >&2
		return 1
	fi
}

# The cgroup2 mount point, as the completions find it.
cgroup2_mount() {
	awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo
}

# make_cgroup PATH: create cgroup PATH (below the cgroup2 mount) for
# teardown to remove.
make_cgroup() {
	mkdir "$(cgroup2_mount)$1"
	CGROUPS+=("$(cgroup2_mount)$1")
}

@test "every option, long and short" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill --'
		case $sh in
		zsh) assert_candidates "${LONG[@]}" ;;
		*) assert_candidates "${LONG[@]}" --tree= ;;
		esac
		# Not the first argument: no -SIG, every option.
		comp "$sh" 'gracekill app -'
		case $sh in
		zsh) assert_candidates "${LONG[@]}" "${SHORT[@]}" ;;
		*) assert_candidates "${LONG[@]}" --tree= "${SHORT[@]}" ;;
		esac
		comp "$sh" 'gracekill --no-'
		assert_candidates --no-cont --no-escalate --no-wait
	done
}

@test "signal names after -s and --signal, without gracekill on PATH" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -s '
		assert_candidates "${SIGNALS[@]}"
		comp "$sh" 'gracekill -s T'
		assert_candidates TERM TRAP TSTP TTIN TTOU
		comp "$sh" 'gracekill --signal=K'
		assert_candidates --signal=KILL
	done
}

@test "RT signal names, with the gracekill under test on PATH" {
	ln -s "$GRACEKILL" "$BATS_TEST_TMPDIR/bin/gracekill"
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -s RTMIN+1'
		assert_candidates RTMIN+1 RTMIN+1{0..5}
		comp "$sh" 'gracekill -s RTMAX-1'
		assert_candidates RTMAX-1 RTMAX-1{0..4}
		comp "$sh" 'gracekill -s RTM'
		assert_candidates RTMIN RTMIN+{1..15} RTMAX-{14..1} RTMAX
	done
}

@test "signal names come from gracekill -l when it lists them" {
	cat >"$BATS_TEST_TMPDIR/bin/gracekill" <<-'EOF'
	#!/bin/sh
	[ "$1" = -l ] || exit 64
	printf '%s\n' ' 1 HUP' ' 6 ABRT' ' 6 IOT' '15 TERM' '34 RTMIN' \
	    '35 RTMIN+1' '63 RTMAX-1' '64 RTMAX'
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/bin/gracekill"
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -s '
		assert_candidates HUP ABRT IOT TERM RTMIN RTMIN+1 RTMAX-1 RTMAX
		comp "$sh" 'gracekill -S TERM/5/'
		assert_candidates TERM/5/{HUP,ABRT,IOT,TERM,RTMIN,RTMIN+1} \
		    TERM/5/{RTMAX-1,RTMAX}
	done
}

@test "a first argument -SIG completes as a signal" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -TE'
		assert_candidates -TERM
		comp "$sh" 'gracekill -RTMAX-1'
		assert_candidates -RTMAX-1 -RTMAX-1{0..4}
		comp "$sh" 'gracekill -q -TE'
		assert_candidates
	done
}

@test "schedule: a signal where one is due, nothing where a duration is" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -S TE'
		assert_candidates TERM
		comp "$sh" 'gracekill -S TERM/30/K'
		assert_candidates TERM/30/KILL
		comp "$sh" 'gracekill -S TERM/30/'
		assert_candidates "${SIGNALS[@]/#/TERM/30/}"
		comp "$sh" 'gracekill --schedule INT/600/INT/10/KI'
		assert_candidates INT/600/INT/10/KILL
		comp "$sh" 'gracekill -S TERM/'
		assert_candidates
		comp "$sh" 'gracekill -S TERM/30/KILL/'
		assert_candidates
	done
}

@test "tree modes after --tree=, nothing taken after -T" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill --tree='
		assert_candidates --tree=all --tree=mixed
		comp "$sh" 'gracekill --tree=m'
		assert_candidates --tree=mixed
	done
}

@test "process names after -n and as operands" {
	local name
	name=$(gk_name)
	gk_start -n "${name}cmp"
	for sh in "${SHELLS[@]}"; do
		comp "$sh" "gracekill -n ${name}c"
		assert_candidates "${name}cmp"
		comp "$sh" "gracekill --name ${name}c"
		assert_candidates "${name}cmp"
		comp "$sh" "gracekill ${name}c"
		assert_candidates "${name}cmp"
		comp "$sh" "gracekill -TERM -q ${name}c"
		assert_candidates "${name}cmp"
		# -T takes no argument; --tree takes its mode only after =.
		comp "$sh" "gracekill --tree ${name}c"
		assert_candidates "${name}cmp"
	done
}

@test "a process name with a blank stays one word" {
	local name
	name=$(gk_name)
	gk_start -n "$name b"
	for sh in "${SHELLS[@]}"; do
		comp "$sh" "gracekill $name"
		# bash leaves quoting to the function; zsh, fish quote on insertion.
		case $sh in
		bash) assert_candidates "$name\\ b" ;;
		*) assert_candidates "$name b" ;;
		esac
	done
}

@test "PIDs after -p, also after a comma, and after -P" {
	# In a PID namespace of its own, the shell is PID 1 and a
	# gk-target PID 2: no other PID there begins with 2.
	for sh in "${SHELLS[@]}"; do
		comp_pidns "$sh" 'gracekill -p 2'
		assert_candidates 2
		comp_pidns "$sh" 'gracekill -p 1,2'
		assert_candidates 1,2
		comp_pidns "$sh" 'gracekill --pid=1,2'
		assert_candidates --pid=1,2
		comp_pidns "$sh" 'gracekill -P 2'
		assert_candidates 2
	done
}

@test "users after -u" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill -u roo'
		assert_candidates root
	done
}

@test "files after -F and paths after -x" {
	mkdir "$BATS_TEST_TMPDIR/files" "$BATS_TEST_TMPDIR/files/appdir"
	: >"$BATS_TEST_TMPDIR/files/app.pid"
	: >"$BATS_TEST_TMPDIR/files/app.log"
	cd "$BATS_TEST_TMPDIR/files"
	for sh in "${SHELLS[@]}"; do
		# fish shows a directory with its slash.
		dir=appdir
		[[ $sh == fish ]] && dir=appdir/
		comp "$sh" 'gracekill -F app'
		assert_candidates app.log app.pid "$dir"
		comp "$sh" 'gracekill -F app.p'
		assert_candidates app.pid
		comp "$sh" 'gracekill -x app.l'
		assert_candidates app.log
	done
}

@test "cgroups after --cgroup, unit names after --unit" {
	local name
	name=$(gk_name)
	make_cgroup "/$name"
	make_cgroup "/$name/$name.service"
	make_cgroup "/$name/$name.scope"
	make_cgroup "/$name/$name.d"
	for sh in "${SHELLS[@]}"; do
		comp "$sh" "gracekill --cgroup /$name/$name.s"
		assert_candidates "/$name/$name.scope" "/$name/$name.service"
		comp "$sh" "gracekill --cgroup /$name/"
		assert_candidates "/$name/$name".{d,scope,service}
		comp "$sh" "gracekill --unit $name"
		assert_candidates "$name.scope" "$name.service"
		comp "$sh" "gracekill --unit=$name.se"
		assert_candidates "--unit=$name.service"
	done
	# zsh completes a path one level at a time.
	comp zsh "gracekill --cgroup /$name"
	assert_candidates "/$name"
	comp bash "gracekill --cgroup /$name"
	assert_candidates "/$name" "/$name/$name".{d,scope,service}
}

@test "port prefixes after --port; nothing after DURATION or REGEX" {
	for sh in "${SHELLS[@]}"; do
		comp "$sh" 'gracekill --port '
		assert_candidates tcp: udp:
		comp "$sh" 'gracekill --port u'
		assert_candidates udp:
		comp "$sh" 'gracekill --port tcp:'
		assert_candidates
		for opt in -t --timeout --kill-wait --older -f --full; do
			comp "$sh" "gracekill $opt "
			assert_candidates
		done
	done
}

@test "make install DESTDIR=... puts the completions where the variables say" {
	local top dest bashdir
	top=$(realpath "$BATS_TEST_DIRNAME/..")
	dest=$BATS_TEST_TMPDIR/root
	bashdir=$(pkg-config --variable=completionsdir bash-completion)
	for make in make bmake; do
		run "$make" -C "$top" install DESTDIR="$dest"
		assert_status 0
		cmp "$top/completions/gracekill.bash" \
		    "$dest$bashdir/gracekill"
		cmp "$top/completions/_gracekill" \
		    "$dest/usr/local/share/zsh/site-functions/_gracekill"
		cmp "$top/completions/gracekill.fish" \
		    "$dest/usr/local/share/fish/vendor_completions.d/gracekill.fish"
		run "$make" -C "$top" uninstall DESTDIR="$dest"
		assert_status 0
		run find "$dest" -type f
		assert_output_lines 0
		rm -rf "$dest"

		# The Debian package's directories.
		run "$make" -C "$top" install DESTDIR="$dest" PREFIX=/usr \
		    BASHCOMPDIR=/usr/share/bash-completion/completions \
		    ZSHCOMPDIR=/usr/share/zsh/vendor-completions
		assert_status 0
		[[ -f $dest/usr/share/bash-completion/completions/gracekill &&
		    -f $dest/usr/share/zsh/vendor-completions/_gracekill &&
		    -f $dest/usr/share/fish/vendor_completions.d/gracekill.fish ]]
		rm -rf "$dest"
	done
}
