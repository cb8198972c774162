// SPDX-License-Identifier: GPL-2.0
/*
 * Read-back: a slab's newest data, read from its zone and checked against
 * what its descriptor expects (the CRC32C recorded when the data landed).
 *
 * Nothing read is trusted: a failed read or a CRC that differs is an error,
 * never data.
 */
#include <linux/bio.h>
#include <linux/crc32c.h>
#include <linux/sched/mm.h>
#include "zslab_internal.h"

static struct page *buf_page(void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/**
 * zslab_read_slab_data() - Read a slab's newest data from the device.
 * @c: its cache.
 * @s: the slab; its newest data is on the device.
 * @buf: c->slab_size bytes, page-aligned (kmalloc() or vmalloc()).
 *
 * Process context; sleeps. Runs under memalloc_noio_save().
 *
 * Return: 0, -ENODATA if the slab has no data on the device, -EIO if the
 * read failed, -EUCLEAN if what was read is not the data the descriptor
 * recorded (its CRC32C differs).
 */
int zslab_read_slab_data(struct zslab_cache *c, struct zslab_slab *s, void *buf)
{
	struct zslab_dev *zd = zslab_device;
	unsigned int done, noio;
	unsigned long flags;
	struct bio *bio;
	u32 zone, offset, crc;
	int ret;

	spin_lock_irqsave(&zd->zone_lock, flags);
	zone = s->img_zone;
	offset = s->img_offset;
	crc = s->img_crc;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (zone == ZSLAB_NO_IMAGE)
		return -ENODATA;

	noio = memalloc_noio_save();
	bio = bio_alloc_bioset(zd->bdev, DIV_ROUND_UP(c->slab_size, PAGE_SIZE),
			       REQ_OP_READ, GFP_NOIO, &zd->bio_set);
	bio->bi_iter.bi_sector = zd->zones[zone].start + offset;
	for (done = 0; done < c->slab_size; done += PAGE_SIZE)
		__bio_add_page(bio, buf_page(buf + done), PAGE_SIZE, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	memalloc_noio_restore(noio);
	if (is_vmalloc_addr(buf))
		invalidate_kernel_vmap_range(buf, c->slab_size);
	if (ret)
		return -EIO;
	if (~crc32c(~0U, buf, c->slab_size) != crc)
		return -EUCLEAN;
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_read_slab_data);
