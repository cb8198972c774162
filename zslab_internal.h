/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zns_slab internals shared by the module's source files and its KUnit suites.
 * Client modules include zns_slab.h only.
 */
#ifndef ZSLAB_INTERNAL_H
#define ZSLAB_INTERNAL_H

#include <linux/types.h>
#include <linux/blkdev.h>
#include <linux/spinlock.h>
#include "compat.h"

#define ZSLAB_NAME "zns_slab"

/*
 * Zones the module sets aside before any cache data: two metadata zones
 * (superblock and checkpoint log, used alternately) and one relocation zone
 * that reclaim can always write to. At least two data zones must remain so
 * that one can be reclaimed while another takes writes.
 */
#define ZSLAB_META_ZONES	2
#define ZSLAB_RELOC_ZONES	1
#define ZSLAB_MIN_DATA_ZONES	2
#define ZSLAB_MIN_ZONES \
	(ZSLAB_META_ZONES + ZSLAB_RELOC_ZONES + ZSLAB_MIN_DATA_ZONES)

/* One zone for metadata and one for data must be open at the same time. */
#define ZSLAB_MIN_OPEN_ZONES	2

/* Default slab size; a slab image is a whole number of logical blocks. */
#define ZSLAB_DEFAULT_SLAB_SIZE	4096

/* What the module needs to know about the device, read once at load time. */
struct zslab_geometry {
	bool host_managed;		/* sequential-write-required zones */
	bool read_only;
	sector_t capacity;		/* device size, 512 B sectors */
	sector_t zone_sectors;		/* zone size, 512 B sectors */
	sector_t zone_capacity;		/* smallest writable capacity of a usable zone */
	unsigned int nr_zones;		/* every zone of the device */
	unsigned int nr_seq_zones;	/* sequential-write-required zones */
	unsigned int nr_usable_zones;	/* of those, not offline or read-only */
	unsigned int lbs;		/* logical block size, bytes */
	unsigned int max_open;		/* max open zones, 0 = no limit */
	unsigned int max_active;	/* max active zones, 0 = no limit */
	unsigned int max_append_sectors; /* zone-append limit, 0 = unsupported */
};

/* The module's view of one zone: what the device reported, then what we did. */
struct zslab_zone {
	sector_t start;
	sector_t len;
	sector_t capacity;
	sector_t wp;
	u8 type;			/* BLK_ZONE_TYPE_* */
	u8 cond;			/* BLK_ZONE_COND_* */
};

/* The one device the module owns while loaded. */
struct zslab_dev {
	struct zslab_bdev_handle handle;
	struct block_device *bdev;
	char path[128];
	struct zslab_geometry geo;

	spinlock_t zone_lock;		/* protects zones[].wp and .cond */
	struct zslab_zone *zones;	/* nr_zones entries */

	struct dentry *debugfs;
};

/* zone_io.c */
int zslab_check_geometry(const struct zslab_geometry *geo, const char **why);
int zslab_check_zone(const struct zslab_geometry *geo, unsigned int idx,
		     const struct blk_zone *bz, const char **why);
const char *zslab_zone_cond_name(u8 cond);
int zslab_read_geometry(struct zslab_dev *zd);
int zslab_report_zones(struct zslab_dev *zd);

/* debugfs.c */
void zslab_debugfs_init(struct zslab_dev *zd);
void zslab_debugfs_exit(struct zslab_dev *zd);

#endif /* ZSLAB_INTERNAL_H */
