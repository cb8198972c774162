// SPDX-License-Identifier: GPL-2.0
/*
 * The superblock at load time: read the two metadata zones, decide whether
 * the device is empty, ours or someone else's, and only then write anything:
 * reset what must be reset and append the next superblock.
 *
 * The format and the rule that picks the newest superblock are in
 * superblock_format.c (pure functions, fuzzed in userspace); this file does
 * the bios and the policy:
 *
 *   every usable zone empty   -> format: superblock generation 1, new uuid
 *   our valid superblock      -> ours: every other zone holding data is
 *                                reset (caches are volatile for now), the
 *                                next generation is appended
 *   anything else             -> refused with one pr_err line, unless
 *                                format=1 says to wipe the device
 */
#include <linux/bio.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uuid.h>
#include "zslab_internal.h"
#include "zslab_trace.h"

static bool zone_usable(const struct zslab_zone *z)
{
	return z->type == BLK_ZONE_TYPE_SEQWRITE_REQ &&
	       z->cond != BLK_ZONE_COND_OFFLINE && z->cond != BLK_ZONE_COND_READONLY;
}

/**
 * zslab_sb_meta_zones() - Where the metadata zones are.
 * @zd: the device, zones reported.
 * @meta: set to the indexes of the two metadata zones.
 * @first_data_zone: set to the first zone after the reserved ones.
 *
 * The first usable sequential zones are reserved, metadata first, as
 * zslab_zones_init() sorts them.
 */
void zslab_sb_meta_zones(const struct zslab_dev *zd, unsigned int meta[2],
			 unsigned int *first_data_zone)
{
	unsigned int i, n = 0;

	meta[0] = meta[1] = 0;
	*first_data_zone = 0;
	for (i = 0; i < zd->geo.nr_zones && n < ZSLAB_META_ZONES + ZSLAB_RELOC_ZONES; i++) {
		if (!zone_usable(&zd->zones[i]))
			continue;
		if (n < ZSLAB_META_ZONES)
			meta[n] = i;
		n++;
		*first_data_zone = i + 1;
	}
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_meta_zones);

static void device_geo(const struct zslab_dev *zd, struct zslab_sb_geo *g)
{
	const struct zslab_geometry *geo = &zd->geo;

	memset(g, 0, sizeof(*g));
	g->capacity = geo->capacity;
	g->zone_sectors = geo->zone_sectors;
	g->zone_capacity = geo->zone_capacity;
	g->nr_zones = geo->nr_zones;
	g->lbs = geo->lbs;
	g->max_open = geo->max_open;
	g->max_active = geo->max_active;
	g->max_append_sectors = geo->max_append_sectors;
	zslab_sb_meta_zones(zd, g->meta_zone, &g->first_data_zone);
}

/* One logical block, read or written with a bio of its own; sleeps. */
static int sb_bio(struct zslab_dev *zd, blk_opf_t opf, sector_t sector,
		  struct page *page, sector_t *landed)
{
	struct bio *bio = bio_alloc(zd->bdev, 1, opf, GFP_KERNEL);
	int ret;

	bio->bi_iter.bi_sector = sector;
	if (bio_add_page(bio, page, zd->geo.lbs, 0) != zd->geo.lbs) {
		bio_put(bio);
		return -EIO;
	}
	ret = submit_bio_wait(bio);
	if (landed)
		*landed = bio->bi_iter.bi_sector;
	if (!ret && op_is_write(opf))
		atomic64_add(zd->geo.lbs, &zd->io[ZSLAB_IO_META_BYTES]);
	bio_put(bio);
	return ret;
}

static bool block_is_zero(const void *buf, unsigned int len)
{
	return !memchr_inv(buf, 0, len);
}

/*
 * The last block was no superblock: walk the zone's log from its start.
 * Superblocks take one block, a checkpoint the blocks its header gives.
 * After the last superblock may come a checkpoint no superblock committed
 * (a crash between the two: ignored) and, in a zone finished early to
 * switch to the other one, unwritten (zero) blocks.
 */
static int walk_slot(struct zslab_dev *zd, const struct zslab_zone *z, sector_t end,
		     struct page *page, struct zslab_sb_slot *s)
{
	sector_t lbs_sectors = zd->geo.lbs >> SECTOR_SHIFT, pos = z->start;
	void *buf = page_address(page);
	struct zslab_ckpt_info info;
	bool found = false;
	int ret;

	while (pos + lbs_sectors <= end) {
		ret = sb_bio(zd, REQ_OP_READ, pos, page, NULL);
		if (ret)
			return ret;
		if (block_is_zero(buf, zd->geo.lbs))
			break;
		if (le32_to_cpup(buf) == ZSLAB_CKPT_MAGIC) {
			if (zslab_ckpt_decode_header(buf, zd->geo.lbs, zd->geo.lbs, &info,
						     &s->why))
				break;	/* torn: nothing after it was committed */
			pos += info.total_bytes >> SECTOR_SHIFT;
			continue;
		}
		s->err = zslab_sb_decode(buf, zd->geo.lbs, zd->geo.lbs, &s->sb, &s->why);
		if (s->err)
			return 0;
		found = true;
		pos += lbs_sectors;
	}
	if (!found) {
		s->err = -ENOMSG;
		s->why = "no zns_slab superblock magic";
	} else {
		s->err = 0;
		s->why = NULL;
	}
	return 0;
}

/* What the last superblock of a metadata zone is. */
static int read_slot(struct zslab_dev *zd, unsigned int idx, struct page *page,
		     struct zslab_sb_slot *s)
{
	const struct zslab_zone *z = &zd->zones[idx];
	sector_t lbs_sectors = zd->geo.lbs >> SECTOR_SHIFT;
	sector_t end = z->cond == BLK_ZONE_COND_FULL ? z->start + z->capacity : z->wp;
	int ret;

	memset(s, 0, sizeof(*s));
	s->empty = z->cond == BLK_ZONE_COND_EMPTY;
	s->full = z->cond == BLK_ZONE_COND_FULL ||
		  z->wp + lbs_sectors > z->start + z->capacity;
	if (s->empty)
		return 0;
	if (end < z->start + lbs_sectors) {
		s->err = -EMSGSIZE;
		s->why = "less than a block written";
		return 0;
	}
	ret = sb_bio(zd, REQ_OP_READ, end - lbs_sectors, page, NULL);
	if (ret)
		return ret;
	s->err = zslab_sb_decode(page_address(page), zd->geo.lbs, zd->geo.lbs,
				 &s->sb, &s->why);
	if (s->err == -ENOMSG || s->err == -EMSGSIZE ||
	    le32_to_cpup(page_address(page)) == ZSLAB_CKPT_MAGIC ||
	    block_is_zero(page_address(page), zd->geo.lbs))
		return walk_slot(zd, z, end, page, s);
	return 0;
}

/* The first usable zone outside the metadata zones that holds anything. */
static int first_written_zone(const struct zslab_dev *zd, const unsigned int meta[2])
{
	unsigned int i;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (i != meta[0] && i != meta[1] && zone_usable(z) &&
		    z->cond != BLK_ZONE_COND_EMPTY)
			return i;
	}
	return -1;
}

/* The verdict as one pr_err line, and the errno insmod fails with. */
static int refuse(struct zslab_dev *zd, enum zslab_sb_verdict v,
		  const struct zslab_sb_slot slot[2], const unsigned int meta[2],
		  const char *why, int data_zone)
{
	unsigned int i, at = meta[0];
	int ret;

	for (i = 0; i < 2; i++) {
		if (!slot[i].empty && slot[i].err) {
			at = meta[i];
			break;
		}
	}
	switch (v) {
	case ZSLAB_SB_BLANK:
		ret = -EMEDIUMTYPE;
		pr_err("%s: %s: holds data that is not zns_slab's (zone %d is %s, no zns_slab superblock); load with format=1 to wipe it (%d)\n",
		       ZSLAB_NAME, zd->path, data_zone,
		       zslab_zone_cond_name(zd->zones[data_zone].cond), ret);
		break;
	case ZSLAB_SB_FOREIGN:
		ret = -EMEDIUMTYPE;
		pr_err("%s: %s: holds data that is not zns_slab's (zone %u: %s); load with format=1 to wipe it (%d)\n",
		       ZSLAB_NAME, zd->path, at, why, ret);
		break;
	case ZSLAB_SB_NEWER:
		ret = -EOPNOTSUPP;
		pr_err("%s: %s: superblock in zone %u has a newer format version than %u; load with format=1 to wipe it (%d)\n",
		       ZSLAB_NAME, zd->path, at, ZSLAB_SB_VERSION, ret);
		break;
	case ZSLAB_SB_DAMAGED:
		ret = -EUCLEAN;
		pr_err("%s: %s: superblock in zone %u is damaged (%s); load with format=1 to wipe it (%d)\n",
		       ZSLAB_NAME, zd->path, at, why, ret);
		break;
	case ZSLAB_SB_MISMATCH:
	default:
		ret = -EINVAL;
		pr_err("%s: %s: device no longer has the geometry it was formatted with (%s differs); load with format=1 to wipe it (%d)\n",
		       ZSLAB_NAME, zd->path, why, ret);
	}
	return ret;
}

/* Reset zone @i, synchronously (load time, and the metadata log). */
int zslab_sb_reset_zone(struct zslab_dev *zd, unsigned int i)
{
	struct zslab_zone *z = &zd->zones[i];
	int ret;

	ret = zslab_zone_mgmt(zd->bdev, REQ_OP_ZONE_RESET, z->start, z->len);
	trace_zslab_zone_mgmt(i, z->start, true, ret);
	if (ret) {
		pr_err("%s: %s: cannot reset zone %u at load (%d)\n",
		       ZSLAB_NAME, zd->path, i, ret);
		return ret;
	}
	z->wp = z->start;
	z->cond = BLK_ZONE_COND_EMPTY;
	z->resets++;
	atomic64_inc(&zd->io[ZSLAB_IO_RESETS]);
	return 0;
}

/*
 * Append one superblock to zone @idx, durably (FUA, and after a flush, so
 * that the checkpoint it commits is on media first), where we expect it.
 */
static int write_sb(struct zslab_dev *zd, unsigned int idx, struct page *page)
{
	struct zslab_zone *z = &zd->zones[idx];
	sector_t lbs_sectors = zd->geo.lbs >> SECTOR_SHIFT;
	sector_t landed;
	int ret;

	zslab_sb_encode(page_address(page), zd->geo.lbs, &zd->sb.sb);
	ret = sb_bio(zd, REQ_OP_ZONE_APPEND | REQ_PREFLUSH | REQ_FUA | REQ_SYNC, z->start,
		     page, &landed);
	if (!ret && landed != z->wp)
		ret = -EIO;	/* someone else wrote the zone meanwhile */
	if (ret) {
		pr_err("%s: %s: cannot write the superblock to zone %u (%d)\n",
		       ZSLAB_NAME, zd->path, idx, ret);
		return ret;
	}
	zd->sb.zone = idx;
	zd->sb.sector = landed;
	z->wp = landed + lbs_sectors;
	z->cond = BLK_ZONE_COND_IMP_OPEN;
	if (z->wp >= z->start + z->capacity) {
		z->cond = BLK_ZONE_COND_FULL;
		z->wp = z->start + z->len;
	}
	return 0;
}

/* Mark in @reset the zones this load resets: data only, or everything. */
static unsigned int plan_resets(const struct zslab_dev *zd, const unsigned int meta[2],
				bool wipe, unsigned long *reset)
{
	unsigned int i, n = 0;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (!zone_usable(z) || z->cond == BLK_ZONE_COND_EMPTY)
			continue;
		if (!wipe && (i == meta[0] || i == meta[1]))
			continue;
		__set_bit(i, reset);
		n++;
	}
	return n;
}

/* Resets first, data zones before metadata zones: a crash midway leaves a
 * device that still shows what it was (ours, or foreign until wiped).
 */
static int do_resets(struct zslab_dev *zd, const unsigned int meta[2],
		     const unsigned long *reset)
{
	unsigned int i;
	int ret;

	for_each_set_bit(i, reset, zd->geo.nr_zones) {
		if (i == meta[0] || i == meta[1])
			continue;
		ret = zslab_sb_reset_zone(zd, i);
		if (ret)
			return ret;
	}
	for (i = 0; i < 2; i++) {
		if (test_bit(meta[i], reset)) {
			ret = zslab_sb_reset_zone(zd, meta[i]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static bool meta_room(const struct zslab_zone *z, sector_t sectors)
{
	return z->cond != BLK_ZONE_COND_FULL && z->wp + sectors <= z->start + z->capacity;
}

/*
 * The zone the next superblock (and the checkpoint before it) goes to: the
 * current one while it has room, else the other, reset. The current one is
 * finished first, so that at most one metadata zone is ever partly written.
 */
static int meta_target(struct zslab_dev *zd, sector_t sectors, unsigned int *target)
{
	const u32 *meta = zd->sb.sb.geo.meta_zone;
	unsigned int cur = zd->sb.zone, other = cur == meta[0] ? meta[1] : meta[0];
	struct zslab_zone *z = &zd->zones[cur];
	int ret;

	*target = cur;
	if (meta_room(z, sectors))
		return 0;
	if (sectors > zd->zones[other].capacity)
		return -EFBIG;
	if (z->cond != BLK_ZONE_COND_FULL && z->cond != BLK_ZONE_COND_EMPTY) {
		ret = zslab_zone_mgmt(zd->bdev, REQ_OP_ZONE_FINISH, z->start, z->len);
		trace_zslab_zone_mgmt(cur, z->start, false, ret);
		if (ret)
			return ret;
		atomic64_inc(&zd->io[ZSLAB_IO_FINISHES]);
		z->cond = BLK_ZONE_COND_FULL;
		z->wp = z->start + z->len;
	}
	if (zd->zones[other].cond != BLK_ZONE_COND_EMPTY) {
		ret = zslab_sb_reset_zone(zd, other);
		if (ret)
			return ret;
	}
	*target = other;
	return 0;
}

/**
 * zslab_sb_commit() - Append a checkpoint and the superblock that commits it.
 * @zd: the device; the writeback mutex held (or the load, alone).
 * @ckpt: the checkpoint, @len bytes (whole blocks), or NULL and 0 for none.
 * @len: its length.
 * @info: its header (seq and crc), when @ckpt.
 *
 * The checkpoint is appended first, twice (the superblock points at the
 * first copy; the second follows it), then the next superblock
 * generation, with a flush before and FUA: until the superblock is on the
 * device the previous one, and its checkpoint, stay in force.
 *
 * Return: 0, -EFBIG if the checkpoint does not fit a metadata zone, or an
 * I/O error (the superblock in force is then the previous one).
 */
int zslab_sb_commit(struct zslab_dev *zd, const void *ckpt, u32 len,
		    const struct zslab_ckpt_info *info)
{
	sector_t lbs_sectors = zd->geo.lbs >> SECTOR_SHIFT, landed = 0;
	unsigned int target, copy;
	struct page *page;
	int ret;

	/* Two copies of the checkpoint: a damaged one leaves the other. */
	ret = meta_target(zd, 2 * (len >> SECTOR_SHIFT) + lbs_sectors, &target);
	if (ret)
		return ret;
	page = alloc_page(GFP_NOIO);
	if (!page)
		return -ENOMEM;
	for (copy = 0; len && copy < 2; copy++) {
		struct zslab_zone *z = &zd->zones[target];
		sector_t at;

		ret = zslab_meta_io(zd, REQ_OP_ZONE_APPEND, z->start, (void *)ckpt, len, &at);
		if (ret)
			goto out;
		if (at != z->wp) {
			ret = -EIO;	/* someone else wrote the zone meanwhile */
			goto out;
		}
		if (!copy)
			landed = at;
		z->wp += len >> SECTOR_SHIFT;
		z->cond = BLK_ZONE_COND_IMP_OPEN;
	}
	zd->sb.sb.generation++;
	zd->sb.sb.ckpt = (struct zslab_sb_ckpt) {
		.seq = len ? info->ckpt_seq : 0,
		.sector = landed,
		.bytes = len,
		.crc = len ? info->crc : 0,
	};
	ret = write_sb(zd, target, page);
out:
	__free_page(page);
	return ret;
}

static const char *const origin_names[] = {
	[ZSLAB_SB_FORMATTED]	= "formatted",
	[ZSLAB_SB_FOUND]	= "ours",
	[ZSLAB_SB_WIPED]	= "wiped",
};

const char *zslab_sb_origin_name(enum zslab_sb_origin o)
{
	return o < ARRAY_SIZE(origin_names) ? origin_names[o] : "unknown";
}

/**
 * zslab_sb_load() - Recognise the device, then format it or take it back.
 * @zd: the device, opened, geometry checked, zones reported.
 * @format: the format= parameter: wipe whatever the device holds.
 *
 * Nothing is written until the device has been read and judged: a device
 * that is refused is left exactly as it was.
 *
 * Return: 0, or -errno with one pr_err line naming what was found.
 */
int zslab_sb_load(struct zslab_dev *zd, bool format)
{
	struct zslab_sb_slot slot[2];
	struct zslab_sb_geo dev_geo;
	enum zslab_sb_verdict v;
	unsigned int meta[2], i, cur = 0;
	const char *why = NULL;
	unsigned long *reset;
	struct page *page;
	int data_zone = -1, ret;
	bool wipe;

	device_geo(zd, &dev_geo);
	memcpy(meta, dev_geo.meta_zone, sizeof(meta));
	page = alloc_page(GFP_KERNEL);
	reset = bitmap_zalloc(zd->geo.nr_zones, GFP_KERNEL);
	ret = -ENOMEM;
	if (!page || !reset)
		goto out;

	for (i = 0; i < 2; i++) {
		ret = read_slot(zd, meta[i], page, &slot[i]);
		if (ret) {
			pr_err("%s: %s: cannot read the superblock in zone %u (%d)\n",
			       ZSLAB_NAME, zd->path, meta[i], ret);
			goto out;
		}
	}
	v = zslab_sb_choose(slot, &cur, &why);
	if (v == ZSLAB_SB_BLANK)
		data_zone = first_written_zone(zd, meta);
	if (v == ZSLAB_SB_OURS) {
		why = zslab_sb_geo_mismatch(&slot[cur].sb.geo, &dev_geo);
		if (why)
			v = ZSLAB_SB_MISMATCH;
	}
	wipe = format || v == ZSLAB_SB_BLANK;
	if (!format && (v != ZSLAB_SB_OURS && (v != ZSLAB_SB_BLANK || data_zone >= 0))) {
		ret = refuse(zd, v, slot, meta, why, data_zone);
		goto out;
	}

	if (wipe) {
		zd->sb.zones_reset = plan_resets(zd, meta, true, reset);
	} else {
		/* Ours: what it holds decides which data zones are reset. */
		zd->sb.sb = slot[cur].sb;
		/* The device's limits may change; record today's. */
		zd->sb.sb.geo = dev_geo;
		zd->sb.zone = meta[cur];
		ret = zslab_recover(zd, &slot[cur].sb);
		if (ret)
			goto out;
		zd->sb.zones_reset = bitmap_weight(zd->load_resets, zd->geo.nr_zones);
		/* Kept zones are finished: neither kind holds a resource after. */
		bitmap_or(reset, zd->load_resets, zd->load_keeps, zd->geo.nr_zones);
	}
	ret = zslab_zone_budget(zd, reset);
	if (ret < 1) {
		ret = -ETOOMANYREFS;
		pr_err("%s: %s: zones open or closed at load leave no zone to write data to (max open %u, max active %u) (%d)\n",
		       ZSLAB_NAME, zd->path, zd->geo.max_open, zd->geo.max_active, ret);
		goto out;
	}

	/* Judged: from here on the device is ours to write. */
	if (wipe) {
		zd->sb.origin = v == ZSLAB_SB_BLANK && data_zone < 0 ?
				ZSLAB_SB_FORMATTED : ZSLAB_SB_WIPED;
		zd->sb.sb = (struct zslab_sb) {
			.generation = 0,	/* the commit below writes 1 */
			.created = ktime_get_real_seconds(),
			.geo = dev_geo,
		};
		generate_random_uuid(zd->sb.sb.uuid);
		zd->sb.zone = meta[0];
		/* Resets first, data zones before metadata zones (see there). */
		ret = do_resets(zd, meta, reset);
		if (!ret)
			ret = zslab_sb_commit(zd, NULL, 0, NULL);
	} else {
		u64 resets = atomic64_read(&zd->io[ZSLAB_IO_RESETS]);

		zd->sb.origin = ZSLAB_SB_FOUND;
		/*
		 * The checkpoint of what recovery found goes first: the zones
		 * it found dead are reset only once no checkpoint in force
		 * still points into them.
		 */
		ret = zslab_checkpoint_load(zd);
		/* A full metadata zone made the log go on in the other, reset. */
		zd->sb.zones_reset += atomic64_read(&zd->io[ZSLAB_IO_RESETS]) - resets;
		if (!ret)
			ret = zslab_recovery_settle_zones(zd);
	}
	if (!ret)
		pr_info("%s: %s: superblock generation %llu in zone %u, device %pUb %s, %u zones reset\n",
			ZSLAB_NAME, zd->path, zd->sb.sb.generation, zd->sb.zone,
			zd->sb.sb.uuid, zslab_sb_origin_name(zd->sb.origin),
			zd->sb.zones_reset);
out:
	bitmap_free(reset);
	if (page)
		__free_page(page);
	return ret;
}
