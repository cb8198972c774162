// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints: what recovery starts from, so that a load reads the newest
 * checkpoint and the segments written after it rather than every zone.
 *
 * A checkpoint lists the persistent caches (attached or not), every slab of
 * theirs that has live data on the device (where its newest data lies, its
 * sequence number, bitmap and data CRC), and for every data zone how far it
 * was written and which segment it starts with. It is appended to the
 * metadata zone the superblock log is in, and the next superblock, written
 * after it with a flush and FUA, commits it (superblock.c).
 *
 * It is taken under the writeback mutex with no append bio in flight, so
 * that every entry that landed is recorded and no other will land below a
 * zone's recorded end. Every segment with a smaller sequence number than
 * the checkpoint's is covered by it: recovery skips those.
 *
 * When: at load (what recovery found), when a persistent cache is created,
 * destroyed or erased, at unload, and every checkpoint_mb MiB appended.
 */
#include <linux/blkdev.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "zslab_internal.h"

unsigned int zslab_checkpoint_mb = 64;
module_param_named(checkpoint_mb, zslab_checkpoint_mb, uint, 0644);
MODULE_PARM_DESC(checkpoint_mb,
		 "Write a checkpoint every this many MiB appended while persistent caches are attached, 0 = only at create, destroy, erase and unload (default 64)");

/**
 * zslab_seq64() - A sequence number kept in 32 bits, widened again.
 * @next: the cache's next sequence number (64 bits).
 * @low: the low 32 bits of one of its earlier sequence numbers.
 *
 * Entries of a cache are numbered from 1 up; those still in force are
 * within 2^31 of the next one (as seq_newer() assumes too).
 */
u64 zslab_seq64(u64 next, u32 low)
{
	return next - (u32)((u32)next - low);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seq64);

/**
 * zslab_buf_page() - The page under @p, a kmalloc()ed or vmalloc()ed buffer.
 * @p: an address in the buffer.
 *
 * What bios of segment buffers, read-backs and metadata add page by page.
 */
struct page *zslab_buf_page(void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/**
 * zslab_meta_io() - Read or append a buffer, synchronously, in bios of
 *	at most the zone-append limit.
 * @zd: the device.
 * @opf: REQ_OP_READ or REQ_OP_ZONE_APPEND (then @sector is the zone start).
 * @sector: where.
 * @buf: kmalloc()ed or vmalloc()ed, page aligned.
 * @bytes: whole logical blocks.
 * @landed: appends: where the first bio landed (the rest follows it).
 *
 * Process context; the caller sets its memalloc scope.
 *
 * Return: 0 or -errno.
 */
int zslab_meta_io(struct zslab_dev *zd, blk_opf_t opf, sector_t sector, void *buf,
		  size_t bytes, sector_t *landed)
{
	bool append = (opf & REQ_OP_MASK) == REQ_OP_ZONE_APPEND;
	size_t max = append ? (size_t)zd->geo.max_append_sectors << SECTOR_SHIFT :
		     SZ_1M;
	sector_t first = 0;
	size_t done = 0;
	int ret = 0;

	max = min_t(size_t, max, BIO_MAX_VECS * PAGE_SIZE);
	while (done < bytes && !ret) {
		size_t n = min(max, bytes - done), off;
		struct bio *bio;

		bio = bio_alloc(zd->bdev, DIV_ROUND_UP(n, PAGE_SIZE), opf, GFP_NOIO);
		bio->bi_iter.bi_sector = append ? sector : sector + (done >> SECTOR_SHIFT);
		for (off = 0; off < n; off += PAGE_SIZE) {
			unsigned int len = min_t(size_t, PAGE_SIZE, n - off);
			struct page *page = zslab_buf_page(buf + done + off);
			int added = append ? bio_add_zone_append_page(bio, page, len, 0) :
					     bio_add_page(bio, page, len, 0);

			if (added != len)
				break;
		}
		if (bio->bi_iter.bi_size != n) {
			bio_put(bio);
			return -EIO;
		}
		if (!append)
			flush_kernel_vmap_range(buf + done, n);
		ret = submit_bio_wait(bio);
		if (!ret && append) {
			/* We are the zone's only writer: each lands after the last. */
			if (!done)
				first = bio->bi_iter.bi_sector;
			else if (bio->bi_iter.bi_sector != first + (done >> SECTOR_SHIFT))
				ret = -EIO;
			atomic64_add(n, &zd->io[ZSLAB_IO_META_BYTES]);
		}
		if (!append)
			invalidate_kernel_vmap_range(buf + done, n);
		bio_put(bio);
		done += n;
	}
	if (!ret && append && landed)
		*landed = first;
	return ret;
}

/* --- detached persistent caches --- */

/**
 * zslab_pcache_find() - The detached persistent cache called @name.
 * @zd: the device; the writeback mutex or zslab_caches_lock held.
 * @name: its name.
 *
 * Return: it, or NULL.
 */
struct zslab_pcache *zslab_pcache_find(struct zslab_dev *zd, const char *name)
{
	struct zslab_pcache *pc;

	list_for_each_entry(pc, &zd->pcaches, node)
		if (!strcmp(pc->name, name))
			return pc;
	return NULL;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_pcache_find);

/**
 * zslab_pcache_new() - A detached persistent cache, empty, off any list.
 * @name: its name.
 * @id: its cache id.
 * @gfp: how to allocate it.
 *
 * The caller fills in its shape. Its slab xarray is initialised here, for
 * all of them: lockdep keys an xarray's lock by where it was initialised,
 * and this one, unlike a cache's, is never taken in interrupt context.
 *
 * Return: it, or NULL.
 */
struct zslab_pcache *zslab_pcache_new(const char *name, u32 id, gfp_t gfp)
{
	struct zslab_pcache *pc = kzalloc(sizeof(*pc), gfp);

	if (!pc)
		return NULL;
	strscpy(pc->name, name, sizeof(pc->name));
	pc->id = id;
	xa_init(&pc->slabs);
	return pc;
}

/**
 * zslab_pcache_free() - Free a detached cache's memory (off the list).
 * @pc: the cache.
 * @drop_data: its slabs' data dies (erase); else it stays live in its
 *	zones, now held by whoever took the slabs over.
 */
void zslab_pcache_free(struct zslab_pcache *pc, bool drop_data)
{
	struct zslab_evicted *ev;
	unsigned long id;

	xa_for_each(&pc->slabs, id, ev) {
		if (drop_data)
			zslab_zone_data_dropped(zslab_device, ev->img_zone,
						(4096U << pc->slab_order) >> SECTOR_SHIFT);
		kfree(ev);
	}
	xa_destroy(&pc->slabs);
	kfree(pc);
}

/**
 * zslab_pcache_hold() - A detached cache's data is in its zones, or no more.
 * @zd: the device.
 * @pc: the cache.
 * @hold: it became detached (recovered, destroyed); else it is attached
 *	again or erased.
 *
 * Reclaim leaves zones holding detached data alone: nothing could rewrite
 * it elsewhere until a create attaches it.
 */
void zslab_pcache_hold(struct zslab_dev *zd, struct zslab_pcache *pc, bool hold)
{
	sector_t sectors = (ZSLAB_DEFAULT_SLAB_SIZE << pc->slab_order) >> SECTOR_SHIFT;
	struct zslab_evicted *ev;
	unsigned long id, flags;

	spin_lock_irqsave(&zd->zone_lock, flags);
	xa_for_each(&pc->slabs, id, ev) {
		struct zslab_zone *z = &zd->zones[ev->img_zone];

		z->detached = hold ? z->detached + sectors : z->detached - min(z->detached, sectors);
	}
	spin_unlock_irqrestore(&zd->zone_lock, flags);
}

/* --- building one --- */

static unsigned int count_xa(struct xarray *xa)
{
	unsigned int n = 0;
	unsigned long id;
	void *entry;

	xa_for_each(xa, id, entry)
		n++;
	return n;
}

/* An upper bound of the checkpoint's size, from what exists now. */
static size_t ckpt_bound(struct zslab_dev *zd)
{
	size_t bytes = sizeof(struct zslab_ckpt_hdr) + zd->geo.lbs +
		       (size_t)zd->geo.nr_zones * sizeof(struct zslab_ckpt_zone_disk);
	struct zslab_pcache *pc;
	struct zslab_cache *c;

	list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex)) {
		if (!zslab_cache_persistent(c))
			continue;
		bytes += sizeof(struct zslab_ckpt_cache_disk) +
			 (size_t)count_xa(&c->slabs) * zslab_ckpt_slab_bytes(c->objs_per_slab);
	}
	list_for_each_entry(pc, &zd->pcaches, node)
		bytes += sizeof(struct zslab_ckpt_cache_disk) +
			 (size_t)pc->nr_slabs * zslab_ckpt_slab_bytes(pc->nr_objs);
	return round_up(bytes, zd->geo.lbs);
}

/* Data zones written, with what recovery needs to know them again. */
static bool add_zones(struct zslab_dev *zd, struct zslab_ckpt_builder *b)
{
	unsigned int i, first = zd->sb.sb.geo.first_data_zone;
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&zd->zone_lock, flags);
	for (i = first; i < zd->geo.nr_zones && ok; i++) {
		const struct zslab_zone *z = &zd->zones[i];
		struct zslab_ckpt_zone r = { .zone = i, .first_seq = z->first_seq };

		if (!z->first_seq || z->cond == BLK_ZONE_COND_EMPTY)
			continue;
		r.tail = z->cond == BLK_ZONE_COND_FULL ? z->capacity : z->wp - z->start;
		ok = zslab_ckpt_add_zone(b, &r);
	}
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	return ok;
}

static void cache_record(struct zslab_ckpt_cache *r, const char *name, u32 id,
			 u32 object_size, u32 align, u32 stride, u32 nr_objs,
			 u32 slab_order, u64 next_seq)
{
	memset(r, 0, sizeof(*r));
	strscpy(r->name, name, sizeof(r->name));
	r->id = id;
	r->object_size = object_size;
	r->align = align;
	r->stride = stride;
	r->nr_objs = nr_objs;
	r->slab_order = slab_order;
	r->next_seq = next_seq;
}

static bool add_evicted(struct zslab_ckpt_builder *b, u32 id, u64 next_seq,
			const struct zslab_evicted *ev)
{
	struct zslab_ckpt_slab r = {
		.slab_id = id,
		.zone = ev->img_zone,
		.offset = ev->img_offset,
		.data_crc = ev->img_crc,
		.seq = zslab_seq64(next_seq, ev->img_seq),
		.nr_live = ev->nr_live,
	};

	if (!ev->nr_live || ev->img_zone == ZSLAB_NO_IMAGE)
		return true;	/* emptied while out: a tombstone is owed */
	return zslab_ckpt_add_slab(b, &r, ev->map);
}

/*
 * An attached cache: its slabs as the device has them. Resident slabs
 * give their device bitmap, not inuse, which runs ahead while dirty. The
 * cache lock keeps an evicted descriptor from being freed by a read-back
 * while we copy it; image fields change only in completions, and none is
 * in flight.
 */
static bool add_attached(struct zslab_ckpt_builder *b, struct zslab_cache *c)
{
	struct zslab_ckpt_cache r;
	unsigned long id, flags;
	void *entry;
	bool ok = true;

	cache_record(&r, c->name, c->id, c->object_size, c->align, c->stride,
		     c->objs_per_slab, c->slab_order, c->seq);
	if (!zslab_ckpt_add_cache(b, &r))
		return false;
	xa_for_each(&c->slabs, id, entry) {
		spin_lock_irqsave(&c->lock, flags);
		entry = xa_load(&c->slabs, id);
		if (entry && zslab_entry_evicted(entry)) {
			ok = add_evicted(b, id, c->seq, zslab_entry_to_evicted(entry));
		} else if (entry) {
			struct zslab_slab *s = entry;
			unsigned long *dev = zslab_slab_devmap(c, s);
			struct zslab_ckpt_slab sr = {
				.slab_id = id,
				.zone = s->img_zone,
				.offset = s->img_offset,
				.data_crc = s->img_crc,
				.seq = zslab_seq64(c->seq, s->img_seq),
				.nr_live = bitmap_weight(dev, c->objs_per_slab),
			};

			if (s->img_zone != ZSLAB_NO_IMAGE && sr.nr_live)
				ok = zslab_ckpt_add_slab(b, &sr, dev);
		}
		spin_unlock_irqrestore(&c->lock, flags);
		if (!ok)
			return false;
	}
	return true;
}

static bool add_detached(struct zslab_ckpt_builder *b, struct zslab_pcache *pc)
{
	struct zslab_ckpt_cache r;
	struct zslab_evicted *ev;
	unsigned long id;

	cache_record(&r, pc->name, pc->id, pc->object_size, pc->align, pc->stride,
		     pc->nr_objs, pc->slab_order, pc->next_seq);
	if (!zslab_ckpt_add_cache(b, &r))
		return false;
	xa_for_each(&pc->slabs, id, ev)
		if (!add_evicted(b, id, pc->next_seq, ev))
			return false;
	return true;
}

/* Build the checkpoint of now into a new buffer; the caller kvfree()s it. */
static int ckpt_build(struct zslab_dev *zd, void **bufp, u32 *len,
		      struct zslab_ckpt_info *info)
{
	struct zslab_ckpt_builder b;
	size_t cap = ckpt_bound(zd);
	struct zslab_pcache *pc;
	struct zslab_cache *c;
	bool ok;
	void *buf;

	if (cap > ZSLAB_CKPT_MAX_BYTES)
		return -EFBIG;
	buf = kvzalloc(cap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	zslab_ckpt_start(&b, buf, cap);
	ok = add_zones(zd, &b);
	list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex))
		if (ok && zslab_cache_persistent(c))
			ok = add_attached(&b, c);
	list_for_each_entry(pc, &zd->pcaches, node)
		if (ok)
			ok = add_detached(&b, pc);
	*len = ok ? zslab_ckpt_finish(&b, zd->ckpt_seq + 1, zd->seg_seq, zd->geo.lbs) : 0;
	if (!*len) {
		kvfree(buf);
		return -EFBIG;
	}
	*info = (struct zslab_ckpt_info) {
		.ckpt_seq = zd->ckpt_seq + 1,
		.seg_seq = zd->seg_seq,
		.total_bytes = *len,
		.crc = le32_to_cpu(((struct zslab_ckpt_hdr *)buf)->crc),
	};
	*bufp = buf;
	return 0;
}

/* Build and commit; the writeback mutex held (or the load, alone). */
static int write_checkpoint(struct zslab_dev *zd)
{
	struct zslab_ckpt_info info;
	void *buf;
	u32 len;
	int ret;

	ret = ckpt_build(zd, &buf, &len, &info);
	if (!ret) {
		ret = zslab_sb_commit(zd, buf, len, &info);
		kvfree(buf);
	}
	if (ret) {
		atomic64_inc(&zd->io[ZSLAB_IO_CHECKPOINT_ERRORS]);
		pr_warn_ratelimited("%s: %s: cannot write a checkpoint (%d): the previous one stays in force\n",
				    ZSLAB_NAME, zd->path, ret);
		return ret;
	}
	zd->ckpt_seq = info.ckpt_seq;
	/* Committed: the tombstones it covers hold no zone's reset any more. */
	WRITE_ONCE(zd->ckpt_seg_seq, info.seg_seq);
	zd->ckpt_append_bytes = atomic64_read(&zd->io[ZSLAB_IO_APPEND_BYTES]);
	atomic64_inc(&zd->io[ZSLAB_IO_CHECKPOINTS]);
	atomic64_add(len, &zd->io[ZSLAB_IO_CHECKPOINT_BYTES]);
	return 0;
}

/**
 * zslab_checkpoint_locked() - Write a checkpoint now.
 * @zd: the device, writeback mutex held, under memalloc_noio_save().
 *
 * Waits for every append bio in flight first: passes submit only under
 * the mutex, so none starts meanwhile.
 *
 * Return: 0 or -errno (counted; the previous checkpoint stays in force).
 */
int zslab_checkpoint_locked(struct zslab_dev *zd)
{
	lockdep_assert_held(&zd->wb_mutex);
	flush_work(&zd->submit_work);
	wait_event(zd->inflight_wait, !atomic_read(&zd->inflight));
	return write_checkpoint(zd);
}

/**
 * zslab_checkpoint() - Write a checkpoint now. Process context; sleeps.
 * @zd: the device.
 *
 * Return: 0 or -errno.
 */
int zslab_checkpoint(struct zslab_dev *zd)
{
	unsigned int noio = memalloc_noio_save();
	int ret;

	mutex_lock(&zd->wb_mutex);
	ret = zslab_checkpoint_locked(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	return ret;
}

static bool persistent_attached(struct zslab_dev *zd)
{
	struct zslab_cache *c;
	bool any = false;

	rcu_read_lock();
	list_for_each_entry_rcu(c, &zslab_caches, node)
		any |= zslab_cache_persistent(c);
	rcu_read_unlock();
	return any;
}

/**
 * zslab_checkpoint_if_due() - A checkpoint every checkpoint_mb MiB appended.
 * @zd: the device. Process context (the writeback worker, a sync).
 *
 * Recovery reads what was appended since the last checkpoint: this bounds
 * it while persistent caches are attached.
 */
void zslab_checkpoint_if_due(struct zslab_dev *zd)
{
	u64 mb = READ_ONCE(zslab_checkpoint_mb);
	u64 since = atomic64_read(&zd->io[ZSLAB_IO_APPEND_BYTES]) -
		    READ_ONCE(zd->ckpt_append_bytes);

	if (mb && since >= mb << 20 && persistent_attached(zd))
		zslab_checkpoint(zd);
}

/**
 * zslab_checkpoint_load() - The load's superblock, with a checkpoint of
 *	what recovery found if it found a persistent cache.
 * @zd: the device; recovery done, nothing else running.
 *
 * Return: 0 or -errno (the load fails: nothing it found was changed).
 */
int zslab_checkpoint_load(struct zslab_dev *zd)
{
	int ret;

	/* Nothing persistent left: the next load resets every data zone. */
	if (list_empty(&zd->pcaches))
		return zslab_sb_commit(zd, NULL, 0, NULL);
	mutex_lock(&zd->wb_mutex);
	ret = write_checkpoint(zd);
	mutex_unlock(&zd->wb_mutex);
	if (ret)
		pr_err("%s: %s: cannot write the checkpoint of what recovery found (%d)\n",
		       ZSLAB_NAME, zd->path, ret);
	return ret;
}

/**
 * zslab_cache_erase() - Delete a detached persistent cache's data.
 * @name: the cache's name.
 *
 * The checkpoint that no longer lists it is written first; only then does
 * its data die (its zones are reset once nothing else lives there), so a
 * crash midway leaves it whole or gone. Process context; sleeps.
 *
 * Return: 0, -ENOENT if the device has no persistent cache of that name,
 * -EBUSY if it is attached (created and not destroyed), or the error of
 * the checkpoint (the cache is then still there).
 */
int zslab_cache_erase(const char *name)
{
	struct zslab_dev *zd = zslab_device;
	struct zslab_pcache *pc = NULL;
	struct zslab_cache *c;
	unsigned int noio;
	int ret = -ENOENT;

	if (!name)
		return -EINVAL;
	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	mutex_lock(&zslab_caches_lock);
	list_for_each_entry(c, &zslab_caches, node)
		if (!strcmp(c->name, name))
			ret = -EBUSY;
	if (ret != -EBUSY) {
		pc = zslab_pcache_find(zd, name);
		if (pc) {
			list_del(&pc->node);
			ret = 0;
		}
	}
	mutex_unlock(&zslab_caches_lock);
	if (pc) {
		ret = zslab_checkpoint_locked(zd);
		if (ret) {
			mutex_lock(&zslab_caches_lock);
			list_add_tail(&pc->node, &zd->pcaches);
			mutex_unlock(&zslab_caches_lock);
		} else {
			zslab_cache_id_release(pc->id);
			zslab_pcache_hold(zd, pc, false);
			zslab_pcache_free(pc, true);
			zslab_zones_tidy(zd);
		}
	}
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	if (ret == -ENOENT)
		pr_err("%s: erase %s: no persistent cache of that name on the device (%d)\n",
		       ZSLAB_NAME, name, ret);
	else if (ret == -EBUSY)
		pr_err("%s: erase %s: the cache is attached; destroy it first (%d)\n",
		       ZSLAB_NAME, name, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(zslab_cache_erase);
