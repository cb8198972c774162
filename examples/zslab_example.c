// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_example: the smallest useful zns_slab client.
 *
 * On load it creates a cache of `struct session` objects, allocates
 * `sessions` of them (filled in, so each is recognisable), frees every
 * `free_every`-th one, and keeps the rest until unload. Load it with
 * zns_slab present and look at /sys/kernel/debug/zns_slab/caches.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../zns_slab.h"

static unsigned int sessions = 1000;
module_param(sessions, uint, 0444);
MODULE_PARM_DESC(sessions, "Objects to allocate on load (default 1000)");

static unsigned int free_every = 4;
module_param(free_every, uint, 0444);
MODULE_PARM_DESC(free_every, "Free every n-th object again right away, 0 = none (default 4)");

struct session {
	u64 id;
	u32 flags;
	char user[52];
};

static struct zslab_cache *session_cache;
static struct session **table;

static int __init zslab_example_init(void)
{
	unsigned int i;

	session_cache = zslab_cache_create("example_session", sizeof(struct session),
					   0, ZSLAB_HWCACHE_ALIGN, NULL);
	if (IS_ERR(session_cache))
		return PTR_ERR(session_cache);

	table = kvcalloc(sessions, sizeof(*table), GFP_KERNEL);
	if (!table) {
		zslab_cache_destroy(session_cache);
		return -ENOMEM;
	}
	for (i = 0; i < sessions; i++) {
		struct session *s = zslab_cache_alloc(session_cache, GFP_KERNEL | __GFP_ZERO);

		if (!s)
			break;
		s->id = i;
		snprintf(s->user, sizeof(s->user), "user%u", i);
		table[i] = s;
	}
	for (i = 0; free_every && i < sessions; i += free_every) {
		zslab_cache_free(session_cache, table[i]);
		table[i] = NULL;
	}
	pr_info("zslab_example: %u sessions allocated, every %u-th freed\n",
		sessions, free_every);
	return 0;
}

static void __exit zslab_example_exit(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < sessions; i++) {
		if (!table[i])
			continue;
		if (table[i]->id != i)
			bad++;
		zslab_cache_free(session_cache, table[i]);
	}
	kvfree(table);
	zslab_cache_destroy(session_cache);
	pr_info("zslab_example: done, %u sessions found changed\n", bad);
}

module_init(zslab_example_init);
module_exit(zslab_example_exit);
MODULE_DESCRIPTION("Example client of zns_slab");
MODULE_LICENSE("GPL");
