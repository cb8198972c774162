# SPDX-License-Identifier: GPL-2.0
#
# make            build zns_slab.ko against the running kernel, else Debian's 6.1 headers
# make KDIR=...   build against another kernel tree (or KVER=RELEASE: its /lib/modules tree)
# make install    zns_slab.ko into that kernel's module tree (updates/), depmod; zns_slab.h
#                 and Module.symvers for client builds in $(INCLUDEDIR) (DESTDIR=... to stage)
# make demo       set up, boot the module in a QEMU VM with an emulated ZNS SSD
# make check      set up, build, run KUnit and integration tests
# make bench      set up, run the benchmarks in the stock-kernel VM
# make fuzz       fuzz the decoders in userspace for FUZZ_SECONDS (default 600)

ifdef KVER
KDIR ?= /lib/modules/$(KVER)/build
endif
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))
# The release the tree builds for, as uname -r reports it (Debian's 6.1
# headers have a different string in include/config/kernel.release).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
# Where a client module's build finds the API header and our Module.symvers.
INCLUDEDIR ?= /usr/include/zns_slab
DESTDIR ?=

all: modules

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Debian's headers ask modules_install to sign with a key they do not ship:
# without a signing certificate in the tree the module is installed
# unsigned (as DKMS installs it). modules_install runs depmod only with a
# System.map beside the tree, which Debian's headers lack: it is run here.
NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)
install: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) ZSLAB_MODULE_ONLY=1 modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) ZSLAB_MODULE_ONLY=1 INSTALL_MOD_PATH=$(DESTDIR) \
		$(NOSIGN) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	install -D -m 0644 zns_slab.h $(DESTDIR)$(INCLUDEDIR)/zns_slab.h
	install -D -m 0644 Module.symvers $(DESTDIR)$(INCLUDEDIR)/$(KVER)/Module.symvers

kdir:
	@test -n "$(KDIR)" && test -d "$(KDIR)" || \
		{ echo "no kernel build tree '$(KDIR)': install linux-headers-amd64 or set KDIR/KVER" >&2; exit 1; }
	@test -n "$(KVER)" || { echo "$(KDIR): no UTS_RELEASE in include/generated/utsrelease.h" >&2; exit 1; }

clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf out

demo:
	bash scripts/demo.sh

check:
	bash scripts/check.sh

bench:
	bash scripts/bench.sh

FUZZ_SECONDS ?= 600
fuzz:
	bash scripts/setup.sh
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

.PHONY: all modules install kdir clean demo check bench fuzz
