// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_example: the smallest useful zns_slab client.
 *
 * On load it creates a cache of `struct session` objects, allocates
 * `sessions` of them (filled in, so each is recognisable), frees every
 * `free_every`-th one, and keeps the rest until unload. Writing 1 to
 * /sys/module/zslab_example/parameters/sync calls zslab_cache_sync(): the
 * sessions are on the device when the write returns. Load it with zns_slab
 * present and look at /sys/kernel/debug/zns_slab/caches.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zns_slab.h>

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

/*
 * Parameter writes run under the module's parameter lock; exit clears
 * session_cache under it too, so a late write finds no cache, not a
 * destroyed one.
 */
static int sync_set(const char *val, const struct kernel_param *kp)
{
	bool now;
	int ret;

	ret = kstrtobool(val, &now);
	if (ret)
		return ret;
	if (!now)
		return 0;
	if (!session_cache)
		return -ENODEV;
	ret = zslab_cache_sync(session_cache);
	pr_info("zslab_example: zslab_cache_sync() returned %d\n", ret);
	return ret;
}

static const struct kernel_param_ops sync_ops = {
	.set = sync_set,
};
module_param_cb(sync, &sync_ops, NULL, 0200);
MODULE_PARM_DESC(sync, "Write 1 at run time: zslab_cache_sync() the sessions");

static int __init zslab_example_init(void)
{
	struct zslab_cache *cache;
	unsigned int i, n;

	cache = zslab_cache_create("example_session", sizeof(struct session),
				   0, ZSLAB_HWCACHE_ALIGN, NULL);
	if (IS_ERR(cache))
		return PTR_ERR(cache);

	table = kvcalloc(sessions, sizeof(*table), GFP_KERNEL);
	if (!table) {
		zslab_cache_destroy(cache);
		return -ENOMEM;
	}
	for (n = 0; n < sessions; n++) {
		struct session *s = zslab_cache_alloc(cache, GFP_KERNEL | __GFP_ZERO);

		if (!s)
			break;
		s->id = n;
		snprintf(s->user, sizeof(s->user), "user%u", n);
		table[n] = s;
	}
	for (i = 0; free_every && i < n; i += free_every) {
		zslab_cache_free(cache, table[i]);
		table[i] = NULL;
	}
	/* Only now may a write to the sync parameter reach the cache. */
	kernel_param_lock(THIS_MODULE);
	session_cache = cache;
	kernel_param_unlock(THIS_MODULE);
	pr_info("zslab_example: %u of %u sessions allocated and written, every %u-th freed\n",
		n, sessions, free_every);
	return 0;
}

static void __exit zslab_example_exit(void)
{
	struct zslab_cache *cache;
	unsigned int i, bad = 0;

	kernel_param_lock(THIS_MODULE);
	cache = session_cache;
	session_cache = NULL;
	kernel_param_unlock(THIS_MODULE);

	for (i = 0; i < sessions; i++) {
		if (!table[i])
			continue;
		if (table[i]->id != i)
			bad++;
		zslab_cache_free(cache, table[i]);
	}
	kvfree(table);
	zslab_cache_destroy(cache);
	pr_info("zslab_example: done, %u sessions found changed\n", bad);
}

module_init(zslab_example_init);
module_exit(zslab_example_exit);
MODULE_DESCRIPTION("Example client of zns_slab");
MODULE_LICENSE("GPL");
