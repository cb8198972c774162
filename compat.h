/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, all in one place.
 *
 * zns_slab targets Debian's 6.1 first and 6.12 next. The block-device open
 * API (6.5, 6.9), the shrinker API (6.7), the zoned-model helpers (6.10)
 * and the symbol namespace syntax (6.13) changed in between; everything
 * else uses APIs common to both.
 */
#ifndef ZNS_SLAB_COMPAT_H
#define ZNS_SLAB_COMPAT_H

#include <linux/version.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
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

/*
 * A shrinker: 6.7 made them allocated by the kernel (shrinker_alloc()),
 * before they were embedded and registered with register_shrinker().
 */
typedef unsigned long (*zslab_shrink_fn)(struct shrinker *, struct shrink_control *);

static inline struct shrinker *zslab_shrinker_create(zslab_shrink_fn count,
						     zslab_shrink_fn scan,
						     const char *name)
{
	struct shrinker *s;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void zslab_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
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
