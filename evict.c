// SPDX-License-Identifier: GPL-2.0
/*
 * Pins and eviction: how slabs leave DRAM.
 *
 * An object is pinned from alloc or zslab_get() until zslab_put() or its
 * free; a slab with no pinned object whose newest data is on the device may
 * leave DRAM. Its descriptor is then replaced, in the cache's slab xarray,
 * by a small evicted descriptor (where the data lies, its CRC, which objects
 * live) and its page goes back to the page allocator. zslab_get() of an
 * object there reads the slab back (readback.c); zslab_free_ref() frees
 * one without reading, and the next writeback pass owes the slab new data.
 *
 * Eviction runs from a worker when slab memory exceeds resident_max_mb, and
 * from a shrinker under memory pressure. It holds the writeback mutex with
 * none of the cache's bios in flight, so a clean slab's descriptor says
 * where its newest data is and nothing changes that meanwhile. Victims are
 * chosen CLOCK-wise: a get marks its slab referenced, and eviction passes
 * over a referenced slab once, clearing the mark.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include "zslab_internal.h"
#include "zslab_trace.h"

unsigned int zslab_resident_max_mb;

static int set_resident_max_mb(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret && zslab_device)
		zslab_kick_eviction(zslab_device);
	return ret;
}

static const struct kernel_param_ops resident_max_mb_ops = {
	.set = set_resident_max_mb,
	.get = param_get_uint,
};
module_param_cb(resident_max_mb, &resident_max_mb_ops, &zslab_resident_max_mb, 0644);
MODULE_PARM_DESC(resident_max_mb, "Slab memory of all caches kept in DRAM, MiB; above it clean unpinned slabs are evicted (0 = no cap, the default)");

const char *const zslab_cap_stat_names[ZSLAB_NR_CAP_STATS] = {
	[ZSLAB_CAP_EVICTIONS]		= "evictions",
	[ZSLAB_CAP_READBACKS]		= "readbacks",
	[ZSLAB_CAP_READBACK_BYTES]	= "readback_bytes",
	[ZSLAB_CAP_READBACK_ERRORS]	= "readback_errors",
	[ZSLAB_CAP_NOWAIT_MISSES]	= "get_nowait_misses",
	[ZSLAB_CAP_EVICTED_FREES]	= "evicted_frees",
	[ZSLAB_CAP_RELOCATED]		= "relocated_slabs",
};

/* Evicted descriptors a cache keeps in reserve: eviction never waits for memory. */
#define ZSLAB_EV_POOL_MIN	16
/*
 * Rounds of eviction a sleeping caller waits for before it is refused room
 * (an allocation or zslab_get() then returns NULL): other CPUs may take
 * what one round frees before the caller gets to it.
 */
#define ZSLAB_ROOM_TRIES	8
/* Slabs looked at per hold of the cache lock (interrupts are off meanwhile). */
#define ZSLAB_EVICT_BATCH	32

static unsigned long cap_pages(void)
{
	return (unsigned long)READ_ONCE(zslab_resident_max_mb) << (20 - PAGE_SHIFT);
}

/* Eviction stops a sixteenth below the cap, so that it does not run per slab. */
static unsigned long cap_target(unsigned long cap)
{
	return cap - cap / 16;
}

static bool over_cap(struct zslab_dev *zd, unsigned long target)
{
	return target && atomic_long_read(&zd->resident_pages) > target;
}

/**
 * zslab_over_cap() - Is slab memory above resident_max_mb?
 * @zd: the device.
 */
bool zslab_over_cap(struct zslab_dev *zd)
{
	return over_cap(zd, cap_pages());
}

/**
 * zslab_kick_eviction() - Bring slab memory under the cap, soon.
 * @zd: the device. Any context.
 */
void zslab_kick_eviction(struct zslab_dev *zd)
{
	if (over_cap(zd, cap_pages()))
		queue_work(zd->wq, &zd->evict_work);
}

/*
 * Rounds of eviction until @pages fit under @cap; give up after
 * ZSLAB_ROOM_TRIES, or at once when a round evicted nothing (everything
 * pinned: the caller is refused, as §3 says, rather than kept waiting).
 */
static bool wait_for_room(struct zslab_dev *zd, unsigned int pages, unsigned long cap)
{
	unsigned int tries;

	for (tries = 0; tries < ZSLAB_ROOM_TRIES; tries++) {
		flush_work(&zd->evict_work);
		if (atomic_long_read(&zd->resident_pages) + pages <= cap)
			return true;
		/* The run we waited for, or a later one: either says enough. */
		if (!READ_ONCE(zd->evict_work_done))
			return false;
		queue_work(zd->wq, &zd->evict_work);
	}
	return false;
}

/**
 * zslab_resident_room() - May @c take @pages more slab pages?
 * @c: the cache growing or reading a slab back.
 * @pages: how many.
 * @gfp: the caller's context.
 *
 * Under the cap, yes. Over it, eviction is kicked; a caller that may sleep
 * and do I/O (and is no worker: eviction runs on a worker of the same
 * ordered queue) waits for it, for a few rounds while each evicts something,
 * and gets its answer after. One that may not goes
 * on up to an eighth over the cap, until eviction catches up: atomic
 * allocations do not fail for a cap that a worker is about to restore.
 *
 * Return: true if the pages may be allocated.
 */
bool zslab_resident_room(struct zslab_cache *c, unsigned int pages, gfp_t gfp)
{
	struct zslab_dev *zd = zslab_device;
	unsigned long cap = cap_pages();

	if (!cap || atomic_long_read(&zd->resident_pages) + pages <= cap)
		return true;
	queue_work(zd->wq, &zd->evict_work);
	if (gfpflags_allow_blocking(gfp) && (current_gfp_context(gfp) & __GFP_IO) &&
	    !(current->flags & PF_WQ_WORKER))
		return wait_for_room(zd, pages, cap);
	return atomic_long_read(&zd->resident_pages) + pages <= cap + cap / 8;
}

/* ------------------------------------------------------------------ */
/* Pins                                                                */

enum pin_result { PIN_OK, PIN_RETRY, PIN_NOT_LIVE };

/*
 * Pin object @idx of @s, the resident slab @id named when we looked it up
 * under RCU. Descriptors are SLAB_TYPESAFE_BY_RCU: @s may have been evicted
 * and reused since, so take the pin first and then check that it is still
 * the slab and the object still lives; if not, give the pin back (on a
 * descriptor reused meanwhile it only delayed an eviction).
 */
static enum pin_result pin_resident(struct zslab_cache *c, struct zslab_slab *s,
				    u32 id, unsigned int idx)
{
	int v = atomic_read(&s->unpinned);

	do {
		if (v >= ZSLAB_PINS_FROZEN / 2)
			return PIN_RETRY;	/* being evicted: an evicted entry follows */
	} while (!atomic_try_cmpxchg(&s->unpinned, &v, v - 1));

	if (READ_ONCE(s->id) != id || xa_load(&c->slabs, id) != s) {
		atomic_inc(&s->unpinned);
		return PIN_RETRY;
	}
	if (!test_bit(idx, zslab_slab_inuse(s))) {
		atomic_inc(&s->unpinned);
		return PIN_NOT_LIVE;
	}
	atomic_long_dec(&c->unpinned_objs);
	return PIN_OK;
}

/* A get marks its slab: eviction passes it over once. */
static void mark_referenced(struct zslab_slab *s)
{
	if (!(atomic_read(&s->flags) & ZSLAB_SLAB_REFERENCED))
		atomic_or(ZSLAB_SLAB_REFERENCED, &s->flags);
}

static bool ref_in_cache(struct zslab_cache *c, zslab_ref_t ref)
{
	return zslab_ref_cache(ref) == c->id && zslab_ref_slab(ref) &&
	       zslab_ref_slot(ref) < c->objs_per_slab;
}

enum ref_state { REF_PINNED, REF_EVICTED, REF_NONE };

/*
 * Pin object @idx of slab @id if the slab is resident (*@sp set). Else
 * REF_EVICTED, or REF_NONE if the reference names no live object. A slab
 * being evicted right now is looked up again: an evicted entry follows.
 */
static enum ref_state pin_ref(struct zslab_cache *c, u32 id, unsigned int idx,
			      struct zslab_slab **sp)
{
	enum pin_result r;
	void *entry;

	for (;;) {
		rcu_read_lock();
		entry = xa_load(&c->slabs, id);
		if (!entry || zslab_entry_evicted(entry)) {
			rcu_read_unlock();
			return entry ? REF_EVICTED : REF_NONE;
		}
		r = pin_resident(c, entry, id, idx);
		rcu_read_unlock();
		if (r == PIN_OK) {
			*sp = entry;
			return REF_PINNED;
		}
		if (r == PIN_NOT_LIVE)
			return REF_NONE;
		cpu_relax();
	}
}

/**
 * zslab_get() - Pin and return the object a reference names.
 * @c: the cache.
 * @ref: from zslab_ref().
 * @gfp: allocation context. GFP_KERNEL or GFP_NOIO read an evicted slab
 *	back (one read however many wait for it); a non-sleeping gfp returns
 *	NULL for an evicted object instead (counted in get_nowait_misses).
 *
 * The pointer is valid until zslab_put() or zslab_cache_free(); a slab read
 * back may be at another address than before it left.
 *
 * Return: the object, or NULL: a reference to no live object of @c
 * (counted misuse), an evicted object with a non-sleeping @gfp, or a read
 * back that failed (counted in readback_errors, logged once per slab; the
 * slab stays evicted), or no room under resident_max_mb for the slab after
 * a few rounds of eviction (everything pinned).
 */
void *zslab_get(struct zslab_cache *c, zslab_ref_t ref, gfp_t gfp)
{
	u32 id = zslab_ref_slab(ref);
	unsigned int idx = zslab_ref_slot(ref), tries = 0;
	struct zslab_slab *s;
	void *obj;

	might_alloc(gfp);
	if (!ref_in_cache(c, ref))
		goto bad;
	for (;;) {
		switch (pin_ref(c, id, idx, &s)) {
		case REF_PINNED:
			mark_referenced(s);
			return zslab_slab_obj(c, s, idx);
		case REF_NONE:
			goto bad;
		case REF_EVICTED:
			break;
		}
		/* Room for it first: nothing held while eviction runs. */
		if (gfpflags_allow_blocking(gfp))
			zslab_resident_room(c, 1 << c->slab_order, gfp);
		obj = zslab_read_back(c, id, idx, gfp, true);
		/*
		 * No room under the cap: other CPUs took what eviction freed
		 * for us. A few more rounds of making room, then give up.
		 */
		if (obj == ERR_PTR(-ENOMEM) && ++tries < ZSLAB_ROOM_TRIES)
			continue;
		if (obj != ERR_PTR(-EAGAIN))
			return IS_ERR(obj) ? NULL : obj;
	}
bad:
	zslab_report_misuse(c, NULL, ZSLAB_MISUSE_BAD_REF);
	return NULL;
}
EXPORT_SYMBOL_GPL(zslab_get);

/**
 * zslab_put() - Unpin an object got with zslab_get() or zslab_cache_alloc().
 * @c: the cache.
 * @obj: the object; not to be used after this. Any context.
 *
 * A put of an object with no pin left is counted misuse and ignored.
 */
void zslab_put(struct zslab_cache *c, void *obj)
{
	struct zslab_slab *s;
	unsigned int idx, live;
	int v;

	s = zslab_live_obj_slab(c, obj, &idx);
	if (!s)
		return;
	/* More puts than pins would let the slab go while someone holds it. */
	live = bitmap_weight(zslab_slab_inuse(s), c->objs_per_slab);
	v = atomic_read(&s->unpinned);
	do {
		if (v >= (int)live) {
			zslab_report_misuse(c, obj, ZSLAB_MISUSE_UNPINNED);
			return;
		}
	} while (!atomic_try_cmpxchg(&s->unpinned, &v, v + 1));
	atomic_long_inc(&c->unpinned_objs);
}
EXPORT_SYMBOL_GPL(zslab_put);

/*
 * Free object @idx of evicted slab @id: its bit goes, and the slab owes new
 * data (a tombstone if it emptied), which the next writeback pass writes.
 * Return: 0, -EAGAIN if the slab is resident again, -ENOENT if the object
 * does not live.
 */
static int free_evicted(struct zslab_cache *c, u32 id, unsigned int idx)
{
	struct zslab_evicted *ev;
	unsigned long flags;
	void *entry;
	int ret = 0;

	spin_lock_irqsave(&c->lock, flags);
	entry = xa_load(&c->slabs, id);
	if (!entry || !zslab_entry_evicted(entry)) {
		ret = entry ? -EAGAIN : -ENOENT;
		goto out;
	}
	ev = zslab_entry_to_evicted(entry);
	if (!__test_and_clear_bit(idx, ev->map)) {
		ret = -ENOENT;
		goto out;
	}
	ev->nr_live--;
	ev->flags |= ZSLAB_EV_REWRITE;
	c->nr_evicted_objs--;
	xa_lock(&c->slabs);
	__xa_set_mark(&c->slabs, id, ZSLAB_XA_REWRITE);
	xa_unlock(&c->slabs);
	atomic_long_dec(&c->unpinned_objs);
	atomic64_inc(&c->cap[ZSLAB_CAP_EVICTED_FREES]);
out:
	spin_unlock_irqrestore(&c->lock, flags);
	return ret;
}

/**
 * zslab_free_ref() - Free the object a reference names.
 * @c: the cache.
 * @ref: from zslab_ref(), of an object nobody pins. Any context: an evicted
 *	slab is not read back (its next data is written by writeback).
 *
 * A reference to no live object is counted misuse.
 */
void zslab_free_ref(struct zslab_cache *c, zslab_ref_t ref)
{
	u32 id = zslab_ref_slab(ref);
	unsigned int idx = zslab_ref_slot(ref);
	struct zslab_slab *s;

	if (!ref_in_cache(c, ref))
		goto bad;
	for (;;) {
		switch (pin_ref(c, id, idx, &s)) {
		case REF_PINNED:
			/* Pinned, it is freed as zslab_cache_free() frees. */
			zslab_cache_free(c, zslab_slab_obj(c, s, idx));
			return;
		case REF_NONE:
			goto bad;
		case REF_EVICTED:
			break;
		}
		switch (free_evicted(c, id, idx)) {
		case 0:
			return;
		case -EAGAIN:
			continue;
		default:
			goto bad;
		}
	}
bad:
	zslab_report_misuse(c, NULL, ZSLAB_MISUSE_BAD_REF);
}
EXPORT_SYMBOL_GPL(zslab_free_ref);

/* ------------------------------------------------------------------ */
/* Eviction                                                            */

/*
 * Evict @s into @ev if it may go: clean, not retired or moving, owned by no
 * CPU, every object it does not hold live in its avail bitmap (none in a
 * magazine), and every live one unpinned. Cache lock held; the caller
 * holds the writeback mutex with no bio of the cache in flight, so its
 * image fields are stable and newest.
 */
static bool evict_slab_locked(struct zslab_cache *c, struct zslab_slab *s,
			      struct zslab_evicted *ev)
{
	unsigned int live;
	void *old;

	if (s->owned || s->img_zone == ZSLAB_NO_IMAGE ||
	    (atomic_read(&s->flags) & (ZSLAB_SLAB_DIRTY | ZSLAB_SLAB_DEAD | ZSLAB_SLAB_RELOC)))
		return false;
	live = bitmap_weight(zslab_slab_inuse(s), c->objs_per_slab);
	if (!live || live + s->nr_avail != c->objs_per_slab)
		return false;
	/* Every live object unpinned: freeze the count, gets now fail on it. */
	if (atomic_cmpxchg(&s->unpinned, live, live + ZSLAB_PINS_FROZEN) != live)
		return false;
	/*
	 * The cmpxchg is a full barrier: a free of an unpinned object (misuse)
	 * that cleared its bit before it is seen here; one after it sees the
	 * freeze and keeps the object (zslab_cache_free()).
	 */
	if (bitmap_weight(zslab_slab_inuse(s), c->objs_per_slab) != live)
		goto thaw;
	/* Set DIRTY ourselves: nobody queues the slab for writeback any more. */
	if (atomic_fetch_or(ZSLAB_SLAB_DIRTY, &s->flags) & ZSLAB_SLAB_DIRTY)
		goto thaw;

	ev->img_zone = s->img_zone;
	ev->img_offset = s->img_offset;
	ev->img_seq = s->img_seq;
	ev->img_crc = s->img_crc;
	ev->nr_live = live;
	ev->flags = 0;
	ev->reserved = 0;
	bitmap_copy(ev->map, zslab_slab_inuse(s), c->objs_per_slab);

	xa_lock(&c->slabs);
	old = __xa_store(&c->slabs, s->id, xa_tag_pointer(ev, ZSLAB_XA_EVICTED), GFP_NOWAIT);
	xa_unlock(&c->slabs);
	if (WARN_ON_ONCE(old != s)) {	/* replacing an entry never allocates */
		atomic_andnot(ZSLAB_SLAB_DIRTY, &s->flags);
		goto thaw;
	}
	zslab_slab_unlist_locked(c, s);
	c->nr_evicted++;
	c->nr_evicted_objs += live;
	return true;

thaw:
	atomic_sub(ZSLAB_PINS_FROZEN, &s->unpinned);
	return false;
}

/*
 * One batch: look at up to ZSLAB_EVICT_BATCH slabs from the front of @list,
 * each moved to the back whether it goes or not (a referenced one loses
 * its mark), and evict those that may go into the descriptors of @evs.
 * Returns how many went; their slabs are in @gone.
 */
static unsigned int evict_batch_locked(struct zslab_cache *c, struct list_head *list,
				       unsigned int len, struct zslab_evicted **evs,
				       unsigned int nr_evs, struct zslab_slab **gone)
{
	unsigned int looked, n = 0;

	for (looked = 0; looked < len && n < nr_evs && !list_empty(list); looked++) {
		struct zslab_slab *s = list_first_entry(list, struct zslab_slab, list);

		if (atomic_read(&s->flags) & ZSLAB_SLAB_REFERENCED) {
			atomic_andnot(ZSLAB_SLAB_REFERENCED, &s->flags);
			list_move_tail(&s->list, list);
			continue;
		}
		if (evict_slab_locked(c, s, evs[n])) {
			gone[n] = s;
			n++;
		} else {
			list_move_tail(&s->list, list);
		}
	}
	return n;
}

/**
 * zslab_evict_cache() - Evict up to @want slabs of @c.
 * @zd: the device, writeback mutex held.
 * @c: the cache.
 * @want: slabs wanted out.
 * @write_dirty: write dirty slabs first, so that they can go too.
 *
 * Waits for the cache's bios. Process context, under memalloc_noio_save().
 *
 * Return: slabs evicted.
 */
unsigned long zslab_evict_cache(struct zslab_dev *zd, struct zslab_cache *c,
				unsigned long want, bool write_dirty)
{
	struct zslab_evicted *evs[ZSLAB_EVICT_BATCH];
	struct zslab_slab *gone[ZSLAB_EVICT_BATCH];
	unsigned long done = 0, budget;
	unsigned long flags;
	unsigned int i, n, nr;

	lockdep_assert_held(&zd->wb_mutex);
	if (write_dirty)
		zslab_writeback_cache(zd, c);
	zslab_wait_writeback(c);
	/* Each slab looked at twice at most: once to clear its mark, once more. */
	budget = 2UL * READ_ONCE(c->nr_slabs) + ZSLAB_EVICT_BATCH;

	while (done < want && budget) {
		nr = min_t(unsigned long, ZSLAB_EVICT_BATCH, want - done);
		for (i = 0; i < nr; i++) {
			evs[i] = mempool_alloc(c->ev_pool, GFP_NOWAIT | __GFP_NOWARN);
			if (!evs[i])
				break;
		}
		nr = i;
		if (!nr)
			break;
		spin_lock_irqsave(&c->lock, flags);
		n = evict_batch_locked(c, &c->full, min_t(unsigned long, budget, ZSLAB_EVICT_BATCH),
				       evs, nr, gone);
		n += evict_batch_locked(c, &c->partial,
					min_t(unsigned long, budget, ZSLAB_EVICT_BATCH),
					evs + n, nr - n, gone + n);
		spin_unlock_irqrestore(&c->lock, flags);
		budget -= min_t(unsigned long, budget, 2 * ZSLAB_EVICT_BATCH);

		for (i = 0; i < n; i++) {
			trace_zslab_evict(c->id, gone[i]->id, evs[i]->img_zone, evs[i]->nr_live);
			zslab_slab_free_memory(c, gone[i]);
		}
		for (i = n; i < nr; i++)
			mempool_free(evs[i], c->ev_pool);
		atomic64_add(n, &c->cap[ZSLAB_CAP_EVICTIONS]);
		done += n;
		cond_resched();
	}
	return done;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_evict_cache);

/* Slabs of @c to evict so that @excess pages go. */
static unsigned long slabs_for(struct zslab_cache *c, long excess)
{
	return DIV_ROUND_UP(excess, 1L << c->slab_order);
}

/*
 * Round 0 evicts clean slabs, round 1 dirty ones after writing them.
 * Return: slabs evicted.
 */
static unsigned long evict_to_cap(struct zslab_dev *zd, int rounds)
{
	unsigned long target = cap_target(cap_pages()), done = 0;
	struct zslab_cache *c;
	int round;

	lockdep_assert_held(&zd->wb_mutex);
	for (round = 0; round < rounds; round++) {
		list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex)) {
			long excess = atomic_long_read(&zd->resident_pages) - target;

			if (!target || excess <= 0)
				return done;
			done += zslab_evict_cache(zd, c, slabs_for(c, excess), round);
		}
	}
	return done;
}

/**
 * zslab_evict_to_cap() - Evict until slab memory is under resident_max_mb.
 * @zd: the device, writeback mutex held.
 *
 * Clean unpinned slabs first, cache by cache; then, if that was not
 * enough, dirty ones after writing them.
 */
void zslab_evict_to_cap(struct zslab_dev *zd)
{
	evict_to_cap(zd, 2);
}

/**
 * zslab_evict_clean_to_cap() - Evict clean unpinned slabs until slab memory
 *	is under resident_max_mb, writing nothing.
 * @zd: the device, writeback mutex held.
 *
 * For a writeback pass that needs room: zslab_evict_to_cap() could write,
 * which is the pass it is called from.
 */
void zslab_evict_clean_to_cap(struct zslab_dev *zd)
{
	evict_to_cap(zd, 1);
}

static void evict_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(work, struct zslab_dev, evict_work);
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	WRITE_ONCE(zd->evict_work_done, evict_to_cap(zd, 2));
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
}

/*
 * Under memory pressure: clean unpinned slabs go, without waiting for I/O.
 * A cache with bios in flight is skipped (its descriptors may not yet say
 * where its newest data is), and so is everything while a writeback pass
 * holds the mutex: reclaim must not wait behind our I/O.
 */
static unsigned long zslab_shrink_count(struct shrinker *sh, struct shrink_control *sc)
{
	struct zslab_dev *zd = READ_ONCE(zslab_device);

	return zd ? atomic_long_read(&zd->resident_pages) : 0;
}

static unsigned long zslab_shrink_scan(struct shrinker *sh, struct shrink_control *sc)
{
	struct zslab_dev *zd = READ_ONCE(zslab_device);
	unsigned long freed = 0, before;
	struct zslab_cache *c;
	unsigned int noio;

	/* Registered before zslab_device is set, unregistered before it is cleared. */
	if (!zd || !(sc->gfp_mask & __GFP_IO) || !mutex_trylock(&zd->wb_mutex))
		return SHRINK_STOP;
	noio = memalloc_noio_save();
	list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex)) {
		if (freed >= sc->nr_to_scan)
			break;
		if (atomic_read(&c->inflight))
			continue;
		before = atomic_long_read(&zd->resident_pages);
		zslab_evict_cache(zd, c, slabs_for(c, sc->nr_to_scan - freed), false);
		freed += max(0L, (long)(before - atomic_long_read(&zd->resident_pages)));
	}
	memalloc_noio_restore(noio);
	mutex_unlock(&zd->wb_mutex);
	sc->nr_scanned = freed;
	return freed ?: SHRINK_STOP;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

int zslab_cache_evict_init(struct zslab_cache *c)
{
	char name[48];
	int i;

	c->ev_size = struct_size((struct zslab_evicted *)NULL, map, c->map_longs);
	snprintf(name, sizeof(name), "zslab_ev_%s", c->name);
	c->ev_cache = kmem_cache_create(name, c->ev_size, 0, 0, NULL);
	if (!c->ev_cache)
		return -ENOMEM;
	c->ev_pool = mempool_create_slab_pool(ZSLAB_EV_POOL_MIN, c->ev_cache);
	if (!c->ev_pool) {
		kmem_cache_destroy(c->ev_cache);
		c->ev_cache = NULL;
		return -ENOMEM;
	}
	init_waitqueue_head(&c->readback_wait);
	atomic_long_set(&c->unpinned_objs, 0);
	for (i = 0; i < ZSLAB_NR_CAP_STATS; i++)
		atomic64_set(&c->cap[i], 0);
	return 0;
}

/**
 * zslab_cache_evict_exit() - A cache goes: its evicted slabs go with it.
 * @c: the cache, nobody using it. Their data on the device becomes stale.
 */
void zslab_cache_evict_exit(struct zslab_cache *c)
{
	unsigned long id;
	void *entry;

	if (!c->ev_cache)
		return;
	xa_for_each(&c->slabs, id, entry) {
		struct zslab_evicted *ev;

		if (!zslab_entry_evicted(entry))
			continue;
		ev = zslab_entry_to_evicted(entry);
		xa_erase_irq(&c->slabs, id);
		zslab_zone_data_dropped(zslab_device, ev->img_zone, c->slab_sectors);
		mempool_free(ev, c->ev_pool);
	}
	c->nr_evicted = 0;
	c->nr_evicted_objs = 0;
	mempool_destroy(c->ev_pool);
	kmem_cache_destroy(c->ev_cache);
	c->ev_cache = NULL;
}

int zslab_evict_init(struct zslab_dev *zd)
{
	atomic_long_set(&zd->resident_pages, 0);
	INIT_WORK(&zd->evict_work, evict_work_fn);
	zd->shrinker = zslab_shrinker_create(zslab_shrink_count, zslab_shrink_scan,
					     "zns_slab");
	return zd->shrinker ? 0 : -ENOMEM;
}

void zslab_evict_exit(struct zslab_dev *zd)
{
	zslab_shrinker_destroy(zd->shrinker);
	cancel_work_sync(&zd->evict_work);
}

/* The live objects of slab @id now, into @map; false if it is gone. */
static bool live_objects(struct zslab_cache *c, unsigned long id, unsigned long *map)
{
	unsigned long flags;
	void *entry;

	spin_lock_irqsave(&c->lock, flags);
	entry = xa_load(&c->slabs, id);
	if (entry && zslab_entry_evicted(entry))
		bitmap_copy(map, zslab_entry_to_evicted(entry)->map, c->objs_per_slab);
	else if (entry)
		bitmap_copy(map, zslab_slab_inuse(entry), c->objs_per_slab);
	spin_unlock_irqrestore(&c->lock, flags);
	return entry;
}

/**
 * zslab_cache_for_each() - Visit every live object of a cache.
 * @c: the cache.
 * @fn: called with each object, pinned for the call (its slab read back
 *	if it was evicted); zslab_ref(c, obj) gives its reference.
 * @arg: passed to @fn.
 *
 * This is how a persistent cache's user finds its objects after a reload.
 * Slabs are visited in slab id order; objects allocated or freed by others
 * during the walk may or may not be visited. @fn may free the object (by
 * pointer or ref); then no other context may allocate from the cache
 * during the walk, as an object reallocated in that slot meanwhile would
 * lose the pin the walk gives back. An object whose slab cannot be read
 * back is skipped (counted in readback_errors). Process context; sleeps.
 *
 * Return: 0, -ENOMEM, or the first non-zero return of @fn (the walk stops).
 */
int zslab_cache_for_each(struct zslab_cache *c,
			 int (*fn)(struct zslab_cache *c, void *obj, void *arg),
			 void *arg)
{
	unsigned long *map, id = 0;
	unsigned int idx;
	void *entry;
	bool live;
	int ret = 0;

	might_sleep();
	map = bitmap_alloc(c->objs_per_slab, GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	xa_for_each(&c->slabs, id, entry) {
		if (!live_objects(c, id, map))
			continue;
		for_each_set_bit(idx, map, c->objs_per_slab) {
			struct zslab_slab *s;
			void *obj = zslab_get(c, zslab_make_ref(c, id, idx), GFP_KERNEL);

			if (!obj)
				continue;	/* freed meanwhile, or unreadable */
			s = zslab_slab_of(obj);
			ret = fn(c, obj, arg);
			/*
			 * Freed by @fn: its free took the pin with it. The slab
			 * may be gone too; its descriptor's memory is a
			 * descriptor's for an RCU grace period (typesafe).
			 */
			rcu_read_lock();
			live = test_bit(idx, zslab_slab_inuse(s));
			rcu_read_unlock();
			if (live)
				zslab_put(c, obj);
			if (ret)
				goto out;
		}
		cond_resched();
	}
out:
	bitmap_free(map);
	return ret;
}
EXPORT_SYMBOL_GPL(zslab_cache_for_each);
