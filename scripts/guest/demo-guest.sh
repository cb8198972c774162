# Guest side of `make demo`.
echo "== insmod zns_slab.ko device=/dev/nvme0n1"
ztool load /test/zns_slab.ko device=/dev/nvme0n1 || exit 1
dmesg | grep 'zns_slab:' | tail -n 1
echo
echo "== /sys/kernel/debug/zns_slab/device"
cat /sys/kernel/debug/zns_slab/device
echo
echo "== /sys/kernel/debug/zns_slab/zones"
cat /sys/kernel/debug/zns_slab/zones
echo
echo "== nvme zns report-zones /dev/nvme0n1 (nvme-cli, for comparison)"
nvme zns report-zones /dev/nvme0n1
echo
echo "== rmmod zns_slab"
rmmod zns_slab && echo "unloaded"
