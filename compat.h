/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, all in one place.
 *
 * zns_slab targets Debian's 6.1 first and 6.12 next. The block-device open
 * API (6.5, 6.9), the zoned-model helpers (6.10) and the symbol namespace
 * syntax (6.13) changed in between; everything else uses APIs common to both.
 */
#ifndef ZNS_SLAB_COMPAT_H
#define ZNS_SLAB_COMPAT_H

#include <linux/version.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* An exclusively opened block device, however the running kernel hands it out. */
struct zslab_bdev_handle {
	struct block_device *bdev;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	struct file *file;
#endif
};

/* Open @path read-write and exclusively for @holder. Returns 0 or -errno. */
static inline int zslab_open_bdev(const char *path, void *holder,
				  struct zslab_bdev_handle *h)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	struct file *file;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
				      holder, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	h->file = file;
	h->bdev = file_bdev(file);
#else
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, FMODE_READ | FMODE_WRITE | FMODE_EXCL,
				  holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	h->bdev = bdev;
#endif
	return 0;
}

static inline void zslab_close_bdev(struct zslab_bdev_handle *h)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	fput(h->file);
#else
	blkdev_put(h->bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
#endif
	h->bdev = NULL;
}

/* Host-managed: writes must be sequential. 6.10 dropped host-aware support. */
static inline bool zslab_bdev_host_managed(struct block_device *bdev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return bdev_is_zoned(bdev);
#else
	return bdev_zoned_model(bdev) == BLK_ZONED_HM;
#endif
}

/* Reset or finish a zone; sleeps. The gfp argument went away in 6.9. */
static inline int zslab_zone_mgmt(struct block_device *bdev, enum req_op op,
				  sector_t sector, sector_t nr_sectors)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return blkdev_zone_mgmt(bdev, op, sector, nr_sectors);
#else
	return blkdev_zone_mgmt(bdev, op, sector, nr_sectors, GFP_NOIO);
#endif
}

/* Symbols exported only for the KUnit suites, in their own namespace. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define ZSLAB_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, "ZNS_SLAB_INTERNAL")
#define ZSLAB_IMPORT_TESTS_NS() MODULE_IMPORT_NS("ZNS_SLAB_INTERNAL")
#else
#define ZSLAB_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, ZNS_SLAB_INTERNAL)
#define ZSLAB_IMPORT_TESTS_NS() MODULE_IMPORT_NS(ZNS_SLAB_INTERNAL)
#endif

#endif /* ZNS_SLAB_COMPAT_H */
