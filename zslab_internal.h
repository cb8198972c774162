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
#include <linux/bio.h>
#include <linux/llist.h>
#include <linux/mempool.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/crc32c.h>
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

/* Zones open for data at once when the device sets no limit. */
#define ZSLAB_DEFAULT_ZONE_BUDGET	8

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

/* What the module uses a zone for. */
enum zslab_zone_use {
	ZZ_FREE,		/* empty, ours to open */
	ZZ_OPEN,		/* taking appends; holds an open/active token */
	ZZ_FULL,		/* no more appends; images die, then it is reset */
	ZZ_RESERVED,		/* metadata or relocation reserve */
	ZZ_FOREIGN,		/* held data at load time: never touched */
	ZZ_ERROR,		/* an I/O error hit it; no more appends */
	ZZ_UNUSABLE,		/* offline, read-only or not sequential */
};

/* The module's view of one zone: what the device reported, then what we did. */
struct zslab_zone {
	sector_t start;
	sector_t len;
	sector_t capacity;
	sector_t wp;			/* device write pointer, absolute */
	sector_t reserved;		/* offset up to which appends are handed out */
	sector_t floor;			/* lowest offset an in-flight append may land at */
	sector_t live;			/* sectors of slabs' newest data */
	sector_t detached;		/* of those, detached caches': reclaim cannot move them */
	sector_t stale;			/* summaries, superseded or freed data */
	u64 open_gen;			/* zd->zone_gen when it was opened */
	u64 first_seq;			/* seg_seq of its first segment, 0 = unknown */
	u64 vol_tomb_gen;		/* zd->zone_gen when a volatile cache's tombstone last landed */
	u64 pers_tomb_gen;		/* the same for a persistent cache's, 0 = none */
	u64 pers_tomb_seq;		/* and the newest such tombstone's seg_seq */
	u32 resets;
	u32 owner;			/* cache id that opened it, 0 if none */
	unsigned int inflight;		/* append bios not yet completed */
	u8 type;			/* BLK_ZONE_TYPE_* */
	u8 cond;			/* BLK_ZONE_COND_* as we believe the device has it */
	u8 use;				/* enum zslab_zone_use */
	bool needs_finish;		/* full for us, not for the device yet */
	bool token;			/* counts against the open/active budget */
	bool reset_due;			/* zslab_zones_tidy(): safe to reset now */
};

/* Device-wide I/O counters (debugfs io). */
enum zslab_io_stat {
	ZSLAB_IO_BIOS,
	ZSLAB_IO_APPENDS,		/* segments appended */
	ZSLAB_IO_APPEND_BYTES,		/* device bytes: summaries and data */
	ZSLAB_IO_SLAB_DATA_BYTES,	/* of those, slab data */
	ZSLAB_IO_TOMBSTONES,		/* tombstone entries written */
	ZSLAB_IO_FLUSHES,
	ZSLAB_IO_RESETS,
	ZSLAB_IO_FINISHES,
	ZSLAB_IO_ERRORS,
	ZSLAB_IO_MISPLACED,		/* append completed outside its window */
	ZSLAB_IO_LAT_TOTAL_NS,
	ZSLAB_IO_LAT_MAX_NS,
	ZSLAB_IO_READS,			/* slabs read back */
	ZSLAB_IO_READ_BYTES,
	ZSLAB_IO_READ_LAT_TOTAL_NS,
	ZSLAB_IO_READ_LAT_MAX_NS,
	ZSLAB_IO_RECLAIMED_ZONES,	/* zones reset after reclaim moved their data */
	ZSLAB_IO_RELOCATED_BYTES,	/* slab data written by reclaim only */
	ZSLAB_IO_META_BYTES,		/* superblocks and other metadata written */
	ZSLAB_IO_CHECKPOINTS,		/* checkpoints committed */
	ZSLAB_IO_CHECKPOINT_BYTES,	/* their bytes (also in metadata_bytes) */
	ZSLAB_IO_CHECKPOINT_ERRORS,	/* checkpoints that could not be written */
	ZSLAB_IO_NR
};

/*
 * A buffer for one append bio's segment, allocated at load and kept: page
 * allocations (zeroed under init_on_alloc) per bio would cost more than the
 * segment.
 */
struct zslab_img_buf {
	struct list_head node;		/* on free_bufs when not under a bio */
	void *mem;			/* buf_bytes, kvmalloc()ed */
};

/*
 * --- superblock (superblock_format.c: the format; superblock.c: its I/O) ---
 * One logical block in one of the two metadata zones, appended at the write
 * pointer; the newest generation over both zones is the device's superblock.
 * The on-disk layout is documented in the README.
 */
#define ZSLAB_SB_MAGIC		0x4253535aU	/* "ZSSB" */
#define ZSLAB_SB_VERSION	3
#define ZSLAB_SB_BYTES		512		/* summed by the CRC; the rest is zero */

struct zslab_sb_disk {
	__le32 magic;
	__le16 version;
	__le16 sb_bytes;	/* ZSLAB_SB_BYTES */
	__le32 crc;		/* CRC32C of sb_bytes bytes, this field as zero */
	__le32 flags;		/* none defined: zero */
	__le64 generation;	/* grows by one with every superblock written */
	u8 uuid[16];		/* made at format time */
	__le64 created;		/* format time, seconds since the epoch */
	__le64 capacity;	/* device size, 512 B sectors */
	__le64 zone_sectors;
	__le64 zone_capacity;	/* smallest writable capacity, sectors */
	__le32 nr_zones;
	__le32 lbs;
	__le32 max_open;	/* the device's limits then: informational */
	__le32 max_active;
	__le32 max_append_sectors;
	__le32 meta_zone[2];	/* zone indexes of the two metadata zones */
	__le32 first_data_zone;
	/* v3: the checkpoint this superblock commits (all zero: none) */
	__le64 ckpt_seq;	/* 0 = no checkpoint */
	__le64 ckpt_sector;	/* absolute sector of its first block */
	__le32 ckpt_bytes;	/* its length, whole logical blocks */
	__le32 ckpt_crc;	/* the crc field of its header */
} __packed;

/* The geometry a device was formatted with, in CPU byte order. */
struct zslab_sb_geo {
	u64 capacity;
	u64 zone_sectors;
	u64 zone_capacity;
	u32 nr_zones;
	u32 lbs;
	u32 max_open;
	u32 max_active;
	u32 max_append_sectors;
	u32 meta_zone[2];
	u32 first_data_zone;
};

/*
 * The checkpoint a superblock commits: written just before it, in the same
 * metadata zone. A checkpoint that no superblock points to (a crash between
 * the two) is never read.
 */
struct zslab_sb_ckpt {
	u64 seq;		/* 0 = none; then the other fields are 0 too */
	u64 sector;		/* absolute */
	u32 bytes;
	u32 crc;
};

struct zslab_sb {
	u64 generation;
	u8 uuid[16];
	u64 created;
	struct zslab_sb_geo geo;
	struct zslab_sb_ckpt ckpt;
};

/* What the last block of one metadata zone turned out to be. */
struct zslab_sb_slot {
	bool empty;		/* the zone holds nothing */
	bool full;		/* no room for another superblock */
	int err;		/* zslab_sb_decode() of its last block */
	const char *why;	/* its reason when err != 0 */
	struct zslab_sb sb;	/* valid when !empty && !err */
};

/* What the two metadata zones together say about the device. */
enum zslab_sb_verdict {
	ZSLAB_SB_BLANK,		/* both empty: never formatted */
	ZSLAB_SB_OURS,		/* a valid superblock, newest in *cur */
	ZSLAB_SB_FOREIGN,	/* data that is no superblock of ours */
	ZSLAB_SB_NEWER,		/* a format version this module does not know */
	ZSLAB_SB_DAMAGED,	/* our magic, but the block does not check out */
	ZSLAB_SB_MISMATCH,	/* ours, formatted with another geometry */
};

/* How this load found the device (debugfs superblock "loaded_as"). */
enum zslab_sb_origin {
	ZSLAB_SB_FORMATTED,	/* was empty: formatted */
	ZSLAB_SB_FOUND,		/* was ours */
	ZSLAB_SB_WIPED,		/* format=1 wiped it */
};

/* The superblock in force while the module is loaded. */
struct zslab_sb_info {
	struct zslab_sb sb;
	unsigned int zone;	/* where its newest copy lies */
	sector_t sector;	/* absolute */
	unsigned int zones_reset;	/* zones reset at load */
	enum zslab_sb_origin origin;
};

void zslab_sb_encode(void *buf, unsigned int lbs, const struct zslab_sb *sb);
int zslab_sb_decode(const void *buf, size_t len, unsigned int lbs,
		    struct zslab_sb *sb, const char **why);
const char *zslab_sb_geo_mismatch(const struct zslab_sb_geo *sb,
				  const struct zslab_sb_geo *dev);
enum zslab_sb_verdict zslab_sb_choose(const struct zslab_sb_slot slot[2],
				      unsigned int *cur, const char **why);
unsigned int zslab_sb_next_slot(const struct zslab_sb_slot slot[2],
				unsigned int cur);

/* What the last load's recovery read and found (debugfs recovery). */
struct zslab_recovery {
	u64 checkpoint_seq;		/* the checkpoint used, 0 = none */
	u32 checkpoint_zone;
	u32 checkpoint_bytes;
	u64 bytes_read;
	u64 time_us;
	u64 segments_scanned;
	u32 zones_scanned;
	u32 caches_recovered;
	u64 slabs_recovered;
	u64 objects_recovered;
	u64 rejected_crc;		/* entries or checkpoints whose CRC failed */
	u64 rejected_identity;		/* checkpoint entries in zones reset since */
	u64 rejected_bounds;		/* locations or ids outside what exists */
	u64 torn_segments;		/* at a zone's written end: never completed */
	u32 zones_reclaimed;		/* data zones with nothing live, reset */
	const char *checkpoint_why;	/* why a checkpoint was not used */
};

/*
 * A persistent cache on the device that no client has attached: what
 * zslab_cache_create() re-attaches and the checkpoints carry. Its slabs are
 * evicted descriptors (struct zslab_evicted) in @slabs; their data counts
 * as live in its zones. On zd->pcaches, changed under the writeback mutex
 * and zslab_caches_lock both, so either one is enough to read it.
 */
struct zslab_pcache {
	struct list_head node;
	char name[32];
	u32 id;
	u32 object_size;
	u32 align;
	u32 stride;
	u32 nr_objs;
	u32 slab_order;
	u64 next_seq;
	struct xarray slabs;		/* slab id -> struct zslab_evicted */
	unsigned long nr_slabs;
	unsigned long nr_live;
};

/* The one device the module owns while loaded. */
struct zslab_dev {
	struct zslab_bdev_handle handle;
	struct block_device *bdev;
	char path[128];
	struct zslab_geometry geo;

	spinlock_t zone_lock;		/* zones[] state, tokens (irq-safe) */
	struct zslab_zone *zones;	/* nr_zones entries */
	unsigned int first_data_zone;	/* zones below are reserved */
	unsigned int zone_budget;	/* zones we may have open at once for data */
	unsigned int zones_open;	/* tokens in use */

	/* writeback (writeback.c) */
	struct bio_set bio_set;
	struct zslab_img_buf *bufs;	/* ZSLAB_WB_BUFS image buffers, for good */
	spinlock_t buf_lock;		/* free_bufs (irq-safe: completions) */
	struct list_head free_bufs;
	wait_queue_head_t buf_wait;	/* a pass waiting for a free buffer */
	unsigned int buf_bytes;		/* largest append bio we build */
	struct workqueue_struct *wq;
	struct delayed_work wb_work;
	struct delayed_work reap_work;	/* frees retired slabs, writeback off */
	struct work_struct reset_work;	/* resets zones whose data all died */
	struct workqueue_struct *submit_wq;	/* submits what passes encoded */
	struct work_struct submit_work;
	struct llist_head submit_list;
	struct mutex wb_mutex;		/* one pass at a time; the walk over caches */
	u64 seg_seq;			/* next segment's sequence number (wb_mutex) */
	u64 zone_gen;			/* zones opened so far (zone_lock) */
	atomic_t inflight;		/* append bios in flight, all caches */
	wait_queue_head_t inflight_wait;
	atomic64_t io[ZSLAB_IO_NR];

	/* capacity tier (evict.c, reclaim.c) */
	atomic_long_t resident_pages;	/* slab pages of every cache in DRAM */
	struct work_struct evict_work;	/* brings them under resident_max_mb */
	unsigned long evict_work_done;	/* slabs its last run evicted */
	struct work_struct reclaim_work; /* frees zones when few are left */
	struct shrinker *shrinker;
	int reloc_zone;			/* zone relocations append to, or -1 */
	struct zslab_victim_zone *victims;	/* reclaim's candidates, one per zone */

	struct dentry *debugfs;
	struct dentry *debugfs_caches;	/* cache/: one stats file per cache */

	struct zslab_sb_info sb;	/* superblock.c */

	/* persistence (checkpoint.c, recovery.c) */
	struct list_head pcaches;	/* detached persistent caches */
	u64 ckpt_seq;			/* the newest checkpoint's (wb_mutex) */
	u64 ckpt_append_bytes;		/* io append_bytes at that checkpoint */
	u64 ckpt_seg_seq;		/* segments below it are in a committed checkpoint */
	struct zslab_recovery recovery;
	unsigned long *load_resets;	/* data zones recovery found dead */
	unsigned long *load_keeps;	/* data zones it found live data in */
	unsigned int load_reloc;	/* a kept zone left open for relocation, 0 = none */
};

extern struct zslab_dev *zslab_device;

/* --- segments (segment.c): the on-disk format v2, documented in the README --- */

#define ZSLAB_SEG_MAGIC		0x4753535aU	/* "ZSSG" */
#define ZSLAB_FORMAT_VERSION	2
#define ZSLAB_SEG_TOMBSTONE	0x01		/* entry flag: the slab emptied */
#define ZSLAB_MAX_SLAB_SIZE	(ZSLAB_DEFAULT_SLAB_SIZE << ZSLAB_MAX_SLAB_ORDER)
#define ZSLAB_MAX_OBJS		(ZSLAB_MAX_SLAB_SIZE / ZSLAB_MIN_OBJ_SIZE)
/* Largest segment (append bio) written or accepted when read. */
#define ZSLAB_MAX_SEGMENT_BYTES	(256 * 1024)

/* The first bytes of a segment: what follows and the CRC32C that covers it. */
struct zslab_seg_hdr {
	__le32 magic;
	__le16 version;
	__le16 flags;		/* none defined: 0 */
	__le32 summary_bytes;	/* summary incl. padding: whole blocks; data follows */
	__le32 used_bytes;	/* header and entries; the rest of the summary is zero */
	__le32 nr_entries;
	__le32 data_bytes;	/* slab data after the summary */
	__le64 seg_seq;		/* device-wide, grows with every segment */
	__le32 crc;		/* CRC32C of used_bytes, this field as zero */
	__le32 reserved[7];
} __packed;

/* One slab in a segment; a non-tombstone entry is followed by its bitmap. */
struct zslab_seg_entry {
	__le32 cache_id;
	__le32 slab_id;		/* logical: never changes when the data moves */
	__le64 seq;		/* per cache; the newest entry of a slab wins */
	__le32 data_crc;	/* CRC32C of the slab's data; 0 for a tombstone */
	__le32 nr_live;		/* bits set in the bitmap; 0 for a tombstone */
	__le32 object_size;
	__le32 stride;
	__le16 nr_objs;
	u8 slab_order;		/* slab size is 4096 << slab_order */
	u8 flags;		/* ZSLAB_SEG_TOMBSTONE */
	__le32 reserved;
} __packed;

/* A slab as a segment entry describes it, in CPU byte order. */
struct zslab_seg_slab {
	u32 cache_id;
	u32 slab_id;
	u64 seq;
	u32 data_crc;
	u32 nr_live;
	u32 object_size;
	u32 stride;
	u32 nr_objs;
	u32 slab_size;
	u32 data_offset;	/* bytes from the start of the segment */
	bool tombstone;
	const __le64 *map;	/* decoded entries: the bitmap, in the summary */
};

/* What a decoded summary says, in CPU byte order. */
struct zslab_seg_info {
	u64 seg_seq;
	u32 summary_bytes;
	u32 used_bytes;
	u32 nr_entries;
	u32 data_bytes;
	u32 lbs;
};

struct zslab_seg_cursor {
	u32 pos;		/* summary offset of the next entry */
	u32 nr;			/* entries read */
	u32 data_offset;	/* segment offset of the next entry's data */
};

/* A segment being built in a buffer. */
struct zslab_seg_builder {
	void *buf;
	unsigned int cap;		/* largest segment the buffer takes */
	unsigned int summary_bytes;	/* data starts here */
	unsigned int used;		/* summary header and entries so far */
	unsigned int data_bytes;	/* slab data so far */
	unsigned int nr_entries;
};

unsigned int zslab_seg_entry_bytes(unsigned int nr_objs, bool tombstone);
unsigned int zslab_seg_summary_bytes(unsigned int buf_bytes, unsigned int slab_size,
				     unsigned int nr_objs, unsigned int lbs);
void zslab_seg_start(struct zslab_seg_builder *b, void *buf, unsigned int cap,
		     unsigned int summary_bytes);
bool zslab_seg_fits(const struct zslab_seg_builder *b, unsigned int nr_objs,
		    unsigned int slab_size);
void zslab_seg_add_tombstone(struct zslab_seg_builder *b, const struct zslab_seg_slab *l);
bool zslab_seg_add_slab(struct zslab_seg_builder *b, struct zslab_seg_slab *l,
			const unsigned long *inuse, const unsigned long *marked,
			const void *data);
unsigned int zslab_seg_finish(struct zslab_seg_builder *b, u64 seg_seq);
int zslab_seg_decode(const void *buf, size_t len, unsigned int lbs,
		     struct zslab_seg_info *info, const char **why);
void zslab_seg_cursor_init(struct zslab_seg_cursor *cur, const struct zslab_seg_info *info);
int zslab_seg_next(const void *buf, const struct zslab_seg_info *info,
		   struct zslab_seg_cursor *cur, struct zslab_seg_slab *e,
		   const char **why);
int zslab_seg_check_data(const struct zslab_seg_slab *e, const void *data,
			 const char **why);

/*
 * CRC32C (seeded ~0, inverted) of @len bytes at @buf, the 4-byte CRC field
 * at offset @field counted as zero: how segment summaries and superblocks
 * are summed.
 */
static inline u32 zslab_crc32c_field_zero(const void *buf, size_t len, size_t field)
{
	u32 crc;

	crc = crc32c(~0U, buf, field);
	crc = crc32c(crc, "\0\0\0\0", sizeof(__le32));
	crc = crc32c(crc, buf + field + sizeof(__le32), len - field - sizeof(__le32));
	return ~crc;
}

/*
 * --- checkpoints (checkpoint_format.c: the format; checkpoint.c: its I/O) ---
 * What recovery starts from: the persistent caches, each slab of theirs
 * with where its newest data lies, and for every data zone how far it was
 * written then (recovery reads only what was written after). Appended to a
 * metadata zone, then committed by the superblock written after it. The
 * on-disk layout is documented in the README.
 *
 *   header (64 B) | zone records | per cache: cache record, its slab records
 *   (each followed by its bitmap) | zero padding to a whole block
 */
#define ZSLAB_CKPT_MAGIC	0x4b43535aU	/* "ZSCK" */
#define ZSLAB_CKPT_VERSION	1
/* Largest checkpoint written or accepted when read. */
#define ZSLAB_CKPT_MAX_BYTES	(256U << 20)

struct zslab_ckpt_hdr {
	__le32 magic;
	__le16 version;
	__le16 flags;		/* none defined: 0 */
	__le32 total_bytes;	/* whole blocks: header, records, padding */
	__le32 used_bytes;	/* header and records; the rest is zero */
	__le64 ckpt_seq;	/* grows with every checkpoint, not 0 */
	__le64 seg_seq;		/* the device's next segment sequence number then */
	__le32 crc;		/* CRC32C of used_bytes, this field as zero */
	__le32 nr_zones;
	__le32 nr_caches;
	__le32 nr_slabs;	/* over all caches */
	__le32 reserved[4];
} __packed;

/* A data zone as the checkpoint saw it. */
struct zslab_ckpt_zone_disk {
	__le32 zone;		/* zone index; records in increasing order */
	__le32 tail;		/* sectors written then (from the zone start) */
	__le64 first_seq;	/* seg_seq of its first segment; 0: empty then */
} __packed;

/* A persistent cache; its nr_slabs slab records follow it. */
struct zslab_ckpt_cache_disk {
	__le32 id;		/* 1..65535, unique in the checkpoint */
	__le32 object_size;
	__le32 align;
	__le32 stride;		/* >= 8, >= object_size, a multiple of align */
	__le16 nr_objs;		/* slab size / stride */
	u8 slab_order;		/* slab size is 4096 << slab_order, <= 5 */
	u8 flags;		/* none defined: 0 */
	__le32 nr_slabs;
	__le64 next_seq;	/* the cache's next entry sequence number */
	char name[32];		/* NUL-terminated, not empty, NUL padded */
} __packed;

/* A slab with live data; its bitmap (ceil(nr_objs / 64) u64 words) follows. */
struct zslab_ckpt_slab_disk {
	__le32 slab_id;		/* not 0; increasing within a cache */
	__le32 zone;		/* where its newest data lies */
	__le32 offset;		/* sectors from the zone start */
	__le32 data_crc;	/* CRC32C of that data */
	__le64 seq;		/* of that data's segment entry, not 0 */
	__le32 nr_live;		/* bits set in the bitmap, at least 1 */
	__le32 reserved;
} __packed;

/* The header, in CPU byte order. */
struct zslab_ckpt_info {
	u64 ckpt_seq;
	u64 seg_seq;
	u32 total_bytes;
	u32 used_bytes;
	u32 crc;
	u32 nr_zones;
	u32 nr_caches;
	u32 nr_slabs;
};

struct zslab_ckpt_zone {
	u32 zone;
	u32 tail;
	u64 first_seq;
};

struct zslab_ckpt_cache {
	u32 id;
	u32 object_size;
	u32 align;
	u32 stride;
	u32 nr_objs;
	u32 slab_order;
	u32 nr_slabs;		/* decode: records that follow; encode: ignored */
	u64 next_seq;
	char name[32];
};

struct zslab_ckpt_slab {
	u32 slab_id;
	u32 zone;
	u32 offset;
	u32 data_crc;
	u64 seq;
	u32 nr_live;
	const __le64 *map;	/* decoded: the bitmap, inside the buffer */
};

/* Builds a checkpoint in a buffer: zones first, then each cache and its slabs. */
struct zslab_ckpt_builder {
	void *buf;
	size_t cap;
	u32 used;
	u32 nr_zones, nr_caches, nr_slabs;
	u32 cache_pos;		/* offset of the current cache record */
	u32 cache_nr_objs;
	u32 cache_slabs;
	u32 last_slab_id;
	bool overflow;		/* something did not fit: finish returns 0 */
};

/* Walks a decoded checkpoint: zones, then caches each with its slabs. */
struct zslab_ckpt_cursor {
	u32 pos;
	u32 zones, caches, slabs;	/* records read so far */
	u32 cache_slabs_left;
	u32 cache_nr_objs;
	u32 last_slab_id;
};

unsigned int zslab_ckpt_slab_bytes(unsigned int nr_objs);
void zslab_ckpt_start(struct zslab_ckpt_builder *b, void *buf, size_t cap);
bool zslab_ckpt_add_zone(struct zslab_ckpt_builder *b, const struct zslab_ckpt_zone *z);
bool zslab_ckpt_add_cache(struct zslab_ckpt_builder *b, const struct zslab_ckpt_cache *c);
bool zslab_ckpt_add_slab(struct zslab_ckpt_builder *b, const struct zslab_ckpt_slab *s,
			 const unsigned long *map);
u32 zslab_ckpt_finish(struct zslab_ckpt_builder *b, u64 ckpt_seq, u64 seg_seq,
		      unsigned int lbs);
int zslab_ckpt_decode_header(const void *buf, size_t len, unsigned int lbs,
			     struct zslab_ckpt_info *info, const char **why);
int zslab_ckpt_decode(const void *buf, size_t len, unsigned int lbs,
		      struct zslab_ckpt_info *info, const char **why);
void zslab_ckpt_cursor_init(struct zslab_ckpt_cursor *cur);
int zslab_ckpt_next_zone(const void *buf, const struct zslab_ckpt_info *info,
			 struct zslab_ckpt_cursor *cur, struct zslab_ckpt_zone *z,
			 const char **why);
int zslab_ckpt_next_cache(const void *buf, const struct zslab_ckpt_info *info,
			  struct zslab_ckpt_cursor *cur, struct zslab_ckpt_cache *c,
			  const char **why);
int zslab_ckpt_next_slab(const void *buf, const struct zslab_ckpt_info *info,
			 struct zslab_ckpt_cursor *cur, struct zslab_ckpt_slab *s,
			 const char **why);

/* --- allocator (alloc.c) --- */

/* Objects a CPU keeps at hand; refills and flushes move half of it. */
#define ZSLAB_MAG_SIZE		128
#define ZSLAB_MAG_BATCH		(ZSLAB_MAG_SIZE / 2)
/*
 * Empty slabs a cache keeps instead of returning them to the page allocator:
 * enough for one magazine refill, and at least two slabs. Churn up to a
 * magazine's half then never goes to the page allocator, as SLUB keeps a
 * few empty slabs of many objects each.
 */
#define ZSLAB_EMPTY_RESERVE_OBJS	ZSLAB_MAG_BATCH
#define ZSLAB_EMPTY_RESERVE_MIN		2
/* Most slabs a cache grows by at once: enough for a refill, within reason. */
#define ZSLAB_GROW_MAX			16
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

enum zslab_wb_stat {
	ZSLAB_WB_DIRTIED,	/* slabs queued for writeback */
	ZSLAB_WB_WRITTEN,	/* slabs' data written */
	ZSLAB_WB_BYTES,		/* bytes of slab data written */
	ZSLAB_WB_DEVICE_BYTES,	/* bytes of this cache's segments: summaries too */
	ZSLAB_WB_TOMBSTONES,	/* tombstones written */
	ZSLAB_WB_SKIPPED_EMPTY,	/* dirty slabs with no live object and nothing to undo */
	ZSLAB_WB_TOMBS_UNNEEDED, /* volatile slabs emptied while zones ran short */
	ZSLAB_WB_ERRORS,	/* images whose write failed */
	ZSLAB_WB_SYNCS,
	ZSLAB_NR_WB_STATS
};

enum zslab_misuse {
	ZSLAB_MISUSE_DOUBLE_FREE,
	ZSLAB_MISUSE_FOREIGN,	/* not from any zslab cache */
	ZSLAB_MISUSE_OTHER_CACHE, /* from another zslab cache */
	ZSLAB_MISUSE_MISALIGNED, /* inside a slab, not at an object start */
	ZSLAB_MISUSE_NOT_LIVE,	/* mark_dirty/ref/put of an object not allocated */
	ZSLAB_MISUSE_BAD_REF,	/* a reference that names no live object here */
	ZSLAB_MISUSE_UNPINNED,	/* put of an object not pinned, free of one being evicted */
	ZSLAB_NR_MISUSE
};

/* Capacity-tier counters of a cache (debugfs cache/NAME). */
enum zslab_cap_stat {
	ZSLAB_CAP_EVICTIONS,
	ZSLAB_CAP_READBACKS,
	ZSLAB_CAP_READBACK_BYTES,
	ZSLAB_CAP_READBACK_ERRORS,
	ZSLAB_CAP_NOWAIT_MISSES,	/* non-sleeping gets of an evicted slab */
	ZSLAB_CAP_EVICTED_FREES,	/* objects freed by ref while evicted */
	ZSLAB_CAP_RELOCATED,		/* slabs reclaim moved */
	ZSLAB_NR_CAP_STATS
};

/*
 * Per-CPU front end: a magazine of free objects and the CPU's counters.
 * The fast paths use both with plain loads and stores while busy is set
 * (alloc.c, mag_lock()); an interrupt that finds busy set on its CPU leaves
 * them to the fast path it cut into.
 */
struct zslab_cpu_cache {
	unsigned int count;		/* objects in objs[] */
	bool busy;			/* a fast path is using this magazine */
	struct zslab_slab *refill_slab;	/* the slab it owns (cache lock) */
	u64 stat[ZSLAB_NR_STATS];
	u64 slabs_dirtied;		/* debugfs slabs_dirtied, summed */
	void *objs[ZSLAB_MAG_SIZE];
};

/* Objects in a magazine, for tests and accounting (racy unless it is ours). */
static inline unsigned int zslab_mag_count(const struct zslab_cpu_cache *cc)
{
	return READ_ONCE(cc->count);
}

/*
 * A slab: slab_size bytes of objects in DRAM (exactly the bytes a zone image
 * will carry) and this descriptor beside it. Two bitmaps, one bit per object:
 *   inuse  - held by a client; atomic bit ops, any CPU; the occupancy a slab
 *            image records. Clearing a clear bit is a double free.
 *   avail  - in the slab, not in any CPU's magazine; changed under the cache
 *            lock only. An object in a magazine has neither bit set.
 */
struct zslab_slab {
	struct list_head list;		/* partial, full, empty or dead list */
	void *base;
	struct llist_node dirty_node;	/* on the cache's dirty list */
	atomic_t flags;			/* ZSLAB_SLAB_* */
	u32 id;				/* logical slab id within the cache, >= 1 */
	u16 nr_avail:15;		/* bits set in avail (cache lock) */
	u16 owned:1;			/* last_cpu refills from it (cache lock) */
	u16 last_cpu;			/* CPU that last took objects from it */
	u32 img_zone;			/* zone of its newest data, or ZSLAB_NO_IMAGE */
	u32 img_offset;			/* sector offset of that data in the zone */
	u32 img_seq;			/* low bits of its newest entry's sequence */
	u32 img_crc;			/* CRC32C of that data */
	atomic_t unpinned;		/* see "Pins" below */
	unsigned long map[];		/* inuse bitmap, then avail bitmap */
};

#define ZSLAB_NO_IMAGE		U32_MAX
#define ZSLAB_SLAB_DIRTY	0x1	/* queued for writeback */
#define ZSLAB_SLAB_DEAD		0x2	/* empty and retired: freed once written off */
/*
 * Data of it was sent to the device since its last tombstone: when it
 * empties, a tombstone must follow before it may be freed. Writeback
 * passes alone change it (wb_mutex).
 */
#define ZSLAB_SLAB_WRITTEN	0x4
/* Got since eviction last looked at it: it stays one more round (CLOCK). */
#define ZSLAB_SLAB_REFERENCED	0x8
/* Reclaim moves it: its next data goes to the relocation zone. */
#define ZSLAB_SLAB_RELOC	0x10
/*
 * Reclaim found it clean when it marked it to move: its write is a move
 * only (relocated_bytes). One a client had changed would have been
 * written anyway: that write counts as the client's.
 */
#define ZSLAB_SLAB_MOVE_ONLY	0x20

/*
 * Pins. An object is pinned from alloc or zslab_get() until zslab_put() or
 * its free. A slab counts only its objects' puts less gets in unpinned, so
 * that alloc and free, whose objects are pinned by definition, touch
 * nothing for it: the slab's pins are its live objects less unpinned, and
 * it may leave DRAM only when they are 0. Eviction freezes the count by
 * adding ZSLAB_PINS_FROZEN with a cmpxchg that expects exactly the live
 * objects (every one unpinned); a get then fails on the frozen count and
 * goes the slow way (evict.c).
 */
#define ZSLAB_PINS_FROZEN	(1 << 28)

/*
 * What an evicted slab keeps in DRAM, in its cache's slab xarray in place of
 * the descriptor (a tagged entry): where its newest data lies and which
 * objects live. Changed under the cache lock only.
 */
struct zslab_evicted {
	u32 img_zone;
	u32 img_offset;
	u32 img_seq;
	u32 img_crc;
	u16 nr_live;
	u8 flags;			/* ZSLAB_EV_* */
	u8 reserved;
	unsigned long map[];		/* inuse bitmap */
};

static inline size_t zslab_evicted_bytes(unsigned int nr_objs)
{
	return sizeof(struct zslab_evicted) + BITS_TO_LONGS(nr_objs) * sizeof(unsigned long);
}

#define ZSLAB_EV_READING	0x1	/* a get is reading it back */
#define ZSLAB_EV_REWRITE	0x2	/* objects freed while evicted: new data owed */
#define ZSLAB_EV_LOGGED		0x4	/* a failed read of it was logged */
#define ZSLAB_EV_TOMBSTONE	0x8	/* recovery only: the slab's newest entry buried it */
#define ZSLAB_XA_EVICTED	1	/* xa_pointer_tag() of an evicted slab */
/* xarray mark of evicted slabs owing new data (REWRITE) */
#define ZSLAB_XA_REWRITE	XA_MARK_1

struct zslab_cache {
	/* hot: read on every alloc and free */
	struct zslab_cpu_cache __percpu *cpu;
	unsigned long page_cookie;	/* in page->index of every slab page */
	unsigned int stride;		/* object size rounded to the alignment */
	struct reciprocal_value stride_recip;
	unsigned int objs_per_slab;
	unsigned int object_size;	/* what the client asked for */
	void (*ctor)(void *obj);
	bool zero_at_alloc;		/* objects zeroed at allocation */
	unsigned int marked_map;	/* longs into map[] of the marked bitmap, or 0 */

	spinlock_t lock;		/* slab lists, avail bitmaps, counts */
	struct list_head partial;	/* some objects available */
	struct list_head full;		/* none available */
	struct list_head empty;		/* all available, kept as reserve */
	struct list_head dead;		/* retired, freed by writeback */
	unsigned int nr_slabs;
	unsigned int nr_dead;
	unsigned long last_retire;	/* jiffies when a slab last retired */
	unsigned int nr_partial;
	unsigned int nr_empty;
	unsigned long nr_avail;		/* objects available on listed slabs */
	unsigned int empty_reserve;	/* empty slabs kept, see ZSLAB_EMPTY_RESERVE_OBJS */
	unsigned int grow_slabs;	/* slabs a refill that finds none adds */
	u64 slabs_allocated;		/* over the cache's life */
	u64 slabs_freed;
	u64 slabs_revived;		/* retired slabs taken back before freeing */

	atomic64_t misuse[ZSLAB_NR_MISUSE];

	/* zone backing */
	struct kmem_cache *desc_cache;	/* slab descriptors, exact size */
	struct xarray slabs;		/* slab id -> slab, for references */
	struct llist_head dirty;	/* slabs to write */
	int open_zone;			/* zone this cache appends to, or -1 */
	u64 seq;			/* next entry's sequence number (wb_mutex) */
	unsigned int summary_bytes;	/* summary area of its segments */
	unsigned int slab_sectors;	/* one slab's data, 512 B sectors */
	atomic64_t slabs_cleaned;	/* dirty slabs taken off the list */
	atomic_t inflight;		/* append bios in flight */
	wait_queue_head_t wb_wait;	/* for inflight to reach 0 */
	atomic_t wb_error;		/* -EIO/-ENOSPC for the next sync */
	atomic64_t wb[ZSLAB_NR_WB_STATS];

	/* capacity tier (evict.c, readback.c) */
	struct kmem_cache *ev_cache;	/* evicted descriptors, exact size */
	mempool_t *ev_pool;		/* so that eviction never fails for one */
	unsigned int ev_size;
	unsigned int nr_evicted;	/* cache lock */
	unsigned long nr_evicted_objs;	/* their live objects (cache lock) */
	atomic_long_t unpinned_objs;	/* live objects nobody pins */
	wait_queue_head_t readback_wait; /* a get waiting for another's read */
	atomic64_t cap[ZSLAB_NR_CAP_STATS];

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
	u64 slabs_allocated, slabs_freed, slabs_revived;
	unsigned int dead;
	unsigned long dirty;		/* slabs queued for writeback */
	u64 wb[ZSLAB_NR_WB_STATS];
	unsigned int evicted;		/* slabs whose data is only on the device */
	unsigned long evicted_objs;	/* their live objects */
	unsigned long pinned_objs;
	u64 cap[ZSLAB_NR_CAP_STATS];
};

static inline unsigned long *zslab_slab_inuse(struct zslab_slab *s)
{
	return s->map;
}

static inline unsigned long *zslab_slab_avail(struct zslab_cache *c, struct zslab_slab *s)
{
	return s->map + c->map_longs;
}

/*
 * Persistent caches only: the bitmap of the slab's newest data on the
 * device, as its segment entry recorded it (set when the bio lands, zone
 * lock held). A checkpoint needs it: the inuse bitmap runs ahead of the
 * device while the slab is dirty.
 */
static inline unsigned long *zslab_slab_devmap(struct zslab_cache *c, struct zslab_slab *s)
{
	return s->map + 2 * c->map_longs;
}

/*
 * Caches that do not zero objects at allocation (the kernel runs without
 * init_on_alloc and the cache has no constructor): which live objects the
 * client marked since they were allocated. Only those reach the device as
 * they are, every other live object as zeros, so the bytes a slot held
 * before its allocation never do (DESIGN §3). Set by zslab_mark_dirty()
 * after the client's stores, cleared by the free after the inuse bit; a
 * pass reads it before inuse, and inuse before the data
 * (zslab_seg_add_slab()). NULL where objects are zeroed at allocation.
 */
static inline unsigned long *zslab_slab_marked(struct zslab_cache *c, struct zslab_slab *s)
{
	return c->marked_map ? s->map + c->marked_map : NULL;
}

static inline bool zslab_cache_persistent(const struct zslab_cache *c)
{
	return c->flags & ZSLAB_PERSISTENT;
}

static inline void *zslab_slab_obj(struct zslab_cache *c, struct zslab_slab *s,
				   unsigned int idx)
{
	return s->base + idx * c->stride;
}

/* References: cache id, logical slab id, slot. */
#define ZSLAB_REF_SLOT_BITS	16
#define ZSLAB_REF_SLAB_BITS	32

static inline u32 zslab_ref_slab(zslab_ref_t ref)
{
	return (ref >> ZSLAB_REF_SLOT_BITS) & U32_MAX;
}

static inline unsigned int zslab_ref_slot(zslab_ref_t ref)
{
	return ref & (BIT(ZSLAB_REF_SLOT_BITS) - 1);
}

static inline u32 zslab_ref_cache(zslab_ref_t ref)
{
	return ref >> (ZSLAB_REF_SLAB_BITS + ZSLAB_REF_SLOT_BITS);
}

static inline zslab_ref_t zslab_make_ref(const struct zslab_cache *c, u32 slab_id,
					 unsigned int idx)
{
	return (u64)c->id << (ZSLAB_REF_SLAB_BITS + ZSLAB_REF_SLOT_BITS) |
	       (u64)slab_id << ZSLAB_REF_SLOT_BITS | idx;
}

unsigned int zslab_desc_bytes(const struct zslab_cache *c);
struct zslab_slab *zslab_slab_of(const void *obj);
void zslab_report_misuse(struct zslab_cache *c, const void *obj, enum zslab_misuse why);
struct zslab_slab *zslab_live_obj_slab(struct zslab_cache *c, const void *obj,
				       unsigned int *idx);
struct zslab_slab *zslab_slab_alloc_desc(struct zslab_cache *c, gfp_t gfp);
void zslab_slab_install_locked(struct zslab_cache *c, struct zslab_slab *s);
void zslab_slab_unlist_locked(struct zslab_cache *c, struct zslab_slab *s);
void zslab_slab_free_memory(struct zslab_cache *c, struct zslab_slab *s);
bool zslab_resident_room(struct zslab_cache *c, unsigned int pages, gfp_t gfp);
void zslab_cache_get_info(struct zslab_cache *c, struct zslab_cache_info *info);
void zslab_cache_shrink(struct zslab_cache *c);
void __zslab_slab_mark_dirty(struct zslab_cache *c, struct zslab_slab *s);

/**
 * zslab_slab_mark_dirty() - Queue a slab for writeback (once).
 * @c: its cache.
 * @s: the slab. Any context.
 *
 * Inline, as alloc and free call it every time: mostly the slab is queued
 * already and a flag read is all it costs.
 *
 * The caller's change to the slab (an object's bytes, its bitmap) must be
 * ordered before the flag read by a full barrier, as mark_buffer_dirty()
 * does: a pass clears DIRTY with a fully ordered atomic and then reads the
 * slab, so either it sees the change or we see DIRTY clear and queue the
 * slab again. Without the barrier the read may pass the change (a store
 * buffer), find DIRTY still set, and the change misses the device. Alloc
 * and free come here right after a value-returning bit op, itself a full
 * barrier; zslab_mark_dirty() pays an smp_mb().
 */
static inline void zslab_slab_mark_dirty(struct zslab_cache *c, struct zslab_slab *s)
{
	if (!(atomic_read(&s->flags) & ZSLAB_SLAB_DIRTY))
		__zslab_slab_mark_dirty(c, s);
}

/**
 * zslab_slab_take_dirty() - A pass takes a slab off its queue to copy it.
 * @s: the slab, taken off the cache's dirty list.
 *
 * DIRTY (and RELOC) clear before the copy, with a fully ordered atomic:
 * the other half of zslab_slab_mark_dirty()'s barrier.
 *
 * Return: the flags before.
 */
static inline int zslab_slab_take_dirty(struct zslab_slab *s)
{
	return atomic_fetch_andnot(ZSLAB_SLAB_DIRTY | ZSLAB_SLAB_RELOC | ZSLAB_SLAB_MOVE_ONLY,
				   &s->flags);
}

void zslab_reap_dead_slabs(struct zslab_cache *c);
void zslab_slab_drop_image(struct zslab_cache *c, struct zslab_slab *s);
void zslab_fail_slab_alloc_set(unsigned int times);
void zslab_zero_at_alloc_set(int mode);
int zslab_cache_id_reserve(u32 id);
void zslab_cache_id_release(u32 id);
int zslab_alloc_init(struct dentry *debugfs);
void zslab_alloc_exit(void);

/* zone_io.c */
int zslab_check_geometry(const struct zslab_geometry *geo, const char **why);
int zslab_check_zone(const struct zslab_geometry *geo, unsigned int idx,
		     const struct blk_zone *bz, const char **why);
const char *zslab_zone_cond_name(u8 cond);
int zslab_read_geometry(struct zslab_dev *zd);
int zslab_report_zones(struct zslab_dev *zd);

/* zone_io.c: placement and zone life */
int zslab_zones_init(struct zslab_dev *zd);
int zslab_zone_reserve(struct zslab_dev *zd, struct zslab_cache *c,
		       sector_t sectors, unsigned int *zone, sector_t *offset);
void zslab_zone_release_cache(struct zslab_dev *zd, struct zslab_cache *c);
bool zslab_zone_append_landed_locked(struct zslab_dev *zd, unsigned int zone,
				     sector_t sector, sector_t sectors, bool ok);
bool zslab_zone_append_end_locked(struct zslab_dev *zd, unsigned int zone);
void zslab_zone_data_live_locked(struct zslab_dev *zd, unsigned int zone,
				 sector_t sectors);
bool zslab_zone_data_stale_locked(struct zslab_dev *zd, unsigned int zone,
				  sector_t sectors, bool was_live);
void zslab_zone_tombstone_locked(struct zslab_dev *zd, unsigned int zone,
				 bool persistent, u64 seg_seq);
u64 zslab_zone_tomb_gen_locked(struct zslab_dev *zd, const struct zslab_zone *z,
			       bool short_of_zones);
bool zslab_resets_wait_for_checkpoint_locked(struct zslab_dev *zd);
void zslab_zone_data_dropped(struct zslab_dev *zd, unsigned int zone,
			     sector_t sectors);
void zslab_queue_zone_reset(struct zslab_dev *zd);
void zslab_zones_mark_resets_locked(struct zslab_dev *zd);
void zslab_zones_tidy(struct zslab_dev *zd);
const char *zslab_zone_use_name(u8 use);

/* Most entries one segment carries (tombstones take summary room only). */
#define ZSLAB_MAX_BIO_ENTRIES	128

/* One entry of an append bio's segment. */
struct zslab_wb_entry {
	struct zslab_slab *s;
	u64 seq;
	u32 data_offset;	/* sectors from the segment's start; tombstone: 0 */
	u32 data_crc;
	bool tombstone;
	bool move_only;		/* written for reclaim only (ZSLAB_SLAB_MOVE_ONLY) */
	const __le64 *map;	/* its bitmap in the segment's summary */
};

/*
 * One append bio and what its segment carries. Here rather than in
 * writeback.c for the KUnit suite, which stages completions of its own.
 */
struct zslab_wb_bio {
	struct zslab_dev *zd;
	struct zslab_cache *c;
	struct zslab_img_buf *buf;
	struct zslab_seg_builder seg;
	unsigned int zone;
	unsigned int nr;
	u64 seg_seq;
	bool reloc;		/* reclaim's: to the relocation zone */
	ktime_t start;
	struct llist_node submit_node;	/* on zd->submit_list until submitted */
	struct zslab_wb_entry ents[ZSLAB_MAX_BIO_ENTRIES];
	struct bio bio;		/* last: allocated from the bio_set's front pad */
};

/* writeback.c */
extern unsigned int zslab_writeback_ms;
unsigned int zslab_set_writeback_ms(unsigned int ms);
int zslab_writeback_init(struct zslab_dev *zd);
void zslab_writeback_exit(struct zslab_dev *zd);
int zslab_cache_writeback_init(struct zslab_cache *c);
void zslab_cache_writeback_exit(struct zslab_cache *c);
void zslab_cache_unlist(struct zslab_cache *c);
extern void (*zslab_wb_pass_hook)(struct zslab_cache *c, struct zslab_slab *s);
extern bool (*zslab_wb_end_hook)(struct bio *bio);
extern void (*zslab_wb_drained_hook)(wait_queue_head_t *wq);
void zslab_wb_end_io_now(struct bio *bio);
int zslab_writeback_cache(struct zslab_dev *zd, struct zslab_cache *c);
void zslab_wait_writeback(struct zslab_cache *c);
void zslab_cache_writeback_settle(struct zslab_cache *c);
void zslab_slab_retired(struct zslab_cache *c);
extern const char *const zslab_io_stat_names[ZSLAB_IO_NR];
extern const char *const zslab_wb_stat_names[ZSLAB_NR_WB_STATS];

/* readback.c */
int zslab_read_slab_data(struct zslab_cache *c, struct zslab_slab *s, void *buf);
int zslab_read_image(struct zslab_cache *c, u32 zone, u32 offset, u32 crc, void *buf);
void *zslab_read_back(struct zslab_cache *c, u32 slab_id, unsigned int idx, gfp_t gfp,
		      bool pin);
unsigned int zslab_read_back_rewrites(struct zslab_cache *c, unsigned int max,
				      unsigned int *failed);

/* evict.c: pins, eviction, the resident cap and the shrinker */
extern unsigned int zslab_resident_max_mb;
static inline bool zslab_entry_evicted(const void *entry)
{
	return xa_pointer_tag((void *)entry) == ZSLAB_XA_EVICTED;
}

static inline struct zslab_evicted *zslab_entry_to_evicted(void *entry)
{
	return xa_untag_pointer(entry);
}

int zslab_cache_evict_init(struct zslab_cache *c);
void zslab_cache_evict_exit(struct zslab_cache *c);
unsigned long zslab_evict_cache(struct zslab_dev *zd, struct zslab_cache *c,
				unsigned long want, bool write_dirty);
void zslab_evict_to_cap(struct zslab_dev *zd);
void zslab_evict_clean_to_cap(struct zslab_dev *zd);
void zslab_kick_eviction(struct zslab_dev *zd);
bool zslab_over_cap(struct zslab_dev *zd);
int zslab_evict_init(struct zslab_dev *zd);
void zslab_evict_exit(struct zslab_dev *zd);
extern const char *const zslab_cap_stat_names[ZSLAB_NR_CAP_STATS];

/* reclaim.c */
#define ZSLAB_RELOC_OWNER	0x10000		/* zone owner id of relocation writes */
struct zslab_victim_zone {
	sector_t live, capacity;
	u64 age;			/* zones opened since it was */
};
int zslab_pick_victim(const struct zslab_victim_zone *z, unsigned int n);
bool zslab_reclaim_due(struct zslab_dev *zd);
bool zslab_short_of_zones_locked(struct zslab_dev *zd);
bool zslab_reloc_can_lend_locked(struct zslab_dev *zd, sector_t sectors);
void zslab_kick_reclaim(struct zslab_dev *zd);
int zslab_reclaim_zone(struct zslab_dev *zd);
int zslab_reclaim_victim_locked(struct zslab_dev *zd);
int zslab_reclaim_init(struct zslab_dev *zd);
void zslab_reclaim_exit(struct zslab_dev *zd);
int zslab_zone_reserve_reloc(struct zslab_dev *zd, sector_t sectors, unsigned int *zone,
			     sector_t *offset);
unsigned int zslab_free_zones(struct zslab_dev *zd);
unsigned int zslab_free_zones_locked(struct zslab_dev *zd);
void zslab_zone_close_locked(struct zslab_dev *zd, unsigned int i);

/* Data of ours that a reader of the device would still find in @z. */
static inline bool zslab_zone_holds_data(const struct zslab_zone *z)
{
	return (z->use == ZZ_OPEN || z->use == ZZ_FULL || z->use == ZZ_ERROR) &&
	       (z->wp > z->start || z->reserved);
}

/*
 * A zone whose data all died, nothing in flight to it: what holds its
 * reset now is only a tombstone in it that is still needed. Zone lock held.
 */
static inline bool zslab_zone_dead(const struct zslab_zone *z)
{
	return zslab_zone_holds_data(z) && z->use != ZZ_ERROR && !z->live &&
	       !z->inflight;
}
bool zslab_zone_worth_reclaiming(const struct zslab_zone *z);

/* superblock.c: at load, before anything is written */
int zslab_sb_load(struct zslab_dev *zd, bool format);
void zslab_sb_meta_zones(const struct zslab_dev *zd, unsigned int meta[2],
			 unsigned int *first_data_zone);
int zslab_zone_budget(const struct zslab_dev *zd, const unsigned long *resetting);
const char *zslab_sb_origin_name(enum zslab_sb_origin o);
int zslab_sb_commit(struct zslab_dev *zd, const void *ckpt, u32 len,
		    const struct zslab_ckpt_info *info);
int zslab_sb_reset_zone(struct zslab_dev *zd, unsigned int i);

/* checkpoint.c: persistent caches' tables in the metadata zones */
extern unsigned int zslab_checkpoint_mb;
int zslab_checkpoint(struct zslab_dev *zd);
int zslab_checkpoint_locked(struct zslab_dev *zd);
void zslab_checkpoint_if_due(struct zslab_dev *zd);
u64 zslab_seq64(u64 next, u32 low);
struct zslab_pcache *zslab_pcache_find(struct zslab_dev *zd, const char *name);
struct zslab_pcache *zslab_pcache_new(const char *name, u32 id, gfp_t gfp);
void zslab_pcache_free(struct zslab_pcache *pc, bool drop_data);
void zslab_pcache_hold(struct zslab_dev *zd, struct zslab_pcache *pc, bool hold);
struct page *zslab_buf_page(void *p);
int zslab_meta_io(struct zslab_dev *zd, blk_opf_t opf, sector_t sector, void *buf,
		  size_t bytes, sector_t *landed);

/* recovery.c: at load, what the device holds */
int zslab_recover(struct zslab_dev *zd, const struct zslab_sb *sb);
int zslab_pcache_apply(struct zslab_pcache *pc, u32 slab_id, u64 seq,
		       struct zslab_evicted *ev);
unsigned int zslab_load_reloc_zone(const struct zslab_dev *zd);
int zslab_recovery_settle_zones(struct zslab_dev *zd);
void zslab_recovery_free(struct zslab_dev *zd);
int zslab_checkpoint_load(struct zslab_dev *zd);

/* debugfs.c */
void zslab_debugfs_init(struct zslab_dev *zd);
void zslab_debugfs_exit(struct zslab_dev *zd);
void zslab_debugfs_add_cache(struct zslab_cache *c);
void zslab_debugfs_remove_cache(struct zslab_cache *c);
extern const char *const zslab_stat_names[ZSLAB_NR_STATS];
extern const char *const zslab_misuse_names[ZSLAB_NR_MISUSE];

#endif /* ZSLAB_INTERNAL_H */
