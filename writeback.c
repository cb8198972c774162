// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback: dirty slabs become slab images appended to zones.
 *
 * Alloc, free and zslab_mark_dirty() put a slab on its cache's dirty list
 * (once: the DIRTY flag guards the list). A writeback pass, in the
 * background every writeback_ms or in zslab_cache_sync(), takes the list,
 * clears each slab's DIRTY flag and only then copies the slab into an image
 * buffer: a change made after the copy dirties the slab again and it is
 * written again. Clients' pages are never under a bio; image buffers are.
 *
 * Images of one cache are packed into zone-append bios up to the device's
 * append limit. The completion says where the bio landed; that sector is
 * checked against the window the zone reservation allows, recorded as the
 * newest image of each slab, and the image it supersedes becomes stale.
 *
 * Memory: bios come from a bio_set, image buffers from a fixed set allocated
 * at load, and every pass runs under memalloc_noio_save(), so writeback
 * makes progress when memory is short.
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "zslab_internal.h"
#define CREATE_TRACE_POINTS
#include "zslab_trace.h"

unsigned int zslab_writeback_ms = 1000;

/* A new interval takes effect now: the worker runs and re-arms with it. */
static int set_writeback_ms(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret && zslab_device)
		mod_delayed_work(zslab_device->wq, &zslab_device->wb_work, 0);
	return ret;
}

/**
 * zslab_set_writeback_ms() - Change the background interval, as the
 *	parameter does, and wait for the pass that starts.
 * @ms: the interval, 0 = writeback only on zslab_cache_sync().
 *
 * Process context. Turning writeback off this way means no background pass
 * runs after the return.
 *
 * Return: the interval before.
 */
unsigned int zslab_set_writeback_ms(unsigned int ms)
{
	unsigned int was = xchg(&zslab_writeback_ms, ms);

	if (zslab_device) {
		mod_delayed_work(zslab_device->wq, &zslab_device->wb_work, 0);
		flush_delayed_work(&zslab_device->wb_work);
	}
	return was;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_set_writeback_ms);

static const struct kernel_param_ops writeback_ms_ops = {
	.set = set_writeback_ms,
	.get = param_get_uint,
};
module_param_cb(writeback_ms, &writeback_ms_ops, &zslab_writeback_ms, 0644);
MODULE_PARM_DESC(writeback_ms, "Background writeback interval in ms, 0 = only on zslab_cache_sync() (default 1000)");

/* Largest append bio we build, and so the most images in flight per bio. */
#define ZSLAB_MAX_BIO_BYTES	(128 * 1024)
#define ZSLAB_MAX_BIO_IMAGES	(ZSLAB_MAX_BIO_BYTES / (ZSLAB_DEFAULT_SLAB_SIZE + 512))
/* Image buffers, so append bios in flight at once: 2 MiB at 128 KiB each. */
#define ZSLAB_WB_BUFS		16
#define ZSLAB_BIO_POOL_MIN	4	/* bios the bio_set keeps in reserve */

const char *const zslab_io_stat_names[ZSLAB_IO_NR] = {
	[ZSLAB_IO_BIOS]		= "bios",
	[ZSLAB_IO_APPENDS]	= "appends",
	[ZSLAB_IO_APPEND_BYTES]	= "append_bytes",
	[ZSLAB_IO_FLUSHES]	= "flushes",
	[ZSLAB_IO_RESETS]	= "resets",
	[ZSLAB_IO_FINISHES]	= "finishes",
	[ZSLAB_IO_ERRORS]	= "errors",
	[ZSLAB_IO_MISPLACED]	= "misplaced",
	[ZSLAB_IO_LAT_TOTAL_NS]	= "append_latency_total_ns",
	[ZSLAB_IO_LAT_MAX_NS]	= "append_latency_max_ns",
};

const char *const zslab_wb_stat_names[ZSLAB_NR_WB_STATS] = {
	[ZSLAB_WB_DIRTIED]	= "slabs_dirtied",
	[ZSLAB_WB_WRITTEN]	= "slabs_written",
	[ZSLAB_WB_BYTES]	= "bytes_written",
	[ZSLAB_WB_SKIPPED_EMPTY] = "empty_slabs_not_written",
	[ZSLAB_WB_ERRORS]	= "write_errors",
	[ZSLAB_WB_SYNCS]	= "syncs",
};

/* One append bio and what it carries. */
struct zslab_wb_bio {
	struct zslab_dev *zd;
	struct zslab_cache *c;
	struct zslab_img_buf *buf;
	unsigned int zone;
	unsigned int nr;
	u64 first_seq;
	ktime_t start;
	struct llist_node submit_node;	/* on zd->submit_list until submitted */
	struct zslab_slab *slabs[ZSLAB_MAX_BIO_IMAGES];
	struct bio bio;		/* last: allocated from the bio_set's front pad */
};

static inline unsigned int img_bytes(struct zslab_cache *c)
{
	return c->img_sectors << SECTOR_SHIFT;
}

static unsigned int images_per_bio(struct zslab_dev *zd, struct zslab_cache *c)
{
	return min_t(unsigned int, zd->buf_bytes / img_bytes(c), ZSLAB_MAX_BIO_IMAGES);
}

/* The out-of-line half of zslab_slab_mark_dirty(): the slab looked clean. */
void __zslab_slab_mark_dirty(struct zslab_cache *c, struct zslab_slab *s)
{
	if (atomic_fetch_or(ZSLAB_SLAB_DIRTY, &s->flags) & ZSLAB_SLAB_DIRTY)
		return;
	this_cpu_inc(c->cpu->slabs_dirtied);	/* a shared counter would bounce */
	llist_add(&s->dirty_node, &c->dirty);
}

/* Newer in serial-number arithmetic: sequence numbers are stored in 32 bits. */
static bool seq_newer(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

/**
 * zslab_slab_drop_image() - The slab's newest image is no longer needed.
 * @s: the slab (its live objects, if any, are written again elsewhere or
 *	the slab is going away).
 * @img_sectors: size of the cache's images.
 */
void zslab_slab_drop_image(struct zslab_slab *s, unsigned int img_sectors)
{
	unsigned long flags;
	u32 zone;

	spin_lock_irqsave(&zslab_device->zone_lock, flags);
	zone = s->img_zone;
	s->img_zone = ZSLAB_NO_IMAGE;
	spin_unlock_irqrestore(&zslab_device->zone_lock, flags);
	if (zone != ZSLAB_NO_IMAGE)
		zslab_zone_image_dropped(zslab_device, zone, img_sectors);
}

/*
 * Record the bio's images as their slabs' newest, unless a newer image of a
 * slab landed first; the images they supersede become stale. One lock hold
 * for the whole bio.
 */
static void record_images(struct zslab_dev *zd, struct zslab_wb_bio *wb,
			  sector_t sector)
{
	struct zslab_cache *c = wb->c;
	bool reset_due = false;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&zd->zone_lock, flags);
	for (i = 0; i < wb->nr; i++) {
		struct zslab_slab *s = wb->slabs[i];
		u32 seq = (u32)(wb->first_seq + i), stale_zone;

		if (s->img_zone == ZSLAB_NO_IMAGE || seq_newer(seq, s->img_seq)) {
			stale_zone = s->img_zone;
			s->img_zone = wb->zone;
			s->img_offset = sector + (sector_t)i * c->img_sectors -
					zd->zones[wb->zone].start;
			s->img_seq = seq;
		} else {
			stale_zone = wb->zone;	/* an older image landed last */
		}
		if (stale_zone != ZSLAB_NO_IMAGE)
			reset_due |= zslab_zone_image_dropped_locked(zd, stale_zone,
								     c->img_sectors);
	}
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	/* A zone whose images are all stale is reset at once, by the worker. */
	if (reset_due)
		mod_delayed_work(zd->wq, &zd->wb_work, 0);
}

static struct zslab_img_buf *img_buf_take(struct zslab_dev *zd)
{
	struct zslab_img_buf *b;
	unsigned long flags;

	spin_lock_irqsave(&zd->buf_lock, flags);
	b = list_first_entry_or_null(&zd->free_bufs, struct zslab_img_buf, node);
	if (b)
		list_del(&b->node);
	spin_unlock_irqrestore(&zd->buf_lock, flags);
	return b;
}

/* A free image buffer; waits for a bio to complete if all are in flight. */
static struct zslab_img_buf *img_buf_get(struct zslab_dev *zd)
{
	struct zslab_img_buf *b;

	wait_event(zd->buf_wait, (b = img_buf_take(zd)));
	return b;
}

/* Any context. */
static void img_buf_put(struct zslab_dev *zd, struct zslab_img_buf *b)
{
	unsigned long flags;

	spin_lock_irqsave(&zd->buf_lock, flags);
	list_add(&b->node, &zd->free_bufs);
	spin_unlock_irqrestore(&zd->buf_lock, flags);
	wake_up(&zd->buf_wait);
}

static struct page *img_buf_page(void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/*
 * Bytes of a buffer one bio_vec may take: a kmalloc()ed buffer is physically
 * contiguous, so a few large segments (one, on NVMe) rather than a page
 * each; an append bio must never need splitting, so not past the limit.
 */
static unsigned int img_buf_segment(struct zslab_dev *zd, struct zslab_img_buf *b)
{
	unsigned int seg = queue_max_segment_size(bdev_get_queue(zd->bdev));

	if (is_vmalloc_addr(b->mem) || seg < PAGE_SIZE)
		return PAGE_SIZE;
	return round_down(seg, PAGE_SIZE);
}

static void wb_end_io(struct bio *bio)
{
	struct zslab_wb_bio *wb = container_of(bio, struct zslab_wb_bio, bio);
	struct zslab_dev *zd = wb->zd;
	struct zslab_cache *c = wb->c;
	sector_t sector = bio->bi_iter.bi_sector;
	sector_t sectors = (sector_t)wb->nr * c->img_sectors;
	u64 lat = ktime_to_ns(ktime_sub(ktime_get(), wb->start));
	unsigned int i;
	bool ok;

	ok = zslab_zone_append_done(zd, wb->zone, sector, sectors, !bio->bi_status);
	trace_zslab_wb_complete(c->id, wb->zone, sector, wb->nr,
				ok ? 0 : blk_status_to_errno(bio->bi_status) ?: -EIO, lat);
	if (ok)
		record_images(zd, wb, sector);
	else
		for (i = 0; i < wb->nr; i++)
			zslab_slab_mark_dirty(c, wb->slabs[i]);	/* write it elsewhere */
	if (ok) {
		atomic64_add(wb->nr, &c->wb[ZSLAB_WB_WRITTEN]);
		atomic64_add(sectors << SECTOR_SHIFT, &c->wb[ZSLAB_WB_BYTES]);
	} else {
		atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
		atomic64_add(wb->nr, &c->wb[ZSLAB_WB_ERRORS]);
		atomic_cmpxchg(&c->wb_error, 0, -EIO);	/* the first error wins */
	}
	atomic64_add(lat, &zd->io[ZSLAB_IO_LAT_TOTAL_NS]);
	if (lat > atomic64_read(&zd->io[ZSLAB_IO_LAT_MAX_NS]))
		atomic64_set(&zd->io[ZSLAB_IO_LAT_MAX_NS], lat);

	img_buf_put(zd, wb->buf);
	bio_put(bio);
	if (atomic_dec_and_test(&c->inflight))
		wake_up_all(&c->wb_wait);
	if (atomic_dec_and_test(&zd->inflight))
		wake_up_all(&zd->inflight_wait);
}

static struct zslab_wb_bio *wb_bio_alloc(struct zslab_dev *zd, struct zslab_cache *c)
{
	unsigned int pages = DIV_ROUND_UP(zd->buf_bytes, PAGE_SIZE);
	struct zslab_wb_bio *wb;
	struct bio *bio;

	/* GFP_NOIO from a bio_set, a buffer of our own: waits, never fails. */
	bio = bio_alloc_bioset(zd->bdev, pages, REQ_OP_ZONE_APPEND, GFP_NOIO,
			       &zd->bio_set);
	wb = container_of(bio, struct zslab_wb_bio, bio);
	wb->zd = zd;
	wb->c = c;
	wb->nr = 0;
	wb->buf = img_buf_get(zd);
	if (wb->buf->img_bytes != img_bytes(c) || wb->buf->hdr_size != c->hdr_size ||
	    wb->buf->hdr_used != zslab_image_hdr_used(c->objs_per_slab)) {
		/* Another layout's header bytes may lie in our padding. */
		memset(wb->buf->mem, 0, zd->buf_bytes);
		wb->buf->img_bytes = img_bytes(c);
		wb->buf->hdr_size = c->hdr_size;
		wb->buf->hdr_used = zslab_image_hdr_used(c->objs_per_slab);
	}
	return wb;
}

static void wb_bio_free(struct zslab_wb_bio *wb)
{
	img_buf_put(wb->zd, wb->buf);
	bio_put(&wb->bio);
}

/*
 * The pass hands its bios to a worker that submits them, so that it goes
 * on encoding the next bio meanwhile: the device driver's work, and the
 * completion interrupts that follow (they come to the submitting CPU), are
 * then on whichever CPU the unbound worker runs, not in the encoding loop.
 * One worker and a FIFO list keep the bios in the order they were made.
 */
static void submit_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(work, struct zslab_dev, submit_work);
	struct llist_node *list = llist_reverse_order(llist_del_all(&zd->submit_list));
	struct zslab_wb_bio *wb, *next;
	struct blk_plug plug;

	blk_start_plug(&plug);
	llist_for_each_entry_safe(wb, next, list, submit_node) {
		wb->start = ktime_get();
		submit_bio(&wb->bio);
	}
	blk_finish_plug(&plug);
}

static void queue_submit(struct zslab_dev *zd, struct zslab_wb_bio *wb)
{
	if (llist_add(&wb->submit_node, &zd->submit_list))
		queue_work(zd->submit_wq, &zd->submit_work);
}

/* Put the images in the bio, find them a zone and send them. */
static int wb_submit(struct zslab_dev *zd, struct zslab_cache *c,
		     struct zslab_wb_bio *wb)
{
	unsigned int len = wb->nr * img_bytes(c), done = 0, i;
	struct bio *bio = &wb->bio;
	sector_t offset;
	int ret;

	while (done < len) {
		unsigned int n = min(img_buf_segment(zd, wb->buf), len - done);

		if (bio_add_zone_append_page(bio, img_buf_page(wb->buf->mem + done),
					     n, 0) != n)
			break;
		done += n;
	}
	flush_kernel_vmap_range(wb->buf->mem, len);	/* if vmalloc()ed */
	ret = done == len ? 0 : -EIO;
	if (!ret)
		ret = zslab_zone_reserve(zd, c, len >> SECTOR_SHIFT, &wb->zone, &offset);
	if (ret == -ENOSPC) {
		/*
		 * Zones we closed keep their tokens until their bios land and
		 * they are finished: let that happen, then look again.
		 */
		wait_event(zd->inflight_wait, !atomic_read(&zd->inflight));
		zslab_zones_tidy(zd);
		ret = zslab_zone_reserve(zd, c, len >> SECTOR_SHIFT, &wb->zone, &offset);
	}
	if (ret) {
		/* Not written: the slabs stay dirty, the next sync reports it. */
		for (i = 0; i < wb->nr; i++)
			zslab_slab_mark_dirty(c, wb->slabs[i]);
		atomic_cmpxchg(&c->wb_error, 0, ret);
		wb_bio_free(wb);
		return ret;
	}

	bio->bi_iter.bi_sector = zd->zones[wb->zone].start;
	bio->bi_end_io = wb_end_io;
	atomic_inc(&c->inflight);
	atomic_inc(&zd->inflight);
	atomic64_inc(&zd->io[ZSLAB_IO_BIOS]);
	atomic64_add(wb->nr, &zd->io[ZSLAB_IO_APPENDS]);
	atomic64_add(len, &zd->io[ZSLAB_IO_APPEND_BYTES]);
	trace_zslab_wb_submit(c->id, wb->zone, wb->nr, len, wb->first_seq);
	queue_submit(zd, wb);
	return 0;
}

static void encode_slab(struct zslab_dev *zd, struct zslab_cache *c,
			struct zslab_wb_bio *wb, struct zslab_slab *s)
{
	struct zslab_image_layout l = {
		.cache_id = c->id,
		.slab_size = c->slab_size,
		.object_size = c->object_size,
		.stride = c->stride,
		.nr_objs = c->objs_per_slab,
		.lbs = zd->geo.lbs,
		.slab_id = s->id,
		.seq = c->seq++,
	};

	if (!wb->nr)
		wb->first_seq = l.seq;
	/* The buffer's layout is c's: its padding is zero (wb_bio_alloc()). */
	zslab_image_encode(wb->buf->mem + wb->nr * img_bytes(c), &l, s->map,
			   s->base, true);
	wb->slabs[wb->nr++] = s;
}

/**
 * zslab_writeback_cache() - Write every dirty slab of a cache.
 * @zd: the device.
 * @c: the cache.
 *
 * Submits and returns; completions record where the images landed.
 * Called with the writeback mutex held.
 *
 * Return: 0 or the first submission error (the slabs stay dirty).
 */
int zslab_writeback_cache(struct zslab_dev *zd, struct zslab_cache *c)
{
	unsigned int per_bio = images_per_bio(zd, c);
	struct llist_node *list = llist_reverse_order(llist_del_all(&c->dirty));
	struct zslab_wb_bio *wb = NULL;
	struct zslab_slab *s, *next;
	int ret = 0, err;

	lockdep_assert_held(&zd->wb_mutex);
	llist_for_each_entry_safe(s, next, list, dirty_node) {
		/* Clear DIRTY before copying: later changes queue it again. */
		int flags = atomic_fetch_andnot(ZSLAB_SLAB_DIRTY, &s->flags);

		if (flags & ZSLAB_SLAB_DEAD)
			continue;
		if (bitmap_empty(s->map, c->objs_per_slab)) {
			/* Nothing live: no image needed, the old one is stale. */
			zslab_slab_drop_image(s, c->img_sectors);
			atomic64_inc(&c->wb[ZSLAB_WB_SKIPPED_EMPTY]);
			continue;
		}
		if (!wb)
			wb = wb_bio_alloc(zd, c);
		encode_slab(zd, c, wb, s);
		if (wb->nr == per_bio) {
			err = wb_submit(zd, c, wb);
			ret = ret ?: err;
			wb = NULL;
		}
	}
	if (wb) {
		err = wb_submit(zd, c, wb);
		ret = ret ?: err;
	}
	return ret;
}

/**
 * zslab_wait_writeback() - Wait until no append bio of @c is in flight.
 * @c: the cache.
 */
void zslab_wait_writeback(struct zslab_cache *c)
{
	wait_event(c->wb_wait, !atomic_read(&c->inflight));
}

/*
 * Run @fn on every cache, with the writeback mutex held (one pass or reap
 * at a time) and the cache list locked, then settle the zones: reset those
 * left with nothing live, finish the full ones. Under memalloc_noio_save().
 */
static void walk_caches_then_tidy(struct zslab_dev *zd, void *arg,
				  void (*fn)(struct zslab_dev *zd,
					     struct zslab_cache *c, void *arg))
{
	struct zslab_cache *c;
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	mutex_lock(&zslab_caches_lock);
	list_for_each_entry(c, &zslab_caches, node)
		fn(zd, c, arg);
	mutex_unlock(&zslab_caches_lock);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
}

static void write_and_reap_cache(struct zslab_dev *zd, struct zslab_cache *c,
				 void *unused)
{
	zslab_writeback_cache(zd, c);
	zslab_reap_dead_slabs(c);
}

static void writeback_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(to_delayed_work(work),
					    struct zslab_dev, wb_work);
	unsigned int ms = READ_ONCE(zslab_writeback_ms);

	walk_caches_then_tidy(zd, NULL, write_and_reap_cache);
	if (ms)
		queue_delayed_work(zd->wq, &zd->wb_work, msecs_to_jiffies(ms));
}

/*
 * With background writeback off, a retired slab would wait on the dirty
 * list for the next sync before it could be freed, and churn would keep
 * its peak in pages. A reap takes the retired slabs off the list without
 * writing anything: the other slabs go back on it, still dirty.
 */
static void unlist_dead_slabs(struct zslab_cache *c)
{
	struct llist_node *list = llist_del_all(&c->dirty);
	struct zslab_slab *s, *next;

	llist_for_each_entry_safe(s, next, list, dirty_node) {
		if (!(atomic_read(&s->flags) & ZSLAB_SLAB_DEAD)) {
			/* DIRTY stays set, so nobody else adds it meanwhile. */
			llist_add(&s->dirty_node, &c->dirty);
			continue;
		}
		if (!(atomic_fetch_andnot(ZSLAB_SLAB_DIRTY, &s->flags) & ZSLAB_SLAB_DEAD))
			zslab_slab_mark_dirty(c, s);	/* revived meanwhile */
	}
}

/* Retired slabs are freed once none has retired for this long. */
#define ZSLAB_REAP_DELAY	HZ

/*
 * Free the retired slabs of a cache where none retired for a while; churn
 * still going on keeps them for revival, and @again says when to look.
 */
static void reap_cache(struct zslab_dev *zd, struct zslab_cache *c, void *again)
{
	unsigned long due = READ_ONCE(c->last_retire) + ZSLAB_REAP_DELAY;
	unsigned long *later = again;

	if (!READ_ONCE(c->nr_dead))
		return;
	if (time_before(jiffies, due)) {
		*later = max(*later, due - jiffies);
		return;
	}
	unlist_dead_slabs(c);
	zslab_reap_dead_slabs(c);
}

static void reap_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(to_delayed_work(work),
					    struct zslab_dev, reap_work);
	unsigned long again = 0;

	walk_caches_then_tidy(zd, &again, reap_cache);
	if (again)
		queue_delayed_work(zd->wq, &zd->reap_work, again);
}

/**
 * zslab_slab_retired() - A slab of @c was retired: see that it is freed.
 * @c: the cache. Any context, cache lock held.
 *
 * Background writeback frees retired slabs on its own; with it off, a reap
 * is queued unless one is pending.
 */
void zslab_slab_retired(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;

	WRITE_ONCE(c->last_retire, jiffies);
	if (READ_ONCE(zslab_writeback_ms) || !zd)
		return;
	/*
	 * Slabs retire in runs, from every CPU: a read of the pending bit
	 * spares the run an atomic on the work's shared line each time. The
	 * barrier pairs with the worker clearing that bit before it reads
	 * nr_dead: either a queued reap sees this slab, or we see none queued.
	 */
	smp_mb();
	if (!delayed_work_pending(&zd->reap_work))
		queue_delayed_work(zd->wq, &zd->reap_work, ZSLAB_REAP_DELAY);
}

/**
 * zslab_cache_writeback_settle() - Write a cache's dirty slabs and settle.
 * @c: the cache. Process context; sleeps.
 *
 * Writes every dirty slab, waits for the cache's bios (without holding the
 * writeback mutex, so background writeback goes on), then frees retired
 * slabs and resets zones left with nothing live.
 */
void zslab_cache_writeback_settle(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	zslab_zones_tidy(zd);		/* zones an error took out may be back */
	zslab_writeback_cache(zd, c);
	mutex_unlock(&zd->wb_mutex);
	zslab_wait_writeback(c);

	mutex_lock(&zd->wb_mutex);
	zslab_reap_dead_slabs(c);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
}

/**
 * zslab_cache_sync() - Make everything done to a cache so far durable.
 * @c: the cache. Process context; sleeps.
 *
 * Every alloc, free and zslab_mark_dirty() that returned before this call
 * is on the device, behind a cache flush, when it returns 0.
 *
 * Return: 0; -EIO if a write or the flush failed since the last sync (the
 * affected slabs stay dirty and are written again); -ENOSPC if no zone
 * could take them.
 */
int zslab_cache_sync(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	unsigned int noio;
	int ret;

	might_sleep();
	zslab_cache_writeback_settle(c);
	noio = memalloc_noio_save();
	ret = blkdev_issue_flush(zd->bdev);
	atomic64_inc(&zd->io[ZSLAB_IO_FLUSHES]);
	if (ret) {
		atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
		ret = -EIO;
	}
	memalloc_noio_restore(noio);
	atomic64_inc(&c->wb[ZSLAB_WB_SYNCS]);
	return atomic_xchg(&c->wb_error, 0) ?: ret;
}
EXPORT_SYMBOL_GPL(zslab_cache_sync);

/**
 * zslab_cache_writeback_init() - Zone-backing state of a new cache.
 * @c: the cache, its geometry set.
 *
 * Return: 0, or -EINVAL if one slab image does not fit one append bio.
 */
int zslab_cache_writeback_init(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;

	c->hdr_size = zslab_image_hdr_size(c->objs_per_slab, zd->geo.lbs);
	c->img_sectors = (c->hdr_size + c->slab_size) >> SECTOR_SHIFT;
	if (img_bytes(c) > zd->buf_bytes)
		return -EINVAL;
	c->open_zone = -1;
	c->seq = 1;
	init_llist_head(&c->dirty);
	init_waitqueue_head(&c->wb_wait);
	atomic_set(&c->inflight, 0);
	atomic_set(&c->wb_error, 0);
	return 0;
}

/**
 * zslab_cache_writeback_exit() - A volatile cache goes: nothing of it stays.
 * @c: the cache, unlisted; its slabs are freed by the caller afterwards.
 *
 * Waits for its bios, forgets its dirty list and closes its zone.
 */
void zslab_cache_writeback_exit(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	struct llist_node *list;
	struct zslab_slab *s, *next;

	mutex_lock(&zd->wb_mutex);
	zslab_wait_writeback(c);
	list = llist_del_all(&c->dirty);
	llist_for_each_entry_safe(s, next, list, dirty_node)
		atomic_andnot(ZSLAB_SLAB_DIRTY, &s->flags);
	zslab_zone_release_cache(zd, c);
	mutex_unlock(&zd->wb_mutex);
}

static void img_bufs_exit(struct zslab_dev *zd)
{
	unsigned int i;

	for (i = 0; i < ZSLAB_WB_BUFS; i++)
		kvfree(zd->bufs[i].mem);
	kfree(zd->bufs);
}

/* Page-aligned buffers, vmalloc()ed if memory is too fragmented for kmalloc. */
static int img_bufs_init(struct zslab_dev *zd)
{
	unsigned int i;

	spin_lock_init(&zd->buf_lock);
	INIT_LIST_HEAD(&zd->free_bufs);
	init_waitqueue_head(&zd->buf_wait);
	zd->bufs = kcalloc(ZSLAB_WB_BUFS, sizeof(*zd->bufs), GFP_KERNEL);
	if (!zd->bufs)
		return -ENOMEM;
	for (i = 0; i < ZSLAB_WB_BUFS; i++) {
		zd->bufs[i].mem = kvmalloc(zd->buf_bytes, GFP_KERNEL);
		if (!zd->bufs[i].mem) {
			img_bufs_exit(zd);
			return -ENOMEM;
		}
		list_add_tail(&zd->bufs[i].node, &zd->free_bufs);
	}
	return 0;
}

int zslab_writeback_init(struct zslab_dev *zd)
{
	unsigned int append = zd->geo.max_append_sectors << SECTOR_SHIFT;
	int ret;

	zd->buf_bytes = rounddown_pow_of_two(min_t(unsigned int, append,
						   ZSLAB_MAX_BIO_BYTES));
	mutex_init(&zd->wb_mutex);
	atomic_set(&zd->inflight, 0);
	init_waitqueue_head(&zd->inflight_wait);
	ret = bioset_init(&zd->bio_set, ZSLAB_BIO_POOL_MIN,
			  offsetof(struct zslab_wb_bio, bio), BIOSET_NEED_BVECS);
	if (ret)
		return ret;
	ret = img_bufs_init(zd);
	if (ret)
		goto bioset;
	ret = -ENOMEM;
	init_llist_head(&zd->submit_list);
	INIT_WORK(&zd->submit_work, submit_work_fn);
	zd->submit_wq = alloc_workqueue("zns_slab_submit",
					WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_HIGHPRI, 1);
	if (!zd->submit_wq)
		goto pool;
	zd->wq = alloc_workqueue("zns_slab_wb", WQ_MEM_RECLAIM | WQ_UNBOUND, 1);
	if (!zd->wq)
		goto submit_wq;
	INIT_DELAYED_WORK(&zd->wb_work, writeback_work_fn);
	INIT_DELAYED_WORK(&zd->reap_work, reap_work_fn);
	if (zslab_writeback_ms)
		queue_delayed_work(zd->wq, &zd->wb_work,
				   msecs_to_jiffies(zslab_writeback_ms));
	return 0;

submit_wq:
	destroy_workqueue(zd->submit_wq);
pool:
	img_bufs_exit(zd);
bioset:
	bioset_exit(&zd->bio_set);
	return ret;
}

void zslab_writeback_exit(struct zslab_dev *zd)
{
	cancel_delayed_work_sync(&zd->wb_work);
	cancel_delayed_work_sync(&zd->reap_work);
	/* Every cache is gone; reset what their images left behind. */
	mutex_lock(&zd->wb_mutex);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	destroy_workqueue(zd->wq);
	destroy_workqueue(zd->submit_wq);	/* submits what is queued first */
	img_bufs_exit(zd);
	bioset_exit(&zd->bio_set);
}
