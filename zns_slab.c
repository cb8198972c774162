// SPDX-License-Identifier: GPL-2.0
/*
 * zns_slab: kmem-style object caches backed by the zones of a ZNS SSD.
 *
 * This file owns the module's life: parameters, taking the device, checking
 * it before anything is written, and letting it go again.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include "zslab_internal.h"

static char *device;
module_param(device, charp, 0444);
MODULE_PARM_DESC(device, "Path of the host-managed zoned block device to own, e.g. /dev/nvme0n2 (required)");

static bool format;
module_param(format, bool, 0444);
MODULE_PARM_DESC(format, "Wipe the device and write a fresh superblock, whatever it holds (default 0: refuse a device that is not zns_slab's)");

struct zslab_dev *zslab_device;
ZSLAB_EXPORT_FOR_TESTS(zslab_device);

static const char *open_error_reason(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such file";
	case -ENOTBLK:
		return "not a block device";
	case -EBUSY:
		return "device is busy (held exclusively by someone else)";
	case -EROFS:
		return "device is read-only";
	case -ENXIO:
	case -ENODEV:
		return "no such device";
	default:
		return "cannot open device";
	}
}

static int zslab_open_device(struct zslab_dev *zd)
{
	int ret;

	ret = zslab_open_bdev(zd->path, zd, &zd->handle);
	/* A write open of a read-only disk fails with -EACCES on 6.1. */
	if (ret == -EACCES)
		ret = -EROFS;
	if (ret) {
		pr_err("%s: %s: %s (%d)\n", ZSLAB_NAME, zd->path,
		       open_error_reason(ret), ret);
		return ret;
	}
	zd->bdev = zd->handle.bdev;
	return 0;
}

/*
 * Open, check and map the device, then recognise it by its superblock:
 * nothing is written to it before all of that has passed.
 */
static int zslab_attach_device(struct zslab_dev *zd)
{
	const char *why;
	int ret;

	ret = zslab_open_device(zd);
	if (ret)
		return ret;

	zslab_read_geometry(zd);
	ret = zslab_check_geometry(&zd->geo, &why);
	if (ret) {
		pr_err("%s: %s: %s (%d)\n", ZSLAB_NAME, zd->path, why, ret);
		goto close;
	}
	ret = zslab_report_zones(zd);
	if (ret)
		goto close;
	ret = zslab_sb_load(zd, format);
	if (ret)
		goto zones;
	return 0;

zones:
	zslab_recovery_free(zd);
	kvfree(zd->zones);
	zd->zones = NULL;
close:
	zslab_close_bdev(&zd->handle);
	return ret;
}

static void zslab_detach_device(struct zslab_dev *zd)
{
	zslab_recovery_free(zd);
	kvfree(zd->zones);
	zd->zones = NULL;
	zslab_close_bdev(&zd->handle);
}

static int __init zslab_init(void)
{
	struct zslab_dev *zd;
	int ret;

	if (!device || !*device) {
		pr_err("%s: no device= parameter given (e.g. device=/dev/nvme0n2)\n",
		       ZSLAB_NAME);
		return -EINVAL;
	}

	zd = kzalloc(sizeof(*zd), GFP_KERNEL);
	if (!zd)
		return -ENOMEM;
	spin_lock_init(&zd->zone_lock);
	INIT_LIST_HEAD(&zd->pcaches);
	/* Before the load: its checkpoint is written under it, as every one is. */
	mutex_init(&zd->wb_mutex);
	if (strscpy(zd->path, device, sizeof(zd->path)) < 0) {
		pr_err("%s: device= path is longer than %zu bytes\n", ZSLAB_NAME,
		       sizeof(zd->path) - 1);
		ret = -ENAMETOOLONG;
		goto free;
	}

	ret = zslab_attach_device(zd);
	if (ret)
		goto free;
	ret = zslab_zones_init(zd);
	if (ret) {
		if (ret == -ETOOMANYREFS)
			pr_err("%s: %s: zones open or closed at load leave no zone to write data to (%d)\n",
			       ZSLAB_NAME, zd->path, ret);
		else
			pr_err("%s: %s: no memory to sort the zones at load (%d)\n",
			       ZSLAB_NAME, zd->path, ret);
		zslab_detach_device(zd);
		goto free;
	}
	ret = zslab_writeback_init(zd);
	if (ret) {
		pr_err("%s: %s: cannot set up writeback (%d)\n", ZSLAB_NAME, zd->path, ret);
		zslab_detach_device(zd);
		goto free;
	}
	ret = zslab_reclaim_init(zd);
	if (!ret)
		ret = zslab_evict_init(zd);
	if (ret) {
		pr_err("%s: %s: cannot set up eviction and reclaim (%d)\n", ZSLAB_NAME,
		       zd->path, ret);
		zslab_reclaim_exit(zd);
		zslab_writeback_exit(zd);
		zslab_detach_device(zd);
		goto free;
	}

	zslab_debugfs_init(zd);
	ret = zslab_alloc_init(zd->debugfs);
	if (ret) {
		pr_err("%s: cannot register for CPU hotplug (%d)\n", ZSLAB_NAME, ret);
		zslab_debugfs_exit(zd);
		zslab_evict_exit(zd);
		zslab_writeback_exit(zd);
		zslab_reclaim_exit(zd);
		zslab_detach_device(zd);
		goto free;
	}
	zslab_device = zd;
	pr_info("%s: %s: %u zones of %llu MiB (%llu MiB writable), %u B blocks, max open %u, max active %u\n",
		ZSLAB_NAME, zd->path, zd->geo.nr_zones,
		(u64)zd->geo.zone_sectors >> 11, (u64)zd->geo.zone_capacity >> 11,
		zd->geo.lbs, zd->geo.max_open, zd->geo.max_active);
	return 0;

free:
	kfree(zd);
	return ret;
}

static void __exit zslab_exit(void)
{
	struct zslab_dev *zd = zslab_device;

	zslab_evict_exit(zd);	/* the shrinker first: it looks at zslab_device */
	/* Parameter setters run under this lock and look at zslab_device. */
	kernel_param_lock(THIS_MODULE);
	zslab_device = NULL;
	kernel_param_unlock(THIS_MODULE);

	zslab_alloc_exit();
	/*
	 * Every cache is gone and the persistent ones were recorded as they
	 * went; one more checkpoint spares the next load reading what was
	 * written since.
	 */
	if (!list_empty(&zd->pcaches))
		zslab_checkpoint(zd);
	zslab_debugfs_exit(zd);
	zslab_writeback_exit(zd);	/* drains the eviction and reclaim work too */
	zslab_reclaim_exit(zd);
	zslab_detach_device(zd);
	kfree(zd);
}

module_init(zslab_init);
module_exit(zslab_exit);

MODULE_DESCRIPTION("kmem-style object caches backed by the zones of a ZNS SSD");
MODULE_AUTHOR("zns_slab developers");
MODULE_LICENSE("GPL");
