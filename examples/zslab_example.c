// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_example: the smallest useful zns_slab client.
 *
 * On load it creates a cache of `struct session` objects, allocates
 * `sessions` of them (filled in, so each is recognisable), frees every
 * `free_every`-th one, and holds the rest by reference (zslab_ref_t), not
 * pinned: once written, their slabs may leave DRAM. Writing 1 to
 * /sys/module/zslab_example/parameters/sync calls zslab_cache_sync(): the
 * sessions are on the device when the write returns. Writing 1 to
 * .../parameters/check gets every session by its reference (an evicted slab
 * is read back), checks it and puts it again. On unload each session is
 * checked once more and freed, and the cache destroyed.
 *
 * persistent=1 makes the cache ZSLAB_PERSISTENT. If the device holds the
 * sessions of an earlier load (same sessions=), the load finds them with
 * zslab_cache_for_each() and checks each one instead of allocating. The
 * unload checks them and detaches the cache, then erases its data from the
 * device, unless keep=1 leaves it there for the next load.
 *
 * Load it with zns_slab present and look at /sys/kernel/debug/zns_slab/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zns_slab.h>

#define CACHE_NAME "example_session"

static unsigned int sessions = 1000;
module_param(sessions, uint, 0444);
MODULE_PARM_DESC(sessions, "Objects to allocate on load (default 1000)");

static unsigned int free_every = 4;
module_param(free_every, uint, 0444);
MODULE_PARM_DESC(free_every, "Free every n-th object again right away, 0 = none (default 4)");

static bool persistent;
module_param(persistent, bool, 0444);
MODULE_PARM_DESC(persistent, "Create the cache ZSLAB_PERSISTENT and take back the sessions an earlier load left on the device (default 0)");

static bool keep;
module_param(keep, bool, 0444);
MODULE_PARM_DESC(keep, "With persistent=1: leave the sessions on the device at unload instead of erasing them (default 0)");

struct session {
	u64 id;
	u32 flags;
	char user[52];
};

static struct zslab_cache *session_cache;
/* refs[i]: session i, held by reference (unpinned); 0 once freed. */
static zslab_ref_t *refs;

static void session_fill(struct session *s, u64 id)
{
	s->id = id;
	snprintf(s->user, sizeof(s->user), "user%llu", id);
}

/* Is @s session @id, byte for byte as session_fill() wrote it? */
static bool session_ok(const struct session *s, u64 id)
{
	struct session want = {};

	session_fill(&want, id);
	return s->id == id && !memcmp(s->user, want.user, sizeof(want.user));
}

/*
 * Get every session by its reference, reading its slab back from the device
 * if it left DRAM; check it; then put it (@free: free it). Returns how many
 * were not as written (or could not be read).
 */
static unsigned int check_sessions(struct zslab_cache *cache, bool free)
{
	unsigned int i, bad = 0;

	for (i = 0; i < sessions; i++) {
		struct session *s;

		if (!refs[i])
			continue;
		s = zslab_get(cache, refs[i], GFP_KERNEL);
		if (!s) {
			bad++;
			continue;
		}
		if (!session_ok(s, i))
			bad++;
		if (free)
			zslab_cache_free(cache, s);
		else
			zslab_put(cache, s);
	}
	return bad;
}

struct found {
	unsigned int sessions, changed;
};

/* zslab_cache_for_each() callback: check a recovered session, keep its ref. */
static int find_session(struct zslab_cache *cache, void *obj, void *arg)
{
	struct session *s = obj;
	struct found *f = arg;

	f->sessions++;
	if (s->id < sessions && !refs[s->id] && session_ok(s, s->id))
		refs[s->id] = zslab_ref(cache, s);
	else
		f->changed++;
	return 0;
}

/*
 * Parameter writes run under the module's parameter lock; exit clears
 * session_cache under it too, so a late write finds no cache, not a
 * destroyed one. A write of 1 acts (1 returned), of 0 does nothing (0).
 */
static int action_requested(const char *val)
{
	bool now;
	int ret = kstrtobool(val, &now);

	if (ret)
		return ret;
	if (!now)
		return 0;
	return session_cache ? 1 : -ENODEV;
}

static int sync_set(const char *val, const struct kernel_param *kp)
{
	int ret = action_requested(val);

	if (ret <= 0)
		return ret;
	ret = zslab_cache_sync(session_cache);
	pr_info("zslab_cache_sync() returned %d\n", ret);
	return ret;
}

static const struct kernel_param_ops sync_ops = {
	.set = sync_set,
};
module_param_cb(sync, &sync_ops, NULL, 0200);
MODULE_PARM_DESC(sync, "Write 1 at run time: zslab_cache_sync() the sessions");

static int check_set(const char *val, const struct kernel_param *kp)
{
	int ret = action_requested(val);
	unsigned int bad;

	if (ret <= 0)
		return ret;
	bad = check_sessions(session_cache, false);
	pr_info("every session got by its ref and checked: %u changed\n", bad);
	return bad ? -EIO : 0;
}

static const struct kernel_param_ops check_ops = {
	.set = check_set,
};
module_param_cb(check, &check_ops, NULL, 0200);
MODULE_PARM_DESC(check, "Write 1 at run time: get, check and put every session");

static int __init zslab_example_init(void)
{
	unsigned int flags = ZSLAB_HWCACHE_ALIGN;
	struct zslab_cache *cache;
	struct found found = {};
	unsigned int i, n;
	int ret;

	refs = kvcalloc(sessions, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	if (persistent)
		flags |= ZSLAB_PERSISTENT;
	cache = zslab_cache_create(CACHE_NAME, sizeof(struct session), 0, flags, NULL);
	if (IS_ERR(cache)) {
		pr_err("cannot create cache %s: %pe\n", CACHE_NAME, cache);
		kvfree(refs);
		return PTR_ERR(cache);
	}

	/* A persistent cache may hold the sessions of an earlier load. */
	if (persistent) {
		ret = zslab_cache_for_each(cache, find_session, &found);
		if (ret) {
			pr_err("zslab_cache_for_each() returned %d\n", ret);
			zslab_cache_destroy(cache);
			kvfree(refs);
			return ret;
		}
	}
	if (found.sessions) {
		pr_info("%u sessions recovered, %u changed\n", found.sessions, found.changed);
	} else {
		for (n = 0; n < sessions; n++) {
			struct session *s = zslab_cache_alloc(cache, GFP_KERNEL | __GFP_ZERO);

			if (!s)
				break;
			session_fill(s, n);
			zslab_mark_dirty(cache, s);
			refs[n] = zslab_ref(cache, s);
			zslab_put(cache, s);	/* held by ref from now on */
		}
		for (i = 0; free_every && i < n; i += free_every) {
			zslab_free_ref(cache, refs[i]);
			refs[i] = 0;
		}
		pr_info("%u of %u sessions allocated and written, every %u-th freed\n",
			n, sessions, free_every);
	}

	/* Only now may a write to the sync or check parameter reach the cache. */
	kernel_param_lock(THIS_MODULE);
	session_cache = cache;
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

static void __exit zslab_example_exit(void)
{
	struct zslab_cache *cache;
	unsigned int bad;
	int ret;

	kernel_param_lock(THIS_MODULE);
	cache = session_cache;
	session_cache = NULL;
	kernel_param_unlock(THIS_MODULE);

	/* A persistent cache keeps its sessions: destroy detaches it. */
	bad = check_sessions(cache, !persistent);
	kvfree(refs);
	zslab_cache_destroy(cache);
	pr_info("done, %u sessions found changed\n", bad);
	if (!persistent)
		return;
	if (keep) {
		pr_info("%s detached, its sessions kept on the device\n", CACHE_NAME);
		return;
	}
	ret = zslab_cache_erase(CACHE_NAME);
	if (ret)
		pr_err("zslab_cache_erase(%s) returned %d: its data stays on the device\n",
		       CACHE_NAME, ret);
	else
		pr_info("%s detached and erased from the device\n", CACHE_NAME);
}

module_init(zslab_example_init);
module_exit(zslab_example_exit);
MODULE_DESCRIPTION("Example client of zns_slab");
MODULE_LICENSE("GPL");
