// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_recbench: the client side of make bench's recovery case (issue 13;
 * the shell side is bench/rec.sh, driven by scripts/bench.sh). Only the
 * public API (zns_slab.h) is used.
 *
 * One command per write to /sys/kernel/debug/zslab_recbench/cmd; the answer
 * to the last one is in .../result as "VERB: RET NS", RET 0 or -errno, NS
 * the command's time (ktime_get_ns()). What a command counted is in
 * read-only files beside them (the "stat" list below). Reading .../clock
 * gives ktime_get_ns(), for the shell to time a command (dd) with the same
 * clock as the kernel's figures.
 *
 * The caches are persistent, "zslab_rec0" .. "zslab_rec<K-1>", SIZE-byte
 * objects in 4 KiB slabs. Object i (0 <= i < N) lives in cache i % K and
 * holds its cache number and index in its head, then a byte pattern
 * derived from the index: "check" finds every one exactly once, intact.
 *
 *   fill K N SIZE SYNC  create (or re-attach: -EEXIST if anything is there)
 *                       K persistent caches, allocate N objects (write,
 *                       zslab_put()), zslab_cache_sync() every cache every
 *                       SYNC allocations and at the end.
 *   update M SYNC       M objects more, after the N (and so on), each
 *                       synced as fill does: data written after the last
 *                       checkpoint.
 *   detach              zslab_cache_destroy() every cache: persistent, so
 *                       each is synced and detached, its data kept.
 *   attach K SIZE NEXT  re-attach K caches of SIZE-byte objects; the next
 *                       "update" allocates from index NEXT on.
 *   check N             zslab_cache_for_each() over every cache: each of
 *                       objects 0..N-1 seen exactly once with its head and
 *                       pattern intact, nothing else (RET -EIO otherwise;
 *                       the counts say what was wrong).
 *   erase K             detach, then zslab_cache_erase() caches 0..K-1.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../zns_slab.h"
#include "../tests/client/zslab_cmdfile.h"

#define REC_MAX_CACHES	16
#define REC_MAX_OBJS	(256UL << 20)

/* The head of every object. */
struct rec_obj {
	u32 cache;
	u32 magic;
	u64 idx;
};

#define REC_MAGIC	0x5a524543	/* "CERZ" */

static struct {
	struct zslab_cache *c[REC_MAX_CACHES];
	unsigned int nr_caches;
	unsigned int size;
	u64 next;			/* the next object index */
	unsigned long *seen;		/* check: one bit per index */
	u64 seen_max;
} rec;

static struct rec_stats {
	u64 allocated, alloc_fails;
	u64 syncs, sync_errors;
	u64 seen, dups, bad_head, bad_pattern, out_of_range;
} st;

static const char *const rec_stat_names[] = {
	"allocated", "alloc_fails", "syncs", "sync_errors",
	"seen", "dups", "bad_head", "bad_pattern", "out_of_range",
};

static u8 rec_pattern(u64 idx, unsigned int off)
{
	return (u8)(idx * 131 + off * 7) | 1;
}

static void rec_name(char *buf, size_t len, unsigned int k)
{
	snprintf(buf, len, "zslab_rec%u", k);
}

static int rec_attach(unsigned int k_caches, unsigned int size)
{
	char name[32];
	unsigned int k;

	if (rec.nr_caches)
		return -EBUSY;
	if (!k_caches || k_caches > REC_MAX_CACHES || size < sizeof(struct rec_obj) ||
	    size > PAGE_SIZE)
		return -EINVAL;
	for (k = 0; k < k_caches; k++) {
		struct zslab_cache *c;

		rec_name(name, sizeof(name), k);
		c = zslab_cache_create(name, size, 0, ZSLAB_PERSISTENT, NULL);
		if (IS_ERR(c)) {
			while (k--) {
				zslab_cache_destroy(rec.c[k]);
				rec.c[k] = NULL;
			}
			return PTR_ERR(c);
		}
		rec.c[k] = c;
	}
	rec.nr_caches = k_caches;
	rec.size = size;
	return 0;
}

static void rec_detach(void)
{
	unsigned int k;

	for (k = 0; k < rec.nr_caches; k++) {
		zslab_cache_destroy(rec.c[k]);
		rec.c[k] = NULL;
	}
	rec.nr_caches = 0;
}

static int rec_sync_all(void)
{
	unsigned int k;
	int err, ret = 0;

	for (k = 0; k < rec.nr_caches; k++) {
		err = zslab_cache_sync(rec.c[k]);
		st.syncs++;
		if (err) {
			st.sync_errors++;
			ret = ret ?: err;
		}
	}
	return ret;
}

/* Allocate objects rec.next .. rec.next + n - 1; sync every @sync. */
static int rec_alloc(u64 n, u64 sync)
{
	u64 i, end = rec.next + n;
	int err;

	if (!rec.nr_caches)
		return -ENOENT;
	if (!sync || end > REC_MAX_OBJS)
		return -EINVAL;
	for (i = rec.next; i < end; i++) {
		unsigned int k = i % rec.nr_caches, off;
		struct rec_obj *o = zslab_cache_alloc(rec.c[k], GFP_KERNEL);
		u8 *p;

		if (!o) {
			st.alloc_fails++;
			return -ENOMEM;
		}
		o->cache = k;
		o->magic = REC_MAGIC;
		o->idx = i;
		p = (u8 *)o;
		for (off = sizeof(*o); off < rec.size; off++)
			p[off] = rec_pattern(i, off);
		zslab_mark_dirty(rec.c[k], o);
		zslab_put(rec.c[k], o);
		rec.next = i + 1;
		st.allocated++;
		if ((i + 1) % sync == 0) {
			err = rec_sync_all();
			if (err)
				return err;
		}
		if (!(i & 255))
			cond_resched();
	}
	return rec_sync_all();
}

static int rec_count_one(struct zslab_cache *c, void *obj, void *arg)
{
	return 1;	/* one object is enough: stop */
}

static int rec_fill(unsigned long k_caches, u64 n, unsigned long size, u64 sync)
{
	int err;

	memset(&st, 0, sizeof(st));
	rec.next = 0;
	err = rec_attach(k_caches, size);
	if (err)
		return err;
	/* Fresh caches only: a re-attached one holds objects already. */
	err = zslab_cache_for_each(rec.c[0], rec_count_one, NULL) ? -EEXIST : 0;
	return err ?: rec_alloc(n, sync);
}

static int rec_check_one(struct zslab_cache *c, void *obj, void *arg)
{
	unsigned int k = *(unsigned int *)arg, off;
	struct rec_obj *o = obj;
	const u8 *p = obj;

	st.seen++;
	if (o->magic != REC_MAGIC || o->cache != k) {
		st.bad_head++;
		return 0;
	}
	if (o->idx >= rec.seen_max || o->idx % rec.nr_caches != k) {
		st.out_of_range++;
		return 0;
	}
	if (__test_and_set_bit(o->idx, rec.seen))
		st.dups++;
	for (off = sizeof(*o); off < rec.size; off++)
		if (p[off] != rec_pattern(o->idx, off)) {
			st.bad_pattern++;
			break;
		}
	return 0;
}

static int rec_check(u64 n)
{
	unsigned int k;
	int ret = 0;

	if (!rec.nr_caches)
		return -ENOENT;
	if (!n || n > REC_MAX_OBJS)
		return -EINVAL;
	st.seen = st.dups = st.bad_head = st.bad_pattern = st.out_of_range = 0;
	rec.seen = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	if (!rec.seen)
		return -ENOMEM;
	rec.seen_max = n;
	for (k = 0; k < rec.nr_caches && !ret; k++)
		ret = zslab_cache_for_each(rec.c[k], rec_check_one, &k);
	if (!ret && (st.seen != n || st.dups || st.bad_head || st.bad_pattern ||
		     st.out_of_range || bitmap_weight(rec.seen, n) != n))
		ret = -EIO;
	kvfree(rec.seen);
	rec.seen = NULL;
	return ret;
}

static int rec_erase(unsigned long n)
{
	unsigned int k;
	char name[32];
	int err, ret = 0;

	if (!n || n > REC_MAX_CACHES)
		return -EINVAL;
	rec_detach();
	for (k = 0; k < n; k++) {
		rec_name(name, sizeof(name), k);
		err = zslab_cache_erase(name);
		ret = ret ?: err;
	}
	return ret;
}

/* Run one command and answer "VERB: RET NS" in @result. */
static void rec_run(char *cmd, char *result, size_t len)
{
	unsigned long a = 0, b = 0, c = 0, d = 0;
	char verb[16] = "error";
	int ret = -EINVAL, n;
	u64 t0 = ktime_get_ns();

	n = sscanf(cmd, "%15s %lu %lu %lu %lu", verb, &a, &b, &c, &d);
	if (n < 1)
		strscpy(verb, "error", sizeof(verb));
	else if (!strcmp(verb, "fill") && n == 5)
		ret = rec_fill(a, b, c, d);
	else if (!strcmp(verb, "update") && n == 3)
		ret = rec_alloc(a, b);
	else if (!strcmp(verb, "detach") && n == 1) {
		rec_detach();
		ret = 0;
	} else if (!strcmp(verb, "attach") && n == 4) {
		ret = rec_attach(a, b);
		if (!ret)
			rec.next = c;
	} else if (!strcmp(verb, "check") && n == 2)
		ret = rec_check(a);
	else if (!strcmp(verb, "erase") && n == 2)
		ret = rec_erase(a);
	else
		strscpy(verb, "error", sizeof(verb));
	snprintf(result, len, "%s: %d %llu\n", verb, ret, ktime_get_ns() - t0);
}

static struct zslab_cmdfile rec_cmdfile = {
	.name = KBUILD_MODNAME,
	.cmd_max = 95,
	.run = rec_run,
	.result = "none: 0 0",
};

static ssize_t rec_clock_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%llu\n", ktime_get_ns());

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations rec_clock_fops = {
	.owner = THIS_MODULE,
	.read = rec_clock_read,
};

static int __init zslab_recbench_init(void)
{
	u64 *v = (u64 *)&st;
	unsigned int i;

	BUILD_BUG_ON(sizeof(st) != ARRAY_SIZE(rec_stat_names) * sizeof(u64));
	zslab_cmdfile_create(&rec_cmdfile);
	for (i = 0; i < ARRAY_SIZE(rec_stat_names); i++)
		debugfs_create_u64(rec_stat_names[i], 0444, rec_cmdfile.dir, &v[i]);
	debugfs_create_file("clock", 0444, rec_cmdfile.dir, NULL, &rec_clock_fops);
	return 0;
}

static void __exit zslab_recbench_exit(void)
{
	zslab_cmdfile_remove(&rec_cmdfile);
	rec_detach();
}

module_init(zslab_recbench_init);
module_exit(zslab_recbench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zns_slab benchmark: recovery of persistent caches (issue 13)");
