// SPDX-License-Identifier: GPL-2.0
/*
 * The superblock's on-disk form, a public format (see README), and the rule
 * that picks the device's superblock out of the two metadata zones.
 *
 * Everything here is a pure function over buffers and structs: no I/O, no
 * allocation, no locks. That is what lets the same file build in userspace
 * for the fuzzers (fuzz/), which feed the decoder any bytes at all.
 */
#include <linux/crc32c.h>
#include <linux/log2.h>
#include <linux/string.h>
#include "zslab_internal.h"

static_assert(sizeof(struct zslab_sb_disk) == 128);
static_assert(sizeof(struct zslab_sb_disk) <= ZSLAB_SB_BYTES);

/* CRC32C of the first ZSLAB_SB_BYTES bytes, the crc field taken as zero. */
static u32 sb_crc(const void *buf)
{
	return zslab_crc32c_field_zero(buf, ZSLAB_SB_BYTES, offsetof(struct zslab_sb_disk, crc));
}

/**
 * zslab_sb_encode() - Build a superblock block.
 * @buf: destination, @lbs bytes (one logical block, at least 512).
 * @lbs: the device's logical block size.
 * @sb: what to record.
 */
void zslab_sb_encode(void *buf, unsigned int lbs, const struct zslab_sb *sb)
{
	struct zslab_sb_disk *d = buf;
	const struct zslab_sb_geo *g = &sb->geo;

	memset(buf, 0, lbs);
	d->magic = cpu_to_le32(ZSLAB_SB_MAGIC);
	d->version = cpu_to_le16(ZSLAB_SB_VERSION);
	d->sb_bytes = cpu_to_le16(ZSLAB_SB_BYTES);
	d->generation = cpu_to_le64(sb->generation);
	memcpy(d->uuid, sb->uuid, sizeof(d->uuid));
	d->created = cpu_to_le64(sb->created);
	d->capacity = cpu_to_le64(g->capacity);
	d->zone_sectors = cpu_to_le64(g->zone_sectors);
	d->zone_capacity = cpu_to_le64(g->zone_capacity);
	d->nr_zones = cpu_to_le32(g->nr_zones);
	d->lbs = cpu_to_le32(g->lbs);
	d->max_open = cpu_to_le32(g->max_open);
	d->max_active = cpu_to_le32(g->max_active);
	d->max_append_sectors = cpu_to_le32(g->max_append_sectors);
	d->meta_zone[0] = cpu_to_le32(g->meta_zone[0]);
	d->meta_zone[1] = cpu_to_le32(g->meta_zone[1]);
	d->first_data_zone = cpu_to_le32(g->first_data_zone);
	d->ckpt_seq = cpu_to_le64(sb->ckpt.seq);
	d->ckpt_sector = cpu_to_le64(sb->ckpt.sector);
	d->ckpt_bytes = cpu_to_le32(sb->ckpt.bytes);
	d->ckpt_crc = cpu_to_le32(sb->ckpt.crc);
	d->crc = cpu_to_le32(sb_crc(buf));
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_encode);

static void sb_geo_read(const struct zslab_sb_disk *d, struct zslab_sb_geo *g)
{
	g->capacity = le64_to_cpu(d->capacity);
	g->zone_sectors = le64_to_cpu(d->zone_sectors);
	g->zone_capacity = le64_to_cpu(d->zone_capacity);
	g->nr_zones = le32_to_cpu(d->nr_zones);
	g->lbs = le32_to_cpu(d->lbs);
	g->max_open = le32_to_cpu(d->max_open);
	g->max_active = le32_to_cpu(d->max_active);
	g->max_append_sectors = le32_to_cpu(d->max_append_sectors);
	g->meta_zone[0] = le32_to_cpu(d->meta_zone[0]);
	g->meta_zone[1] = le32_to_cpu(d->meta_zone[1]);
	g->first_data_zone = le32_to_cpu(d->first_data_zone);
}

/* A geometry this module could have formatted, whatever device it is. */
static const char *sb_geo_invalid(const struct zslab_sb_geo *g)
{
	u64 lbs_sectors = g->lbs >> SECTOR_SHIFT;

	if (g->lbs < 512 || g->lbs > ZSLAB_DEFAULT_SLAB_SIZE || !is_power_of_2(g->lbs))
		return "logical block size out of range";
	if (!g->zone_sectors || g->zone_sectors & (g->zone_sectors - 1) ||
	    g->zone_sectors > U32_MAX)
		return "zone size out of range";
	if (!g->zone_capacity || g->zone_capacity > g->zone_sectors ||
	    g->zone_capacity % lbs_sectors ||
	    g->zone_capacity < (ZSLAB_DEFAULT_SLAB_SIZE >> SECTOR_SHIFT))
		return "zone capacity out of range";
	if (g->nr_zones < ZSLAB_MIN_ZONES)
		return "zone count out of range";
	/* Only the last zone may be smaller than the others. */
	if (g->capacity > (u64)g->nr_zones * g->zone_sectors ||
	    g->capacity <= (u64)(g->nr_zones - 1) * g->zone_sectors)
		return "capacity does not match the zone count";
	if (g->max_append_sectors < (ZSLAB_DEFAULT_SLAB_SIZE >> SECTOR_SHIFT))
		return "zone-append limit out of range";
	if (g->meta_zone[0] >= g->meta_zone[1] ||
	    g->meta_zone[1] >= g->first_data_zone ||
	    g->first_data_zone >= g->nr_zones)
		return "metadata zones out of range";
	return NULL;
}

/*
 * The checkpoint a superblock commits, as far as the superblock alone can
 * tell: none (all zero), or whole blocks inside the device. That it lies
 * just before the superblock in the same zone is superblock.c's to check:
 * only it knows where the block was read.
 */
static const char *sb_ckpt_invalid(const struct zslab_sb_ckpt *c,
				   const struct zslab_sb_geo *g)
{
	u64 lbs_sectors = g->lbs >> SECTOR_SHIFT;

	if (!c->seq) {
		if (c->sector || c->bytes || c->crc)
			return "checkpoint fields set without a checkpoint";
		return NULL;
	}
	if (!c->bytes || c->bytes % g->lbs || c->bytes > ZSLAB_CKPT_MAX_BYTES)
		return "checkpoint size out of range";
	if (c->sector % lbs_sectors || c->sector >= g->capacity ||
	    g->capacity - c->sector < c->bytes >> SECTOR_SHIFT)
		return "checkpoint beyond the device";
	return NULL;
}

/**
 * zslab_sb_decode() - Check a superblock block and describe it.
 * @buf: the bytes read.
 * @len: how many bytes @buf holds.
 * @lbs: the device's logical block size: bytes past the superblock up to
 *	it must be zero.
 * @sb: filled in on success.
 * @why: set to a one-line reason on failure.
 *
 * Return: 0; -EMSGSIZE when @len is shorter than a block; -ENOMSG when the
 * magic is not ours (not a superblock at all); -EOPNOTSUPP for a newer
 * format version; -EUCLEAN for anything else that does not check out.
 */
int zslab_sb_decode(const void *buf, size_t len, unsigned int lbs,
		    struct zslab_sb *sb, const char **why)
{
	const struct zslab_sb_disk *d = buf;
	unsigned int version;

	if (lbs < ZSLAB_SB_BYTES || len < lbs) {
		*why = "shorter than a superblock";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(d->magic) != ZSLAB_SB_MAGIC) {
		*why = "no zns_slab superblock magic";
		return -ENOMSG;
	}
	version = le16_to_cpu(d->version);
	if (version > ZSLAB_SB_VERSION) {
		*why = "newer format version";
		return -EOPNOTSUPP;
	}
	if (version != ZSLAB_SB_VERSION) {
		/* 1 and 2 had no checkpoints: nothing to recover them from. */
		*why = "unknown or older format version";
		return -EUCLEAN;
	}
	if (le16_to_cpu(d->sb_bytes) != ZSLAB_SB_BYTES) {
		*why = "superblock size does not match the version";
		return -EUCLEAN;
	}
	if (le32_to_cpu(d->crc) != sb_crc(buf)) {
		*why = "CRC mismatch";
		return -EUCLEAN;
	}
	if (memchr_inv(buf + sizeof(*d), 0, lbs - sizeof(*d))) {
		*why = "reserved bytes not zero";
		return -EUCLEAN;
	}
	if (d->flags) {
		*why = "unknown flags";
		return -EUCLEAN;
	}
	sb->generation = le64_to_cpu(d->generation);
	if (!sb->generation) {
		*why = "generation zero";
		return -EUCLEAN;
	}
	memcpy(sb->uuid, d->uuid, sizeof(sb->uuid));
	if (!memchr_inv(sb->uuid, 0, sizeof(sb->uuid))) {
		*why = "uuid is zero";
		return -EUCLEAN;
	}
	sb->created = le64_to_cpu(d->created);
	sb_geo_read(d, &sb->geo);
	*why = sb_geo_invalid(&sb->geo);
	if (*why)
		return -EUCLEAN;
	if (sb->geo.lbs != lbs) {
		*why = "logical block size differs from the block it is in";
		return -EUCLEAN;
	}
	sb->ckpt.seq = le64_to_cpu(d->ckpt_seq);
	sb->ckpt.sector = le64_to_cpu(d->ckpt_sector);
	sb->ckpt.bytes = le32_to_cpu(d->ckpt_bytes);
	sb->ckpt.crc = le32_to_cpu(d->ckpt_crc);
	*why = sb_ckpt_invalid(&sb->ckpt, &sb->geo);
	if (*why)
		return -EUCLEAN;
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_decode);

/**
 * zslab_sb_geo_mismatch() - Does the device still have the geometry it was
 *	formatted with?
 * @sb: what the superblock recorded.
 * @dev: what the device says now.
 *
 * Zone layout and size must be the same; the open, active and zone-append
 * limits are the device's to change (they are read again at every load).
 *
 * Return: NULL, or the name of the first field that differs.
 */
const char *zslab_sb_geo_mismatch(const struct zslab_sb_geo *sb,
				  const struct zslab_sb_geo *dev)
{
	if (sb->zone_sectors != dev->zone_sectors)
		return "zone size";
	if (sb->nr_zones != dev->nr_zones)
		return "zone count";
	if (sb->lbs != dev->lbs)
		return "logical block size";
	if (sb->zone_capacity != dev->zone_capacity)
		return "zone capacity";
	if (sb->capacity != dev->capacity)
		return "capacity";
	if (sb->meta_zone[0] != dev->meta_zone[0] || sb->meta_zone[1] != dev->meta_zone[1] ||
	    sb->first_data_zone != dev->first_data_zone)
		return "metadata zones";
	return NULL;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_geo_mismatch);

/**
 * zslab_sb_choose() - What do the two metadata zones say?
 * @slot: the last block of each metadata zone, decoded.
 * @cur: set to the slot holding the newest superblock (ZSLAB_SB_OURS).
 * @why: set to a reason for any other verdict but ZSLAB_SB_BLANK.
 *
 * Superblocks are appended to one zone until it is full, then to the other
 * (reset first), as btrfs's zoned superblock log does; so the last block of
 * each non-empty zone is the newest superblock in it, and the newer of the
 * two is the device's. Every non-empty metadata zone must end in a valid
 * superblock of the same device: anything else is refused, never guessed.
 */
enum zslab_sb_verdict zslab_sb_choose(const struct zslab_sb_slot slot[2],
				      unsigned int *cur, const char **why)
{
	enum zslab_sb_verdict verdict = ZSLAB_SB_BLANK;
	int best = -1;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct zslab_sb_slot *s = &slot[i];

		if (s->empty)
			continue;
		switch (s->err) {
		case 0:
			if (best < 0 || s->sb.generation > slot[best].sb.generation)
				best = i;
			continue;
		case -EOPNOTSUPP:
			*why = s->why;
			return ZSLAB_SB_NEWER;
		case -EMSGSIZE:
		case -ENOMSG:
			if (verdict == ZSLAB_SB_BLANK) {
				*why = s->why;
				verdict = ZSLAB_SB_FOREIGN;
			}
			continue;
		default:
			*why = s->why;
			verdict = ZSLAB_SB_DAMAGED;
		}
	}
	if (verdict != ZSLAB_SB_BLANK || best < 0)
		return verdict;
	/* Only one zone takes appends: the other is full, or empty (reset). */
	if (!slot[0].empty && !slot[1].empty && !slot[0].full && !slot[1].full) {
		*why = "both metadata zones are partly written";
		return ZSLAB_SB_DAMAGED;
	}
	if (!slot[!best].empty &&
	    memcmp(slot[0].sb.uuid, slot[1].sb.uuid, sizeof(slot[0].sb.uuid))) {
		*why = "the metadata zones hold superblocks of two different formats";
		return ZSLAB_SB_DAMAGED;
	}
	*cur = best;
	return ZSLAB_SB_OURS;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_choose);

/**
 * zslab_sb_next_slot() - Which metadata zone takes the next superblock?
 * @slot: the two metadata zones as zslab_sb_choose() saw them.
 * @cur: the slot holding the newest superblock.
 *
 * The current zone while it has room; else the other one, which the caller
 * resets first unless it is empty.
 */
unsigned int zslab_sb_next_slot(const struct zslab_sb_slot slot[2],
				unsigned int cur)
{
	return slot[cur].full ? !cur : cur;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_sb_next_slot);
