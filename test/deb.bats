#!/usr/bin/env bats
# make deb: the Debian package installs the binary, the manual and the
# shell completions, and lintian has nothing to say against it.

load helper

# deb_stale DEB: DEB is missing or a file of the source tree is newer.
deb_stale() {
	[[ -f $1 ]] || return 0
	# shellcheck disable=SC2016 # the inner sh expands them
	[[ -n $(cd "$GK_SRC" && git ls-files -co --exclude-standard -z |
	    xargs -0 sh -c 'find "$@" -newer "$0" -print' "$1" 2>/dev/null |
	    head -n 1) ]]
}

# Build the package unless a fresh one is there (make check runs this file
# twice), then install it into a scratch root whose dpkg database holds
# this system's entries for the packages it depends on.
setup_file() {
	local version arch deps
	export GK_SRC
	GK_SRC=$(realpath "$BATS_TEST_DIRNAME/..")
	version=$(dpkg-parsechangelog -l "$GK_SRC/debian/changelog" -S Version)
	arch=$(dpkg --print-architecture)
	export GK_VERSION=$version
	export GK_DEB=$GK_SRC/dist/gracekill_${version}_$arch.deb
	if deb_stale "$GK_DEB"; then
		make -C "$GK_SRC" deb >"$BATS_FILE_TMPDIR/make.log" 2>&1 || {
			tail -n 30 "$BATS_FILE_TMPDIR/make.log" >&2
			return 1
		}
	fi
	export GK_ROOT=$BATS_FILE_TMPDIR/root
	mkdir -p "$GK_ROOT/var/lib/dpkg/info" "$GK_ROOT/var/lib/dpkg/updates"
	deps=$(dpkg-deb -f "$GK_DEB" Depends |
	    sed 's/([^)]*)//g; s/|[^,]*//g; s/:any//g; s/,/ /g')
	# shellcheck disable=SC2086 # one package name a word
	dpkg-query -s $deps >"$GK_ROOT/var/lib/dpkg/status"
	dpkg --root="$GK_ROOT" -i "$GK_DEB" >"$BATS_FILE_TMPDIR/dpkg.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/dpkg.log" >&2
		return 1
	}
}

@test "make deb leaves nothing beside the checkout and a .deb in dist/" {
	[[ -f $GK_DEB ]]
	[[ ! -e $GK_SRC/dist/build ]]
	run ls "$GK_SRC/.."
	[[ $output != *gracekill_* && $output != *gracekill-dbgsym* ]] || {
		printf 'build products beside the checkout:\n%s\n' "$output" >&2
		return 1
	}
	run dpkg-deb -f "$GK_DEB" Package Version Section Architecture
	assert_status 0
	assert_output_line "Package: gracekill"
	assert_output_line "Version: $GK_VERSION"
	assert_output_line "Section: admin"
	assert_output_line "Architecture: $(dpkg --print-architecture)"
}

@test "dpkg --root installs it, its dependencies met by this system" {
	run dpkg-query --root="$GK_ROOT" -W -f '${Status} ${Version}' gracekill
	assert_status 0
	[[ $output == "install ok installed $GK_VERSION" ]]
	run dpkg-query --root="$GK_ROOT" -L gracekill
	assert_status 0
	assert_output_line /usr/bin/gracekill
	assert_output_line /usr/share/man/man1/gracekill.1.gz
	assert_output_line /usr/share/doc/gracekill/copyright
	[[ -x $GK_ROOT/usr/bin/gracekill ]]
}

@test "the installed gracekill runs and has the package's upstream version" {
	run --separate-stderr "$GK_ROOT/usr/bin/gracekill" --version
	assert_status 0
	assert_stderr_empty
	[[ $output == "gracekill ${GK_VERSION%-*}" ]]
}

@test "man -l formats the installed page without a warning" {
	run --separate-stderr man --warnings -l \
	    "$GK_ROOT/usr/share/man/man1/gracekill.1.gz"
	assert_status 0
	assert_stderr_empty
	assert_output_match '^GRACEKILL\(1\) .* GRACEKILL\(1\)$'
	assert_output_line NAME
	assert_output_match '^ +gracekill .+'
	assert_output_line "EXIT STATUS"
}

@test "the completions in completions/ land where bash, zsh and fish look" {
	local src dst
	# Each source file and where Debian's shells read it.
	local -A where=(
		[gracekill.bash]=/usr/share/bash-completion/completions/gracekill
		[_gracekill]=/usr/share/zsh/vendor-completions/_gracekill
		[gracekill.fish]=/usr/share/fish/vendor_completions.d/gracekill.fish
	)
	[[ -d $GK_SRC/completions ]] || return 0
	for src in "${!where[@]}"; do
		dst=$GK_ROOT${where[$src]}
		cmp "$GK_SRC/completions/$src" "$dst" || {
			echo "completions/$src not installed as ${where[$src]}" >&2
			return 1
		}
	done
}

@test "lintian: no errors, no warnings" {
	run lintian "$GK_DEB"
	if grep -E '^[EW]: ' <<<"$output"; then
		return 1
	fi
	[[ $status == 0 ]]
}

@test "dpkg --purge removes every file it installed" {
	run dpkg --root="$GK_ROOT" --purge gracekill
	assert_status 0
	run find "$GK_ROOT" -path "$GK_ROOT/var" -prune -o -print
	assert_status 0
	[[ $output == "$GK_ROOT" ]] || {
		printf 'left behind:\n%s\n' "$output" >&2
		return 1
	}
}
