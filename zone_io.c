// SPDX-License-Identifier: GPL-2.0
/*
 * Zone I/O: the device's geometry, its zones and (later) the bios that write
 * slab images to them.
 *
 * Everything read from the device is checked before the module relies on it:
 * a zone report is device contents, and a buggy or hostile device must not be
 * able to make us index past an array or write outside a zone.
 */
#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "zslab_internal.h"
#include "zslab_trace.h"

static const char *const zone_cond_names[] = {
	[BLK_ZONE_COND_NOT_WP]		= "not_wp",
	[BLK_ZONE_COND_EMPTY]		= "empty",
	[BLK_ZONE_COND_IMP_OPEN]	= "imp_open",
	[BLK_ZONE_COND_EXP_OPEN]	= "exp_open",
	[BLK_ZONE_COND_CLOSED]		= "closed",
	[BLK_ZONE_COND_READONLY]	= "read_only",
	[BLK_ZONE_COND_FULL]		= "full",
	[BLK_ZONE_COND_OFFLINE]		= "offline",
};

/**
 * zslab_zone_cond_name() - Short lowercase name of a zone condition.
 * @cond: a BLK_ZONE_COND_* value, possibly garbage from the device.
 */
const char *zslab_zone_cond_name(u8 cond)
{
	if (cond < ARRAY_SIZE(zone_cond_names) && zone_cond_names[cond])
		return zone_cond_names[cond];
	return "unknown";
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_cond_name);

/**
 * zslab_check_geometry() - Can the module use a device of this geometry?
 * @geo: geometry read from the block layer (zone counts not needed yet).
 * @why: set to a one-line reason when the answer is no.
 *
 * Return: 0, or the errno insmod should fail with.
 */
int zslab_check_geometry(const struct zslab_geometry *geo, const char **why)
{
	if (!geo->host_managed) {
		*why = "not a host-managed zoned block device";
		return -EINVAL;
	}
	if (geo->read_only) {
		*why = "device is read-only";
		return -EROFS;
	}
	if (!geo->zone_sectors || !is_power_of_2(geo->zone_sectors)) {
		*why = "zone size is not a power of two";
		return -EINVAL;
	}
	if (!geo->lbs || !is_power_of_2(geo->lbs) ||
	    geo->lbs > ZSLAB_DEFAULT_SLAB_SIZE) {
		*why = "logical block size is larger than a slab";
		return -EINVAL;
	}
	if (geo->max_append_sectors < (ZSLAB_DEFAULT_SLAB_SIZE >> SECTOR_SHIFT)) {
		*why = "zone append unsupported or limited below one slab";
		return -EOPNOTSUPP;
	}
	if (geo->max_open && geo->max_open < ZSLAB_MIN_OPEN_ZONES) {
		*why = "device allows fewer than 2 open zones";
		return -EINVAL;
	}
	if (geo->max_active && geo->max_active < ZSLAB_MIN_OPEN_ZONES) {
		*why = "device allows fewer than 2 active zones";
		return -EINVAL;
	}
	if (geo->nr_zones < ZSLAB_MIN_ZONES) {
		*why = "too few zones (need 5: 2 metadata, 1 relocation, 2 data)";
		return -EINVAL;
	}
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_check_geometry);

/* After the zone report: enough zones we can actually write, each big enough. */
static int zslab_check_usable(const struct zslab_geometry *geo, const char **why)
{
	if (geo->nr_usable_zones < ZSLAB_MIN_ZONES) {
		*why = "too few writable sequential zones (need 5)";
		return -EINVAL;
	}
	if (geo->zone_capacity < (ZSLAB_DEFAULT_SLAB_SIZE >> SECTOR_SHIFT)) {
		*why = "zone capacity is smaller than one slab";
		return -EINVAL;
	}
	return 0;
}

static bool zone_type_known(u8 type)
{
	return type == BLK_ZONE_TYPE_CONVENTIONAL ||
	       type == BLK_ZONE_TYPE_SEQWRITE_REQ ||
	       type == BLK_ZONE_TYPE_SEQWRITE_PREF;
}

/**
 * zslab_check_zone() - Bounds-check one zone of a device zone report.
 * @geo: device geometry (zone size, logical block size, zone count).
 * @idx: index of the zone in the report.
 * @bz: what the device said about it.
 * @why: set to a one-line reason on failure.
 *
 * Return: 0, or -EIO when the report cannot be trusted.
 */
int zslab_check_zone(const struct zslab_geometry *geo, unsigned int idx,
		     const struct blk_zone *bz, const char **why)
{
	sector_t lbs_sectors = geo->lbs >> SECTOR_SHIFT;
	bool last = idx == geo->nr_zones - 1;

	if (idx >= geo->nr_zones) {
		*why = "zone index beyond the device's zone count";
		return -EIO;
	}
	if (bz->start != (sector_t)idx * geo->zone_sectors) {
		*why = "zone start does not match its index";
		return -EIO;
	}
	/* Only the last zone may be smaller (a runt zone). */
	if (!bz->len || bz->len > geo->zone_sectors ||
	    (!last && bz->len != geo->zone_sectors)) {
		*why = "zone length differs from the zone size";
		return -EIO;
	}
	if (!zone_type_known(bz->type)) {
		*why = "unknown zone type";
		return -EIO;
	}
	if (bz->type == BLK_ZONE_TYPE_CONVENTIONAL)
		return 0;
	if (!bz->capacity || bz->capacity > bz->len ||
	    (lbs_sectors > 1 && bz->capacity % lbs_sectors)) {
		*why = "zone capacity out of range";
		return -EIO;
	}
	switch (bz->cond) {
	case BLK_ZONE_COND_OFFLINE:
	case BLK_ZONE_COND_READONLY:
		return 0;	/* no usable write pointer; the zone is skipped */
	case BLK_ZONE_COND_FULL:
		if (bz->wp < bz->start || bz->wp > bz->start + bz->len)
			break;
		return 0;
	case BLK_ZONE_COND_EMPTY:
	case BLK_ZONE_COND_IMP_OPEN:
	case BLK_ZONE_COND_EXP_OPEN:
	case BLK_ZONE_COND_CLOSED:
		if (bz->wp < bz->start || bz->wp > bz->start + bz->capacity)
			break;
		if (bz->cond == BLK_ZONE_COND_EMPTY && bz->wp != bz->start)
			break;
		return 0;
	default:
		*why = "unknown zone condition";
		return -EIO;
	}
	*why = "write pointer outside the zone";
	return -EIO;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_check_zone);

/**
 * zslab_read_geometry() - Fill @zd->geo from the block layer's limits.
 * @zd: the device, opened.
 *
 * Zone counts and capacities come later, from zslab_report_zones().
 */
int zslab_read_geometry(struct zslab_dev *zd)
{
	struct block_device *bdev = zd->bdev;
	struct zslab_geometry *geo = &zd->geo;

	memset(geo, 0, sizeof(*geo));
	geo->host_managed = zslab_bdev_host_managed(bdev);
	geo->read_only = bdev_read_only(bdev);
	geo->capacity = bdev_nr_sectors(bdev);
	geo->lbs = bdev_logical_block_size(bdev);
	if (!bdev_is_zoned(bdev))
		return 0;
	geo->zone_sectors = bdev_zone_sectors(bdev);
	geo->nr_zones = bdev_nr_zones(bdev);
	geo->max_open = bdev_max_open_zones(bdev);
	geo->max_active = bdev_max_active_zones(bdev);
	geo->max_append_sectors = bdev_max_zone_append_sectors(bdev);
	return 0;
}

struct report_ctx {
	struct zslab_dev *zd;
	unsigned int seen;
	const char *why;
};

static int record_zone(struct blk_zone *bz, unsigned int idx, void *data)
{
	struct report_ctx *ctx = data;
	struct zslab_geometry *geo = &ctx->zd->geo;
	struct zslab_zone *z;
	int ret;

	ret = zslab_check_zone(geo, idx, bz, &ctx->why);
	if (ret)
		return ret;

	z = &ctx->zd->zones[idx];
	z->start = bz->start;
	z->len = bz->len;
	z->capacity = bz->capacity;
	z->wp = bz->wp;
	z->type = bz->type;
	z->cond = bz->cond;
	ctx->seen++;

	if (bz->type != BLK_ZONE_TYPE_SEQWRITE_REQ)
		return 0;
	geo->nr_seq_zones++;
	if (bz->cond == BLK_ZONE_COND_OFFLINE || bz->cond == BLK_ZONE_COND_READONLY)
		return 0;
	geo->nr_usable_zones++;
	if (!geo->zone_capacity || bz->capacity < geo->zone_capacity)
		geo->zone_capacity = bz->capacity;
	return 0;
}

/**
 * zslab_report_zones() - Read every zone's type, condition and write pointer.
 * @zd: the device, with a checked geometry.
 *
 * Runs under memalloc_noio_save(): a zone report allocates, and this is also
 * called from paths that must not recurse into block I/O through reclaim.
 *
 * Return: 0, or -errno with one pr_err line naming the problem.
 */
int zslab_report_zones(struct zslab_dev *zd)
{
	struct zslab_geometry *geo = &zd->geo;
	struct report_ctx ctx = { .zd = zd, .why = "zone report failed" };
	unsigned int noio;
	int ret;

	zd->zones = kvcalloc(geo->nr_zones, sizeof(*zd->zones), GFP_KERNEL);
	if (!zd->zones)
		return -ENOMEM;

	geo->nr_seq_zones = 0;
	geo->nr_usable_zones = 0;
	geo->zone_capacity = 0;

	noio = memalloc_noio_save();
	ret = blkdev_report_zones(zd->bdev, 0, geo->nr_zones, record_zone, &ctx);
	memalloc_noio_restore(noio);

	if (ret >= 0 && ctx.seen != geo->nr_zones) {
		ctx.why = "zone report is missing zones";
		ret = -EIO;
	}
	if (ret >= 0)
		ret = zslab_check_usable(geo, &ctx.why);
	if (ret < 0) {
		pr_err("%s: %s: %s (%d)\n", ZSLAB_NAME, zd->path, ctx.why, ret);
		kvfree(zd->zones);
		zd->zones = NULL;
		return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Zone life: which zone takes the next append, tokens, reset, finish  */

static const char *const zone_use_names[] = {
	[ZZ_FREE]	= "free",
	[ZZ_OPEN]	= "open",
	[ZZ_FULL]	= "full",
	[ZZ_RESERVED]	= "reserved",
	[ZZ_FOREIGN]	= "foreign",
	[ZZ_ERROR]	= "error",
	[ZZ_UNUSABLE]	= "unusable",
};

const char *zslab_zone_use_name(u8 use)
{
	return use < ARRAY_SIZE(zone_use_names) ? zone_use_names[use] : "unknown";
}

static bool cond_is_open(u8 cond)
{
	return cond == BLK_ZONE_COND_IMP_OPEN || cond == BLK_ZONE_COND_EXP_OPEN;
}

static bool cond_is_active(u8 cond)
{
	return cond_is_open(cond) || cond == BLK_ZONE_COND_CLOSED;
}

/**
 * zslab_zone_budget() - How many zones can be open for data at once?
 * @zd: the device, zones reported.
 * @resetting: zones not to count: about to be reset (they hold nothing
 *	then), or counted by a token of ours; or NULL.
 *
 * Zones open or closed on the device hold its open and active resources,
 * whoever opened them: only what the limits leave after those counts. One
 * open and one active resource stay for the metadata zone we append to
 * (more active ones if both metadata zones are open or closed).
 *
 * Return: the budget; 0 or less when nothing is left for data.
 */
int zslab_zone_budget(const struct zslab_dev *zd, const unsigned long *resetting)
{
	unsigned int i, meta[2], first_data, open = 0, active = 0, meta_active = 0;
	int budget = INT_MAX;

	zslab_sb_meta_zones(zd, meta, &first_data);
	for (i = 0; i < zd->geo.nr_zones; i++) {
		u8 cond = zd->zones[i].cond;

		if (resetting && test_bit(i, resetting))
			continue;
		if (i == meta[0] || i == meta[1]) {
			meta_active += cond_is_active(cond);
			continue;
		}
		open += cond_is_open(cond);
		active += cond_is_active(cond);
	}
	if (zd->geo.max_open)
		budget = min_t(int, budget, (int)zd->geo.max_open - open - 1);
	if (zd->geo.max_active)
		budget = min_t(int, budget, (int)zd->geo.max_active - active -
			       max(1U, meta_active));
	return budget == INT_MAX ? ZSLAB_DEFAULT_ZONE_BUDGET : budget;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_budget);

/* A kept zone recovery left open: relocation appends after its data. */
static void open_load_reloc_zone(struct zslab_dev *zd, struct zslab_zone *z)
{
	z->use = ZZ_OPEN;
	z->owner = ZSLAB_RELOC_OWNER;
	z->reserved = z->wp - z->start;
	z->floor = z->reserved;
	z->token = true;
	z->open_gen = ++zd->zone_gen;
}

/*
 * Sort zones by what they are for, and size the token budget: the zones we
 * keep open for data at once stay within what the device's open and active
 * limits leave, less a token for metadata writes.
 *
 * Return: 0, or -ETOOMANYREFS when zones open or closed at load leave no
 * zone to write data to (-ENOMEM if memory for that count is lacking).
 */
int zslab_zones_init(struct zslab_dev *zd)
{
	unsigned int i, reserved = 0;
	unsigned long *ours = NULL;
	int budget;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];

		z->token = false;
		if (z->type != BLK_ZONE_TYPE_SEQWRITE_REQ ||
		    z->cond == BLK_ZONE_COND_OFFLINE || z->cond == BLK_ZONE_COND_READONLY)
			z->use = ZZ_UNUSABLE;
		else if (reserved++ < ZSLAB_META_ZONES + ZSLAB_RELOC_ZONES)
			z->use = ZZ_RESERVED;
		else if (z->cond == BLK_ZONE_COND_EMPTY)
			z->use = ZZ_FREE;
		else if (zd->load_keeps && test_bit(i, zd->load_keeps))
			z->use = ZZ_FULL;	/* persistent data, recovered */
		else
			z->use = ZZ_FOREIGN;	/* never overwrite what we did not write */
		if (z->use == ZZ_RESERVED)
			zd->first_data_zone = i + 1;
	}

	zd->zones_open = 0;
	zd->reloc_zone = -1;
	if (zd->load_reloc && zd->zones[zd->load_reloc].use == ZZ_FULL) {
		/* Recovery left it open: relocation's, counted by its token. */
		ours = bitmap_zalloc(zd->geo.nr_zones, GFP_KERNEL);
		if (!ours)
			return -ENOMEM;
		__set_bit(zd->load_reloc, ours);
		open_load_reloc_zone(zd, &zd->zones[zd->load_reloc]);
		zd->reloc_zone = zd->load_reloc;
		zd->zones_open = 1;
	}
	budget = zslab_zone_budget(zd, ours);
	bitmap_free(ours);
	zd->zone_budget = max(budget, 0);
	return budget > 0 ? 0 : -ETOOMANYREFS;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zones_init);

static void release_token_locked(struct zslab_dev *zd, struct zslab_zone *z)
{
	if (z->token) {
		z->token = false;
		zd->zones_open--;
	}
}

/* A zone we stop appending to keeps its token until the device agrees. */
static void close_zone_locked(struct zslab_dev *zd, struct zslab_zone *z)
{
	z->use = ZZ_FULL;
	z->needs_finish = z->reserved < z->capacity;
	if (!z->inflight && !z->needs_finish)
		release_token_locked(zd, z);
}

/**
 * zslab_zone_worth_reclaiming() - Would reclaim get enough of @z back?
 * @z: the zone, zone lock held.
 *
 * A full zone with an eighth of it or more dead, and none of its data a
 * detached persistent cache's. Less is not worth moving the rest for:
 * summaries alone keep a zone a little short of all live.
 */
bool zslab_zone_worth_reclaiming(const struct zslab_zone *z)
{
	/* Data of a detached cache has no cache to be rewritten through. */
	return z->use == ZZ_FULL && !z->detached && z->live <= z->capacity - z->capacity / 8;
}

/* Zones full for us whose space reclaim could get back. */
static bool reclaimable_locked(struct zslab_dev *zd)
{
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++)
		if (zslab_zone_worth_reclaiming(&zd->zones[i]))
			return true;
	return false;
}

/* zslab_free_zones(), zone lock held. */
unsigned int zslab_free_zones_locked(struct zslab_dev *zd)
{
	unsigned int i, n = 0;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++)
		n += zd->zones[i].use == ZZ_FREE;
	return n;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_free_zones_locked);

/**
 * zslab_free_zones() - Data zones empty and ours to open.
 * @zd: the device. Any context.
 */
unsigned int zslab_free_zones(struct zslab_dev *zd)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&zd->zone_lock, flags);
	n = zslab_free_zones_locked(zd);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	return n;
}

/*
 * Open a free zone for @owner. The last ZSLAB_RELOC_ZONES free zones are
 * kept for relocation while reclaim has something to get back: reclaim
 * needs a zone to write into before it can reset one.
 */
static int open_free_zone_locked(struct zslab_dev *zd, u32 owner)
{
	unsigned int i;

	if (zd->zones_open >= zd->zone_budget)
		return -1;
	if (owner != ZSLAB_RELOC_OWNER && zslab_free_zones_locked(zd) <= ZSLAB_RELOC_ZONES &&
	    reclaimable_locked(zd))
		return -1;
	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];

		if (z->use != ZZ_FREE)
			continue;
		z->use = ZZ_OPEN;
		z->owner = owner;
		z->token = true;
		z->open_gen = ++zd->zone_gen;
		zd->zones_open++;
		return i;
	}
	return -1;
}

/*
 * Budget spent and no open zone takes @sectors: close every open zone that
 * cannot, whoever opened it, so that its token comes back once its appends
 * land and it is finished. Its owner finds it closed and opens another: an
 * idle owner never starves the caches sharing its zone.
 */
static unsigned int close_zones_too_full_locked(struct zslab_dev *zd, sector_t sectors)
{
	unsigned int i, closed = 0;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];

		if (z->use == ZZ_OPEN && z->reserved && z->capacity - z->reserved < sectors) {
			close_zone_locked(zd, z);
			closed++;
		}
	}
	return closed;
}

/*
 * No zone of its own (budget spent, or the last free zone is relocation's):
 * share the open zone with the most room left. Relocation's zone only
 * while it keeps room for reclaim to free a zone (zslab_reloc_can_lend_locked()).
 */
static int shared_open_zone_locked(struct zslab_dev *zd, u32 owner, sector_t sectors)
{
	sector_t best_room = 0;
	int best = -1;
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];
		sector_t room = z->capacity - z->reserved;

		if (z->owner == ZSLAB_RELOC_OWNER && owner != ZSLAB_RELOC_OWNER &&
		    (z->use != ZZ_OPEN || !zslab_reloc_can_lend_locked(zd, sectors)))
			continue;
		if (z->use == ZZ_OPEN && room >= sectors && room > best_room) {
			best = i;
			best_room = room;
		}
	}
	return best;
}

/*
 * Hand out @sectors of append space for @owner, whose open zone is
 * *@open_zone: a cache, or relocation. It keeps its own open zone while
 * the budget allows.
 * @sectors: size of the append bio.
 * @zone: set to the zone to append to.
 * @offset: set to where in the zone the space was reserved (the device
 *	may still place the bio anywhere between earlier in-flight appends).
 *
 * Return: 0, or -ENOSPC when no zone can take the bio now. Zones closed on
 * the way give their tokens back once their appends land and
 * zslab_zones_tidy() finishes them: the caller waits for that and tries
 * again, and only then is -ENOSPC final.
 */
static int reserve_for(struct zslab_dev *zd, int *open_zone, u32 owner,
		       sector_t sectors, unsigned int *zone, sector_t *offset)
{
	struct zslab_zone *z = NULL;
	unsigned long flags;
	int idx = *open_zone;

	spin_lock_irqsave(&zd->zone_lock, flags);
	if (idx >= 0) {
		z = &zd->zones[idx];
		if (z->use != ZZ_OPEN || z->owner != owner) {
			z = NULL;
		} else if (z->reserved + sectors > z->capacity) {
			close_zone_locked(zd, z);
			z = NULL;
		}
	}
	if (!z) {
		idx = open_free_zone_locked(zd, owner);
		if (idx < 0)
			idx = shared_open_zone_locked(zd, owner, sectors);
		if (idx < 0 && close_zones_too_full_locked(zd, sectors))
			idx = open_free_zone_locked(zd, owner);
		if (idx < 0) {
			*open_zone = -1;
			spin_unlock_irqrestore(&zd->zone_lock, flags);
			return -ENOSPC;
		}
		z = &zd->zones[idx];
		if (z->owner == owner)
			*open_zone = idx;
	}
	if (!z->inflight)
		z->floor = z->reserved;
	*zone = idx;
	*offset = z->reserved;
	z->reserved += sectors;
	z->inflight++;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	return 0;
}

/**
 * zslab_zone_reserve() - Hand out @sectors of append space for cache @c.
 * @zd: the device.
 * @c: the cache writing.
 * @sectors: size of the append bio.
 * @zone: set to the zone to append to.
 * @offset: set to where in the zone the space was reserved.
 *
 * Return: 0, or -ENOSPC when no zone can take the bio now (see reserve_for()).
 */
int zslab_zone_reserve(struct zslab_dev *zd, struct zslab_cache *c,
		       sector_t sectors, unsigned int *zone, sector_t *offset)
{
	return reserve_for(zd, &c->open_zone, c->id, sectors, zone, offset);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_reserve);

/**
 * zslab_zone_reserve_reloc() - As zslab_zone_reserve(), for reclaim.
 * @zd: the device, writeback mutex held.
 * @sectors: size of the append bio.
 * @zone: set to the zone to append to.
 * @offset: set to where in it.
 *
 * Relocated slabs go to a zone of their own (data that survived a zone
 * lives long: mixed with new data it would be moved again), which may
 * take the last free zone.
 *
 * Return: 0 or -ENOSPC.
 */
int zslab_zone_reserve_reloc(struct zslab_dev *zd, sector_t sectors, unsigned int *zone,
			     sector_t *offset)
{
	return reserve_for(zd, &zd->reloc_zone, ZSLAB_RELOC_OWNER, sectors, zone, offset);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_reserve_reloc);

/**
 * zslab_zone_close_locked() - Take no more appends in zone @i.
 * @zd: the device, zone lock held.
 * @i: an open data zone reclaim is about to empty; its owner opens another.
 */
void zslab_zone_close_locked(struct zslab_dev *zd, unsigned int i)
{
	struct zslab_zone *z = &zd->zones[i];

	if (z->use == ZZ_OPEN)
		close_zone_locked(zd, z);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_close_locked);

/* The cache goes away: its open zone takes no more appends from it. */
void zslab_zone_release_cache(struct zslab_dev *zd, struct zslab_cache *c)
{
	unsigned long flags;

	spin_lock_irqsave(&zd->zone_lock, flags);
	if (c->open_zone >= 0) {
		struct zslab_zone *z = &zd->zones[c->open_zone];

		if (z->use == ZZ_OPEN && z->owner == c->id) {
			if (z->reserved) {
				close_zone_locked(zd, z);
			} else {
				z->use = ZZ_FREE;
				z->owner = 0;
				release_token_locked(zd, z);
			}
		}
		c->open_zone = -1;
	}
	spin_unlock_irqrestore(&zd->zone_lock, flags);
}

/**
 * zslab_zone_append_landed_locked() - Account where an append bio landed.
 * @zd: the device, zone lock held.
 * @zone: the zone it was reserved in.
 * @sector: where the device says it landed (absolute).
 * @sectors: its size.
 * @ok: the device reported success.
 *
 * Checks the landing sector against the window the reservation allows:
 * at or above the zone's lowest in-flight offset, within what was handed
 * out. Interrupt context. The caller then records the segment's data and
 * ends with zslab_zone_append_end_locked(), all under one hold of the lock,
 * so that no tidy sees the zone idle before its data counts as live.
 *
 * Return: true if the append is good and its data can be recorded.
 */
bool zslab_zone_append_landed_locked(struct zslab_dev *zd, unsigned int zone,
				     sector_t sector, sector_t sectors, bool ok)
{
	struct zslab_zone *z = &zd->zones[zone];

	lockdep_assert_held(&zd->zone_lock);
	if (ok && (sector < z->start + z->floor ||
		   sector + sectors > z->start + z->reserved)) {
		atomic64_inc(&zd->io[ZSLAB_IO_MISPLACED]);
		ok = false;
	}
	if (ok) {
		z->wp = max(z->wp, sector + sectors);
		z->cond = BLK_ZONE_COND_IMP_OPEN;
		/* A full zone's write pointer is its end, as the block layer says. */
		if (z->wp >= z->start + z->capacity) {
			z->cond = BLK_ZONE_COND_FULL;
			z->wp = z->start + z->len;
		}
	} else if (z->use == ZZ_OPEN || z->use == ZZ_FULL) {
		/* Where the write pointer is now, only a reset or finish tells. */
		z->use = ZZ_ERROR;
	}
	return ok;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_append_landed_locked);

/**
 * zslab_zone_append_end_locked() - An append bio of @zone is done with.
 * @zd: the device, zone lock held.
 * @zone: the zone.
 *
 * Return: true if nothing in the zone is live any more (a reset is due).
 */
bool zslab_zone_append_end_locked(struct zslab_dev *zd, unsigned int zone)
{
	struct zslab_zone *z = &zd->zones[zone];

	lockdep_assert_held(&zd->zone_lock);
	z->inflight--;
	if (!z->inflight && z->use == ZZ_FULL && !z->needs_finish)
		release_token_locked(zd, z);
	return !z->live && !z->inflight && z->wp > z->start;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_append_end_locked);

/* A slab's data landed in @zone and is its newest: it keeps the zone. */
void zslab_zone_data_live_locked(struct zslab_dev *zd, unsigned int zone,
				 sector_t sectors)
{
	lockdep_assert_held(&zd->zone_lock);
	zd->zones[zone].live += sectors;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_data_live_locked);

/**
 * zslab_zone_data_stale_locked() - Sectors of @zone no longer needed.
 * @zd: the device, zone lock held.
 * @zone: the zone.
 * @sectors: how many.
 * @was_live: they counted as live (superseded or freed data), rather than
 *	being stale from the start (summaries, data that landed superseded).
 *
 * Return: true if nothing in the zone is live any more (a reset is due).
 */
bool zslab_zone_data_stale_locked(struct zslab_dev *zd, unsigned int zone,
				  sector_t sectors, bool was_live)
{
	struct zslab_zone *z = &zd->zones[zone];

	lockdep_assert_held(&zd->zone_lock);
	if (was_live)
		z->live -= min(z->live, sectors);
	z->stale += sectors;
	return !z->live && !z->inflight;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_data_stale_locked);

/*
 * A tombstone landed in @zone, in segment @seg_seq. It must outlive the
 * older data it buries for as long as someone could read that data as the
 * slab's: until every zone opened before now has been reset, unless
 * zslab_zone_tomb_gen_locked() says the tombstone is needed no more.
 */
void zslab_zone_tombstone_locked(struct zslab_dev *zd, unsigned int zone,
				 bool persistent, u64 seg_seq)
{
	struct zslab_zone *z = &zd->zones[zone];

	lockdep_assert_held(&zd->zone_lock);
	if (persistent) {
		z->pers_tomb_gen = zd->zone_gen;
		z->pers_tomb_seq = max(z->pers_tomb_seq, seg_seq);
	} else {
		z->vol_tomb_gen = zd->zone_gen;
	}
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_tombstone_locked);

/**
 * zslab_zone_tomb_gen_locked() - How long @z's tombstones hold its reset.
 * @zd: the device, zone lock held.
 * @z: a zone.
 * @short_of_zones: free zones are down to reclaim's watermark.
 *
 * Tombstones are for readers of the device. Recovery reads only segments
 * newer than the committed checkpoint, so a persistent cache's tombstone is
 * needed until a checkpoint covers it, as F2FS reuses a prefree segment
 * only after a checkpoint. A volatile cache's data is dead at the next
 * load and nobody reads its stale images: its tombstones keep the device
 * describing what the cache holds (what ztool witness checks) while that
 * is free, and give way once zones run short.
 *
 * Return: the zone_gen up to which a zone opened then and still holding
 * data keeps @z from being reset; 0 if nothing holds it.
 */
u64 zslab_zone_tomb_gen_locked(struct zslab_dev *zd, const struct zslab_zone *z,
			       bool short_of_zones)
{
	u64 gen = 0;

	lockdep_assert_held(&zd->zone_lock);
	/* Written under the writeback mutex; a stale value only delays a reset. */
	if (z->pers_tomb_gen && z->pers_tomb_seq >= READ_ONCE(zd->ckpt_seg_seq))
		gen = z->pers_tomb_gen;
	if (!short_of_zones)
		gen = max(gen, z->vol_tomb_gen);
	return gen;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zone_tomb_gen_locked);

/**
 * zslab_resets_wait_for_checkpoint_locked() - A zone with nothing live
 *	waits only for a checkpoint to cover its tombstones?
 * @zd: the device, zone lock held.
 *
 * Then a checkpoint frees it, which is cheaper than emptying the zones its
 * tombstones would otherwise wait for.
 */
bool zslab_resets_wait_for_checkpoint_locked(struct zslab_dev *zd)
{
	u64 covered = READ_ONCE(zd->ckpt_seg_seq);
	unsigned int i;

	lockdep_assert_held(&zd->zone_lock);
	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (zslab_zone_dead(z) && z->pers_tomb_gen &&
		    z->pers_tomb_seq >= covered)
			return true;
	}
	return false;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_resets_wait_for_checkpoint_locked);

/**
 * zslab_queue_zone_reset() - Reset zones whose data all died, soon.
 * @zd: the device. Any context.
 *
 * Only the reset: not a writeback pass, which writeback_ms=0 forbids.
 */
void zslab_queue_zone_reset(struct zslab_dev *zd)
{
	queue_work(zd->wq, &zd->reset_work);
}

/* Process context: a slab's newest data in @zone is no longer needed. */
void zslab_zone_data_dropped(struct zslab_dev *zd, unsigned int zone,
			     sector_t sectors)
{
	unsigned long flags;
	bool dead;

	spin_lock_irqsave(&zd->zone_lock, flags);
	dead = zslab_zone_data_stale_locked(zd, zone, sectors, true);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (dead)
		zslab_queue_zone_reset(zd);
}

enum tidy_action { TIDY_NONE, TIDY_RESET, TIDY_FINISH };

static enum tidy_action tidy_action_locked(struct zslab_zone *z)
{
	if (z->inflight)
		return TIDY_NONE;
	switch (z->use) {
	case ZZ_OPEN:
	case ZZ_FULL:
		if (!z->live && z->wp > z->start)
			return TIDY_RESET;
		return z->use == ZZ_FULL && z->needs_finish ? TIDY_FINISH : TIDY_NONE;
	case ZZ_ERROR:
		return z->live ? TIDY_FINISH : TIDY_RESET;
	default:
		return TIDY_NONE;
	}
}

/*
 * Mark the zones a tidy may reset: nothing live, nothing in flight, and no
 * tombstone in them that is still needed and buries data in a zone that
 * stays (opened before the tombstone landed and not reset with it). Zones reset together
 * may bury each other's data: a set of them goes at once, so dropping a
 * zone from the set can keep others back; repeat until nothing changes.
 */
void zslab_zones_mark_resets_locked(struct zslab_dev *zd)
{
	unsigned int i, first = zd->first_data_zone, n = zd->geo.nr_zones;
	bool short_of_zones = zslab_short_of_zones_locked(zd), changed;

	for (i = first; i < n; i++)
		zd->zones[i].reset_due = tidy_action_locked(&zd->zones[i]) == TIDY_RESET;
	do {
		u64 oldest_kept = U64_MAX;

		for (i = first; i < n; i++) {
			struct zslab_zone *z = &zd->zones[i];

			if (!z->reset_due && zslab_zone_holds_data(z))
				oldest_kept = min(oldest_kept, z->open_gen);
		}
		changed = false;
		for (i = first; i < n; i++) {
			struct zslab_zone *z = &zd->zones[i];

			u64 tomb_gen = zslab_zone_tomb_gen_locked(zd, z, short_of_zones);

			if (z->reset_due && tomb_gen && oldest_kept <= tomb_gen) {
				z->reset_due = false;
				changed = true;
			}
		}
	} while (changed);
	for (i = first; i < n; i++)
		if (zd->zones[i].reset_due && zd->zones[i].use == ZZ_OPEN)
			zd->zones[i].use = ZZ_FULL;	/* no appends while it resets */
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zones_mark_resets_locked);

static void tidy_done_locked(struct zslab_dev *zd, struct zslab_zone *z,
			     enum tidy_action act)
{
	if (act == TIDY_RESET) {
		z->wp = z->start;
		z->reserved = 0;
		z->floor = 0;
		z->live = 0;
		z->stale = 0;
		z->vol_tomb_gen = 0;
		z->pers_tomb_gen = 0;
		z->pers_tomb_seq = 0;
		z->resets++;
		z->cond = BLK_ZONE_COND_EMPTY;
		z->use = ZZ_FREE;
		z->owner = 0;
	} else {
		z->wp = z->start + z->len;
		z->reserved = z->capacity;
		z->cond = BLK_ZONE_COND_FULL;
		z->use = ZZ_FULL;
	}
	z->needs_finish = false;
	z->reset_due = false;
	release_token_locked(zd, z);
}

/**
 * zslab_zones_tidy() - Reset zones with no live image, finish closed ones.
 * @zd: the device. Process context, writeback mutex held (no new appends).
 */
void zslab_zones_tidy(struct zslab_dev *zd)
{
	unsigned int i, noio;

	unsigned long flags;

	lockdep_assert_held(&zd->wb_mutex);
	noio = memalloc_noio_save();
	spin_lock_irqsave(&zd->zone_lock, flags);
	zslab_zones_mark_resets_locked(zd);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];
		enum tidy_action act;
		int ret;

		spin_lock_irqsave(&zd->zone_lock, flags);
		act = tidy_action_locked(z);
		if (act == TIDY_RESET && !z->reset_due)
			act = TIDY_NONE;	/* a tombstone here still buries data */
		spin_unlock_irqrestore(&zd->zone_lock, flags);
		if (act == TIDY_NONE)
			continue;

		ret = zslab_zone_mgmt(zd->bdev, act == TIDY_RESET ?
				      REQ_OP_ZONE_RESET : REQ_OP_ZONE_FINISH,
				      z->start, z->len);
		trace_zslab_zone_mgmt(i, z->start, act == TIDY_RESET, ret);
		spin_lock_irqsave(&zd->zone_lock, flags);
		if (ret) {
			atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
			z->use = ZZ_ERROR;
		} else {
			atomic64_inc(&zd->io[act == TIDY_RESET ?
				     ZSLAB_IO_RESETS : ZSLAB_IO_FINISHES]);
			tidy_done_locked(zd, z, act);
		}
		spin_unlock_irqrestore(&zd->zone_lock, flags);
	}
	memalloc_noio_restore(noio);
}
