# SPDX-License-Identifier: GPL-2.0
#
# make            build zns_slab.ko against the running kernel, else Debian's 6.1 headers
# make KDIR=...   build against another kernel tree
# make demo       set up, boot the module in a QEMU VM with an emulated ZNS SSD
# make check      set up, build, run KUnit and integration tests
# make bench      set up, run the benchmarks in the stock-kernel VM

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf out

demo:
	bash scripts/demo.sh

check:
	bash scripts/check.sh

bench:
	bash scripts/bench.sh

.PHONY: all modules clean demo check bench
