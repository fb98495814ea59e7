#!/usr/bin/env bats
# The set-up on a fresh machine: mk/packages is the one package list (the
# README shows it, .ci/run and mk/need read it), mk/need installs or names
# what is missing, and make stops early and cleanly without libbsd.  Runs
# make and mk/need in a copy of the tree with stub dpkg-query, apt-get, id
# and bats, so nothing is installed and nothing is built for real.

load helper

TOP=$(realpath "$BATS_TEST_DIRNAME/..")

setup() {
	gk_setup || return 1
	# The copies must not join the jobserver of a make check around us.
	unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES
	STUBS=$BATS_TEST_TMPDIR/stubs
	MISSING=$BATS_TEST_TMPDIR/missing
	APTLOG=$BATS_TEST_TMPDIR/apt.log
	BATSLOG=$BATS_TEST_TMPDIR/bats.log
	export MISSING APTLOG BATSLOG
	mkdir "$STUBS"
	: >"$MISSING"
	# dpkg-query -W -f FORMAT NAME...: NAME is installed unless listed
	# in $MISSING.
	stub dpkg-query 'shift 3
	for p; do grep -qx "$p" "$MISSING" || echo "$p ii "; done'
	# apt-get: log the call; "install" installs (empties $MISSING).
	stub apt-get 'echo "$*" >>"$APTLOG"
	[ "$1" != install ] || : >"$MISSING"
	exit "${APT_RC:-0}"'
	# bats: log the binary under test; the plain half fails on request.
	stub bats 'echo "$GRACEKILL" >>"$BATSLOG"
	case $GRACEKILL in */asan/*) exit 0 ;; esac
	exit "${PLAIN_RC:-0}"'
	PATH=$STUBS:$PATH
}

# stub NAME BODY: a sh script NAME in $STUBS running BODY.
stub() {
	printf '#!/bin/sh\n%s\n' "$2" >"$STUBS/$1"
	chmod +x "$STUBS/$1"
}

# missing PACKAGE...: the stub dpkg-query reports these as not installed.
missing() { printf '%s\n' "$@" >"$MISSING"; }

# copy_tree: what make needs, in $SRC (mtimes kept).
copy_tree() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC/test" "$SRC/fuzz" "$SRC/.ci"
	cp -p "$TOP"/Makefile "$TOP"/*.[ch] "$TOP"/gracekill.1 "$SRC"
	cp -pR "$TOP/mk" "$SRC"
	cp -p "$TOP"/.ci/run "$SRC/.ci"
	cp -p "$TOP"/test/*.c "$TOP"/test/demo.sh "$SRC/test"
	cp -p "$TOP"/fuzz/Makefile "$SRC/fuzz"
}

# fake_built: every product newer than its sources, so make builds nothing.
fake_built() {
	local c
	mkdir -p "$SRC/asan"
	for c in "$SRC"/*.c; do
		touch "${c%.c}.o"
	done
	touch "$SRC/gracekill" "$SRC/asan/gracekill" "$SRC/test/gk-target" \
	    "$SRC/test/gk-decoy"
}

# mk ARG...: make in $SRC; sets status, output, stderr.
mk() { run --separate-stderr make -C "$SRC" "$@"; }

# need ARG...: mk/need of the copy.
need() { run --separate-stderr sh "$SRC/mk/need" "$@"; }

# purposes_of FILE-KIND: "PURPOSE: PACKAGE..." lines, packages sorted,
# from mk/packages (list) or from the README's apt-get lines (readme).
purposes_of() {
	if [[ $1 == list ]]; then
		awk -F '\t+' '!/^#/ && NF >= 3 { print $2, $1 }' \
		    "$TOP/mk/packages"
	else
		# "    apt-get install A B \" continued, ending in "# PURPOSE".
		awk '/^    apt-get install / || cont {
			line = line " " $0
			cont = sub(/\\$/, "", line)
			if (cont) next
			if (match(line, /# [a-z]+$/)) {
				p = substr(line, RSTART + 2)
				sub(/#.*/, "", line)
				sub(/^ *apt-get install /, "", line)
				n = split(line, w, " ")
				for (i = 1; i <= n; i++)
					print p, w[i]
			}
			line = ""
		}' "$TOP/README.md"
	fi | sort -u | awk '$1 != p { if (p) print ""; p = $1; printf "%s:", p }
	    { printf " %s", $2 } END { print "" }'
}

@test "the README's apt-get lines list exactly mk/packages, purpose by purpose" {
	local list readme
	list=$(purposes_of list)
	readme=$(purposes_of readme)
	[[ $list == *build:*test:* || $list == *test:*build:* ]]
	if [[ $list != "$readme" ]]; then
		printf 'mk/packages:\n%s\nREADME.md:\n%s\n' "$list" "$readme" >&2
		return 1
	fi
}

@test "need -l: make check needs build, test and lint packages; demo only build" {
	copy_tree
	need -l check
	assert_status 0
	[[ " $output " == *" libbsd-dev "* && " $output " == *" bats "* ]]
	[[ " $output " == *" passwd "* && " $output " == *" mandoc "* ]]
	[[ " $output " != *" psmisc "* ]]
	need -l demo
	assert_status 0
	[[ $output == "build-essential pkg-config libbsd-dev" ]]
}

@test "need: nothing missing: silent, exit 0, apt-get not run" {
	copy_tree
	need check
	assert_status 0
	[[ -z $output && -z $stderr && ! -e $APTLOG ]]
}

@test "need -n: names each missing package and why, and the apt-get line" {
	copy_tree
	missing jq mandoc
	need -n check
	assert_status 1
	[[ -z $output && ! -e $APTLOG ]]
	assert_stderr "make check needs Debian packages that are missing:" \
	    "  jq              reads the JSON reports" \
	    "  mandoc          mandoc -Tlint on the manual" \
	    "Install them as root, then run make check again:" \
	    "    apt-get install jq mandoc"
}

@test "need as root with apt-get: says once which and why, then installs them" {
	copy_tree
	missing pkg-config libbsd-dev
	need demo
	assert_status 0
	[[ ${lines[0]} == "make demo: installing the Debian packages it needs:" ]]
	[[ ${lines[1]} == "  pkg-config      finds libbsd's compiler and linker flags" ]]
	[[ ${lines[2]} == "  libbsd-dev      strtonum, getprogname and strlcpy (libbsd-overlay)" ]]
	[[ ${lines[-1]} == "make demo: installed pkg-config libbsd-dev" ]]
	[[ $(cat "$APTLOG") == "update -q
install -y -q --no-install-recommends pkg-config libbsd-dev" ]]
}

@test "need as another user: stops with the apt-get line, installs nothing" {
	copy_tree
	stub id 'echo 1000'
	missing bats
	need check
	assert_status 1
	assert_stderr_line "    apt-get install bats"
	[[ ! -e $APTLOG ]]
}

@test "need as root without apt-get: stops with the apt-get line" {
	copy_tree
	local bin=$BATS_TEST_TMPDIR/bin t
	mkdir "$bin"
	for t in sh awk cut tr dirname id grep; do
		ln -s "$(command -v "$t")" "$bin/$t"
	done
	ln -s "$STUBS/dpkg-query" "$bin/dpkg-query"
	missing tmux
	run --separate-stderr env PATH="$bin" sh "$SRC/mk/need" check
	assert_status 1
	assert_stderr_line "    apt-get install tmux"
}

@test "need: apt-get failing: exit 1 with the line to run by hand" {
	copy_tree
	missing strace
	APT_RC=100 need check
	assert_status 1
	assert_stderr "make check: apt-get failed; install by hand:" \
	    "    apt-get install strace"
}

@test "make without libbsd stops before compiling and names libbsd-dev" {
	copy_tree
	missing libbsd-dev
	PKG_CONFIG_LIBDIR=$BATS_TEST_TMPDIR/none mk
	assert_status 2
	assert_stderr_line "    apt-get install libbsd-dev"
	[[ $stderr != *"pkg-config: "* && $output != *" -c "* ]]
	[[ -z $(find "$SRC" -name '*.o') ]]
	# libbsd-dev there, pkg-config still blind: said as plainly.
	: >"$MISSING"
	PKG_CONFIG_LIBDIR=$BATS_TEST_TMPDIR/none mk
	assert_status 2
	assert_stderr_line "pkg-config finds no libbsd-overlay (Debian: libbsd-dev)"
	[[ -z $(find "$SRC" -name '*.o') ]]
}

@test "a build without libbsd's headers fails and leaves no object" {
	copy_tree
	mk BSD_CFLAGS=-DGK_NO_LIBBSD gracekill.o
	assert_status 2
	[[ $stderr == *"implicit declaration of function"* ]]
	[[ ! -e $SRC/gracekill.o ]]
}

@test "make demo as another user without the build packages: the line, no build" {
	copy_tree
	stub id 'echo 1000'
	missing pkg-config libbsd-dev
	mk demo
	assert_status 2
	assert_stderr_line "make demo needs Debian packages that are missing:"
	assert_stderr_line "    apt-get install pkg-config libbsd-dev"
	[[ -z $(find "$SRC" -name '*.o') && ! -e $SRC/gracekill ]]
}

@test "make check as root installs what is missing once, then tests" {
	copy_tree
	fake_built
	missing jq
	mk check
	assert_status 0
	[[ $(grep -c 'installing the Debian packages' <<<"$output") == 1 ]]
	[[ $(cat "$APTLOG") == "update -q
install -y -q --no-install-recommends jq" ]]
	[[ $(cat "$BATSLOG") == "$SRC/gracekill
$SRC/asan/gracekill" ]]
}

@test "make check runs the sanitizer half and lint after the plain half failed" {
	copy_tree
	fake_built
	PLAIN_RC=1 mk check
	assert_status 2
	[[ $(cat "$BATSLOG") == "$SRC/gracekill
$SRC/asan/gracekill" ]]
	[[ $output == *"mandoc -Tlint -W warning gracekill.1"* ]]
	assert_stderr_line "make check failed: test"
}

@test "make check fails when only lint fails" {
	copy_tree
	fake_built
	printf '.Pp\n\\fBbold\\fR\n' >>"$SRC/gracekill.1"
	touch -r "$SRC/gracekill.c" "$SRC/gracekill.1"
	mk check
	assert_status 2
	[[ $(wc -l <"$BATSLOG") == 2 ]]
	assert_stderr_line "make check failed: lint"
}

@test "make lint: a manual not installed here is no fault, a font escape is" {
	copy_tree
	printf '.Pp\nSee\n.Xr gk-not-installed 5 .\n' >>"$SRC/gracekill.1"
	mk lint
	assert_status 0
	printf '.Pp\n\\fBbold\\fR\n' >>"$SRC/gracekill.1"
	mk lint
	assert_status 2
}

@test "make clean removes asan/" {
	copy_tree
	fake_built
	mk clean
	assert_status 0
	[[ ! -e $SRC/asan && ! -e $SRC/gracekill ]]
	[[ -z $(find "$SRC" -name '*.o') ]]
}

@test ".ci/run installs make check's packages and counts a skip as a failure" {
	copy_tree
	stub make 'printf "1..3\nok 1 a\nnot ok 2 b\nok 3 c # skip d\n"'
	run "$SRC/.ci/run"
	assert_status 1
	[[ ${lines[-1]} == "1 passed, 2 failed" ]]
	[[ $(cat "$APTLOG") == "update -q
install -y -q --no-install-recommends $(sh "$SRC/mk/need" -l check)" ]]
}
