# gracekill: signal processes, wait for them to exit, escalate, report.
# Works with GNU make and BSD make.

PREFIX ?=	/usr/local
MANPREFIX ?=	$(PREFIX)/share/man
CC ?=		cc
CFLAGS ?=	-O2 -g
BATS ?=		bats

BSD_CFLAGS !=	pkg-config --cflags libbsd-overlay
BSD_LIBS !=	pkg-config --libs libbsd-overlay
BSD_STATIC !=	pkg-config --static --libs libbsd-overlay
# libbsd is linked in: a binary that ExecStop= runs should load little.
# A packager who wants it shared sets BSD_LINK=-lbsd.
BSD_LINK ?=	-Wl,-Bstatic $(BSD_STATIC) -Wl,-Bdynamic
WARNINGS =	-Wall -Wextra -Wpedantic -Wshadow -Wconversion \
		-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
		-Wimplicit-fallthrough -Wnull-dereference
# Required flags live apart from CFLAGS so a packager cannot drop them.
GK_CFLAGS =	-std=c11 $(WARNINGS) -D_FORTIFY_SOURCE=2 $(BSD_CFLAGS)
SAN_FLAGS =	-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -O1 -g
SAN_ENV =	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

SRCS =		gracekill.c procscan.c
OBJS =		$(SRCS:.c=.o)
HELPERS =	test/gk-target test/gk-decoy

.SUFFIXES: .c .o
.PHONY: all check test sanitize lint demo fuzz bench install uninstall clean \
	static deb

all: gracekill $(HELPERS)

.c.o:
	$(CC) $(CFLAGS) $(GK_CFLAGS) $(CPPFLAGS) -c $< -o $@

$(OBJS): procscan.h

gracekill: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(BSD_LINK) $(LDLIBS)

# The sanitizer build keeps the name gracekill, which messages show.
asan/gracekill: gracekill.c procscan.c procscan.h
	mkdir -p asan
	$(CC) $(SAN_FLAGS) $(GK_CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ \
	    gracekill.c procscan.c $(BSD_LIBS) $(LDLIBS)

# The static build: musl instead of glibc, and compat/ for the few libbsd
# functions used (libbsd has no musl build in Debian).
MUSL_CC ?=	musl-gcc
STATIC_CFLAGS =	-std=c11 $(WARNINGS) -isystem compat/include
COMPAT =	compat/compat.c compat/include/stdlib.h \
		compat/include/sys/ioctl.h

static: gracekill-static

gracekill-static: $(SRCS) procscan.h $(COMPAT)
	$(MUSL_CC) $(CFLAGS) $(STATIC_CFLAGS) -static $(LDFLAGS) -o $@ \
	    $(SRCS) compat/compat.c

# Test helpers are never built with sanitizers.
test/gk-target: test/gk-target.c
	$(CC) -O2 -g -pthread -o $@ test/gk-target.c

test/gk-decoy: test/gk-decoy.c
	$(CC) -O2 -g -pthread -o $@ test/gk-decoy.c

check: test sanitize

test: all
	GRACEKILL=$$PWD/gracekill $(BATS) --tap test

sanitize: asan/gracekill $(HELPERS)
	$(SAN_ENV) GRACEKILL=$$PWD/asan/gracekill $(BATS) --tap test

lint:
	mandoc -Tlint gracekill.1
	! grep -n '\\f' gracekill.1

demo: all
	sh test/demo.sh ./gracekill

FUZZ_SECONDS ?=	60
fuzz:
	cd fuzz && $(MAKE) run FUZZ_SECONDS=$(FUZZ_SECONDS)

bench: all
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
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1
	install -m 755 gracekill $(DESTDIR)$(PREFIX)/bin/gracekill
	install -m 644 gracekill.1 $(DESTDIR)$(MANPREFIX)/man1/gracekill.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gracekill
	rm -f $(DESTDIR)$(MANPREFIX)/man1/gracekill.1

clean:
	rm -f gracekill gracekill-static asan/gracekill $(OBJS) $(HELPERS)
	rm -rf dist
	cd fuzz && $(MAKE) clean
