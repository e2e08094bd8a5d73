# SPDX-License-Identifier: GPL-2.0
#
# shake: out-of-tree entry points.
#
#   make              build net/shake/shake.ko against the newest installed
#                     Debian kernel headers (KDIR=... to choose)
#   make check        install what is missing, boot the VM, run the selftests
#   make check-debug  the same on a KASAN/lockdep/kmemleak/UBSAN kernel
#   make demo         boot the VM and show shake at work
#   make bench        boot the VM and compare shake with TCP: throughput,
#                     request/response and connection rates (a report, not
#                     a test; BENCH_ARGS="-t 2 -r 1 -P 6 CASE..." tunes it)
#   make lint         checkpatch --strict, kernel-doc and sparse over the
#                     module
#   make clean

KDIR ?= $(lastword $(sort $(wildcard /lib/modules/*/build)))
KSRC ?= /usr/src/linux-source-6.1
BUILD := $(CURDIR)/build
KSFT_INSTALL := $(BUILD)/kselftest

export KSRC

.PHONY: all module selftests check check-debug demo bench lint deps clean

all: module

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/install-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

selftests:
	$(MAKE) -C selftests/net/shake KSRC=$(KSRC) INSTALL_PATH=$(KSFT_INSTALL) install

deps:
	scripts/install-deps

check: deps
	$(MAKE) module selftests
	scripts/check

check-debug: deps
	$(MAKE) selftests
	scripts/check-debug

demo: deps
	$(MAKE) module selftests
	scripts/vm-run --timeout 300 -- scripts/demo

bench: deps
	$(MAKE) module selftests
	scripts/vm-run --timeout 900 -- scripts/bench $(BENCH_ARGS)

LINT_SRC = $(filter-out %.mod.c,$(wildcard net/shake/*.c)) \
	   $(wildcard net/shake/*.h include/uapi/linux/*.h)

# trace.h is in the TRACE_EVENT() layout of include/trace/events/, which
# checkpatch --strict flags as it flags those. The modules build above
# leaves out shake_test.c (the KUnit tests: Debian's kernel has no KUnit),
# so sparse sees it compiled alone, as an object that is never linked.
lint:
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --show-types --terse \
		-f $(filter-out %/trace.h,$(LINT_SRC))
	@out=$$($(KSRC)/scripts/kernel-doc -none $(LINT_SRC) 2>&1); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-Wsparse-error" modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-Wsparse-error" \
		net/shake/shake_test.o

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C selftests/net/shake clean
	rm -rf $(BUILD)
