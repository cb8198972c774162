// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_wbbench: writeback throughput of zns_slab (make bench; the shell
 * side, with fio on the same device for comparison, is in scripts/bench.sh).
 *
 * One command per write to /sys/kernel/debug/zslab_wbbench/cmd; the answer
 * to the last one is in .../result as "VERB: RET VALUE", RET 0 or -errno
 * (VERB "error" for an unknown command):
 *
 *   fill MIB SIZE [ORDER]  create cache "zslab_wb" of SIZE-byte objects in
 *                          slabs of PAGE_SIZE << ORDER (default 0, 4 KiB),
 *                          then allocate (MIB << 20) / SIZE objects and
 *                          write a pattern into each: every slab holding
 *                          one is dirty. Before allocating, an untimed
 *                          zslab_cache_sync() of the still empty cache
 *                          lets the module finish pending zone resets.
 *                          VALUE: the number of objects.
 *   dirty                  zslab_mark_dirty() on every object: every slab
 *                          is written again by the next sync, superseding
 *                          its data. VALUE: the number of objects.
 *   sync                   zslab_cache_sync(), timed with ktime_get_ns():
 *                          RET is its return value, VALUE the nanoseconds.
 *   destroy                free every object and destroy the cache
 *                          (VALUE 0).
 *   encode N SLAB OBJ STRIDE NR LBS
 *                          CPU cost of encoding slabs of that geometry
 *                          (from the cache's debugfs file; LBS: logical
 *                          block size): N full slabs added to 128 KiB
 *                          segments, then N crc32c() over a slab's data,
 *                          each loop timed. Answer "encode: RET
 *                          ENCODE_NS CRC_NS". Uses the encoder zns_slab
 *                          exports for its KUnit suites.
 *
 * What a sync wrote (slabs_written, bytes_written, device_bytes) is in the
 * cache's debugfs file, /sys/kernel/debug/zns_slab/cache/zslab_wb, which the
 * shell reads around each sync.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../zns_slab.h"
#include "../zslab_internal.h"	/* the segment encoder, for "encode" */
#include "../tests/client/zslab_cmdfile.h"

#define WB_CACHE_NAME	"zslab_wb"
#define WB_MAX_MIB	1024		/* object data a fill may ask for */
#define WB_MAX_ENCODE	100000		/* images an encode command may time */

struct wb_state {
	struct zslab_cache *c;
	void **objs;
	unsigned long nr;		/* objects allocated */
};

static struct wb_state wb;

static void wb_destroy(void)
{
	unsigned long i;

	for (i = 0; i < wb.nr; i++) {
		zslab_cache_free(wb.c, wb.objs[i]);
		if (!(i & 1023))
			cond_resched();
	}
	zslab_cache_destroy(wb.c);
	kvfree(wb.objs);
	wb.c = NULL;
	wb.objs = NULL;
	wb.nr = 0;
}

static int wb_fill(unsigned int mib, unsigned int size, unsigned int order)
{
	unsigned long n, i;
	int err;

	if (wb.c)
		return -EBUSY;
	if (!mib || mib > WB_MAX_MIB || !size || order > ZSLAB_MAX_SLAB_ORDER ||
	    size > (PAGE_SIZE << order))
		return -EINVAL;
	n = ((unsigned long)mib << 20) / size;
	wb.objs = kvmalloc_array(n, sizeof(*wb.objs), GFP_KERNEL);
	if (!wb.objs)
		return -ENOMEM;
	wb.c = zslab_cache_create(WB_CACHE_NAME, size, 0,
				  ZSLAB_SLAB_ORDER(order), NULL);
	if (IS_ERR(wb.c)) {
		err = PTR_ERR(wb.c);
		wb.c = NULL;
		kvfree(wb.objs);
		wb.objs = NULL;
		return err;
	}

	/* Nothing is dirty yet: this only settles what is pending. */
	err = zslab_cache_sync(wb.c);
	if (err) {
		pr_err("sync of the empty cache failed: %d\n", err);
		wb_destroy();
		return err;
	}

	for (i = 0; i < n; i++) {
		wb.objs[i] = zslab_cache_alloc(wb.c, GFP_KERNEL);
		if (!wb.objs[i]) {
			pr_err("allocation %lu of %lu failed\n", i, n);
			wb_destroy();
			return -ENOMEM;
		}
		wb.nr = i + 1;
		memset(wb.objs[i], (int)(i & 0xff) | 1, size);
		if (!(i & 1023))
			cond_resched();
	}
	return 0;
}

static void wb_dirty(void)
{
	unsigned long i;

	for (i = 0; i < wb.nr; i++) {
		zslab_mark_dirty(wb.c, wb.objs[i]);
		if (!(i & 1023))
			cond_resched();
	}
}

/*
 * Time @n encodes of a full slab of geometry @l into segments (a segment
 * holds as many slabs as the 128 KiB append bio does; a new one starts when
 * it is full), then @n CRCs of a slab's data.
 */
static int wb_encode(unsigned int n, struct zslab_seg_slab *l, unsigned int lbs,
		     u64 *encode_ns, u64 *crc_ns)
{
	unsigned int cap = 128 * 1024, summary, i;
	struct zslab_seg_builder b;
	unsigned long *map;
	void *data, *seg;
	u32 crc = 0;
	u64 t0;
	int err = -ENOMEM;

	if (!n || n > WB_MAX_ENCODE || !lbs || !is_power_of_2(lbs) ||
	    lbs > ZSLAB_DEFAULT_SLAB_SIZE || !l->slab_size ||
	    !is_power_of_2(l->slab_size) || l->slab_size < ZSLAB_DEFAULT_SLAB_SIZE ||
	    l->slab_size > (PAGE_SIZE << ZSLAB_MAX_SLAB_ORDER) || !l->object_size ||
	    l->stride < ZSLAB_MIN_OBJ_SIZE || l->object_size > l->stride || !l->nr_objs ||
	    l->nr_objs > l->slab_size / l->stride)
		return -EINVAL;
	summary = zslab_seg_summary_bytes(cap, l->slab_size, l->nr_objs, lbs);
	if (!summary)
		return -EINVAL;
	data = kvmalloc(l->slab_size, GFP_KERNEL);
	seg = kvmalloc(cap, GFP_KERNEL);
	map = bitmap_zalloc(l->nr_objs, GFP_KERNEL);
	if (!data || !seg || !map)
		goto out;
	memset(data, 0x5a, l->slab_size);
	bitmap_fill(map, l->nr_objs);

	t0 = ktime_get_ns();
	zslab_seg_start(&b, seg, cap, summary);
	for (i = 0; i < n; i++) {
		if (!zslab_seg_fits(&b, l->nr_objs, l->slab_size)) {
			zslab_seg_finish(&b, i);
			zslab_seg_start(&b, seg, cap, summary);
		}
		l->seq = i + 1;
		zslab_seg_add_slab(&b, l, map, NULL, data);
		if (!(i & 255))
			cond_resched();
	}
	zslab_seg_finish(&b, i);
	*encode_ns = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		crc = crc32c(crc, seg + summary, l->slab_size);
		if (!(i & 255))
			cond_resched();
	}
	*crc_ns = ktime_get_ns() - t0;
	/* Keep the CRC loop from being optimised away. */
	WRITE_ONCE(*(u32 *)seg, crc);
	err = 0;
out:
	bitmap_free(map);
	kvfree(seg);
	kvfree(data);
	return err;
}

/* Run one command and answer "VERB: RET VALUE" in @result. */
static void wb_run(char *cmd, char *result, size_t len)
{
	unsigned int mib = 0, size = 0, order = 0;
	struct zslab_seg_slab l = { .cache_id = 1, .slab_id = 1 };
	unsigned int lbs = 0;
	char verb[16] = "error";
	u64 t0, value = 0, value2 = 0;
	int ret = -EINVAL;
	int n;

	n = sscanf(cmd, "%15s %u %u %u", verb, &mib, &size, &order);
	if (n < 1) {
		strscpy(verb, "error", sizeof(verb));
	} else if (!strcmp(verb, "encode")) {
		n = sscanf(cmd, "%15s %u %u %u %u %u %u", verb, &mib,
			   &l.slab_size, &l.object_size, &l.stride, &l.nr_objs,
			   &lbs);
		if (n == 7)
			ret = wb_encode(mib, &l, lbs, &value, &value2);
		snprintf(result, len, "%s: %d %llu %llu\n",
			 verb, ret, value, value2);
		return;
	} else if (!strcmp(verb, "fill")) {
		if (n >= 3)
			ret = wb_fill(mib, size, order);
		value = wb.nr;
	} else if (strcmp(verb, "dirty") && strcmp(verb, "sync") &&
		   strcmp(verb, "destroy")) {
		strscpy(verb, "error", sizeof(verb));
	} else if (!wb.c) {
		ret = -ENOENT;
	} else if (!strcmp(verb, "dirty")) {
		wb_dirty();
		ret = 0;
		value = wb.nr;
	} else if (!strcmp(verb, "sync")) {
		t0 = ktime_get_ns();
		ret = zslab_cache_sync(wb.c);
		value = ktime_get_ns() - t0;
	} else {
		wb_destroy();
		ret = 0;
	}
	snprintf(result, len, "%s: %d %llu\n", verb, ret,
		 value);
}

static struct zslab_cmdfile wb_cmdfile = {
	.name = KBUILD_MODNAME,
	.cmd_max = 95,
	.run = wb_run,
	.result = "none: 0 0",
};

static int __init zslab_wbbench_init(void)
{
	zslab_cmdfile_create(&wb_cmdfile);
	return 0;
}

static void __exit zslab_wbbench_exit(void)
{
	zslab_cmdfile_remove(&wb_cmdfile);
	if (wb.c)
		wb_destroy();
}

module_init(zslab_wbbench_init);
module_exit(zslab_wbbench_exit);

ZSLAB_IMPORT_TESTS_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zns_slab benchmark: writeback throughput of zslab_cache_sync()");
