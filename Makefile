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

SRCS =		gracekill.c procscan.c schedule.c
OBJS =		gracekill.o procscan.o schedule.o
HELPERS =	test/gk-target test/gk-decoy

.SUFFIXES: .c .o
.PHONY: all check test sanitize lint demo fuzz bench install uninstall clean

all: gracekill $(HELPERS)

.c.o:
	$(CC) $(CFLAGS) $(GK_CFLAGS) $(CPPFLAGS) -c $< -o $@

$(OBJS): procscan.h schedule.h

gracekill: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(BSD_LINK) $(LDLIBS)

# The sanitizer build keeps the name gracekill, which messages show.
asan/gracekill: $(SRCS) procscan.h schedule.h
	mkdir -p asan
	$(CC) $(SAN_FLAGS) $(GK_CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ \
	    $(SRCS) $(BSD_LIBS) $(LDLIBS)

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

install: gracekill
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1
	install -m 755 gracekill $(DESTDIR)$(PREFIX)/bin/gracekill
	install -m 644 gracekill.1 $(DESTDIR)$(MANPREFIX)/man1/gracekill.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gracekill
	rm -f $(DESTDIR)$(MANPREFIX)/man1/gracekill.1

clean:
	rm -f gracekill asan/gracekill $(OBJS) $(HELPERS)
	cd fuzz && $(MAKE) clean
