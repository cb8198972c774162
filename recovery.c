// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery: at load, what the device holds of the persistent caches.
 *
 * The superblock in force names the newest checkpoint. Recovery reads it,
 * then for every data zone decides where the checkpoint leaves off: a zone
 * that still starts with the segment it started with then (same first
 * sequence number) is read from the end the checkpoint recorded; any other
 * written zone (opened, or reset and written again, since) is read whole.
 * Of what it reads, only the summaries of segments newer than the
 * checkpoint count (older ones are covered by it), and each slab entry's
 * data is checked against its CRC.
 *
 * The newest entry of each slab wins, by sequence number, tombstones
 * included; a checkpoint entry in a zone reset since the checkpoint is
 * dropped (the slab moved, or died, after it). An entry whose data fails
 * its CRC is torn if nothing valid follows it in its zone (a write the
 * crash cut short: the older data stays the slab's) and corrupt otherwise:
 * then it stays the slab's newest, so that its read-back fails and is
 * reported, rather than an older image silently coming back.
 *
 * Nothing is written here: the caller commits a checkpoint of the result
 * first and only then resets the zones found dead (nothing live in them)
 * and finishes the zones kept, so that a crash at any point leaves a
 * device that recovers to the same state.
 *
 * Entries of caches the checkpoint does not know are a volatile cache's:
 * their data is dead, as volatile caches never survive a reload.
 */
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "zslab_internal.h"

/* A slab entry whose data failed its CRC, until its zone says which it was. */
struct bad_entry {
	struct list_head node;
	struct zslab_pcache *pc;
	u32 slab_id;
	u64 seq;
	struct zslab_evicted *ev;
};

struct rec {
	struct zslab_dev *zd;
	struct zslab_recovery *r;
	void *seg;			/* one segment, ZSLAB_MAX_SEGMENT_BYTES */
	u64 ckpt_seg_seq;		/* segments below it are in the checkpoint */
	u64 *ckpt_first;		/* per zone: first_seq the checkpoint saw, 0 none */
	u32 *ckpt_tail;			/* per zone: how far it was written then */
	unsigned long *changed;		/* zones reset since the checkpoint */
	struct list_head bad;		/* this zone's entries that failed their CRC */
	unsigned int bad_segments;	/* this zone's summaries that did not decode */
};

static sector_t lbs_sectors(const struct zslab_dev *zd)
{
	return zd->geo.lbs >> SECTOR_SHIFT;
}

static bool data_zone(const struct zslab_dev *zd, u32 i)
{
	const struct zslab_zone *z;

	if (i < zd->sb.sb.geo.first_data_zone || i >= zd->geo.nr_zones)
		return false;
	z = &zd->zones[i];
	return z->type == BLK_ZONE_TYPE_SEQWRITE_REQ && z->cond != BLK_ZONE_COND_OFFLINE &&
	       z->cond != BLK_ZONE_COND_READONLY;
}

/* Where a zone's written data ends (a full zone: its capacity). */
static sector_t written_end(const struct zslab_zone *z)
{
	if (z->cond == BLK_ZONE_COND_EMPTY)
		return z->start;
	return z->cond == BLK_ZONE_COND_FULL ? z->start + z->capacity : z->wp;
}

static int read_dev(struct rec *st, sector_t sector, void *buf, size_t bytes)
{
	st->r->bytes_read += bytes;
	return zslab_meta_io(st->zd, REQ_OP_READ, sector, buf, bytes, NULL);
}

static struct zslab_pcache *pcache_by_id(struct zslab_dev *zd, u32 id)
{
	struct zslab_pcache *pc;

	list_for_each_entry(pc, &zd->pcaches, node)
		if (pc->id == id)
			return pc;
	return NULL;
}

static u32 slab_sectors(const struct zslab_pcache *pc)
{
	return (ZSLAB_DEFAULT_SLAB_SIZE << pc->slab_order) >> SECTOR_SHIFT;
}

static struct zslab_evicted *ev_new(const struct zslab_pcache *pc, u32 zone, u32 offset,
				    u64 seq, u32 crc, u32 nr_live, const __le64 *map)
{
	struct zslab_evicted *ev = kzalloc(zslab_evicted_bytes(pc->nr_objs), GFP_KERNEL);
	unsigned int i;

	if (!ev)
		return NULL;
	ev->img_zone = zone;
	ev->img_offset = offset;
	ev->img_seq = (u32)seq;
	ev->img_crc = crc;
	ev->nr_live = nr_live;
	if (!map)
		ev->flags = ZSLAB_EV_TOMBSTONE;
	/* One u64 word per unsigned long, as segment.c copies them. */
	for (i = 0; map && i < BITS_TO_LONGS(pc->nr_objs); i++)
		ev->map[i] = le64_to_cpu(map[i]);
	return ev;
}

/**
 * zslab_pcache_apply() - Recovery's rule: the newest entry of a slab wins.
 * @pc: the detached cache being recovered.
 * @slab_id: the slab.
 * @seq: the entry's sequence number.
 * @ev: the entry (a tombstone has ZSLAB_EV_TOMBSTONE), kmalloc()ed; taken.
 *
 * Entries come in any order (the checkpoint, then zones by index); the one
 * with the larger sequence number (serial arithmetic, as writeback
 * compares them) stays, whichever came first, tombstones included.
 *
 * Return: 0 or -ENOMEM.
 */
int zslab_pcache_apply(struct zslab_pcache *pc, u32 slab_id, u64 seq,
		       struct zslab_evicted *ev)
{
	struct zslab_evicted *old = xa_load(&pc->slabs, slab_id);

	pc->next_seq = max(pc->next_seq, seq + 1);
	if (old && (s32)((u32)seq - old->img_seq) <= 0) {
		kfree(ev);
		return 0;
	}
	old = xa_store(&pc->slabs, slab_id, ev, GFP_KERNEL);
	if (xa_is_err(old)) {
		kfree(ev);
		return xa_err(old);
	}
	kfree(old);
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_pcache_apply);

/* --- the checkpoint --- */

static int cache_from_ckpt(struct rec *st, const struct zslab_ckpt_cache *cr,
			   struct zslab_pcache **pcp)
{
	struct zslab_dev *zd = st->zd;
	struct zslab_pcache *pc;

	*pcp = NULL;
	if (pcache_by_id(zd, cr->id) || zslab_pcache_find(zd, cr->name)) {
		st->r->rejected_bounds++;
		pr_err("%s: %s: checkpoint names cache %s (id %u) twice: ignored\n",
		       ZSLAB_NAME, zd->path, cr->name, cr->id);
		return 0;
	}
	pc = zslab_pcache_new(cr->name, cr->id, GFP_KERNEL);
	if (!pc)
		return -ENOMEM;
	pc->object_size = cr->object_size;
	pc->align = cr->align;
	pc->stride = cr->stride;
	pc->nr_objs = cr->nr_objs;
	pc->slab_order = cr->slab_order;
	pc->next_seq = cr->next_seq;
	list_add_tail(&pc->node, &zd->pcaches);
	*pcp = pc;
	return 0;
}

/* A slab the checkpoint lists: its location must be data of a data zone. */
static int slab_from_ckpt(struct rec *st, struct zslab_pcache *pc,
			  const struct zslab_ckpt_slab *sr)
{
	struct zslab_dev *zd = st->zd;
	struct zslab_evicted *ev;

	if (!data_zone(zd, sr->zone) || !st->ckpt_first[sr->zone] ||
	    (u64)sr->offset + slab_sectors(pc) > st->ckpt_tail[sr->zone]) {
		st->r->rejected_bounds++;
		return 0;
	}
	ev = ev_new(pc, sr->zone, sr->offset, sr->seq, sr->data_crc, sr->nr_live, sr->map);
	if (!ev)
		return -ENOMEM;
	return zslab_pcache_apply(pc, sr->slab_id, sr->seq, ev);
}

static int walk_checkpoint(struct rec *st, const void *buf, const struct zslab_ckpt_info *info)
{
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_cache cr;
	struct zslab_ckpt_zone zr;
	struct zslab_ckpt_slab sr;
	const char *why = NULL;
	unsigned int i, j;
	int ret;

	zslab_ckpt_cursor_init(&cur);
	for (i = 0; i < info->nr_zones; i++) {
		ret = zslab_ckpt_next_zone(buf, info, &cur, &zr, &why);
		if (ret < 0)
			return ret;
		if (!data_zone(st->zd, zr.zone) || !zr.first_seq ||
		    zr.tail > st->zd->zones[zr.zone].capacity) {
			st->r->rejected_bounds++;
			continue;
		}
		st->ckpt_first[zr.zone] = zr.first_seq;
		st->ckpt_tail[zr.zone] = zr.tail;
	}
	for (i = 0; i < info->nr_caches; i++) {
		struct zslab_pcache *pc;

		ret = zslab_ckpt_next_cache(buf, info, &cur, &cr, &why);
		if (ret < 0)
			return ret;
		ret = cache_from_ckpt(st, &cr, &pc);
		if (ret)
			return ret;
		for (j = 0; j < cr.nr_slabs; j++) {
			ret = zslab_ckpt_next_slab(buf, info, &cur, &sr, &why);
			if (ret < 0)
				return ret;
			ret = pc ? slab_from_ckpt(st, pc, &sr) : 0;
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Read one copy of the checkpoint and check it against the superblock. */
static int read_checkpoint(struct rec *st, const struct zslab_sb_ckpt *ck, sector_t at,
			   void *buf, struct zslab_ckpt_info *info, const char **why)
{
	int ret = read_dev(st, at, buf, ck->bytes);

	if (ret) {
		*why = "cannot be read";
		return ret;
	}
	ret = zslab_ckpt_decode(buf, ck->bytes, st->zd->geo.lbs, info, why);
	if (!ret && (info->ckpt_seq != ck->seq || info->crc != ck->crc ||
		     info->total_bytes != ck->bytes)) {
		*why = "not the checkpoint the superblock commits";
		ret = -EUCLEAN;
	}
	return ret;
}

/*
 * Read and check the checkpoint the superblock commits: its first copy,
 * else the second. Neither checking out fails the load: without it the
 * persistent caches' names and shapes are unknown, and resetting zones on
 * a guess would lose them.
 */
static int load_checkpoint(struct rec *st, const struct zslab_sb_ckpt *ck)
{
	struct zslab_dev *zd = st->zd;
	u32 zone = ck->sector >> ilog2(zd->geo.zone_sectors);
	sector_t copy = ck->bytes >> SECTOR_SHIFT;
	const char *why = NULL, *why2 = NULL;
	struct zslab_ckpt_info info;
	void *buf;
	int ret;

	st->r->checkpoint_seq = ck->seq;
	st->r->checkpoint_zone = zone;
	st->r->checkpoint_bytes = ck->bytes;
	if (zone >= zd->geo.nr_zones || (zone != zd->sb.sb.geo.meta_zone[0] &&
					 zone != zd->sb.sb.geo.meta_zone[1]) ||
	    ck->sector + 2 * copy > written_end(&zd->zones[zone])) {
		st->r->rejected_bounds++;
		why = "outside the metadata zone it must be in";
		ret = -EUCLEAN;
		goto refuse;
	}
	buf = kvmalloc(ck->bytes, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = read_checkpoint(st, ck, ck->sector, buf, &info, &why);
	if (ret) {
		st->r->rejected_crc++;
		ret = read_checkpoint(st, ck, ck->sector + copy, buf, &info, &why2);
		if (ret)
			st->r->rejected_crc++;
		else
			pr_warn("%s: %s: checkpoint %llu: first copy damaged (%s), the second is used\n",
				ZSLAB_NAME, zd->path, ck->seq, why);
	}
	if (ret) {
		kvfree(buf);
		goto refuse;
	}
	st->ckpt_seg_seq = info.seg_seq;
	zd->seg_seq = max(zd->seg_seq, info.seg_seq);
	zd->ckpt_seq = info.ckpt_seq;
	ret = walk_checkpoint(st, buf, &info);
	kvfree(buf);
	if (ret == -EUCLEAN) {
		why = "a record does not check out";
		st->r->rejected_crc++;
		goto refuse;
	}
	return ret;

refuse:
	st->r->checkpoint_why = why;
	pr_err("%s: %s: checkpoint %llu in zone %u is damaged (%s%s%s); load with format=1 to wipe the device (%d)\n",
	       ZSLAB_NAME, zd->path, ck->seq, zone, why, why2 ? "; second copy: " : "",
	       why2 ?: "", ret);
	return ret;
}

/* --- the zones --- */

/* seg_seq of the segment a zone starts with, 0 if it is no segment. */
static u64 first_seq(struct rec *st, const struct zslab_zone *z)
{
	const struct zslab_seg_hdr *h = st->seg;

	if (read_dev(st, z->start, st->seg, st->zd->geo.lbs) ||
	    le32_to_cpu(h->magic) != ZSLAB_SEG_MAGIC)
		return 0;
	return le64_to_cpu(h->seg_seq);
}

/* Which zones the checkpoint still describes, and where reading starts. */
static void identify_zones(struct rec *st, u32 *from)
{
	struct zslab_dev *zd = st->zd;
	unsigned int i;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];
		sector_t end = written_end(z) - z->start;

		from[i] = U32_MAX;
		if (!data_zone(zd, i))
			continue;
		if (z->cond == BLK_ZONE_COND_EMPTY) {
			if (st->ckpt_first[i])
				__set_bit(i, st->changed);
			continue;
		}
		z->first_seq = first_seq(st, z);
		from[i] = 0;
		if (!st->ckpt_first[i])
			continue;
		if (z->first_seq == st->ckpt_first[i] && end >= st->ckpt_tail[i])
			from[i] = st->ckpt_tail[i];
		else
			__set_bit(i, st->changed);
	}
}

/* Checkpoint entries in zones reset since then: the slab moved or died. */
static void drop_changed(struct rec *st)
{
	struct zslab_pcache *pc;
	struct zslab_evicted *ev;
	unsigned long id;

	list_for_each_entry(pc, &st->zd->pcaches, node) {
		xa_for_each(&pc->slabs, id, ev) {
			if (!test_bit(ev->img_zone, st->changed))
				continue;
			xa_erase(&pc->slabs, id);
			kfree(ev);
			st->r->rejected_identity++;
		}
	}
}

/* The zone went on after bad entries: they were written whole, then damaged. */
static int settle_bad(struct rec *st, bool torn, u32 zone)
{
	struct bad_entry *b, *tmp;
	int ret = 0;

	list_for_each_entry_safe(b, tmp, &st->bad, node) {
		if (torn) {
			kfree(b->ev);
		} else {
			st->r->rejected_crc++;
			pr_err("%s: %s: cache %s slab %u: data in zone %u at sector %u fails its CRC: reads of it will fail\n",
			       ZSLAB_NAME, st->zd->path, b->pc->name, b->slab_id, zone,
			       b->ev->img_offset);
			ret = ret ?: zslab_pcache_apply(b->pc, b->slab_id, b->seq, b->ev);
		}
		list_del(&b->node);
		kfree(b);
	}
	if (torn)
		st->r->torn_segments += st->bad_segments;
	else
		st->r->rejected_crc += st->bad_segments;
	st->bad_segments = 0;
	return ret;
}

static int take_entry(struct rec *st, u32 zone, sector_t seg_at,
		      const struct zslab_seg_slab *e)
{
	struct zslab_pcache *pc = pcache_by_id(st->zd, e->cache_id);
	struct zslab_evicted *ev;
	struct bad_entry *b;
	const char *why;

	if (!pc)
		return 0;		/* a volatile cache's: dead */
	if (e->stride != pc->stride || e->nr_objs != pc->nr_objs ||
	    e->object_size != pc->object_size ||
	    e->slab_size != ZSLAB_DEFAULT_SLAB_SIZE << pc->slab_order) {
		st->r->rejected_bounds++;
		return 0;
	}
	ev = ev_new(pc, zone, seg_at + (e->data_offset >> SECTOR_SHIFT), e->seq,
		    e->data_crc, e->nr_live, e->tombstone ? NULL : e->map);
	if (!ev)
		return -ENOMEM;
	if (e->tombstone || !zslab_seg_check_data(e, st->seg + e->data_offset, &why))
		return zslab_pcache_apply(pc, e->slab_id, e->seq, ev);
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b) {
		kfree(ev);
		return -ENOMEM;
	}
	*b = (struct bad_entry){ .pc = pc, .slab_id = e->slab_id, .seq = e->seq, .ev = ev };
	list_add_tail(&b->node, &st->bad);
	return 0;
}

/*
 * One segment at @pos, read whole and decoded. Return: its length in
 * sectors, 0 for the zone's unwritten end, -EUCLEAN for a block that is
 * no valid segment, or another -errno.
 */
static int read_segment(struct rec *st, const struct zslab_zone *z, sector_t pos,
			struct zslab_seg_info *info)
{
	struct zslab_dev *zd = st->zd;
	const struct zslab_seg_hdr *h = st->seg;
	sector_t end = written_end(z);
	const char *why;
	u64 bytes;
	int ret;

	ret = read_dev(st, pos, st->seg, zd->geo.lbs);
	if (ret)
		return ret;
	if (!memchr_inv(st->seg, 0, zd->geo.lbs))
		return 0;
	bytes = (u64)le32_to_cpu(h->summary_bytes) + le32_to_cpu(h->data_bytes);
	if (le32_to_cpu(h->magic) != ZSLAB_SEG_MAGIC || !bytes ||
	    bytes > ZSLAB_MAX_SEGMENT_BYTES || bytes % zd->geo.lbs ||
	    pos + (bytes >> SECTOR_SHIFT) > end)
		return -EUCLEAN;
	if (bytes > zd->geo.lbs) {
		ret = read_dev(st, pos + lbs_sectors(zd), st->seg + zd->geo.lbs,
			       bytes - zd->geo.lbs);
		if (ret)
			return ret;
	}
	if (zslab_seg_decode(st->seg, bytes, zd->geo.lbs, info, &why) ||
	    (u64)info->summary_bytes + info->data_bytes != bytes)
		return -EUCLEAN;
	return bytes >> SECTOR_SHIFT;
}

/* Read zone @i from @from (sectors) to its written end. */
static int scan_zone(struct rec *st, u32 i, u32 from)
{
	struct zslab_dev *zd = st->zd;
	struct zslab_zone *z = &zd->zones[i];
	sector_t pos = z->start + from, end = written_end(z);
	struct zslab_seg_cursor cur;
	struct zslab_seg_info info;
	struct zslab_seg_slab e;
	const char *why;
	bool in_bad = false;
	int len, ret = 0;

	st->r->zones_scanned++;
	while (pos + lbs_sectors(zd) <= end) {
		len = read_segment(st, z, pos, &info);
		if (!len)
			break;
		if (len == -EUCLEAN) {
			/*
			 * Damaged or torn: look for the next segment block by
			 * block. A run of such blocks is one bad segment.
			 */
			st->bad_segments += !in_bad;
			in_bad = true;
			pos += lbs_sectors(zd);
			continue;
		}
		in_bad = false;
		if (len < 0)
			return len;
		/* Something valid follows: what failed before it was damage. */
		ret = settle_bad(st, false, i);
		if (ret)
			return ret;
		st->r->segments_scanned++;
		zd->seg_seq = max(zd->seg_seq, info.seg_seq + 1);
		if (info.seg_seq >= st->ckpt_seg_seq) {
			zslab_seg_cursor_init(&cur, &info);
			while ((ret = zslab_seg_next(st->seg, &info, &cur, &e, &why)) > 0) {
				ret = take_entry(st, i, pos - z->start, &e);
				if (ret)
					return ret;
			}
			if (ret < 0)
				st->r->rejected_crc++;	/* the CRC held: cannot happen */
		}
		pos += len;
	}
	return settle_bad(st, true, i);
}

/* Tombstones did their work; count what is left into its zones. */
static int count_live(struct rec *st)
{
	struct zslab_dev *zd = st->zd;
	struct zslab_pcache *pc;
	struct zslab_evicted *ev;
	unsigned long id;
	int ret;

	list_for_each_entry(pc, &zd->pcaches, node) {
		xa_for_each(&pc->slabs, id, ev) {
			if ((ev->flags & ZSLAB_EV_TOMBSTONE) || !ev->nr_live) {
				xa_erase(&pc->slabs, id);
				kfree(ev);
				continue;
			}
			zd->zones[ev->img_zone].live += slab_sectors(pc);
			pc->nr_slabs++;
			pc->nr_live += ev->nr_live;
		}
		zslab_pcache_hold(zd, pc, true);
		st->r->caches_recovered++;
		st->r->slabs_recovered += pc->nr_slabs;
		st->r->objects_recovered += pc->nr_live;
		/* Its id stays taken while it is on the device. */
		ret = zslab_cache_id_reserve(pc->id);
		if (ret)
			return ret;
	}
	return 0;
}

/* A written zone outside the metadata zones: its data is ours to judge. */
static bool written_ours(const struct zslab_dev *zd, unsigned int i)
{
	const struct zslab_zone *z = &zd->zones[i];
	const u32 *meta = zd->sb.sb.geo.meta_zone;

	return i != meta[0] && i != meta[1] && z->type == BLK_ZONE_TYPE_SEQWRITE_REQ &&
	       z->cond != BLK_ZONE_COND_OFFLINE && z->cond != BLK_ZONE_COND_READONLY &&
	       z->cond != BLK_ZONE_COND_EMPTY;
}

/* Every written zone but the metadata zones: kept for its live data, or reset. */
static void sort_zones(struct zslab_dev *zd)
{
	unsigned int i;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];

		if (!written_ours(zd, i))
			continue;
		if (data_zone(zd, i) && z->live) {
			__set_bit(i, zd->load_keeps);
			z->stale = z->capacity - min(z->live, z->capacity);
		} else {
			__set_bit(i, zd->load_resets);
			z->first_seq = 0;	/* reset before anything else is written */
		}
	}
}

static int recover_zones(struct rec *st)
{
	struct zslab_dev *zd = st->zd;
	unsigned int i;
	u32 *from;
	int ret = 0;

	from = kcalloc(zd->geo.nr_zones, sizeof(*from), GFP_KERNEL);
	if (!from)
		return -ENOMEM;
	identify_zones(st, from);
	drop_changed(st);
	for (i = 0; i < zd->geo.nr_zones && !ret; i++)
		if (from[i] != U32_MAX)
			ret = scan_zone(st, i, from[i]);
	kfree(from);
	return ret;
}

/**
 * zslab_recover() - Find the persistent caches on a device that is ours.
 * @zd: the device, its superblock chosen (zd->sb.sb.geo is the device's).
 * @sb: the superblock in force.
 *
 * Reads only. Leaves the detached caches on zd->pcaches, each zone's live
 * data counted, and which data zones to reset and which to keep in
 * zd->load_resets and zd->load_keeps. A superblock that commits no
 * checkpoint means nothing persistent was ever made: every data zone is
 * reset without being read.
 *
 * Return: 0, or -errno (the load fails; nothing was written).
 */
int zslab_recover(struct zslab_dev *zd, const struct zslab_sb *sb)
{
	struct zslab_recovery *r = &zd->recovery;
	unsigned int n = zd->geo.nr_zones;
	ktime_t t0 = ktime_get();
	struct rec st = { .zd = zd, .r = r };
	int ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	INIT_LIST_HEAD(&st.bad);
	zd->load_resets = bitmap_zalloc(n, GFP_KERNEL);
	zd->load_keeps = bitmap_zalloc(n, GFP_KERNEL);
	if (!zd->load_resets || !zd->load_keeps)
		goto out;
	if (!sb->ckpt.seq) {
		sort_zones(zd);
		ret = 0;
		goto out;
	}
	st.seg = kvmalloc(ZSLAB_MAX_SEGMENT_BYTES, GFP_KERNEL);
	st.ckpt_first = kcalloc(n, sizeof(*st.ckpt_first), GFP_KERNEL);
	st.ckpt_tail = kcalloc(n, sizeof(*st.ckpt_tail), GFP_KERNEL);
	st.changed = bitmap_zalloc(n, GFP_KERNEL);
	if (!st.seg || !st.ckpt_first || !st.ckpt_tail || !st.changed)
		goto out;
	ret = load_checkpoint(&st, &sb->ckpt);
	if (!ret)
		ret = recover_zones(&st);
	if (!ret) {
		ret = count_live(&st);
		sort_zones(zd);
	}
out:
	kvfree(st.seg);
	kfree(st.ckpt_first);
	kfree(st.ckpt_tail);
	bitmap_free(st.changed);
	r->time_us = ktime_us_delta(ktime_get(), t0);
	if (ret)
		zslab_recovery_free(zd);
	return ret;
}

/**
 * zslab_load_reloc_zone() - The kept zone to leave open for relocation.
 * @zd: the device, zd->load_keeps and zd->load_resets decided.
 *
 * Only when no data zone would be free: finishing every kept zone would
 * leave reclaim nowhere to move live data to, and the device full for good
 * (a crash finishes the zones that were open, and relocation's room with
 * them). The kept zone with the most room wins. Appending after what the
 * crash left is safe: the load's checkpoint records the zone's tail, and
 * later loads read only what follows it.
 *
 * Return: the zone, or 0 (none needed, or none has room).
 */
unsigned int zslab_load_reloc_zone(const struct zslab_dev *zd)
{
	unsigned int i, best = 0;
	sector_t room = 0;

	for (i = zd->sb.sb.geo.first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (!data_zone(zd, i))
			continue;
		if (z->cond == BLK_ZONE_COND_EMPTY || test_bit(i, zd->load_resets))
			return 0;	/* free once the dead zones are reset */
		if (test_bit(i, zd->load_keeps) && z->cond != BLK_ZONE_COND_FULL &&
		    z->start + z->capacity > z->wp && z->start + z->capacity - z->wp > room) {
			room = z->start + z->capacity - z->wp;
			best = i;
		}
	}
	return best;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_load_reloc_zone);

/**
 * zslab_recovery_settle_zones() - Reset the dead data zones, finish the kept.
 * @zd: the device; the checkpoint of what recovery found committed.
 *
 * One kept zone stays open, for relocation, if no data zone would be free
 * otherwise (zd->load_reloc, see zslab_load_reloc_zone()).
 *
 * Return: 0 or -errno.
 */
int zslab_recovery_settle_zones(struct zslab_dev *zd)
{
	struct zslab_recovery *r = &zd->recovery;
	unsigned int i;
	int ret;

	for_each_set_bit(i, zd->load_resets, zd->geo.nr_zones) {
		ret = zslab_sb_reset_zone(zd, i);
		if (ret)
			return ret;
		r->zones_reclaimed++;
	}
	zd->load_reloc = zslab_load_reloc_zone(zd);
	for_each_set_bit(i, zd->load_keeps, zd->geo.nr_zones) {
		struct zslab_zone *z = &zd->zones[i];

		if (z->cond == BLK_ZONE_COND_FULL || i == zd->load_reloc)
			continue;
		ret = zslab_zone_mgmt(zd->bdev, REQ_OP_ZONE_FINISH, z->start, z->len);
		if (ret) {
			pr_err("%s: %s: cannot finish zone %u at load (%d)\n", ZSLAB_NAME,
			       zd->path, i, ret);
			return ret;
		}
		atomic64_inc(&zd->io[ZSLAB_IO_FINISHES]);
		z->cond = BLK_ZONE_COND_FULL;
		z->wp = z->start + z->len;
	}
	if (r->checkpoint_seq)
		pr_info("%s: %s: recovered %u persistent caches, %llu slabs, %llu objects from checkpoint %llu and %llu segments (%llu KiB read in %llu us); rejected: %llu crc, %llu identity, %llu bounds; %llu torn segments\n",
			ZSLAB_NAME, zd->path, r->caches_recovered, r->slabs_recovered,
			r->objects_recovered, r->checkpoint_seq, r->segments_scanned,
			r->bytes_read >> 10, r->time_us, r->rejected_crc, r->rejected_identity,
			r->rejected_bounds, r->torn_segments);
	return 0;
}

/**
 * zslab_recovery_free() - Forget the detached caches and the load's plan.
 * @zd: the device (a failed load, or unload).
 */
void zslab_recovery_free(struct zslab_dev *zd)
{
	struct zslab_pcache *pc, *tmp;

	list_for_each_entry_safe(pc, tmp, &zd->pcaches, node) {
		list_del(&pc->node);
		zslab_pcache_free(pc, false);
	}
	bitmap_free(zd->load_resets);
	bitmap_free(zd->load_keeps);
	zd->load_resets = NULL;
	zd->load_keeps = NULL;
}
