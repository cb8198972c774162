// SPDX-License-Identifier: GPL-2.0
/*
 * Read-back: an evicted slab's newest data, read from its zone, checked
 * against what its descriptor expects, and made a slab in DRAM again.
 *
 * Nothing read is trusted: a failed read, a location outside what the zone
 * holds, or a CRC32C that differs from the one recorded when the data
 * landed (data of another slab, of an older image, or damaged) is an
 * error, never data. The slab then stays evicted: nothing is replaced or
 * zero-filled.
 *
 * One read per slab: the first get marks the evicted descriptor READING;
 * others wait for it and look again. Memory comes from GFP_NOIO
 * allocations and the bio_set: a read-back never recurses into I/O.
 */
#include <linux/bio.h>
#include <linux/crc32c.h>
#include <linux/ktime.h>
#include <linux/sched/mm.h>
#include "zslab_internal.h"
#include "zslab_trace.h"

/* Whether [offset, offset + slab) lies in what zone @zone holds of ours. */
static bool image_in_bounds(struct zslab_dev *zd, struct zslab_cache *c, u32 zone,
			    u32 offset)
{
	const struct zslab_zone *z;

	if (zone < zd->first_data_zone || zone >= zd->geo.nr_zones)
		return false;
	z = &zd->zones[zone];
	return (u64)offset + c->slab_sectors <= z->wp - z->start;
}

/**
 * zslab_read_image() - Read a slab's data from where its descriptor says.
 * @c: its cache.
 * @zone: zone of the data.
 * @offset: sector offset in the zone.
 * @crc: CRC32C the data had when written.
 * @buf: c->slab_size bytes, page-aligned (a slab page, kmalloc() or vmalloc()).
 *
 * Process context; sleeps. Runs under memalloc_noio_save().
 *
 * Return: 0, -ERANGE if the location is not data the zone holds, -EIO if
 * the read failed, -EUCLEAN if what was read is not the data recorded.
 */
int zslab_read_image(struct zslab_cache *c, u32 zone, u32 offset, u32 crc, void *buf)
{
	struct zslab_dev *zd = zslab_device;
	unsigned int done, noio;
	unsigned long flags;
	struct bio *bio;
	bool in_bounds;
	ktime_t start;
	u64 lat;
	int ret;

	spin_lock_irqsave(&zd->zone_lock, flags);
	in_bounds = image_in_bounds(zd, c, zone, offset);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (!in_bounds)
		return -ERANGE;

	noio = memalloc_noio_save();
	bio = bio_alloc_bioset(zd->bdev, DIV_ROUND_UP(c->slab_size, PAGE_SIZE),
			       REQ_OP_READ, GFP_NOIO, &zd->bio_set);
	bio->bi_iter.bi_sector = zd->zones[zone].start + offset;
	for (done = 0; done < c->slab_size; done += PAGE_SIZE)
		__bio_add_page(bio, zslab_buf_page(buf + done), PAGE_SIZE, 0);
	start = ktime_get();
	ret = submit_bio_wait(bio);
	lat = ktime_to_ns(ktime_sub(ktime_get(), start));
	bio_put(bio);
	memalloc_noio_restore(noio);
	if (is_vmalloc_addr(buf))
		invalidate_kernel_vmap_range(buf, c->slab_size);

	atomic64_inc(&zd->io[ZSLAB_IO_READS]);
	atomic64_add(lat, &zd->io[ZSLAB_IO_READ_LAT_TOTAL_NS]);
	if (lat > atomic64_read(&zd->io[ZSLAB_IO_READ_LAT_MAX_NS]))
		atomic64_set(&zd->io[ZSLAB_IO_READ_LAT_MAX_NS], lat);
	if (ret) {
		atomic64_inc(&zd->io[ZSLAB_IO_ERRORS]);
		return -EIO;
	}
	atomic64_add(c->slab_size, &zd->io[ZSLAB_IO_READ_BYTES]);
	if (~crc32c(~0U, buf, c->slab_size) != crc)
		return -EUCLEAN;
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_read_image);

/**
 * zslab_read_slab_data() - Read a resident slab's newest data (tests).
 * @c: its cache.
 * @s: the slab; its newest data is on the device.
 * @buf: c->slab_size bytes, page-aligned.
 *
 * Return: as zslab_read_image(), or -ENODATA if the slab has no data there.
 */
int zslab_read_slab_data(struct zslab_cache *c, struct zslab_slab *s, void *buf)
{
	struct zslab_dev *zd = zslab_device;
	unsigned long flags;
	u32 zone, offset, crc;

	spin_lock_irqsave(&zd->zone_lock, flags);
	zone = s->img_zone;
	offset = s->img_offset;
	crc = s->img_crc;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (zone == ZSLAB_NO_IMAGE)
		return -ENODATA;
	return zslab_read_image(c, zone, offset, crc, buf);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_read_slab_data);

/* Whether slab @id is evicted and being read by someone. */
static bool being_read(struct zslab_cache *c, u32 id)
{
	unsigned long flags;
	void *entry;
	bool ret;

	spin_lock_irqsave(&c->lock, flags);
	entry = xa_load(&c->slabs, id);
	ret = entry && zslab_entry_evicted(entry) &&
	      (zslab_entry_to_evicted(entry)->flags & ZSLAB_EV_READING);
	spin_unlock_irqrestore(&c->lock, flags);
	return ret;
}

static const char *read_error_name(int err)
{
	switch (err) {
	case -ERANGE:
		return "location outside the zone's data";
	case -EUCLEAN:
		return "data CRC32C not what the descriptor recorded";
	case -ENOMEM:
		return "no memory";
	default:
		return "read failed";
	}
}

/*
 * The read failed: the slab stays evicted as it was. Counted always,
 * logged once per slab (-ENOMEM is no fault of the device: neither).
 */
static void read_failed_locked(struct zslab_cache *c, struct zslab_evicted *ev,
			       u32 id, int err)
{
	ev->flags &= ~ZSLAB_EV_READING;
	if (err == -ENOMEM)
		return;
	atomic64_inc(&c->cap[ZSLAB_CAP_READBACK_ERRORS]);
	if (!(ev->flags & ZSLAB_EV_LOGGED)) {
		ev->flags |= ZSLAB_EV_LOGGED;
		pr_err("%s: cache %s: slab %u at zone %u sector %u not read back: %s (%d)\n",
		       ZSLAB_NAME, c->name, id, ev->img_zone, ev->img_offset,
		       read_error_name(err), err);
	}
}

/*
 * Make @s, whose data was read into its page, the slab @ev described: its
 * objects as @ev has them now (frees while we read included; their bytes
 * zeroed, as the image has them for slots freed before it), every live one
 * unpinned. Cache lock held; @s replaces @ev in the xarray.
 */
static void install_locked(struct zslab_cache *c, struct zslab_slab *s,
			   struct zslab_evicted *ev, u32 id)
{
	unsigned long *inuse = zslab_slab_inuse(s);
	unsigned int i;

	s->id = id;
	s->img_zone = ev->img_zone;
	s->img_offset = ev->img_offset;
	s->img_seq = ev->img_seq;
	s->img_crc = ev->img_crc;
	/* Its data is on the device: a tombstone follows if it empties. */
	atomic_set(&s->flags, ZSLAB_SLAB_WRITTEN);
	atomic_set(&s->unpinned, ev->nr_live);
	bitmap_copy(inuse, ev->map, c->objs_per_slab);
	if (zslab_cache_persistent(c))
		bitmap_copy(zslab_slab_devmap(c, s), ev->map, c->objs_per_slab);
	/* What the device holds is the clients' bytes or zeros: all may go out. */
	if (c->marked_map)
		bitmap_copy(zslab_slab_marked(c, s), ev->map, c->objs_per_slab);
	/*
	 * Exactly the slab's bits: bitmap_complement() works in whole words,
	 * and take_from_slab() would hand out "objects" past the slab for
	 * the bits beyond objs_per_slab.
	 */
	bitmap_complement(zslab_slab_avail(c, s), inuse, c->objs_per_slab);
	bitmap_clear(zslab_slab_avail(c, s), c->objs_per_slab,
		     c->map_longs * BITS_PER_LONG - c->objs_per_slab);
	for_each_clear_bit(i, inuse, c->objs_per_slab)
		memset(zslab_slab_obj(c, s, i), 0, c->stride);
	s->nr_avail = c->objs_per_slab - ev->nr_live;

	xa_lock(&c->slabs);
	__xa_store(&c->slabs, id, s, GFP_NOWAIT);	/* replaces: never allocates */
	__xa_clear_mark(&c->slabs, id, ZSLAB_XA_REWRITE);
	xa_unlock(&c->slabs);
	c->nr_evicted--;
	c->nr_evicted_objs -= ev->nr_live;
	zslab_slab_install_locked(c, s);
}

/**
 * zslab_read_back() - Bring evicted slab @id back into DRAM.
 * @c: the cache.
 * @id: the slab.
 * @idx: with @pin, the object to pin and return.
 * @gfp: the caller's context; a non-sleeping one does no I/O.
 * @pin: pin object @idx (zslab_get()); else just read the slab back.
 *
 * Return: the object (@pin) or the slab's base; NULL if the object does
 * not live (counted misuse with @pin), if @gfp may not sleep (counted), or
 * (@pin) if the read failed; without @pin, ERR_PTR() of why the read failed;
 * ERR_PTR(-ENOMEM) if there was no room now (try again later);
 * ERR_PTR(-EAGAIN) if the slab is resident (again): look it up anew.
 */
void *zslab_read_back(struct zslab_cache *c, u32 id, unsigned int idx, gfp_t gfp,
		      bool pin)
{
	struct zslab_evicted *ev;
	struct zslab_slab *s;
	u32 zone, offset, crc;
	unsigned long flags;
	bool rewrite, live, empty;
	void *entry;
	int err;

	spin_lock_irqsave(&c->lock, flags);
	entry = xa_load(&c->slabs, id);
	if (entry && !zslab_entry_evicted(entry)) {
		spin_unlock_irqrestore(&c->lock, flags);
		return ERR_PTR(-EAGAIN);
	}
	ev = entry ? zslab_entry_to_evicted(entry) : NULL;
	if (!ev || (pin && !test_bit(idx, ev->map))) {
		spin_unlock_irqrestore(&c->lock, flags);
		if (pin)
			zslab_report_misuse(c, NULL, ZSLAB_MISUSE_BAD_REF);
		return NULL;
	}
	if (!gfpflags_allow_blocking(gfp)) {
		spin_unlock_irqrestore(&c->lock, flags);
		atomic64_inc(&c->cap[ZSLAB_CAP_NOWAIT_MISSES]);
		return NULL;
	}
	if (ev->flags & ZSLAB_EV_READING) {
		spin_unlock_irqrestore(&c->lock, flags);
		wait_event(c->readback_wait, !being_read(c, id));
		return ERR_PTR(-EAGAIN);
	}
	ev->flags |= ZSLAB_EV_READING;
	zone = ev->img_zone;
	offset = ev->img_offset;
	crc = ev->img_crc;
	/* Emptied by frees while out (no get pins a dead object): stays so. */
	empty = !ev->nr_live;
	spin_unlock_irqrestore(&c->lock, flags);

	/*
	 * NOIO from here on, and no wait for eviction while we are READING:
	 * eviction's pass may wait for this read (zslab_read_back_rewrites()).
	 * A caller that may wait made room before (zslab_get()).
	 */
	s = zslab_slab_alloc_desc(c, GFP_NOIO);
	if (!s) {
		err = -ENOMEM;
	} else if (empty) {
		/*
		 * None of its data lives: nothing to read. It comes back
		 * empty (install_locked() zeroes every free slot) and dirty,
		 * and the pass drops it as any slab that emptied.
		 */
		err = 0;
	} else {
		err = zslab_read_image(c, zone, offset, crc, s->base);
		trace_zslab_readback(c->id, id, zone, offset, err);
	}

	spin_lock_irqsave(&c->lock, flags);
	/* Only a get's read changes an evicted entry: it is still @ev. */
	if (err) {
		read_failed_locked(c, ev, id, err);
		spin_unlock_irqrestore(&c->lock, flags);
		if (s)
			zslab_slab_free_memory(c, s);
		wake_up_all(&c->readback_wait);
		return pin && err != -ENOMEM ? NULL : ERR_PTR(err);
	}
	rewrite = ev->flags & ZSLAB_EV_REWRITE;
	live = !pin || test_bit(idx, ev->map);
	install_locked(c, s, ev, id);
	if (pin && live)
		atomic_dec(&s->unpinned);
	/*
	 * Objects were freed while it was out: its data on the device must
	 * lose them. Dirty before the lock goes, or eviction (which needs it)
	 * could take the slab again, clean, and the frees would never be
	 * written.
	 */
	if (rewrite)
		zslab_slab_mark_dirty(c, s);
	spin_unlock_irqrestore(&c->lock, flags);

	mempool_free(ev, c->ev_pool);
	if (!empty) {
		atomic64_inc(&c->cap[ZSLAB_CAP_READBACKS]);
		atomic64_add(c->slab_size, &c->cap[ZSLAB_CAP_READBACK_BYTES]);
	}
	wake_up_all(&c->readback_wait);
	zslab_kick_eviction(zslab_device);
	if (!pin)
		return s->base;
	if (!live) {			/* freed by ref while we read */
		zslab_report_misuse(c, NULL, ZSLAB_MISUSE_BAD_REF);
		return NULL;
	}
	atomic_long_dec(&c->unpinned_objs);
	return zslab_slab_obj(c, s, idx);
}

/**
 * zslab_read_back_rewrites() - Read back evicted slabs that owe data.
 * @c: the cache. Process context (a writeback pass, under memalloc_noio).
 * @max: read back at most this many.
 * @failed: set to how many could not be read (they stay owing).
 *
 * Objects freed by reference while their slab was evicted are still in
 * the slab's newest data on the device: the slab comes back, dirty, and
 * the pass writes it (or its tombstone, if it emptied: then nothing is
 * read, see zslab_read_back()).
 *
 * Return: slabs read back (fewer than @max once memory is short).
 */
unsigned int zslab_read_back_rewrites(struct zslab_cache *c, unsigned int max,
				      unsigned int *failed)
{
	unsigned int done = 0;
	unsigned long id;
	void *entry, *base;

	*failed = 0;
	xa_for_each_marked(&c->slabs, id, entry, ZSLAB_XA_REWRITE) {
		if (done >= max)
			break;
		base = zslab_read_back(c, id, 0, GFP_NOIO, false);
		if (base == ERR_PTR(-ENOMEM))
			break;		/* the caller writes and evicts what came back */
		if (IS_ERR_OR_NULL(base)) {
			if (base != ERR_PTR(-EAGAIN))
				(*failed)++;
		} else {
			done++;
		}
	}
	return done;
}
