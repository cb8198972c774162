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
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/reciprocal_div.h>
#include "compat.h"
#include "zns_slab.h"

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
	struct dentry *debugfs_caches;	/* cache/: one stats file per cache */
};

extern struct zslab_dev *zslab_device;

/* --- allocator (alloc.c) --- */

/* Objects a CPU keeps at hand; refills and flushes move half of it. */
#define ZSLAB_MAG_SIZE		64
#define ZSLAB_MAG_BATCH		(ZSLAB_MAG_SIZE / 2)
/* Empty slabs a cache keeps instead of returning them to the page allocator. */
#define ZSLAB_EMPTY_RESERVE	2
#define ZSLAB_MIN_OBJ_SIZE	8

enum zslab_stat {
	ZSLAB_ALLOC_FAST,	/* served from the CPU's magazine */
	ZSLAB_ALLOC_SLOW,	/* magazine empty: refilled under the cache lock */
	ZSLAB_FREE_FAST,	/* returned to the CPU's magazine */
	ZSLAB_FREE_SLOW,	/* magazine full: flushed under the cache lock */
	ZSLAB_FREE_REMOTE,	/* freed on a CPU other than the one that took it */
	ZSLAB_ALLOC_FAILED,	/* returned NULL */
	ZSLAB_NR_STATS
};

enum zslab_misuse {
	ZSLAB_MISUSE_DOUBLE_FREE,
	ZSLAB_MISUSE_FOREIGN,	/* not from any zslab cache */
	ZSLAB_MISUSE_OTHER_CACHE, /* from another zslab cache */
	ZSLAB_MISUSE_MISALIGNED, /* inside a slab, not at an object start */
	ZSLAB_NR_MISUSE
};

/* Per-CPU front end: a magazine of free objects and the CPU's counters. */
struct zslab_cpu_cache {
	unsigned int count;
	u64 stat[ZSLAB_NR_STATS];
	void *objs[ZSLAB_MAG_SIZE];
};

/*
 * A slab: slab_size bytes of objects in DRAM (exactly the bytes a zone image
 * will carry) and this descriptor beside it. Two bitmaps, one bit per object:
 *   inuse  - held by a client; atomic bit ops, any CPU; the occupancy a slab
 *            image records. Clearing a clear bit is a double free.
 *   avail  - in the slab, not in any CPU's magazine; changed under the cache
 *            lock only. An object in a magazine has neither bit set.
 */
struct zslab_slab {
	struct list_head list;		/* partial, full or empty list */
	struct zslab_cache *cache;
	void *base;
	u32 id;				/* logical slab id within the cache */
	u16 nr_avail;			/* bits set in avail */
	u16 last_cpu;			/* CPU that last took objects from it */
	unsigned long map[];		/* inuse bitmap, then avail bitmap */
};

struct zslab_cache {
	/* hot: read on every alloc and free */
	struct zslab_cpu_cache __percpu *cpu;
	unsigned long page_cookie;	/* in page->index of every slab page */
	unsigned int stride;		/* object size rounded to the alignment */
	struct reciprocal_value stride_recip;
	unsigned int objs_per_slab;
	unsigned int object_size;	/* what the client asked for */
	void (*ctor)(void *obj);

	spinlock_t lock;		/* slab lists, avail bitmaps, counts */
	struct list_head partial;	/* some objects available */
	struct list_head full;		/* none available */
	struct list_head empty;		/* all available, kept as reserve */
	unsigned int nr_slabs;
	unsigned int nr_partial;
	unsigned int nr_empty;
	u32 next_slab_id;
	u64 slabs_allocated;		/* over the cache's life */
	u64 slabs_freed;

	atomic64_t misuse[ZSLAB_NR_MISUSE];

	unsigned int align;
	unsigned int flags;
	unsigned int slab_order;
	unsigned int slab_size;
	unsigned int meta_size;		/* bytes of struct zslab_slab with bitmaps */
	unsigned int map_longs;		/* longs per bitmap */
	u32 id;
	char name[32];
	struct list_head node;		/* zslab_caches */
	struct dentry *debugfs;
};

extern struct mutex zslab_caches_lock;
extern struct list_head zslab_caches;

/* Aggregated numbers for debugfs and tests; computed on demand. */
struct zslab_cache_info {
	unsigned int slabs, partial, empty;
	unsigned long active_objs, total_objs, magazine_objs;
	unsigned long bytes;		/* slab pages and descriptors in DRAM */
	unsigned long loss;		/* bytes not holding a live object */
	u64 stat[ZSLAB_NR_STATS];
	u64 misuse[ZSLAB_NR_MISUSE];
	u64 slabs_allocated, slabs_freed;
};

void zslab_cache_get_info(struct zslab_cache *c, struct zslab_cache_info *info);
void zslab_cache_shrink(struct zslab_cache *c);
extern atomic_t zslab_fail_slab_allocs;
int zslab_alloc_init(void);
void zslab_alloc_exit(void);

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
void zslab_debugfs_add_cache(struct zslab_cache *c);
void zslab_debugfs_remove_cache(struct zslab_cache *c);
extern const char *const zslab_stat_names[ZSLAB_NR_STATS];
extern const char *const zslab_misuse_names[ZSLAB_NR_MISUSE];

#endif /* ZSLAB_INTERNAL_H */
