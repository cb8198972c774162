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
