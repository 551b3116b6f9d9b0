# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# sip6xx build, in the style of libbpf-bootstrap's examples/c/Makefile.
# Everything generated goes under build/.

OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKG_CONFIG ?= pkg-config
prefix ?= /usr/local
DESTDIR ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

ARCH ?= $(shell uname -m | sed 's/x86_64/x86/' | sed 's/aarch64/arm64/' \
			 | sed 's/ppc64le/powerpc/' | sed 's/mips.*/mips/' \
			 | sed 's/arm.*/arm/' | sed 's/riscv64/riscv/')

# clang -target bpf does not search the host's multiarch include dirs, where
# asm/types.h lives; borrow clang's own list (libbpf-bootstrap does the same).
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ibpf $(CLANG_BPF_SYS_INCLUDES)
CFLAGS ?= -g -O2
# user/lib/'s headers by bare name, as xdp-tools includes its lib/util; any other by its path under user/.
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11 -D_GNU_SOURCE \
	  -Ibpf -Iuser -Iuser/lib -I$(OUTPUT)
# SANITIZE=1: ASan and UBSan in every object and link (the link lines carry
# CFLAGS); give it its own tree, make SANITIZE=1 OUTPUT=build/san, so its objects
# never mix with the plain build's (tests/checks/sanitize.sh does that).
ifeq ($(SANITIZE),1)
# Alignment is left out, as in tests/fuzz: the shared parser reads tunnelled
# headers in place at 2 mod 4, as the kernel does (tests/fuzz/fuzz_parse.c).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize=alignment -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
CFLAGS += $(SAN_FLAGS)
endif
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
USER_LIBS := $(LIBBPF_LIBS) $(shell $(PKG_CONFIG) --libs libmicrohttpd libpcap libcurl 2>/dev/null \
		|| echo -lmicrohttpd -lpcap -lcurl) -lm
# --web-config: libyaml reads the file, libcrypt (libxcrypt) checks bcrypt, GnuTLS the certificates.
USER_LIBS += $(shell $(PKG_CONFIG) --libs yaml-0.1 libcrypt gnutls 2>/dev/null \
		|| echo -lyaml -lcrypt -lgnutls)
# libcap: the exporter's privilege drop (user/lib/privs.c).
USER_LIBS += $(shell $(PKG_CONFIG) --libs libcap 2>/dev/null || echo -lcap)
# Call context (user/calls/): libosip2 decodes SIP messages, nettle keys the table and caller hashes.
USER_LIBS += $(shell $(PKG_CONFIG) --libs libosip2 nettle 2>/dev/null || echo -losipparser2 -losip2 -lnettle)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

BPF_HDRS := $(wildcard bpf/*.h)
USER_HDRS := $(shell find user -name '*.h')
# user/lib/: what every sip6xx program shares, archived once as libsip6xx.a
# (as xdp-tools builds lib/util once for all its tools).
LIB := $(OUTPUT)/libsip6xx.a
LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
# The exporter: user/exporter/ with its http/ and alert/, and the call context (user/calls/).
EXPORTER_SRCS := $(wildcard user/exporter/*.c user/exporter/*/*.c user/calls/*.c)
EXPORTER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(EXPORTER_SRCS))
# Everything but main(), for the tests to link.
EXPORTER_PARTS := $(filter-out $(OUTPUT)/user/exporter/main.o,$(EXPORTER_OBJS))
TEST_LIB_SRCS := $(wildcard tests/lib/*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(wildcard tests/unit/*.c))
BPF_TESTS := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests/bpf/%,$(wildcard tests/bpf/*.c))
TEST_TOOLS := $(patsubst tests/tools/%.c,$(OUTPUT)/tests/tools/%,$(wildcard tests/tools/*.c))
BENCH_TOOLS := $(patsubst tests/bench/%.c,$(OUTPUT)/tests/bench/%,$(wildcard tests/bench/*.c))
EXPORTER := $(OUTPUT)/sip6xx_exporter
TOP_SRCS := $(wildcard user/top/*.c)
TOP_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(TOP_SRCS))
TOP := $(OUTPUT)/sip6xx-top
# Defined before test-build names them.
MAN_PAGES := $(OUTPUT)/man/sip6xx_exporter.8 $(OUTPUT)/man/sip6xx-top.8
NCURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s%s\n' "$(1)" "$(patsubst $(abspath $(OUTPUT))/%,%,$(2))" \
		"$(if $(3), $(3))";
	MAKEFLAGS += --no-print-directory
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps man test test-build test-kernels bench demo fuzz clean install format format-check help

all: $(OUTPUT)/sip6xx.bpf.o $(OUTPUT)/sip6xx.skel.h $(EXPORTER) $(TOP)

help:
	@echo 'sip6xx targets:'
	@echo '  all       build build/sip6xx.bpf.o, build/sip6xx.skel.h, build/sip6xx_exporter,'
	@echo '            build/sip6xx-top (both link build/libsip6xx.a, made of user/lib/)'
	@echo '  deps      install the Debian packages the project needs (scripts/deps.sh)'
	@echo '  test      run every test; a suite whose needs (root, a kernel feature, a tool) are'
	@echo '            missing says SKIP and why; ends "N passed, N failed, N skipped"'
	@echo '  test-kernels  root: boot Debian 11/12/13 kernels (5.10, 6.1, 6.12) under qemu and'
	@echo '            run the BPF load, test_run suites, replays and a live attach in each'
	@echo '            (make test runs it too); SIP6XX_KERNELS="5.10" picks kernels'
	@echo '  demo      sipp UAC/UAS in two namespaces, exporter attached, print the scrape'
	@echo '            and draw build/demo/rates.png (DEMO_PLOT=0: no chart)'
	@echo '  bench     root: ns/packet, veth Mpps, tshark/tcpdump CPU, scrape cost, alert latency,'
	@echo '            each against a baseline in the same run; build/bench/report.md + PNGs'
	@echo '  fuzz      run the libFuzzer harness for FUZZ_TIME seconds (default 3600)'
	@echo '  format    clang-format every C source in place'
	@echo '  man       build/man/sip6xx_exporter.8 and sip6xx-top.8 (help2man, from --help)'
	@echo '  install   install the exporter and sip6xx-top to $$(DESTDIR)$$(prefix)/bin, their'
	@echo '            man pages to $$(DESTDIR)$$(prefix)/share/man/man8'
	@echo '  clean     remove build/'
	@echo 'V=1 prints full commands. SANITIZE=1 OUTPUT=build/san: ASan and UBSan in every object'
	@echo '            (tests/checks/sanitize.sh runs the unit tests so)'

deps:
	$(Q)scripts/deps.sh

$(OUTPUT) $(OUTPUT)/tests/unit $(OUTPUT)/tests/bpf $(OUTPUT)/tests/lib \
$(OUTPUT)/tests/tools $(OUTPUT)/tests/bench:
	$(Q)mkdir -p $@

# BPF object: compile, then let bpftool link it (strips DWARF the kernel never reads).
$(OUTPUT)/sip6xx.bpf.o: bpf/sip6xx.bpf.c $(BPF_HDRS) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.bpf.o=.tmp.bpf.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.bpf.o=.tmp.bpf.o)

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o | $(OUTPUT)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# The version is compiled into user/lib/version.o alone, rebuilt when it changes,
# so the exporter's --version, build_info and sip6xx-top always agree.
$(OUTPUT)/version.txt: FORCE | $(OUTPUT)
	$(Q)echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

$(OUTPUT)/user/lib/version.o: $(OUTPUT)/version.txt
$(OUTPUT)/user/lib/version.o: CFLAGS += -DSIP6XX_VERSION='"$(VERSION)"'

.PHONY: FORCE
FORCE:

# User objects depend on the skeleton; build/user/ mirrors user/'s folders.
$(OUTPUT)/user/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) $(OUTPUT)/sip6xx.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(EXPORTER): $(EXPORTER_OBJS) $(LIB)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(USER_LIBS) -o $@

# The live terminal view: its own sources, libsip6xx.a, ncurses.
$(TOP): $(TOP_OBJS) $(LIB)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(USER_LIBS) $(NCURSES_LIBS) -o $@

# sip6xx-top's parts without the terminal (text format, rates, sparklines), tested with cmocka.
TOP_LIB_OBJS := $(filter-out $(OUTPUT)/user/top/top_main.o $(OUTPUT)/user/top/top_view.o,$(TOP_OBJS))
$(OUTPUT)/tests/unit/test_top: tests/unit/test_top.c $(wildcard user/top/*.h) $(TOP_LIB_OBJS) \
		$(LIB) | $(OUTPUT)/tests/unit
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/top $< $(TOP_LIB_OBJS) $(LIB) $(USER_LIBS) $(CMOCKA_LIBS) -o $@

# Host build of the shared parser and the exporter's pure logic, tested with cmocka.
$(OUTPUT)/tests/unit/%: tests/unit/%.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) $(BPF_HDRS) \
		$(EXPORTER_PARTS) $(LIB) | $(OUTPUT)/tests/unit
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(TEST_LIB_SRCS) $(EXPORTER_PARTS) $(LIB) $(USER_LIBS) \
		$(CMOCKA_LIBS) -o $@

# The real BPF object driven with bpf_prog_test_run_opts.
$(OUTPUT)/tests/bpf/%: tests/bpf/%.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) $(BPF_HDRS) \
		$(OUTPUT)/sip6xx.skel.h $(EXPORTER_PARTS) $(LIB) | $(OUTPUT)/tests/bpf
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(TEST_LIB_SRCS) $(EXPORTER_PARTS) $(LIB) $(USER_LIBS) \
		$(CMOCKA_LIBS) -o $@

# Small helpers the shell tests call (frame senders, pcap writers).
$(OUTPUT)/tests/tools/%: tests/tools/%.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) $(BPF_HDRS) $(EXPORTER_PARTS) $(LIB) \
		| $(OUTPUT)/tests/tools
	$(call msg,TOOL,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(TEST_LIB_SRCS) $(EXPORTER_PARTS) $(LIB) $(USER_LIBS) -o $@

# Benchmark tools: the real object against baselines (scripts/bench.sh runs them).
$(OUTPUT)/tests/bench/%: tests/bench/%.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) $(BPF_HDRS) \
		$(OUTPUT)/sip6xx.skel.h $(EXPORTER_PARTS) $(LIB) | $(OUTPUT)/tests/bench
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(TEST_LIB_SRCS) $(EXPORTER_PARTS) $(LIB) $(USER_LIBS) -o $@

# The bench tools share tests/bench/bench.h (baseline programs, clocks, netns).
$(BENCH_TOOLS): $(wildcard tests/bench/*.h)

test-build: all $(MAN_PAGES) $(UNIT_TESTS) $(BPF_TESTS) $(TEST_TOOLS) $(BENCH_TOOLS)

test: deps
	$(Q)$(MAKE) test-build
	$(Q)BUILD=$(OUTPUT) tests/run.sh

# The kernel matrix alone (tests/kernels/matrix.sh); make test runs it as one suite.
test-kernels: deps
	$(Q)$(MAKE) test-build
	$(Q)BUILD=$(OUTPUT) tests/kernels/matrix.sh

demo: deps
	$(Q)$(MAKE) all
	$(Q)BUILD=$(OUTPUT) scripts/demo.sh

bench: deps
	$(Q)$(MAKE) test-build
	$(Q)BUILD=$(OUTPUT) scripts/bench.sh

# libFuzzer over the host parser (tests/fuzz/Makefile); FUZZ_TIME=seconds, default an hour.
# make test fuzzes for a minute through tests/checks/fuzz.sh.
fuzz: deps
	$(Q)$(MAKE) -C tests/fuzz run OUTPUT=$(abspath $(OUTPUT))

format:
	$(Q)clang-format -i bpf/*.c bpf/*.h $(shell find user -name '*.[ch]') \
		$(wildcard tests/*/*.c tests/*/*.h)

format-check:
	$(Q)clang-format --dry-run --Werror bpf/*.c bpf/*.h $(shell find user -name '*.[ch]') \
		$(wildcard tests/*/*.c tests/*/*.h)

# Man pages: help2man turns each program's --help (made from its option
# table) and --version into section 8, with user/man/NAME.h2m's sections.

$(OUTPUT)/man/%.8: $(OUTPUT)/% user/man/%.h2m
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)help2man --no-info --section=8 --include=user/man/$*.h2m \
		--output=$@ $(OUTPUT)/$*

man: $(MAN_PAGES)

install: $(EXPORTER) $(TOP) $(MAN_PAGES)
	$(Q)install -D -m 0755 $(EXPORTER) $(DESTDIR)$(prefix)/bin/sip6xx_exporter
	$(Q)install -D -m 0755 $(TOP) $(DESTDIR)$(prefix)/bin/sip6xx-top
	$(Q)install -D -m 0644 $(OUTPUT)/man/sip6xx_exporter.8 \
		$(DESTDIR)$(prefix)/share/man/man8/sip6xx_exporter.8
	$(Q)install -D -m 0644 $(OUTPUT)/man/sip6xx-top.8 $(DESTDIR)$(prefix)/share/man/man8/sip6xx-top.8

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)
