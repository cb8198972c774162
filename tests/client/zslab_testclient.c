// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_testclient: a zns_slab client the integration tests drive.
 *
 * Commands are written to /sys/kernel/debug/zslab_testclient/cmd, one per
 * write; the answer of the last one is in .../result as "NAME: VALUE".
 *
 *   create I SIZE      create cache "tc<I>" of SIZE-byte objects (I < 4)
 *   churn I N ROUNDS   random allocs and frees keeping up to N objects;
 *                      every object holds a pattern of its own, marked dirty
 *   fill I N           allocate objects until N are live (answer: failures)
 *   sync I             zslab_cache_sync(); answer is its return value
 *   verify I           objects whose pattern changed (0 expected)
 *   refs I             objects for which ref -> get -> put does not give the
 *                      same pointer back (0 expected)
 *   freeall I          free every object
 *   destroy I          destroy the cache
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../../zns_slab.h"
#include "zslab_cmdfile.h"

#define TC_CACHES	4
#define TC_MAX_OBJS	100000

struct tc_cache {
	struct zslab_cache *c;
	unsigned int size;
	unsigned int max;
	u32 gen;
	void **objs;		/* slot -> object or NULL */
	u32 *tags;		/* slot -> pattern tag */
};

static struct tc_cache caches[TC_CACHES];

static void fill(struct tc_cache *t, unsigned int slot)
{
	u32 *p = t->objs[slot];
	unsigned int i;

	for (i = 0; i < t->size / 4; i++)
		p[i] = t->tags[slot] ^ i;
}

static bool intact(struct tc_cache *t, unsigned int slot)
{
	u32 *p = t->objs[slot];
	unsigned int i;

	for (i = 0; i < t->size / 4; i++)
		if (p[i] != (t->tags[slot] ^ i))
			return false;
	return true;
}

/* Allocate an object for @slot with a fresh pattern, written and marked dirty. */
static bool alloc_slot(struct tc_cache *t, unsigned int slot)
{
	t->objs[slot] = zslab_cache_alloc(t->c, GFP_KERNEL);
	if (!t->objs[slot])
		return false;
	t->tags[slot] = ++t->gen;
	fill(t, slot);
	zslab_mark_dirty(t->c, t->objs[slot]);
	return true;
}

static long tc_create(unsigned int i, unsigned int size)
{
	struct tc_cache *t = &caches[i];
	char name[8];

	if (t->c || size < 4 || size > 4096)
		return -EINVAL;
	snprintf(name, sizeof(name), "tc%u", i);
	t->objs = kvcalloc(TC_MAX_OBJS, sizeof(*t->objs), GFP_KERNEL);
	t->tags = kvcalloc(TC_MAX_OBJS, sizeof(*t->tags), GFP_KERNEL);
	if (!t->objs || !t->tags)
		goto nomem;
	t->c = zslab_cache_create(name, size, 0, 0, NULL);
	if (IS_ERR(t->c)) {
		long err = PTR_ERR(t->c);

		t->c = NULL;
		kvfree(t->objs);
		kvfree(t->tags);
		return err;
	}
	t->size = size;
	t->max = 0;
	return 0;
nomem:
	kvfree(t->objs);
	kvfree(t->tags);
	return -ENOMEM;
}

static long tc_churn(struct tc_cache *t, unsigned int n, unsigned int rounds)
{
	unsigned int r, slot, failed = 0;

	n = min_t(unsigned int, n, TC_MAX_OBJS);
	t->max = max(t->max, n);
	for (r = 0; r < rounds; r++) {
		slot = get_random_u32() % n;
		if (t->objs[slot]) {
			zslab_cache_free(t->c, t->objs[slot]);
			t->objs[slot] = NULL;
			continue;
		}
		failed += !alloc_slot(t, slot);
		if (!(r & 255))
			cond_resched();
	}
	return failed;
}

static long tc_fill(struct tc_cache *t, unsigned int n)
{
	unsigned int slot, failed = 0;

	n = min_t(unsigned int, n, TC_MAX_OBJS);
	t->max = max(t->max, n);
	for (slot = 0; slot < n; slot++) {
		if (!t->objs[slot])
			failed += !alloc_slot(t, slot);
		if (!(slot & 255))
			cond_resched();
	}
	return failed;
}

static long tc_for_each(struct tc_cache *t, bool (*bad)(struct tc_cache *, unsigned int))
{
	unsigned int slot;
	long n = 0;

	for (slot = 0; slot < t->max; slot++)
		if (t->objs[slot] && bad(t, slot))
			n++;
	return n;
}

static bool pattern_changed(struct tc_cache *t, unsigned int slot)
{
	return !intact(t, slot);
}

static bool ref_round_trip_fails(struct tc_cache *t, unsigned int slot)
{
	zslab_ref_t ref = zslab_ref(t->c, t->objs[slot]);
	void *obj;

	if (!ref)
		return true;
	obj = zslab_get(t->c, ref, GFP_KERNEL);
	if (obj)
		zslab_put(t->c, obj);
	return obj != t->objs[slot];
}

static void tc_freeall(struct tc_cache *t)
{
	unsigned int slot;

	for (slot = 0; slot < t->max; slot++) {
		zslab_cache_free(t->c, t->objs[slot]);
		t->objs[slot] = NULL;
	}
}

static void tc_destroy(struct tc_cache *t)
{
	tc_freeall(t);
	zslab_cache_destroy(t->c);
	t->c = NULL;
	kvfree(t->objs);
	kvfree(t->tags);
}

/* Run one command; @verb (16 bytes) is set to its name, or "error". */
static long tc_run(char *cmd, char *verb)
{
	unsigned int i, a = 0, b = 0;
	int n;

	n = sscanf(cmd, "%15s %u %u %u", verb, &i, &a, &b);
	if (n < 2 || i >= TC_CACHES) {
		strscpy(verb, "error", 16);
		return -EINVAL;
	}
	if (!strcmp(verb, "create"))
		return n == 3 ? tc_create(i, a) : -EINVAL;
	if (!caches[i].c)
		return -ENOENT;
	if (!strcmp(verb, "churn"))
		return n == 4 ? tc_churn(&caches[i], a, b) : -EINVAL;
	if (!strcmp(verb, "fill"))
		return n == 3 ? tc_fill(&caches[i], a) : -EINVAL;
	if (!strcmp(verb, "sync"))
		return zslab_cache_sync(caches[i].c);
	if (!strcmp(verb, "verify"))
		return tc_for_each(&caches[i], pattern_changed);
	if (!strcmp(verb, "refs"))
		return tc_for_each(&caches[i], ref_round_trip_fails);
	if (!strcmp(verb, "freeall")) {
		tc_freeall(&caches[i]);
		return 0;
	}
	if (!strcmp(verb, "destroy")) {
		tc_destroy(&caches[i]);
		return 0;
	}
	strscpy(verb, "error", 16);
	return -EINVAL;
}

/* Answer "VERB: RET" for the shell. */
static void tc_command(char *cmd, char *result, size_t len)
{
	char verb[16];
	long ret = tc_run(cmd, verb);

	snprintf(result, len, "%s: %ld\n", verb, ret);
}

static struct zslab_cmdfile tc_cmdfile = {
	.name = "zslab_testclient",
	.cmd_max = 63,
	.run = tc_command,
	.result = "none: 0",
};

static int __init tc_init(void)
{
	zslab_cmdfile_create(&tc_cmdfile);
	return 0;
}

static void __exit tc_exit(void)
{
	unsigned int i;

	zslab_cmdfile_remove(&tc_cmdfile);
	for (i = 0; i < TC_CACHES; i++)
		if (caches[i].c)
			tc_destroy(&caches[i]);
}

module_init(tc_init);
module_exit(tc_exit);
MODULE_DESCRIPTION("zns_slab client driven by the integration tests");
MODULE_LICENSE("GPL");
