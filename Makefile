# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds libbmsub, pam_bmsub.so and the tools into $(B)/.
#
#   make            build into build/ (runnable in place)
#   make check      install test dependencies (as root), build, run every test
#   make demo       install demo dependencies (as root), run the demo
#   make bench      PAM transaction cost against a pam_permit baseline
#   make install    PREFIX, DESTDIR, SYSCONFDIR honoured
#   V=1             show commands; SAN=1 build with ASan+UBSan

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UNITDIR ?= $(PREFIX)/lib/systemd/system
PKG_CONFIG ?= pkg-config
PAMDIR ?= $(shell $(PKG_CONFIG) --variable=libdir pam 2>/dev/null || echo /lib/x86_64-linux-gnu)/security

B ?= build
SAN ?= 0
VERSION := 0.1.0
SOVERSION := 1
LIBVERSION := $(SOVERSION).0.0

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -fstack-protector-strong -fPIC -fvisibility=hidden \
	-MMD -MP
CPPFLAGS += -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -Ilibpolicy/include -Ilibpolicy \
	-DBMSUB_DEFAULT_CONF='"$(SYSCONFDIR)/bmsub/bmsub.conf"' \
	-DBMSUB_VERSION='"$(VERSION)"'
LDFLAGS += -Wl,-z,relro,-z,now -Wl,--as-needed
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIBS_CORE = $(shell $(PKG_CONFIG) --libs libsodium libconfig 2>/dev/null)
LIBS_SSL = $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null)
LIBS_CHECK = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
LIBS_PAM = -lpam

ifeq ($(V),1)
Q =
quiet = @true
else
Q = @
quiet = @printf '  %-7s %s\n'
endif

# libpolicy/login: what a login needs (the PAM module links only this);
# libpolicy/ops: what only the programs need (counting, writing, mail,
# schedule rendering). libbmsub.so carries both.
LOGIN_SRC := $(sort $(wildcard libpolicy/login/*.c))
OPS_SRC := $(sort $(wildcard libpolicy/ops/*.c))
LIB_SRC := $(LOGIN_SRC) $(OPS_SRC)
PAM_SRC := $(sort $(wildcard pam_bmsub/*.c))
CHECK_SRC := $(sort $(wildcard tools/check/*.c)) tools/common/json.c
SIGN_SRC := $(sort $(wildcard tools/sign/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/unit/tlib*.c))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LOGIN_OBJ := $(call obj,$(LOGIN_SRC))
LIB_OBJ := $(call obj,$(LIB_SRC))
PAM_OBJ := $(call obj,$(PAM_SRC))
CHECK_OBJ := $(call obj,$(CHECK_SRC))
SIGN_OBJ := $(call obj,$(SIGN_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
TEST_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRC))

SONAME := libbmsub.so.$(SOVERSION)
LIB_SO := $(B)/libbmsub.so.$(LIBVERSION)
LIB_A := $(B)/libbmsub_pic.a
LOGIN_A := $(B)/libbmsub_login_pic.a

PROGRAMS := $(LIB_SO) $(B)/$(SONAME) $(B)/libbmsub.so $(LIB_A) $(LOGIN_A) \
	$(B)/pam_bmsub.so $(B)/bmsub-check $(B)/bmsub-sign $(B)/bmsub.pc

.PHONY: all tests check demo bench install uninstall clean deps deps-demo deps-libs fuzz
all: deps-libs $(PROGRAMS)
tests: all $(TEST_BIN)

# Stop early with the exact install line when a library is missing.
deps-libs:
	@$(PKG_CONFIG) --exists libsodium libconfig libcrypto || \
		{ sh tools/deps.sh --print build; exit 1; }

deps:
	@sh tools/deps.sh check
deps-demo:
	@sh tools/deps.sh demo

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LOGIN_A): $(LOGIN_OBJ)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJ) libpolicy/libbmsub.map
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=libpolicy/libbmsub.map -Wl,--no-undefined \
		$(LDFLAGS) -o $@ $(LIB_OBJ) $(LIBS_CORE)

$(B)/$(SONAME) $(B)/libbmsub.so: $(LIB_SO)
	$(Q)ln -sf $(notdir $(LIB_SO)) $@

# The module carries its own copy of the login half of the library (like
# pam_faillock's shared config code): no library path to set up in auth
# daemons, no operator code in them, and -z nodelete keeps its cache alive
# across pam_end's dlclose.
$(B)/pam_bmsub.so: $(PAM_OBJ) $(LOGIN_A) pam_bmsub/pam_bmsub.map
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -shared -Wl,--version-script=pam_bmsub/pam_bmsub.map \
		-Wl,-z,nodelete -Wl,--no-undefined $(LDFLAGS) -o $@ \
		$(PAM_OBJ) $(LOGIN_A) $(LIBS_PAM) $(LIBS_CORE)

# The tools include only bmsub.h and link the shared library, as any other
# program would: in build/ through RUNPATH $ORIGIN (runnable in place);
# "make install" relinks them without it into $(B)/inst/.
TOOL_LINK = $(CC) $(CFLAGS) $(LDFLAGS) -L$(B) -o $@
$(B)/bmsub-check: $(CHECK_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(CHECK_OBJ) -lbmsub

$(B)/bmsub-sign: $(SIGN_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(SIGN_OBJ) -lbmsub $(LIBS_SSL) $(LIBS_CORE)

$(B)/inst/bmsub-check: $(CHECK_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(CHECK_OBJ) -lbmsub

$(B)/inst/bmsub-sign: $(SIGN_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(SIGN_OBJ) -lbmsub $(LIBS_SSL) $(LIBS_CORE)

$(B)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(TESTLIB_OBJ) $(LIB_A) $(LIBS_CHECK) $(LIBS_PAM) $(LIBS_SSL) $(LIBS_CORE) -ldl -lpthread

$(B)/bmsub.pc: Makefile
	$(quiet) GEN $@
	$(Q)mkdir -p $(B) && printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
		'includedir=$(INCLUDEDIR)' '' 'Name: bmsub' \
		'Description: subscription policy for mail platform logins' \
		'Version: $(VERSION)' 'Requires.private: libsodium libconfig' \
		'Libs: -L$${libdir} -lbmsub' 'Cflags: -I$${includedir}' > $@

# Every test: unit tests built with ASan+UBSan in $(B)/san, then the
# integration scripts (CLI, PAM, real servers) against both builds.
check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory B=$(B)/san SAN=1 tests
	$(Q)$(MAKE) --no-print-directory fuzz
	$(Q)sh tests/run.sh $(B) $(B)/san

demo: deps-demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tools/demo.sh $(B)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/tests/bench_pam
	$(Q)$(B)/tests/bench_pam $(CURDIR)/$(B)

install: all $(B)/inst/bmsub-check $(B)/inst/bmsub-sign
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(PAMDIR) \
		$(DESTDIR)$(SYSCONFDIR)/bmsub/keys.d $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/inst/bmsub-check $(B)/inst/bmsub-sign $(DESTDIR)$(BINDIR)/
	install -m 0644 $(B)/pam_bmsub.so $(DESTDIR)$(PAMDIR)/
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/libbmsub.so
	install -m 0644 libpolicy/include/bmsub.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(B)/bmsub.pc $(DESTDIR)$(PKGCONFIGDIR)/
	[ -e $(DESTDIR)$(SYSCONFDIR)/bmsub/bmsub.conf ] || \
		install -m 0644 conf/bmsub.conf $(DESTDIR)$(SYSCONFDIR)/bmsub/bmsub.conf
	install -d $(DESTDIR)$(UNITDIR)
	for f in conf/*.service conf/*.timer; do [ -e "$$f" ] || continue; \
		sed 's|/usr/local/bin/|$(BINDIR)/|g' "$$f" >$(DESTDIR)$(UNITDIR)/$$(basename $$f) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$f) || exit 1; done
	for f in man/*.[0-9]; do [ -e "$$f" ] || continue; \
		install -D -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man$${f##*.}/$$(basename $$f); done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bmsub-check $(DESTDIR)$(BINDIR)/bmsub-sign \
		$(DESTDIR)$(PAMDIR)/pam_bmsub.so $(DESTDIR)$(LIBDIR)/libbmsub.so* \
		$(DESTDIR)$(INCLUDEDIR)/bmsub.h $(DESTDIR)$(PKGCONFIGDIR)/bmsub.pc

# libFuzzer targets (clang): make fuzz builds $(B)/fuzz/*; tests/sh/fuzz.sh
# runs them briefly over the golden files in make check.
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
fuzz: $(FUZZ_BIN)
$(B)/fuzz/%: fuzz/%.c $(LIB_SRC) libpolicy/internal.h libpolicy/include/bmsub.h
	@mkdir -p $(dir $@)
	$(quiet) FUZZ $@
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) \
		-o $@ $< $(LIB_SRC) $(LIBS_CORE)

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
