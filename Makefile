# gracekill: signal processes, wait for them to exit, escalate, report.
# Works with GNU make and BSD make.

PREFIX ?=	/usr/local
MANPREFIX ?=	$(PREFIX)/share/man
# Where each shell looks for completions (Debian's zsh: vendor-completions).
BASHCOMPDIR_PC != pkg-config --variable=completionsdir bash-completion \
		    2>/dev/null || echo '$(PREFIX)/share/bash-completion/completions'
BASHCOMPDIR ?=	$(BASHCOMPDIR_PC)
ZSHCOMPDIR ?=	$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?=	$(PREFIX)/share/fish/vendor_completions.d
CC ?=		cc
CFLAGS ?=	-O2 -g
BATS ?=		bats

# Empty when libbsd is missing: compiling then stops (HAVE_BSD) and says
# which package to install.
BSD_CFLAGS !=	pkg-config --cflags libbsd-overlay 2>/dev/null || true
BSD_LIBS !=	pkg-config --libs libbsd-overlay 2>/dev/null || true
BSD_STATIC !=	pkg-config --static --libs libbsd-overlay 2>/dev/null || true
# libbsd is linked in: a binary that ExecStop= runs should load little.
# A packager who wants it shared sets BSD_LINK=-lbsd.
BSD_LINK ?=	-Wl,-Bstatic $(BSD_STATIC) -Wl,-Bdynamic
WARNINGS =	-Wall -Wextra -Wpedantic -Wshadow -Wconversion \
		-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
		-Wimplicit-fallthrough -Wnull-dereference
# Required flags live apart from CFLAGS so a packager cannot drop them.
# Without libbsd's headers getprogname() would be an implicit int: fail.
GK_CFLAGS =	-std=c11 $(WARNINGS) -Werror=implicit-function-declaration \
		-D_FORTIFY_SOURCE=2 $(BSD_CFLAGS)
SAN_FLAGS =	-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -O1 -g
SAN_ENV =	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

SRCS =		gracekill.c procscan.c schedule.c
OBJS =		$(SRCS:.c=.o)
HELPERS =	test/gk-target test/gk-decoy test/gk-listen

# mk/need checks (and for demo and check installs) the Debian packages of
# mk/packages.  HAVE_BSD stops a build before compiling without libbsd.
NEED =		sh mk/need
HAVE_BSD =	test -n "$(BSD_CFLAGS)" || { $(NEED) -n all && echo \
		    "pkg-config finds no libbsd-overlay (Debian: libbsd-dev)" \
		    >&2; exit 1; }

.SUFFIXES: .c .o
.PHONY: all check test sanitize lint demo fuzz bench install uninstall clean \
	static deb

all: gracekill $(HELPERS)

.c.o:
	@$(HAVE_BSD)
	$(CC) $(CFLAGS) $(GK_CFLAGS) $(CPPFLAGS) -c $< -o $@

$(OBJS): procscan.h schedule.h

gracekill: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(BSD_LINK) $(LDLIBS)

# The sanitizer build keeps the name gracekill, which messages show.
asan/gracekill: $(SRCS) procscan.h schedule.h
	@$(HAVE_BSD)
	mkdir -p asan
	$(CC) $(SAN_FLAGS) $(GK_CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ \
	    $(SRCS) $(BSD_LIBS) $(LDLIBS)

# The static build: musl instead of glibc, and compat/ for the few libbsd
# functions used (libbsd has no musl build in Debian).
MUSL_CC ?=	musl-gcc
STATIC_CFLAGS =	-std=c11 $(WARNINGS) -isystem compat/include
COMPAT =	compat/compat.c compat/include/stdlib.h \
		compat/include/sys/ioctl.h

static: gracekill-static

# musl's include path leaves out the kernel's headers (sock_diag):
# static-inc/ points at just those.
MULTIARCH !=	$(CC) -print-multiarch 2>/dev/null || true

gracekill-static: $(SRCS) procscan.h schedule.h $(COMPAT)
	mkdir -p static-inc
	ln -sfn /usr/include/linux static-inc/linux
	ln -sfn /usr/include/asm-generic static-inc/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm static-inc/asm
	$(MUSL_CC) $(CFLAGS) $(STATIC_CFLAGS) -idirafter static-inc -static \
	    $(LDFLAGS) -o $@ $(SRCS) compat/compat.c

# Test helpers are never built with sanitizers.
test/gk-target: test/gk-target.c
	$(CC) -O2 -g -pthread -o $@ test/gk-target.c

test/gk-decoy: test/gk-decoy.c
	$(CC) -O2 -g -pthread -o $@ test/gk-decoy.c

test/gk-listen: test/gk-listen.c
	$(CC) -O2 -g -o $@ test/gk-listen.c

# demo and check set up first, then build in a new make: the pkg-config
# lines above were read before the packages were there.  check runs every
# part even when one fails, and fails if any did.
check:
	@$(NEED) check
	@$(MAKE) all asan/gracekill
	@failed=; \
	$(MAKE) test || failed="$$failed test"; \
	$(MAKE) sanitize || failed="$$failed sanitize"; \
	$(MAKE) lint || failed="$$failed lint"; \
	if [ -n "$$failed" ]; then echo "make check failed:$$failed" >&2; \
	exit 1; fi

test: all
	@$(NEED) -n test
	GRACEKILL=$$PWD/gracekill $(BATS) --tap test

sanitize: asan/gracekill $(HELPERS)
	@$(NEED) -n sanitize
	$(SAN_ENV) GRACEKILL=$$PWD/asan/gracekill $(BATS) --tap test

# Warning level: a style note about a manual not installed here is no fault.
lint:
	@$(NEED) -n lint
	mandoc -Tlint -W warning gracekill.1
	! grep -n '\\f' gracekill.1

demo:
	@$(NEED) demo
	@$(MAKE) all
	sh test/demo.sh ./gracekill

FUZZ_SECONDS ?=	60
fuzz:
	cd fuzz && $(MAKE) run FUZZ_SECONDS=$(FUZZ_SECONDS)

bench: all
	@$(NEED) -n bench
	bench/run

# The Debian package, built in a copy of the source tree (dpkg-buildpackage
# writes beside the tree it builds); the .deb lands in dist/.
deb:
	rm -rf dist/build dist/gracekill_*.deb
	mkdir -p dist/build/gracekill
	git ls-files -co --exclude-standard | tar -cf - -T - | \
	    (cd dist/build/gracekill && tar -xf -)
	cd dist/build/gracekill && dpkg-buildpackage -us -uc -b
	mv dist/build/gracekill_*.deb dist/
	rm -rf dist/build

install: gracekill
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 gracekill $(DESTDIR)$(PREFIX)/bin/gracekill
	install -m 644 gracekill.1 $(DESTDIR)$(MANPREFIX)/man1/gracekill.1
	install -m 644 completions/gracekill.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/gracekill
	install -m 644 completions/_gracekill $(DESTDIR)$(ZSHCOMPDIR)/_gracekill
	install -m 644 completions/gracekill.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/gracekill.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gracekill
	rm -f $(DESTDIR)$(MANPREFIX)/man1/gracekill.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/gracekill
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_gracekill
	rm -f $(DESTDIR)$(FISHCOMPDIR)/gracekill.fish

clean:
	rm -f gracekill gracekill-static $(OBJS) $(HELPERS)
	rm -rf asan dist static-inc
	cd fuzz && $(MAKE) clean
