// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/zns_slab: what the module knows, in text a person and a
 * test script can both read. Every field is described in the README.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include "zslab_internal.h"

static int device_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	const struct zslab_geometry *geo = &zd->geo;

	seq_printf(m, "path: %s\n", zd->path);
	seq_printf(m, "capacity_bytes: %llu\n", (u64)geo->capacity << SECTOR_SHIFT);
	seq_printf(m, "zone_size_bytes: %llu\n", (u64)geo->zone_sectors << SECTOR_SHIFT);
	seq_printf(m, "zone_capacity_bytes: %llu\n", (u64)geo->zone_capacity << SECTOR_SHIFT);
	seq_printf(m, "nr_zones: %u\n", geo->nr_zones);
	seq_printf(m, "nr_seq_zones: %u\n", geo->nr_seq_zones);
	seq_printf(m, "nr_usable_zones: %u\n", geo->nr_usable_zones);
	seq_printf(m, "logical_block_size: %u\n", geo->lbs);
	seq_printf(m, "max_open_zones: %u\n", geo->max_open);
	seq_printf(m, "max_active_zones: %u\n", geo->max_active);
	seq_printf(m, "zone_append_max_bytes: %llu\n",
		   (u64)geo->max_append_sectors << SECTOR_SHIFT);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(device);

/* "NAME: A/B" with two decimals, or 0.00 when nothing is counted yet. */
static void print_ratio(struct seq_file *m, const char *name, u64 a, u64 b)
{
	u64 r = b ? div64_u64(a * 100 + b / 2, b) : 0;

	seq_printf(m, "%s: %llu.%02llu\n", name, r / 100, r % 100);
}

static int zones_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	unsigned int i;

	seq_puts(m, "# zone start_sector len_sectors capacity_sectors wp_sector cond type use live_bytes stale_bytes resets owner inflight tombstones\n");
	for (i = 0; i < zd->geo.nr_zones; i++) {
		struct zslab_zone z;
		bool tombs;

		spin_lock_irq(&zd->zone_lock);
		z = zd->zones[i];
		tombs = zslab_zone_tomb_gen_locked(zd, &z, zslab_short_of_zones_locked(zd));
		spin_unlock_irq(&zd->zone_lock);
		seq_printf(m, "%u %llu %llu %llu %llu %s %s %s %llu %llu %u %u %u %s\n", i,
			   (u64)z.start, (u64)z.len, (u64)z.capacity, (u64)z.wp,
			   zslab_zone_cond_name(z.cond),
			   z.type == BLK_ZONE_TYPE_CONVENTIONAL ? "conv" :
			   z.type == BLK_ZONE_TYPE_SEQWRITE_REQ ? "seq_req" : "seq_pref",
			   zslab_zone_use_name(z.use), (u64)z.live << SECTOR_SHIFT,
			   (u64)z.stale << SECTOR_SHIFT, z.resets, z.owner, z.inflight,
			   tombs ? "yes" : "no");
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zones);

static int superblock_show(struct seq_file *m, void *v)
{
	const struct zslab_sb_info *si = &((struct zslab_dev *)m->private)->sb;
	const struct zslab_sb_geo *g = &si->sb.geo;

	seq_printf(m, "magic: 0x%08x\nversion: %u\n", ZSLAB_SB_MAGIC, ZSLAB_SB_VERSION);
	seq_printf(m, "uuid: %pUb\ngeneration: %llu\ncreated: %llu\n",
		   si->sb.uuid, si->sb.generation, si->sb.created);
	seq_printf(m, "capacity_bytes: %llu\n", g->capacity << SECTOR_SHIFT);
	seq_printf(m, "zone_size_bytes: %llu\n", g->zone_sectors << SECTOR_SHIFT);
	seq_printf(m, "zone_capacity_bytes: %llu\n", g->zone_capacity << SECTOR_SHIFT);
	seq_printf(m, "nr_zones: %u\nlogical_block_size: %u\n", g->nr_zones, g->lbs);
	seq_printf(m, "max_open_zones: %u\nmax_active_zones: %u\n",
		   g->max_open, g->max_active);
	seq_printf(m, "zone_append_max_bytes: %llu\n",
		   (u64)g->max_append_sectors << SECTOR_SHIFT);
	seq_printf(m, "meta_zones: %u %u\nfirst_data_zone: %u\n",
		   g->meta_zone[0], g->meta_zone[1], g->first_data_zone);
	seq_printf(m, "zone: %u\nsector: %llu\n", si->zone, (u64)si->sector);
	seq_printf(m, "loaded_as: %s\nzones_reset_at_load: %u\n",
		   zslab_sb_origin_name(si->origin), si->zones_reset);
	seq_printf(m, "checkpoint_seq: %llu\ncheckpoint_sector: %llu\ncheckpoint_bytes: %u\n",
		   si->sb.ckpt.seq, si->sb.ckpt.sector, si->sb.ckpt.bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(superblock);

/* What the load's recovery read and found. */
static int recovery_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	const struct zslab_recovery *r = &zd->recovery;

	seq_printf(m, "checkpoint_seq: %llu\ncheckpoint_zone: %u\ncheckpoint_bytes: %u\n",
		   r->checkpoint_seq, r->checkpoint_zone, r->checkpoint_bytes);
	seq_printf(m, "bytes_read: %llu\ntime_us: %llu\n", r->bytes_read, r->time_us);
	seq_printf(m, "segments_scanned: %llu\nzones_scanned: %u\n",
		   r->segments_scanned, r->zones_scanned);
	seq_printf(m, "caches_recovered: %u\nslabs_recovered: %llu\nobjects_recovered: %llu\n",
		   r->caches_recovered, r->slabs_recovered, r->objects_recovered);
	seq_printf(m, "rejected_crc: %llu\nrejected_identity: %llu\nrejected_bounds: %llu\n",
		   r->rejected_crc, r->rejected_identity, r->rejected_bounds);
	seq_printf(m, "torn_segments: %llu\nzones_reclaimed: %u\n",
		   r->torn_segments, r->zones_reclaimed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(recovery);

/* Persistent caches on the device that no client has attached. */
static int detached_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	struct zslab_pcache *pc;

	seq_puts(m, "# name id object_size align stride slab_size slabs live_objs\n");
	mutex_lock(&zslab_caches_lock);
	list_for_each_entry(pc, &zd->pcaches, node)
		seq_printf(m, "%s %u %u %u %u %u %lu %lu\n", pc->name, pc->id,
			   pc->object_size, pc->align, pc->stride,
			   ZSLAB_DEFAULT_SLAB_SIZE << pc->slab_order, pc->nr_slabs, pc->nr_live);
	mutex_unlock(&zslab_caches_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(detached);

static int io_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	u64 io[ZSLAB_IO_NR], bios, client, device;
	int i;

	for (i = 0; i < ZSLAB_IO_NR; i++)
		io[i] = atomic64_read(&zd->io[i]);
	for (i = 0; i < ZSLAB_IO_NR; i++)
		seq_printf(m, "%s: %llu\n", zslab_io_stat_names[i], io[i]);
	bios = io[ZSLAB_IO_BIOS];
	seq_printf(m, "append_latency_mean_ns: %llu\n",
		   bios ? div64_u64(io[ZSLAB_IO_LAT_TOTAL_NS], bios) : 0);
	print_ratio(m, "device_bytes_per_slab_byte", io[ZSLAB_IO_APPEND_BYTES],
		    io[ZSLAB_IO_SLAB_DATA_BYTES]);
	seq_printf(m, "read_latency_mean_ns: %llu\n",
		   io[ZSLAB_IO_READS] ? div64_u64(io[ZSLAB_IO_READ_LAT_TOTAL_NS],
						  io[ZSLAB_IO_READS]) : 0);
	/* Slab data clients changed, and everything written for it. */
	client = io[ZSLAB_IO_SLAB_DATA_BYTES] - min(io[ZSLAB_IO_SLAB_DATA_BYTES],
						    io[ZSLAB_IO_RELOCATED_BYTES]);
	device = io[ZSLAB_IO_APPEND_BYTES] + io[ZSLAB_IO_META_BYTES];
	seq_printf(m, "client_bytes: %llu\ndevice_bytes: %llu\n", client, device);
	print_ratio(m, "write_amplification", device, client);
	seq_printf(m, "free_zones: %u\nreloc_zone: %d\n", zslab_free_zones(zd),
		   READ_ONCE(zd->reloc_zone));
	seq_printf(m, "resident_pages: %ld\nresident_max_mb: %u\n",
		   atomic_long_read(&zd->resident_pages), READ_ONCE(zslab_resident_max_mb));
	spin_lock_irq(&zd->zone_lock);
	seq_printf(m, "zones_open: %u\nzone_budget: %u\nfirst_data_zone: %u\n",
		   zd->zones_open, zd->zone_budget, zd->first_data_zone);
	spin_unlock_irq(&zd->zone_lock);
	seq_printf(m, "writeback_ms: %u\n", READ_ONCE(zslab_writeback_ms));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(io);

const char *const zslab_stat_names[ZSLAB_NR_STATS] = {
	[ZSLAB_ALLOC_FAST]	= "alloc_fast",
	[ZSLAB_ALLOC_SLOW]	= "alloc_slow",
	[ZSLAB_FREE_FAST]	= "free_fast",
	[ZSLAB_FREE_SLOW]	= "free_slow",
	[ZSLAB_FREE_REMOTE]	= "free_remote",
	[ZSLAB_ALLOC_FAILED]	= "alloc_failed",
};

const char *const zslab_misuse_names[ZSLAB_NR_MISUSE] = {
	[ZSLAB_MISUSE_DOUBLE_FREE]	= "double_free",
	[ZSLAB_MISUSE_FOREIGN]		= "foreign_free",
	[ZSLAB_MISUSE_OTHER_CACHE]	= "other_cache_free",
	[ZSLAB_MISUSE_MISALIGNED]	= "misaligned_free",
	[ZSLAB_MISUSE_NOT_LIVE]		= "not_live_use",
	[ZSLAB_MISUSE_BAD_REF]		= "bad_ref",
	[ZSLAB_MISUSE_UNPINNED]		= "unpinned_use",
};

/* Hundredths of a percent, printed as N.NN: DRAM per object beyond the object. */
static unsigned long full_slab_overhead(const struct zslab_cache *c)
{
	unsigned long payload = (unsigned long)c->objs_per_slab * c->object_size;
	unsigned long dram = c->slab_size + zslab_desc_bytes(c);

	return (dram - payload) * 10000 / payload;
}

/* In the spirit of /proc/slabinfo and `slabinfo -X`. */
static int caches_show(struct seq_file *m, void *v)
{
	struct zslab_cache_info info;
	struct zslab_cache *c;

	seq_puts(m, "# name id objsize stride slabsize objperslab active_objs total_objs slabs partial empty magazine_objs bytes loss full_overhead_pct\n");
	mutex_lock(&zslab_caches_lock);
	list_for_each_entry(c, &zslab_caches, node) {
		unsigned long ovh = full_slab_overhead(c);

		zslab_cache_get_info(c, &info);
		seq_printf(m, "%s %u %u %u %u %u %lu %lu %u %u %u %lu %lu %lu %lu.%02lu\n",
			   c->name, c->id, c->object_size, c->stride, c->slab_size,
			   c->objs_per_slab, info.active_objs, info.total_objs,
			   info.slabs, info.partial, info.empty, info.magazine_objs,
			   info.bytes, info.loss, ovh / 100, ovh % 100);
	}
	mutex_unlock(&zslab_caches_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(caches);

static int cache_show(struct seq_file *m, void *v)
{
	struct zslab_cache *c = m->private;
	struct zslab_cache_info info;
	int i;

	zslab_cache_get_info(c, &info);
	seq_printf(m, "name: %s\nid: %u\npersistent: %d\n", c->name, c->id,
		   zslab_cache_persistent(c));
	seq_printf(m, "object_size: %u\nalign: %u\nstride: %u\n",
		   c->object_size, c->align, c->stride);
	seq_printf(m, "slab_size: %u\nobjs_per_slab: %u\nslab_desc_bytes: %u\n",
		   c->slab_size, c->objs_per_slab, zslab_desc_bytes(c));
	seq_printf(m, "zero_at_alloc: %d\n", c->zero_at_alloc);
	seq_printf(m, "active_objs: %lu\ntotal_objs: %lu\nmagazine_objs: %lu\n",
		   info.active_objs, info.total_objs, info.magazine_objs);
	seq_printf(m, "slabs: %u\npartial_slabs: %u\nempty_slabs: %u\n",
		   info.slabs, info.partial, info.empty);
	seq_printf(m, "slabs_allocated: %llu\nslabs_freed: %llu\nslabs_revived: %llu\n",
		   info.slabs_allocated, info.slabs_freed, info.slabs_revived);
	seq_printf(m, "bytes: %lu\nloss: %lu\n", info.bytes, info.loss);
	for (i = 0; i < ZSLAB_NR_STATS; i++)
		seq_printf(m, "%s: %llu\n", zslab_stat_names[i], info.stat[i]);
	for (i = 0; i < ZSLAB_NR_MISUSE; i++)
		seq_printf(m, "%s: %llu\n", zslab_misuse_names[i], info.misuse[i]);
	seq_printf(m, "dirty_slabs: %lu\ndead_slabs: %u\n", info.dirty, info.dead);
	seq_printf(m, "segment_summary_bytes: %u\nopen_zone: %d\n",
		   c->summary_bytes, READ_ONCE(c->open_zone));
	for (i = 0; i < ZSLAB_NR_WB_STATS; i++)
		seq_printf(m, "%s: %llu\n", zslab_wb_stat_names[i], info.wb[i]);
	print_ratio(m, "device_bytes_per_slab_byte", info.wb[ZSLAB_WB_DEVICE_BYTES],
		    info.wb[ZSLAB_WB_BYTES]);
	seq_printf(m, "resident_slabs: %u\nevicted_slabs: %u\nevicted_objs: %lu\npinned_objs: %lu\n",
		   info.slabs + info.dead, info.evicted, info.evicted_objs, info.pinned_objs);
	for (i = 0; i < ZSLAB_NR_CAP_STATS; i++)
		seq_printf(m, "%s: %llu\n", zslab_cap_stat_names[i], info.cap[i]);
	seq_printf(m, "evicted_desc_bytes: %u\n", c->ev_size);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cache);

/* Called under zslab_caches_lock, so the directory cannot go away. */
void zslab_debugfs_add_cache(struct zslab_cache *c)
{
	c->debugfs = debugfs_create_file(c->name, 0444, zslab_device->debugfs_caches,
					 c, &cache_fops);
}

void zslab_debugfs_remove_cache(struct zslab_cache *c)
{
	debugfs_remove(c->debugfs);
	c->debugfs = NULL;
}

/* debugfs failures are not fatal: the module works without its windows. */
void zslab_debugfs_init(struct zslab_dev *zd)
{
	zd->debugfs = debugfs_create_dir(ZSLAB_NAME, NULL);
	debugfs_create_file("device", 0444, zd->debugfs, zd, &device_fops);
	debugfs_create_file("zones", 0444, zd->debugfs, zd, &zones_fops);
	debugfs_create_file("superblock", 0444, zd->debugfs, zd, &superblock_fops);
	debugfs_create_file("caches", 0444, zd->debugfs, NULL, &caches_fops);
	debugfs_create_file("io", 0444, zd->debugfs, zd, &io_fops);
	debugfs_create_file("recovery", 0444, zd->debugfs, zd, &recovery_fops);
	debugfs_create_file("detached", 0444, zd->debugfs, zd, &detached_fops);
	zd->debugfs_caches = debugfs_create_dir("cache", zd->debugfs);
}

void zslab_debugfs_exit(struct zslab_dev *zd)
{
	debugfs_remove_recursive(zd->debugfs);
	zd->debugfs = NULL;
}
