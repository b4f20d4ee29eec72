# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds libbmsub, pam_bmsub.so and the tools into $(B)/.
#
#   make            build into build/ (runnable in place)
#   make check      install test dependencies (as root), build, run every test
#   make demo       install demo dependencies (as root), run the demo
#   make bench      PAM transaction cost against a pam_permit baseline (and
#                   against pam_permit plus a copy of it: what one more
#                   stack line costs libpam), the load test over BENCH_LOAD
#                   (1,000,000) transactions, and bmsub-web's nginx gate
#                   against a static file; instruction counts per
#                   transaction: sh tools/bench_callgrind.sh build
#   make bench-cluster  cluster mode against a PostgreSQL started here (as
#                   root): 20 nodes x 50,000 logins (BENCH_NODES,
#                   BENCH_LOGINS), refresh times and the database's size
#   make install    DESTDIR, PREFIX and the folders below honoured
#   make uninstall  removes what install put (not the configuration, keys,
#                   license or state: see the README)
#   V=1             show commands; SAN=1 build with ASan+UBSan
#
# SYSCONFDIR and LOCALSTATEDIR are compiled in (the default configuration
# file and the default license, keys_dir and state_dir): a build folder is
# rebuilt when they, or any flag, change.

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
CONFDIR ?= $(SYSCONFDIR)/bmsub
STATEDIR ?= $(LOCALSTATEDIR)/lib/bmsub
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
# make bench: transactions of the load test (tests/unit/test_pam_load.c)
BENCH_LOAD ?= 1000000
# make bench-cluster: nodes and logins a node (tests/servers/bench_cluster.sh)
BENCH_NODES ?= 20
BENCH_LOGINS ?= 50000
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/bmsub
EXAMPLESDIR ?= $(DOCDIR)/examples
PKG_CONFIG ?= pkg-config
# The multiarch triplet (x86_64-linux-gnu, aarch64-linux-gnu...) of the
# host, asked once and only when a folder below needs it; empty elsewhere.
MULTIARCH ?= $(eval MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
	$(CC) -print-multiarch 2>/dev/null))$(MULTIARCH)
# The system's own library folder for PREFIX=/usr (Debian: multiarch);
# $(PREFIX)/lib elsewhere, which ld.so.conf names for /usr/local.
ifeq ($(PREFIX),/usr)
LIBDIR ?= /usr/lib$(if $(MULTIARCH),/$(MULTIARCH))
UNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/usr/lib/systemd/system)
else
LIBDIR ?= $(PREFIX)/lib
UNITDIR ?= $(PREFIX)/lib/systemd/system
endif
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Where libpam loads modules from, whatever PREFIX: libpam's pkg-config
# file says, else the multiarch folder.
PAMDIR ?= $(or $(shell $(PKG_CONFIG) --variable=libdir pam 2>/dev/null),/usr/lib$(if $(MULTIARCH),/$(MULTIARCH)))/security

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
	-DBMSUB_DEFAULT_CONF='"$(CONFDIR)/bmsub.conf"' \
	-DBMSUB_CONFDIR='"$(CONFDIR)"' -DBMSUB_STATEDIR='"$(STATEDIR)"' \
	-DBMSUB_VERSION='"$(VERSION)"'
# bmsub-check doctor looks for the module where libpam loads it from
PAMDIR_BUILT := $(PAMDIR)
CPPFLAGS += -DBMSUB_PAMDIR='"$(PAMDIR_BUILT)"'
# and for the Lua module where Lua loads it from (set below)
# doctor looks for the Lua module where Lua 5.4's package.cpath does (the
# triplet, not LUADIR: PREFIX must not recompile anything)
CPPFLAGS += -DBMSUB_MULTIARCH='"$(MULTIARCH)"'
LDFLAGS += -Wl,-z,relro,-z,now -Wl,--as-needed
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIBS_CORE = $(shell $(PKG_CONFIG) --libs libsodium libconfig 2>/dev/null)
LIBS_SSL = $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null)
LIBS_CHECK = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
LIBS_PAM = -lpam
LUA_PC ?= lua5.4
LUA_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LUA_PC) 2>/dev/null)
# Lua 5.4 module for Dovecot's Lua passdb; where Lua's package.cpath looks
LUADIR ?= $(LIBDIR)/lua/5.4
LIBS_FCGI = -lfcgi
# libpq: bmsub-check only (cluster mode, SPEC 8); never the library or module
CFLAGS_PQ = $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null)
LIBS_PQ = $(shell $(PKG_CONFIG) --libs libpq 2>/dev/null || echo -lpq)
$(B)/obj/tools/check/%.o: CPPFLAGS += $(CFLAGS_PQ)

# Stamps: $(B)/build-flags holds the compile flags (the folders compiled in
# among them), $(B)/install-dirs the folders written into bmsub.pc. Each is
# rewritten when its text changes, so whatever depends on it is rebuilt;
# make -n and -q change nothing, "make clean" writes none.
FLAGS_STAMP := $(B)/build-flags
DIRS_STAMP := $(B)/install-dirs
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
INSTALL_DIRS := $(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(VERSION)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS)))$(findstring q,$(firstword -$(MAKEFLAGS))),)
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(file <$(FLAGS_STAMP)),$(BUILD_FLAGS))
$(shell mkdir -p $(B))
$(file >$(FLAGS_STAMP),$(BUILD_FLAGS))
endif
ifneq ($(file <$(DIRS_STAMP)),$(INSTALL_DIRS))
$(shell mkdir -p $(B))
$(file >$(DIRS_STAMP),$(INSTALL_DIRS))
endif
endif
endif

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
LUA_SRC := $(sort $(wildcard lua/*.c))
CHECK_SRC := $(sort $(wildcard tools/check/*.c)) tools/common/json.c
SIGN_SRC := $(sort $(wildcard tools/sign/*.c))
POLICY_SRC := $(sort $(wildcard tools/policy/*.c))
WEB_SRC := $(sort $(wildcard tools/web/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/unit/tlib*.c))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LOGIN_OBJ := $(call obj,$(LOGIN_SRC))
LIB_OBJ := $(call obj,$(LIB_SRC))
PAM_OBJ := $(call obj,$(PAM_SRC))
LUA_OBJ := $(call obj,$(LUA_SRC))
CHECK_OBJ := $(call obj,$(CHECK_SRC))
SIGN_OBJ := $(call obj,$(SIGN_SRC))
POLICY_OBJ := $(call obj,$(POLICY_SRC))
WEB_OBJ := $(call obj,$(WEB_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
TEST_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRC))
# bench_pam is built by "make bench" only
TEST_PROG := $(TEST_BIN) $(B)/tests/bench_pam

SONAME := libbmsub.so.$(SOVERSION)
LIB_SO := $(B)/libbmsub.so.$(LIBVERSION)
LIB_A := $(B)/libbmsub_pic.a
LOGIN_A := $(B)/libbmsub_login_pic.a

PROGRAMS := $(LIB_SO) $(B)/$(SONAME) $(B)/libbmsub.so $(LIB_A) $(LOGIN_A) \
	$(B)/pam_bmsub.so $(B)/bmsub-check $(B)/bmsub-sign $(B)/bmsub.pc \
	$(B)/bmsub-policy $(B)/bmsub.so $(B)/bmsub-web

.PHONY: all tests check demo bench bench-cluster install uninstall clean deps deps-demo deps-libs fuzz
all: deps-libs $(PROGRAMS)
tests: all $(TEST_BIN) $(B)/tests/nss_fail.so

# Stop early with the exact install line when a library is missing.
deps-libs:
	@$(PKG_CONFIG) --exists libsodium libconfig libcrypto $(LUA_PC) || \
		{ sh tools/deps.sh --print build; exit 1; }
	@echo '#include <fcgiapp.h>' | $(CC) -E - >/dev/null 2>&1 || \
		{ sh tools/deps.sh --print build; exit 1; }

deps:
	@sh tools/deps.sh check
deps-demo:
	@sh tools/deps.sh demo

# The stamps (see above) when missing, as after "make clean all"
$(FLAGS_STAMP):
	$(shell mkdir -p $(B))$(file >$@,$(BUILD_FLAGS))
$(DIRS_STAMP):
	$(shell mkdir -p $(B))$(file >$@,$(INSTALL_DIRS))

$(B)/obj/%.o: %.c $(FLAGS_STAMP)
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

# libbmsub.so -> libbmsub.so.1 -> libbmsub.so.1.0.0, as installed
$(B)/$(SONAME): $(LIB_SO)
	$(Q)ln -sfn $(notdir $(LIB_SO)) $@
$(B)/libbmsub.so: $(B)/$(SONAME)
	$(Q)ln -sfn $(SONAME) $@

# The module carries its own copy of the login half of the library (like
# pam_faillock's shared config code): no library path to set up in auth
# daemons, no operator code in them, and -z nodelete keeps its cache alive
# across pam_end's dlclose.
$(B)/pam_bmsub.so: $(PAM_OBJ) $(LOGIN_A) pam_bmsub/pam_bmsub.map
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -shared -Wl,--version-script=pam_bmsub/pam_bmsub.map \
		-Wl,-z,nodelete -Wl,--no-undefined $(LDFLAGS) -o $@ \
		$(PAM_OBJ) $(LOGIN_A) $(LIBS_PAM) $(LIBS_CORE)

# The Lua module (require "bmsub"), built like the PAM module: its own
# copy of the login half, its one cache kept across lua_close (nodelete).
# Lua's symbols come from the interpreter that loads it (lua5.4, Dovecot's
# auth process), as Lua modules do: not linked.
$(B)/obj/lua/%.o: CPPFLAGS += $(LUA_CFLAGS)
$(B)/bmsub.so: $(LUA_OBJ) $(LOGIN_A) lua/bmsub_lua.map
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -shared -Wl,--version-script=lua/bmsub_lua.map \
		-Wl,-z,nodelete $(LDFLAGS) -o $@ $(LUA_OBJ) $(LOGIN_A) $(LIBS_CORE)

# The tools include only bmsub.h and link the shared library, as any other
# program would: in build/ through RUNPATH $ORIGIN (runnable in place);
# "make install" relinks them without it into $(B)/inst/.
TOOL_LINK = $(CC) $(CFLAGS) $(LDFLAGS) -L$(B) -o $@
$(B)/bmsub-check: $(CHECK_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(CHECK_OBJ) -lbmsub $(LIBS_PQ)

$(B)/bmsub-sign: $(SIGN_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(SIGN_OBJ) -lbmsub $(LIBS_SSL) $(LIBS_CORE)

$(B)/bmsub-policy: $(POLICY_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(POLICY_OBJ) -lbmsub

# bmsub-web: the FastCGI responder (libfcgi) and its privileged helper
$(B)/bmsub-web: $(WEB_OBJ) $(B)/libbmsub.so
	$(quiet) LD $@
	$(Q)$(TOOL_LINK) -Wl,-rpath,'$$ORIGIN' $(WEB_OBJ) -lbmsub $(LIBS_FCGI) $(LIBS_CORE) -lpthread

$(B)/inst/bmsub-web: $(WEB_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(WEB_OBJ) -lbmsub $(LIBS_FCGI) $(LIBS_CORE) -lpthread

$(B)/inst/bmsub-policy: $(POLICY_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(POLICY_OBJ) -lbmsub

$(B)/inst/bmsub-check: $(CHECK_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(CHECK_OBJ) -lbmsub $(LIBS_PQ)

$(B)/inst/bmsub-sign: $(SIGN_OBJ) $(B)/libbmsub.so
	@mkdir -p $(dir $@)
	$(Q)$(TOOL_LINK) $(SIGN_OBJ) -lbmsub $(LIBS_SSL) $(LIBS_CORE)

# Test programs: compiled like everything else into $(B)/obj (so their
# dependency files are read: editing tlib.h or pamt.h rebuilds the tests
# that include it), then linked with the whole library.
$(B)/obj/tests/unit/%.o: CPPFLAGS += -Itests/unit
$(B)/obj/tests/unit/test_web_form.o: CPPFLAGS += -Itools/web
# test_web_form also takes bmsub-web's form parser and escapes
$(B)/tests/test_web_form: $(B)/obj/tools/web/form.o $(B)/obj/tools/web/page.o
$(B)/tests/test_web_form: TEST_EXTRA = $(B)/obj/tools/web/form.o $(B)/obj/tools/web/page.o
$(TEST_PROG): $(B)/tests/%: $(B)/obj/tests/unit/%.o $(TESTLIB_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_EXTRA) \
		$(TESTLIB_OBJ) $(LIB_A) $(LIBS_CHECK) $(LIBS_PAM) $(LIBS_SSL) $(LIBS_CORE) -ldl -lpthread

# An LD_PRELOAD shim that makes chosen NSS lookups fail (tests/sh/pam_nss.sh);
# plain, without the sanitizers: the ASan runtime comes first in LD_PRELOAD.
$(B)/tests/nss_fail.so: tests/unit/nss_fail.c
	@mkdir -p $(dir $@)
	$(quiet) LD $@
	$(Q)$(CC) -O2 -g -Wall -Wextra -fPIC -shared -o $@ $< -ldl

$(B)/bmsub.pc: $(DIRS_STAMP) Makefile
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
	$(Q)$(MAKE) --no-print-directory all $(B)/tests/bench_pam $(B)/tests/test_pam_load
	$(Q)$(B)/tests/bench_pam $(CURDIR)/$(B)
	$(Q)SB=$(CURDIR)/$(B) CK_FORK=no PAMT_LOAD_TOTAL=$(BENCH_LOAD) \
		$(B)/tests/test_pam_load >$(B)/bench-load.log 2>&1; rc=$$?; \
		grep -vE '^oracle|^Running' $(B)/bench-load.log; exit $$rc
	$(Q)TOP=$(CURDIR) B=$(CURDIR)/$(B) sh tests/servers/bench_web.sh

bench-cluster: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)TOP=$(CURDIR) B=$(CURDIR)/$(B) BMSUB_BENCH_NODES=$(BENCH_NODES) \
		BMSUB_BENCH_LOGINS=$(BENCH_LOGINS) sh tests/servers/bench_cluster.sh

# The shipped texts name the default folders (/usr/local/sbin, /etc/bmsub,
# /var/lib/bmsub, conf/ for the examples); installed, they name these.
SUBST = sed -e 's|/usr/local/sbin/|$(SBINDIR)/|g' -e 's|/usr/local/bin/|$(BINDIR)/|g' \
	-e 's|/etc/bmsub|$(CONFDIR)|g' -e 's|/var/lib/bmsub|$(STATEDIR)|g' \
	-e 's|\([[:space:](]\)conf/|\1$(EXAMPLESDIR)/|g'
MAN_SRC := $(sort $(wildcard man/*.[1-8]))
UNIT_SRC := $(sort $(wildcard conf/*.service conf/*.timer conf/*.socket))
PAMD_SRC := $(sort $(wildcard conf/pam.d/*))
POSTFIX_SRC := conf/postfix/main.cf conf/postfix/master.cf
DOVECOT_SRC := conf/dovecot/auth-bmsub.conf.ext conf/dovecot/bmsub.lua
FAIL2BAN_SRC := conf/fail2ban/bmsub-dovecot.conf conf/fail2ban/bmsub-nginx-pam.conf
NGINX_SRC := conf/nginx/bmsub-web.conf conf/nginx/bmsub-gate.conf
EXAMPLE_SRC := conf/README.servers conf/bmsub.conf conf/bmsub.cron
# install -m MODE from a file through $(SUBST)
subst_install = { $(SUBST) $(1) >$(2).tmp && chmod $(3) $(2).tmp && mv -f $(2).tmp $(2); }

# The configuration is installed only when absent (never overwritten);
# $(CONFDIR)/keys.d and $(STATEDIR) are made when absent, mode 0755 (the
# keys folder is refused when group or others can write it).
install: all $(B)/inst/bmsub-check $(B)/inst/bmsub-sign $(B)/inst/bmsub-policy \
		$(B)/inst/bmsub-web
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(PAMDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(EXAMPLESDIR)/pam.d \
		$(DESTDIR)$(EXAMPLESDIR)/postfix $(DESTDIR)$(EXAMPLESDIR)/dovecot \
		$(DESTDIR)$(EXAMPLESDIR)/fail2ban $(DESTDIR)$(EXAMPLESDIR)/nginx \
		$(DESTDIR)$(LUADIR)
	for d in $(DESTDIR)$(CONFDIR) $(DESTDIR)$(CONFDIR)/keys.d $(DESTDIR)$(STATEDIR); do \
		[ -d "$$d" ] || install -d -m 0755 "$$d" || exit 1; done
	install -m 0755 $(B)/inst/bmsub-check $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(B)/inst/bmsub-sign $(DESTDIR)$(BINDIR)/
	install -m 0755 $(B)/inst/bmsub-policy $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(B)/inst/bmsub-web $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(B)/pam_bmsub.so $(DESTDIR)$(PAMDIR)/
	install -m 0644 $(B)/bmsub.so $(DESTDIR)$(LUADIR)/
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sfn $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(LIBDIR)/libbmsub.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libbmsub.a
	$(call subst_install,libpolicy/include/bmsub.h,$(DESTDIR)$(INCLUDEDIR)/bmsub.h,0644)
	install -m 0644 $(B)/bmsub.pc $(DESTDIR)$(PKGCONFIGDIR)/
	[ -e $(DESTDIR)$(CONFDIR)/bmsub.conf ] || \
		$(call subst_install,conf/bmsub.conf,$(DESTDIR)$(CONFDIR)/bmsub.conf,0644)
	for f in $(UNIT_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(UNITDIR)/$${f##*/},0644) || exit 1; done
	for f in $(MAN_SRC); do install -d $(DESTDIR)$(MANDIR)/man$${f##*.} && \
		$(call subst_install,$$f,$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/},0644) || exit 1; done
	for f in $(EXAMPLE_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/$${f##*/},0644) || exit 1; done
	for f in $(PAMD_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/pam.d/$${f##*/},0644) || exit 1; done
	for f in $(POSTFIX_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/postfix/$${f##*/},0644) || exit 1; done
	for f in $(DOVECOT_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/dovecot/$${f##*/},0644) || exit 1; done
	for f in $(FAIL2BAN_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/fail2ban/$${f##*/},0644) || exit 1; done
	for f in $(NGINX_SRC); do \
		$(call subst_install,$$f,$(DESTDIR)$(EXAMPLESDIR)/nginx/$${f##*/},0644) || exit 1; done
	@# a real install (no DESTDIR, as root): programs built with
	@# pkg-config --libs bmsub find libbmsub.so.1 at once
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		ldconfig; fi

# Everything install put, except what the operator owns: a bmsub.conf that
# differs from the shipped one, $(CONFDIR) with the license and keys.d,
# and $(STATEDIR) (state, recipients). Folders shared with other software
# (bin, lib, man...) stay. $(BINDIR)/bmsub-check: where installs before
# the move to SBINDIR put it.
uninstall:
	@# never silently break logins: a PAM stack naming the module would
	@# fail every login at the next auth worker (FORCE=1 overrides)
	@users=$$(grep -lE '^[^#]*pam_bmsub' $(DESTDIR)$(SYSCONFDIR)/pam.d/* 2>/dev/null); \
	if [ -n "$$users" ] && [ "$(FORCE)" != 1 ]; then \
		echo "uninstall refused: these PAM stacks still name pam_bmsub.so:" $$users >&2; \
		echo "remove it from them first (or make uninstall FORCE=1)" >&2; exit 1; fi
	rm -f $(DESTDIR)$(SBINDIR)/bmsub-check $(DESTDIR)$(BINDIR)/bmsub-sign \
		$(DESTDIR)$(SBINDIR)/bmsub-policy $(DESTDIR)$(SBINDIR)/bmsub-web \
		$(DESTDIR)$(BINDIR)/bmsub-check \
		$(DESTDIR)$(PAMDIR)/pam_bmsub.so $(DESTDIR)$(LUADIR)/bmsub.so \
		$(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libbmsub.so $(DESTDIR)$(LIBDIR)/libbmsub.a \
		$(DESTDIR)$(INCLUDEDIR)/bmsub.h $(DESTDIR)$(PKGCONFIGDIR)/bmsub.pc \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNIT_SRC))) \
		$(foreach f,$(MAN_SRC),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/,$(notdir $(EXAMPLE_SRC))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/pam.d/,$(notdir $(PAMD_SRC))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/postfix/,$(notdir $(POSTFIX_SRC))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/dovecot/,$(notdir $(DOVECOT_SRC))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/fail2ban/,$(notdir $(FAIL2BAN_SRC))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/nginx/,$(notdir $(NGINX_SRC)))
	@for d in $(DESTDIR)$(EXAMPLESDIR)/pam.d $(DESTDIR)$(EXAMPLESDIR)/postfix \
	    $(DESTDIR)$(EXAMPLESDIR)/dovecot $(DESTDIR)$(EXAMPLESDIR)/fail2ban \
	    $(DESTDIR)$(EXAMPLESDIR)/nginx $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(DOCDIR); do \
		[ ! -d "$$d" ] || rmdir "$$d" || exit 1; done
	@# $(LUADIR) (lua/5.4) is shared with other Lua modules: removed only
	@# when empty
	@for d in $(DESTDIR)$(LUADIR) $(dir $(DESTDIR)$(LUADIR)); do \
		rmdir "$$d" 2>/dev/null || true; done
	@if [ ! -e $(DESTDIR)$(CONFDIR)/bmsub.conf ]; then :; \
	elif $(SUBST) conf/bmsub.conf | cmp -s - $(DESTDIR)$(CONFDIR)/bmsub.conf; then \
		echo "rm -f $(DESTDIR)$(CONFDIR)/bmsub.conf (unchanged)"; \
		rm -f $(DESTDIR)$(CONFDIR)/bmsub.conf; \
	else \
		echo "kept: $(DESTDIR)$(CONFDIR)/bmsub.conf (changed since install)"; \
	fi
	@for d in $(DESTDIR)$(CONFDIR) $(DESTDIR)$(STATEDIR); do \
		[ ! -d "$$d" ] || echo "kept: $$d"; done

# libFuzzer targets (clang), one per parser: make fuzz builds $(B)/fuzz/*;
# make fuzz FUZZ_SECONDS=N also runs each for N seconds over its committed
# seeds fuzz/corpus/<target> (fuzz/run.sh; new inputs go to
# $(B)/fuzz/corpus/<target>); tests/sh/fuzz.sh runs each briefly in make
# check. The library is compiled once for all of them (instrumented,
# without libFuzzer's main) into $(B)/fuzz/libbmsub_fuzz.a.
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRC))
FUZZ_A := $(B)/fuzz/libbmsub_fuzz.a
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
FUZZ_SECONDS = 0
fuzz: $(FUZZ_BIN)
	$(Q)if [ "$(FUZZ_SECONDS)" != 0 ]; then \
		sh fuzz/run.sh $(B)/fuzz $(FUZZ_SECONDS) $(notdir $(FUZZ_BIN)); fi
$(B)/fuzz/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_A): $(FUZZ_LIB_OBJ)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# fuzz_policy also takes bmsub-policy's protocol reader, fuzz_args
# bmsub-check's option parsers
$(B)/fuzz/fuzz_policy: $(B)/fuzz/obj/tools/policy/proto.o
$(B)/fuzz/fuzz_args: $(B)/fuzz/obj/tools/check/args.o \
	$(B)/fuzz/obj/tools/check/cli.o $(B)/fuzz/obj/tools/common/json.o
# fuzz_form: bmsub-web's form parser
$(B)/fuzz/fuzz_form: $(B)/fuzz/obj/tools/web/form.o
$(B)/fuzz/obj/fuzz/fuzz_form.o: CPPFLAGS += -Itools/web
$(FUZZ_BIN): $(B)/fuzz/%: $(B)/fuzz/obj/fuzz/%.o $(FUZZ_A)
	$(quiet) FUZZ $@
	$(Q)$(FUZZ_CC) -g -fsanitize=fuzzer,address,undefined -o $@ $(filter %.o,$^) $(FUZZ_A) $(LIBS_CORE)

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/fuzz/obj -name '*.d' 2>/dev/null)

# make demo and make check on a clean Debian 12 chroot (mmdebstrap), from
# a clone of HEAD under /root: root, the network, about 5 minutes. Not run by
# make check.
check-fresh:
	$(Q)sh tests/fresh/mmdebstrap.sh
.PHONY: check-fresh

# Debian packages (debian/): make deb builds them from a clean copy of the
# tracked files into build/deb/ and runs lintian; make check-deb (root, the
# network to the Debian mirror) also installs, upgrades and purges them in
# a clean Debian 12 chroot (tests/deb/check-deb.sh).
deb:
	$(Q)sh tools/deps.sh deb
	$(Q)sh tools/deb.sh
check-deb:
	$(Q)sh tools/deps.sh deb
	$(Q)sh tests/deb/check-deb.sh
.PHONY: deb check-deb

# Mutation run (tests/mutate/mutate.py, mutants in tests/mutate/mutants):
# each mutant applied to a private copy under build/mutate, rebuilt, its
# tests run; prints the score. Not part of make check (about 20 minutes).
mutate: deps
	$(Q)python3 tests/mutate/mutate.py
.PHONY: mutate
