// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback: dirty slabs become segments appended to zones.
 *
 * Alloc, free and zslab_mark_dirty() put a slab on its cache's dirty list
 * (once: the DIRTY flag guards the list). A writeback pass, in the
 * background every writeback_ms or in zslab_cache_sync(), takes the list,
 * clears each slab's DIRTY flag and only then copies the slab into a segment
 * buffer: a change made after the copy dirties the slab again and it is
 * written again. Clients' pages are never under a bio; segment buffers are.
 *
 * Slabs of one cache are packed into one segment per zone-append bio, up to
 * the device's append limit: a summary, then their data (segment.c). A slab
 * that emptied after its data was written gets a tombstone entry instead,
 * with a sequence number like any entry. The completion says where the bio
 * landed; that sector is checked against the window the zone reservation
 * allows, and each entry newer than what its slab has becomes the slab's
 * newest: its data's zone, offset and CRC, or for a tombstone none. What it
 * supersedes becomes stale, and an entry that lands after a newer one of
 * its slab (a late completion) is stale at once.
 *
 * Memory: bios come from a bio_set, segment buffers from a fixed set
 * allocated at load, and every pass runs under memalloc_noio_save(), so
 * writeback makes progress when memory is short.
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

/* Segment buffers, so append bios in flight at once: 2 MiB at 128 KiB each. */
#define ZSLAB_WB_BUFS		16
#define ZSLAB_BIO_POOL_MIN	4	/* bios the bio_set keeps in reserve */

const char *const zslab_io_stat_names[ZSLAB_IO_NR] = {
	[ZSLAB_IO_BIOS]		= "bios",
	[ZSLAB_IO_APPENDS]	= "appends",
	[ZSLAB_IO_APPEND_BYTES]	= "append_bytes",
	[ZSLAB_IO_SLAB_DATA_BYTES] = "slab_data_bytes",
	[ZSLAB_IO_TOMBSTONES]	= "tombstones",
	[ZSLAB_IO_FLUSHES]	= "flushes",
	[ZSLAB_IO_RESETS]	= "resets",
	[ZSLAB_IO_FINISHES]	= "finishes",
	[ZSLAB_IO_ERRORS]	= "errors",
	[ZSLAB_IO_MISPLACED]	= "misplaced",
	[ZSLAB_IO_LAT_TOTAL_NS]	= "append_latency_total_ns",
	[ZSLAB_IO_LAT_MAX_NS]	= "append_latency_max_ns",
	[ZSLAB_IO_READS]	= "reads",
	[ZSLAB_IO_READ_BYTES]	= "read_bytes",
	[ZSLAB_IO_READ_LAT_TOTAL_NS] = "read_latency_total_ns",
	[ZSLAB_IO_READ_LAT_MAX_NS] = "read_latency_max_ns",
	[ZSLAB_IO_RECLAIMED_ZONES] = "reclaimed_zones",
	[ZSLAB_IO_RELOCATED_BYTES] = "relocated_bytes",
	[ZSLAB_IO_META_BYTES]	= "metadata_bytes",
	[ZSLAB_IO_CHECKPOINTS]	= "checkpoints",
	[ZSLAB_IO_CHECKPOINT_BYTES] = "checkpoint_bytes",
	[ZSLAB_IO_CHECKPOINT_ERRORS] = "checkpoint_errors",
};

const char *const zslab_wb_stat_names[ZSLAB_NR_WB_STATS] = {
	[ZSLAB_WB_DIRTIED]	= "slabs_dirtied",
	[ZSLAB_WB_WRITTEN]	= "slabs_written",
	[ZSLAB_WB_BYTES]	= "bytes_written",
	[ZSLAB_WB_DEVICE_BYTES]	= "device_bytes",
	[ZSLAB_WB_TOMBSTONES]	= "tombstones_written",
	[ZSLAB_WB_SKIPPED_EMPTY] = "empty_slabs_not_written",
	[ZSLAB_WB_TOMBS_UNNEEDED] = "tombstones_not_needed",
	[ZSLAB_WB_ERRORS]	= "write_errors",
	[ZSLAB_WB_SYNCS]	= "syncs",
};

/* The out-of-line half of zslab_slab_mark_dirty(): the slab looked clean. */
void __zslab_slab_mark_dirty(struct zslab_cache *c, struct zslab_slab *s)
{
	if (atomic_fetch_or(ZSLAB_SLAB_DIRTY, &s->flags) & ZSLAB_SLAB_DIRTY)
		return;
	this_cpu_inc(c->cpu->slabs_dirtied);	/* a shared counter would bounce */
	llist_add(&s->dirty_node, &c->dirty);
}

/* Newer in serial-number arithmetic: sequence numbers are kept in 32 bits. */
static bool seq_newer(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

/**
 * zslab_slab_drop_image() - The slab's newest data is no longer needed.
 * @c: its cache.
 * @s: the slab, going away with its cache or its page (process context).
 */
void zslab_slab_drop_image(struct zslab_cache *c, struct zslab_slab *s)
{
	unsigned long flags;
	u32 zone;

	spin_lock_irqsave(&zslab_device->zone_lock, flags);
	zone = s->img_zone;
	s->img_zone = ZSLAB_NO_IMAGE;
	spin_unlock_irqrestore(&zslab_device->zone_lock, flags);
	if (zone != ZSLAB_NO_IMAGE)
		zslab_zone_data_dropped(zslab_device, zone, c->slab_sectors);
}

/* A persistent slab's device bitmap follows its newest entry (checkpoints). */
static void record_devmap(struct zslab_cache *c, struct zslab_slab *s,
			  const struct zslab_wb_entry *e)
{
	unsigned long *dev = zslab_slab_devmap(c, s);
	unsigned int i;

	if (e->tombstone) {
		bitmap_zero(dev, c->objs_per_slab);
		return;
	}
	/* One u64 word per unsigned long, as segment.c copies them. */
	for (i = 0; i < c->map_longs; i++)
		dev[i] = le64_to_cpu(e->map[i]);
}

/*
 * Record the segment's entries, each as its slab's newest unless a newer
 * entry of the slab landed first; what they supersede becomes stale. Zone
 * lock held, the bio's zone still counting it in flight.
 */
static bool record_segment_locked(struct zslab_dev *zd, struct zslab_wb_bio *wb,
				  sector_t sector)
{
	sector_t at = sector - zd->zones[wb->zone].start;
	unsigned int sectors = wb->c->slab_sectors, i;
	bool reset_due = false;

	/* Recovery tells a zone reset since a checkpoint by its first segment. */
	if (!at)
		zd->zones[wb->zone].first_seq = wb->seg_seq;
	/* The summary is overhead: stale from the start. */
	zslab_zone_data_stale_locked(zd, wb->zone, wb->seg.summary_bytes >> SECTOR_SHIFT,
				     false);
	for (i = 0; i < wb->nr; i++) {
		struct zslab_wb_entry *e = &wb->ents[i];
		struct zslab_slab *s = e->s;
		u32 old = s->img_zone;

		if (!seq_newer((u32)e->seq, s->img_seq)) {
			/* An older entry landed last: it buries nothing, keeps nothing. */
			if (!e->tombstone)
				zslab_zone_data_stale_locked(zd, wb->zone, sectors, false);
			continue;
		}
		s->img_seq = (u32)e->seq;
		if (zslab_cache_persistent(wb->c))
			record_devmap(wb->c, s, e);
		if (e->tombstone) {
			s->img_zone = ZSLAB_NO_IMAGE;
			zslab_zone_tombstone_locked(zd, wb->zone,
						    zslab_cache_persistent(wb->c), wb->seg_seq);
		} else {
			s->img_zone = wb->zone;
			s->img_offset = at + e->data_offset;
			s->img_crc = e->data_crc;
			zslab_zone_data_live_locked(zd, wb->zone, sectors);
		}
		if (old != ZSLAB_NO_IMAGE)
			reset_due |= zslab_zone_data_stale_locked(zd, old, sectors, true);
	}
	return reset_due;
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

/* A free segment buffer; waits for a bio to complete if all are in flight. */
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

/* Not written: the slabs stay dirty (tombstones owed again), the next sync reports it. */
static void wb_unwritten(struct zslab_cache *c, struct zslab_wb_bio *wb)
{
	unsigned int i;

	for (i = 0; i < wb->nr; i++) {
		if (wb->ents[i].tombstone)
			atomic_or(ZSLAB_SLAB_WRITTEN, &wb->ents[i].s->flags);
		zslab_slab_mark_dirty(c, wb->ents[i].s);
	}
}

/*
 * Test hook: if it returns true, the completion of @bio waits until the
 * test calls zslab_wb_end_io_now(), so a late completion can be staged.
 */
bool (*zslab_wb_end_hook)(struct bio *bio);
ZSLAB_EXPORT_FOR_TESTS(zslab_wb_end_hook);

/*
 * Test hook: called when a count of bios in flight has reached zero, before
 * the wake-up of @wq, its waiters: a test holds the completion there while
 * a teardown runs.
 */
void (*zslab_wb_drained_hook)(wait_queue_head_t *wq);
ZSLAB_EXPORT_FOR_TESTS(zslab_wb_drained_hook);

/* A count of bios in flight reached zero: wake who waits for it. */
static void wb_wake_drained(wait_queue_head_t *wq)
{
	void (*hook)(wait_queue_head_t *wq) = READ_ONCE(zslab_wb_drained_hook);

	if (hook)
		hook(wq);
	wake_up_all(wq);
}

static void wb_end_io(struct bio *bio)
{
	bool (*hook)(struct bio *bio) = READ_ONCE(zslab_wb_end_hook);

	if (hook && hook(bio))
		return;
	zslab_wb_end_io_now(bio);
}

/**
 * zslab_wb_end_io_now() - Complete an append bio: record where it landed.
 * @bio: the bio. Any context.
 */
void zslab_wb_end_io_now(struct bio *bio)
{
	struct zslab_wb_bio *wb = container_of(bio, struct zslab_wb_bio, bio);
	struct zslab_dev *zd = wb->zd;
	struct zslab_cache *c = wb->c;
	sector_t sector = bio->bi_iter.bi_sector;
	unsigned int data = wb->seg.data_bytes, i, tombs = 0, moved = 0;
	sector_t sectors = (wb->seg.summary_bytes + data) >> SECTOR_SHIFT;
	u64 lat = ktime_to_ns(ktime_sub(ktime_get(), wb->start));
	bool ok, reset_due = false;
	unsigned long flags;

	spin_lock_irqsave(&zd->zone_lock, flags);
	ok = zslab_zone_append_landed_locked(zd, wb->zone, sector, sectors, !bio->bi_status);
	if (ok)
		reset_due = record_segment_locked(zd, wb, sector);
	reset_due |= zslab_zone_append_end_locked(zd, wb->zone);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	/* A zone whose data all died is reset at once, by a worker. */
	if (reset_due)
		zslab_queue_zone_reset(zd);

	trace_zslab_wb_complete(c->id, wb->zone, sector, wb->nr,
				ok ? 0 : blk_status_to_errno(bio->bi_status) ?: -EIO, lat);
	for (i = 0; i < wb->nr; i++) {
		tombs += wb->ents[i].tombstone;
		moved += wb->ents[i].move_only;
	}
	if (ok && moved) {
		atomic64_add((u64)moved * c->slab_size, &zd->io[ZSLAB_IO_RELOCATED_BYTES]);
		atomic64_add(moved, &c->cap[ZSLAB_CAP_RELOCATED]);
	}
	if (ok) {
		atomic64_add(wb->nr - tombs, &c->wb[ZSLAB_WB_WRITTEN]);
		atomic64_add(tombs, &c->wb[ZSLAB_WB_TOMBSTONES]);
		atomic64_add(data, &c->wb[ZSLAB_WB_BYTES]);
		atomic64_add(sectors << SECTOR_SHIFT, &c->wb[ZSLAB_WB_DEVICE_BYTES]);
		atomic64_add(data, &zd->io[ZSLAB_IO_SLAB_DATA_BYTES]);
		atomic64_add(tombs, &zd->io[ZSLAB_IO_TOMBSTONES]);
	} else {
		wb_unwritten(c, wb);	/* write it elsewhere */
		atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
		atomic64_add(wb->nr, &c->wb[ZSLAB_WB_ERRORS]);
		atomic_cmpxchg(&c->wb_error, 0, -EIO);	/* the first error wins */
	}
	atomic64_add(lat, &zd->io[ZSLAB_IO_LAT_TOTAL_NS]);
	if (lat > atomic64_read(&zd->io[ZSLAB_IO_LAT_MAX_NS]))
		atomic64_set(&zd->io[ZSLAB_IO_LAT_MAX_NS], lat);

	img_buf_put(zd, wb->buf);
	bio_put(bio);
	/*
	 * The waiters free what we point at (a destroy frees @c, unload @zd)
	 * once the counts reach zero: both waits end with synchronize_rcu(),
	 * and the read-side section keeps the wake-ups inside this grace
	 * period, so they never touch freed memory.
	 */
	rcu_read_lock();
	if (atomic_dec_and_test(&c->inflight))
		wb_wake_drained(&c->wb_wait);
	if (atomic_dec_and_test(&zd->inflight))
		wb_wake_drained(&zd->inflight_wait);
	rcu_read_unlock();
}
ZSLAB_EXPORT_FOR_TESTS(zslab_wb_end_io_now);

static struct zslab_wb_bio *wb_bio_alloc(struct zslab_dev *zd, struct zslab_cache *c,
					 bool reloc)
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
	wb->reloc = reloc;
	wb->buf = img_buf_get(zd);
	zslab_seg_start(&wb->seg, wb->buf->mem, zd->buf_bytes, c->summary_bytes);
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

/*
 * A segment of tombstones only (no data) may go to the relocation zone when
 * the cache's own zones are full: on a full device, tombstones are what
 * frees zones, and they take a block where relocation takes zones.
 */
static int wb_reserve(struct zslab_dev *zd, struct zslab_wb_bio *wb, sector_t sectors,
		      sector_t *offset)
{
	int ret;

	if (wb->reloc)
		return zslab_zone_reserve_reloc(zd, sectors, &wb->zone, offset);
	ret = zslab_zone_reserve(zd, wb->c, sectors, &wb->zone, offset);
	if (ret == -ENOSPC && !wb->seg.data_bytes)
		ret = zslab_zone_reserve_reloc(zd, sectors, &wb->zone, offset);
	return ret;
}

/* Finish the segment, find it a zone and send it. */
static int wb_submit(struct zslab_dev *zd, struct zslab_cache *c,
		     struct zslab_wb_bio *wb)
{
	unsigned int len, done = 0;
	struct bio *bio = &wb->bio;
	sector_t offset;
	int ret;

	wb->seg_seq = zd->seg_seq++;
	len = zslab_seg_finish(&wb->seg, wb->seg_seq);
	while (done < len) {
		unsigned int n = min(img_buf_segment(zd, wb->buf), len - done);

		if (bio_add_zone_append_page(bio, zslab_buf_page(wb->buf->mem + done),
					     n, offset_in_page(wb->buf->mem + done)) != n)
			break;
		done += n;
	}
	flush_kernel_vmap_range(wb->buf->mem, len);	/* if vmalloc()ed */
	ret = done == len ? 0 : -EIO;
	if (!ret)
		ret = wb_reserve(zd, wb, len >> SECTOR_SHIFT, &offset);
	if (ret == -ENOSPC) {
		/*
		 * Zones closed for being too full keep their tokens until their
		 * bios land and they are finished: let that happen, then look
		 * again. Only if no zone can be opened then is it -ENOSPC.
		 */
		wait_event(zd->inflight_wait, !atomic_read(&zd->inflight));
		zslab_zones_tidy(zd);
		ret = wb_reserve(zd, wb, len >> SECTOR_SHIFT, &offset);
	}
	if (ret) {
		wb_unwritten(c, wb);
		atomic_cmpxchg(&c->wb_error, 0, ret);
		wb_bio_free(wb);
		return ret;
	}

	bio->bi_iter.bi_sector = zd->zones[wb->zone].start;
	bio->bi_end_io = wb_end_io;
	atomic_inc(&c->inflight);
	atomic_inc(&zd->inflight);
	atomic64_inc(&zd->io[ZSLAB_IO_BIOS]);
	atomic64_inc(&zd->io[ZSLAB_IO_APPENDS]);
	atomic64_add(len, &zd->io[ZSLAB_IO_APPEND_BYTES]);
	trace_zslab_wb_submit(c->id, wb->zone, wb->nr, len, wb->ents[0].seq);
	queue_submit(zd, wb);
	return 0;
}

/* Test hook: called between a pass's clearing of DIRTY and its copy. */
void (*zslab_wb_pass_hook)(struct zslab_cache *c, struct zslab_slab *s);
ZSLAB_EXPORT_FOR_TESTS(zslab_wb_pass_hook);

/*
 * A volatile cache's slab emptied while zones run short: nobody reads its
 * stale images (see zslab_zone_tomb_gen_locked()), so its image is dropped
 * here as its tombstone's landing would drop it, numbered like a tombstone
 * so that a late completion of an older image never wins, and nothing is
 * written. On a full device this is what lets the zones empty: there is
 * no room for tombstones. Writeback mutex held (c->seq).
 *
 * Return: false if a tombstone is needed.
 */
static bool drop_image_unwritten(struct zslab_cache *c, struct zslab_slab *s)
{
	struct zslab_dev *zd = zslab_device;
	unsigned long flags;
	u32 old;

	if (zslab_cache_persistent(c))
		return false;
	spin_lock_irqsave(&zd->zone_lock, flags);
	if (!zslab_short_of_zones_locked(zd)) {
		spin_unlock_irqrestore(&zd->zone_lock, flags);
		return false;
	}
	s->img_seq = (u32)c->seq++;
	old = s->img_zone;
	s->img_zone = ZSLAB_NO_IMAGE;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	atomic_andnot(ZSLAB_SLAB_WRITTEN, &s->flags);
	atomic64_inc(&c->wb[ZSLAB_WB_TOMBS_UNNEEDED]);
	if (old != ZSLAB_NO_IMAGE)
		zslab_zone_data_dropped(zd, old, c->slab_sectors);
	return true;
}

/*
 * Put @s in the segment: its data, or a tombstone if it emptied after its
 * data went out, or nothing. Returns false if it does not fit (the caller
 * sends this segment and starts another).
 */
static bool wb_add_slab(struct zslab_cache *c, struct zslab_wb_bio *wb,
			struct zslab_slab *s, int flags)
{
	struct zslab_seg_slab l = {
		.cache_id = c->id,
		.slab_id = s->id,
		.object_size = c->object_size,
		.stride = c->stride,
		.nr_objs = c->objs_per_slab,
		.slab_size = c->slab_size,
	};
	struct zslab_wb_entry *e = &wb->ents[wb->nr];

	if (wb->nr == ZSLAB_MAX_BIO_ENTRIES)
		return false;
	if (!(flags & ZSLAB_SLAB_DEAD)) {
		if (!zslab_seg_fits(&wb->seg, c->objs_per_slab, c->slab_size))
			return false;
		l.seq = c->seq;
		if (zslab_seg_add_slab(&wb->seg, &l, s->map, zslab_slab_marked(c, s), s->base)) {
			c->seq++;
			atomic_or(ZSLAB_SLAB_WRITTEN, &s->flags);
			*e = (struct zslab_wb_entry){ .s = s, .seq = l.seq,
				.data_offset = l.data_offset >> SECTOR_SHIFT,
				.data_crc = l.data_crc, .map = l.map,
				.move_only = flags & ZSLAB_SLAB_MOVE_ONLY };
			wb->nr++;
			return true;
		}
	}
	/* Empty. Data of it out there would come back to life: bury it. */
	if (!(flags & ZSLAB_SLAB_WRITTEN)) {
		atomic64_inc(&c->wb[ZSLAB_WB_SKIPPED_EMPTY]);
		return true;
	}
	if (drop_image_unwritten(c, s))
		return true;
	if (!zslab_seg_fits(&wb->seg, c->objs_per_slab, 0))
		return false;
	l.seq = c->seq++;
	zslab_seg_add_tombstone(&wb->seg, &l);
	atomic_andnot(ZSLAB_SLAB_WRITTEN, &s->flags);
	*e = (struct zslab_wb_entry){ .s = s, .seq = l.seq, .tombstone = true };
	wb->nr++;
	return true;
}

/* Write the slabs on the dirty list; returns the first submission error. */
static int write_dirty_slabs(struct zslab_dev *zd, struct zslab_cache *c)
{
	void (*hook)(struct zslab_cache *c, struct zslab_slab *s);
	struct zslab_wb_bio *wbs[2] = { NULL, NULL };	/* data, relocations */
	struct llist_node *list;
	struct zslab_slab *s, *next;
	int ret = 0, err, i;

	list = llist_reverse_order(llist_del_all(&c->dirty));
	llist_for_each_entry_safe(s, next, list, dirty_node) {
		/* DIRTY clears before the copy: later changes queue it again. */
		int flags = zslab_slab_take_dirty(s);
		bool reloc = flags & ZSLAB_SLAB_RELOC;
		struct zslab_wb_bio **wb = &wbs[reloc];

		atomic64_inc(&c->slabs_cleaned);
		hook = READ_ONCE(zslab_wb_pass_hook);
		if (hook)
			hook(c, s);
		if (!*wb)
			*wb = wb_bio_alloc(zd, c, reloc);
		if (wb_add_slab(c, *wb, s, flags))
			continue;
		err = wb_submit(zd, c, *wb);
		ret = ret ?: err;
		*wb = wb_bio_alloc(zd, c, reloc);
		/* An empty segment takes any slab (zslab_cache_writeback_init()). */
		WARN_ON_ONCE(!wb_add_slab(c, *wb, s, flags));
	}
	for (i = 0; i < 2; i++) {
		if (wbs[i] && wbs[i]->nr) {
			err = wb_submit(zd, c, wbs[i]);
			ret = ret ?: err;
		} else if (wbs[i]) {
			wb_bio_free(wbs[i]);
		}
	}
	return ret;
}

/* Evicted slabs read back per round of rewriting them. */
#define ZSLAB_REWRITE_BATCH	64

/**
 * zslab_writeback_cache() - Write every dirty slab of a cache.
 * @zd: the device.
 * @c: the cache.
 *
 * Submits and returns; completions record where the data landed.
 * Called with the writeback mutex held.
 *
 * Evicted slabs that lost objects to zslab_free_ref() come back first, a
 * batch at a time: each batch is written and, under a resident cap,
 * evicted again before the next is read, so that the memory this takes
 * stays bounded. One that cannot be read back makes the next sync -EIO
 * (-ENOMEM if memory, not the device, was what failed).
 *
 * Return: 0 or the first submission error (the slabs stay dirty).
 */
int zslab_writeback_cache(struct zslab_dev *zd, struct zslab_cache *c)
{
	unsigned int n, failed;
	bool made_room = false;
	int ret = 0, err;

	lockdep_assert_held(&zd->wb_mutex);
	while (xa_marked(&c->slabs, ZSLAB_XA_REWRITE)) {
		n = zslab_read_back_rewrites(c, ZSLAB_REWRITE_BATCH, &failed);
		if (failed)
			atomic_cmpxchg(&c->wb_error, 0, -EIO);
		if (!n && !failed && !made_room) {
			/*
			 * No room under the cap: this pass runs NOIO and may
			 * not wait for the eviction worker, so it makes room
			 * itself (clean slabs only: writing the others would
			 * bring us back here) and tries once more.
			 */
			made_room = true;
			err = write_dirty_slabs(zd, c);
			ret = ret ?: err;
			zslab_evict_clean_to_cap(zd);
			continue;
		}
		if (!n) {
			/* Nothing came back: no memory for it even with the rest out. */
			if (xa_marked(&c->slabs, ZSLAB_XA_REWRITE))
				atomic_cmpxchg(&c->wb_error, 0, failed ? -EIO : -ENOMEM);
			break;
		}
		err = write_dirty_slabs(zd, c);
		ret = ret ?: err;
		if (zslab_over_cap(zd))
			zslab_evict_cache(zd, c, n, false);	/* waits for the writes */
	}
	/*
	 * -ENOMEM means a slab still owes its frees. Once none does, an
	 * earlier pass's shortage is over: a sync reports what its own pass
	 * could not do, not what a background pass could not do before it.
	 */
	if (!xa_marked(&c->slabs, ZSLAB_XA_REWRITE))
		atomic_cmpxchg(&c->wb_error, -ENOMEM, 0);
	err = write_dirty_slabs(zd, c);
	return ret ?: err;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_writeback_cache);

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
 * at a time), then settle the zones: reset those left with nothing live,
 * finish the full ones. Under memalloc_noio_save().
 *
 * The cache list is walked under the writeback mutex alone, not
 * zslab_caches_lock: a pass waits for I/O, and create and debugfs must not
 * wait behind it. That is safe because a cache leaves the list only with
 * the writeback mutex held too (zslab_cache_unlist()); one added meanwhile
 * is published with list_add_tail_rcu() and may or may not be seen.
 */
static void walk_caches_then_tidy(struct zslab_dev *zd, void *arg,
				  void (*fn)(struct zslab_dev *zd,
					     struct zslab_cache *c, void *arg))
{
	struct zslab_cache *c;
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex))
		fn(zd, c, arg);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	zslab_kick_reclaim(zd);
	zslab_kick_eviction(zd);
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
	zslab_checkpoint_if_due(zd);
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
		int flags = atomic_read(&s->flags);

		/*
		 * Live slabs, and retired ones that owe a tombstone (data of
		 * theirs is out there), wait for the next sync. DIRTY stays
		 * set, so nobody else adds them meanwhile.
		 */
		if (!(flags & ZSLAB_SLAB_DEAD) || (flags & ZSLAB_SLAB_WRITTEN)) {
			llist_add(&s->dirty_node, &c->dirty);
			continue;
		}
		atomic64_inc(&c->slabs_cleaned);
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

/* Zones whose data all died: reset them, and write nothing. */
static void reset_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(work, struct zslab_dev, reset_work);
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
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
 * affected slabs stay dirty and are written again), or an evicted slab
 * that lost objects could not be read back to be rewritten; -ENOSPC if no
 * zone could take them, even after reclaim; -ENOMEM if no memory could be
 * had to read such a slab back.
 */
int zslab_cache_sync(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	unsigned int noio, tries;
	int ret;

	might_sleep();
	/*
	 * A background pass that found no zone left its slabs dirty: this
	 * sync writes them again, and only its own attempt says -ENOSPC.
	 * (-EIO stays: it reports a write that failed.)
	 */
	atomic_cmpxchg(&c->wb_error, -ENOSPC, 0);
	zslab_cache_writeback_settle(c);
	/*
	 * No zone took the data: what reclaim frees may. Each round frees a
	 * zone or ends the loop; other writers may take what it freed, so a
	 * round's worth of data zones bounds it.
	 */
	for (tries = zd->geo.nr_zones; tries && atomic_read(&c->wb_error) == -ENOSPC; tries--) {
		if (!zslab_reclaim_zone(zd))
			break;
		atomic_cmpxchg(&c->wb_error, -ENOSPC, 0);
		zslab_cache_writeback_settle(c);
	}
	noio = memalloc_noio_save();
	ret = blkdev_issue_flush(zd->bdev);
	atomic64_inc(&zd->io[ZSLAB_IO_FLUSHES]);
	if (ret) {
		atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
		ret = -EIO;
	}
	memalloc_noio_restore(noio);
	atomic64_inc(&c->wb[ZSLAB_WB_SYNCS]);
	/* Syncs alone (writeback_ms=0, or back to back) take checkpoints too. */
	zslab_checkpoint_if_due(zd);
	return atomic_xchg(&c->wb_error, 0) ?: ret;
}
EXPORT_SYMBOL_GPL(zslab_cache_sync);

/**
 * zslab_cache_writeback_init() - Zone-backing state of a new cache.
 * @c: the cache, its geometry set.
 *
 * Return: 0, or -EINVAL if one slab and its summary do not fit one append
 * bio (the device's zone-append limit).
 */
int zslab_cache_writeback_init(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;

	c->summary_bytes = zslab_seg_summary_bytes(zd->buf_bytes, c->slab_size,
						   c->objs_per_slab, zd->geo.lbs);
	c->slab_sectors = c->slab_size >> SECTOR_SHIFT;
	if (!c->summary_bytes)
		return -EINVAL;
	atomic64_set(&c->slabs_cleaned, 0);
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
	llist_for_each_entry_safe(s, next, list, dirty_node) {
		atomic_andnot(ZSLAB_SLAB_DIRTY, &s->flags);
		atomic64_inc(&c->slabs_cleaned);
	}
	zslab_zone_release_cache(zd, c);
	mutex_unlock(&zd->wb_mutex);
	synchronize_rcu();	/* wb_end_io() is done with @c: see there */
}

/**
 * zslab_cache_unlist() - Take a cache off the list writeback walks.
 * @c: the cache. Process context.
 *
 * Under the writeback mutex as well as zslab_caches_lock: a pass walks the
 * list under the mutex alone (walk_caches_then_tidy()).
 */
void zslab_cache_unlist(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;

	mutex_lock(&zd->wb_mutex);
	mutex_lock(&zslab_caches_lock);
	zslab_debugfs_remove_cache(c);
	list_del_rcu(&c->node);
	mutex_unlock(&zslab_caches_lock);
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

	/* A slab of ZSLAB_MAX_SLAB_ORDER and its summary, where the device allows. */
	zd->buf_bytes = rounddown_pow_of_two(min_t(unsigned int, append,
						   ZSLAB_MAX_SEGMENT_BYTES));
	/* Past every segment recovery found (zslab_sb_load() ran before us). */
	zd->seg_seq = max_t(u64, zd->seg_seq, 1);
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
	INIT_WORK(&zd->reset_work, reset_work_fn);
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
ZSLAB_EXPORT_FOR_TESTS(zslab_writeback_init);

void zslab_writeback_exit(struct zslab_dev *zd)
{
	cancel_delayed_work_sync(&zd->wb_work);
	cancel_delayed_work_sync(&zd->reap_work);
	/*
	 * Every cache is gone and waited for its bios, but wait for the
	 * device's count too: a completion may still be on its way out of
	 * wb_end_io() (see there), and it may queue a reset.
	 */
	wait_event(zd->inflight_wait, !atomic_read(&zd->inflight));
	synchronize_rcu();
	flush_work(&zd->submit_work);
	cancel_work_sync(&zd->reset_work);
	/* Reset what the caches left behind. */
	mutex_lock(&zd->wb_mutex);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	destroy_workqueue(zd->wq);
	destroy_workqueue(zd->submit_wq);	/* submits what is queued first */
	img_bufs_exit(zd);
	bioset_exit(&zd->bio_set);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_writeback_exit);
