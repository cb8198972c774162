// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator: kmem-style caches of fixed-size objects.
 *
 * Fast path, per CPU: a magazine of free objects, used with plain loads and
 * stores while a per-CPU busy flag is set (see mag_lock()), so alloc and free
 * work from any context and share no cache line with other CPUs except the
 * one holding the slab's occupancy bit. That bit is flipped with an atomic
 * bit op on every alloc and free: it is what catches a double free on the
 * spot, and it is the occupancy map a segment carries to the zone.
 *
 * Slow path, under the cache lock: move half a magazine between the CPU and
 * the slabs, create slabs, and hand empty slabs beyond a small reserve back
 * to the page allocator.
 *
 * Ownership checks never dereference a pointer they have not proved is ours:
 * every slab page carries the cache's cookie in page->index and the slab
 * descriptor in page->private, both set by us when the page was allocated.
 */
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/cpuhotplug.h>
#include <linux/fault-inject.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "zslab_internal.h"

DEFINE_MUTEX(zslab_caches_lock);
ZSLAB_EXPORT_FOR_TESTS(zslab_caches_lock);
LIST_HEAD(zslab_caches);
static DEFINE_IDA(zslab_cache_ida);
static unsigned long zslab_cookie_secret;

/*
 * Fault injection, as failslab does: debugfs zns_slab/fail_slab_alloc (the
 * kernel's fault_attr knobs) makes a cache's growth fail as if memory ran
 * out. Only where the kernel has the framework (debug kernels).
 */
#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(fail_slab_alloc);

static bool should_fail_slab_alloc(struct zslab_cache *c, gfp_t gfp)
{
	return should_fail(&fail_slab_alloc, c->slab_size);
}

/**
 * zslab_fail_slab_alloc_set() - Fail the next @times growths (tests).
 * @times: how many; 0 stops failing.
 */
void zslab_fail_slab_alloc_set(unsigned int times)
{
	fail_slab_alloc.verbose = 0;
	fail_slab_alloc.interval = 1;
	fail_slab_alloc.probability = times ? 100 : 0;
	atomic_set(&fail_slab_alloc.times, times ? times : -1);
}

static void fail_slab_alloc_debugfs(struct dentry *dir)
{
	fault_create_debugfs_attr("fail_slab_alloc", dir, &fail_slab_alloc);
}
#else
static bool should_fail_slab_alloc(struct zslab_cache *c, gfp_t gfp)
{
	return false;
}

void zslab_fail_slab_alloc_set(unsigned int times)
{
}

static void fail_slab_alloc_debugfs(struct dentry *dir)
{
}
#endif
ZSLAB_EXPORT_FOR_TESTS(zslab_fail_slab_alloc_set);

static_assert(ZSLAB_MAX_OBJS < 1U << 15, "nr_avail is 15 bits");

enum slab_state { SLAB_EMPTY, SLAB_PARTIAL, SLAB_FULL };

static inline unsigned int obj_index(struct zslab_cache *c,
				     struct zslab_slab *s, const void *obj)
{
	return reciprocal_divide(obj - s->base, c->stride_recip);
}

/* Slab of an object known to be ours (it came out of a magazine or a slab). */
static inline struct zslab_slab *our_obj_slab(const void *obj)
{
	return (struct zslab_slab *)page_private(virt_to_head_page(obj));
}

struct zslab_slab *zslab_slab_of(const void *obj)
{
	return our_obj_slab(obj);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_slab_of);

/* ------------------------------------------------------------------ */
/* Misuse: reported once, counted always, never acted upon.            */

static noinline bool cookie_of_some_cache(unsigned long cookie)
{
	struct zslab_cache *c;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(c, &zslab_caches, node) {
		if (c->page_cookie == cookie) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

noinline void zslab_report_misuse(struct zslab_cache *c, const void *obj,
				  enum zslab_misuse why)
{
	atomic64_inc(&c->misuse[why]);
	WARN_ONCE(1, "%s: cache %s: %s of %p ignored\n", ZSLAB_NAME, c->name,
		  zslab_misuse_names[why], obj);
}

/*
 * Whether @obj is a direct-map address with a struct page behind it, so
 * that virt_to_head_page() may be read: virt_addr_valid() less its
 * kernel-image case (no slab lives there), and inline, so that a free makes
 * no call for it (under QEMU TCG that call was most of what the section
 * cache this replaces saved).
 */
static __always_inline bool obj_has_page(const void *obj)
{
	return (unsigned long)obj >= PAGE_OFFSET && obj < high_memory &&
	       pfn_valid(PHYS_PFN(__pa(obj)));
}

/*
 * The slab holding @obj, if @obj is a live-or-free object start of cache @c.
 * Otherwise NULL, with the kind of misuse in @why.
 */
static __always_inline struct zslab_slab *
checked_obj_slab(struct zslab_cache *c, const void *obj, unsigned int *idx,
		 enum zslab_misuse *why)
{
	struct zslab_slab *s;
	struct page *page;
	unsigned long offset;

	if (unlikely(!obj_has_page(obj))) {
		*why = ZSLAB_MISUSE_FOREIGN;
		return NULL;
	}
	page = virt_to_head_page(obj);
	if (unlikely(page->index != c->page_cookie)) {
		*why = cookie_of_some_cache(page->index) ?
			ZSLAB_MISUSE_OTHER_CACHE : ZSLAB_MISUSE_FOREIGN;
		return NULL;
	}
	s = (struct zslab_slab *)page_private(page);
	offset = obj - s->base;
	*idx = obj_index(c, s, obj);
	if (unlikely(offset >= c->slab_size || *idx >= c->objs_per_slab ||
		     zslab_slab_obj(c, s, *idx) != obj)) {
		*why = ZSLAB_MISUSE_MISALIGNED;
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* Slabs                                                               */

/* Descriptor @s takes @page: an empty slab, every object available. */
static void init_slab(struct zslab_cache *c, struct zslab_slab *s,
		      struct page *page)
{
	unsigned int i;

	page->index = c->page_cookie;
	set_page_private(page, (unsigned long)s);

	s->base = page_address(page);
	atomic_set(&s->flags, 0);
	s->img_zone = ZSLAB_NO_IMAGE;
	s->img_seq = 0;		/* older than any entry: sequences start at 1 */
	atomic_set(&s->unpinned, 0);
	s->nr_avail = c->objs_per_slab;
	s->owned = false;
	s->last_cpu = raw_smp_processor_id();
	bitmap_zero(zslab_slab_inuse(s), c->objs_per_slab);
	/* Exactly the slab's bits: take_from_slab() reads whole words. */
	bitmap_zero(zslab_slab_avail(c, s), c->objs_per_slab);
	bitmap_set(zslab_slab_avail(c, s), 0, c->objs_per_slab);
	if (zslab_cache_persistent(c))
		bitmap_zero(zslab_slab_devmap(c, s), c->objs_per_slab);
	if (c->marked_map)
		bitmap_zero(zslab_slab_marked(c, s), c->objs_per_slab);
	INIT_LIST_HEAD(&s->list);

	/* Like kmem_cache: objects are constructed once, when their slab is made. */
	if (c->ctor)
		for (i = 0; i < c->objs_per_slab; i++)
			c->ctor(zslab_slab_obj(c, s, i));
}

/* Undo init_slab(): the page is no longer ours; returns it for freeing. */
static struct page *uninit_slab(struct zslab_slab *s)
{
	struct page *page = virt_to_head_page(s->base);

	page->index = 0;
	set_page_private(page, 0);
	return page;
}

/*
 * Up to @want single-page slabs into @pages; returns how many. As SLUB's
 * allocate_slab() tries its preferred order first, pages come in blocks of
 * up to PAGE_ALLOC_COSTLY_ORDER, split into slabs: slabs grown together
 * then lie side by side, and a run of allocations, which takes their
 * objects in order, zeroes contiguous memory rather than pages scattered
 * over RAM. Measured in UML with init_on_alloc, 10000 allocations in a
 * row: 117-122 ns each for 2048 B objects from scattered pages, 108-113 from
 * blocks (512 B: 29-31, 22-27). A block is only worth it while free: no
 * reclaim, no reserves, no warning, never __GFP_NOFAIL (the page allocator
 * warns of it above order 1); the bulk allocator serves the rest.
 */
static unsigned int grow_pages(gfp_t gfp, struct page **pages, unsigned int want)
{
	gfp_t block_gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC) &
			  ~(__GFP_RECLAIM | __GFP_NOFAIL);
	unsigned int nr = 0, order, i;
	struct page *page;

	while (want - nr > 1) {
		order = min_t(unsigned int, ilog2(want - nr), PAGE_ALLOC_COSTLY_ORDER);
		page = alloc_pages(block_gfp, order);
		if (!page)
			break;
		/* Order-0 pages from here on: each slab is freed on its own. */
		split_page(page, order);
		for (i = 0; i < 1U << order; i++)
			pages[nr++] = page + i;
	}
	if (nr < want)
		nr = alloc_pages_bulk_array(gfp, want, pages);
	return nr;
}

/*
 * Up to @want new slabs onto @out; returns how many. A cache of large
 * objects grows by a magazine refill's worth at once, so the costs per
 * growth are paid once per batch: a few page allocations (grow_pages())
 * and one round of the id lock.
 */
static unsigned int new_slabs(struct zslab_cache *c, gfp_t gfp,
			      struct list_head *out, unsigned int want)
{
	struct page *pages[ZSLAB_GROW_MAX] = { };
	struct zslab_slab *descs[ZSLAB_GROW_MAX];
	unsigned int nr = 0, made, got;
	unsigned long flags;

	if (should_fail_slab_alloc(c, gfp))
		return 0;

	gfp &= ~(__GFP_ZERO | __GFP_HIGHMEM | __GFP_DMA | __GFP_DMA32 | __GFP_COMP);
	want = min_t(unsigned int, want, ZSLAB_GROW_MAX);
	if (!zslab_resident_room(c, want << c->slab_order, gfp)) {
		want = 1;	/* one slab, if eviction made room for that */
		if (!zslab_resident_room(c, 1 << c->slab_order, gfp))
			return 0;
	}
	if (!c->slab_order && want > 1)
		nr = grow_pages(gfp, pages, want);
	for (; nr < want; nr++) {
		pages[nr] = alloc_pages(gfp | (c->slab_order ? __GFP_COMP : 0),
					c->slab_order);
		if (!pages[nr])
			break;
	}
	for (made = 0; made < nr; made++) {
		descs[made] = kmem_cache_alloc(c->desc_cache, gfp);
		if (!descs[made])
			break;
		init_slab(c, descs[made], pages[made]);
	}

	/*
	 * Ids are dense (lowest free first), so references stay small. irqsave:
	 * we may be in hard interrupt context (GFP_ATOMIC).
	 */
	xa_lock_irqsave(&c->slabs, flags);
	for (got = 0; got < made; got++)
		if (__xa_alloc(&c->slabs, &descs[got]->id, descs[got],
			       xa_limit_32b, gfp))
			break;
	xa_unlock_irqrestore(&c->slabs, flags);

	for (nr = 0; nr < got; nr++)
		list_add_tail(&descs[nr]->list, out);
	atomic_long_add((long)got << c->slab_order, &zslab_device->resident_pages);
	while (made > got) {
		uninit_slab(descs[--made]);
		kmem_cache_free(c->desc_cache, descs[made]);
	}
	for (nr = made; nr < want && pages[nr]; nr++)
		__free_pages(pages[nr], c->slab_order);
	return got;
}

/**
 * zslab_slab_free_memory() - Give a slab's page and descriptor back.
 * @c: its cache.
 * @s: the slab, unreachable: out of the xarray or replaced there. Any context.
 */
void zslab_slab_free_memory(struct zslab_cache *c, struct zslab_slab *s)
{
	__free_pages(uninit_slab(s), c->slab_order);
	kmem_cache_free(c->desc_cache, s);
	atomic_long_sub(1L << c->slab_order, &zslab_device->resident_pages);
}

/* Process context, no cache lock: the slab is unreachable for allocation. */
static void free_slab(struct zslab_cache *c, struct zslab_slab *s)
{
	zslab_slab_drop_image(c, s);
	xa_erase_irq(&c->slabs, s->id);
	zslab_slab_free_memory(c, s);
}

/**
 * zslab_slab_alloc_desc() - A page and a descriptor for a slab read back.
 * @c: the cache.
 * @gfp: how to allocate (the read-back path passes GFP_NOIO).
 *
 * Return: the slab, every object available, no id yet; or NULL.
 */
struct zslab_slab *zslab_slab_alloc_desc(struct zslab_cache *c, gfp_t gfp)
{
	struct zslab_slab *s;
	struct page *page;

	if (!zslab_resident_room(c, 1 << c->slab_order, gfp))
		return NULL;
	page = alloc_pages(gfp | __GFP_NOWARN | (c->slab_order ? __GFP_COMP : 0),
			   c->slab_order);
	if (!page)
		return NULL;
	s = kmem_cache_alloc(c->desc_cache, gfp | __GFP_NOWARN);
	if (!s) {
		__free_pages(page, c->slab_order);
		return NULL;
	}
	/* No constructor: the objects' bytes come from the device. */
	page->index = c->page_cookie;
	set_page_private(page, (unsigned long)s);
	s->base = page_address(page);
	atomic_set(&s->flags, 0);
	atomic_set(&s->unpinned, 0);
	s->owned = false;
	s->last_cpu = raw_smp_processor_id();
	INIT_LIST_HEAD(&s->list);
	atomic_long_add(1L << c->slab_order, &zslab_device->resident_pages);
	return s;
}

static enum slab_state slab_state(struct zslab_cache *c, struct zslab_slab *s)
{
	if (s->nr_avail == c->objs_per_slab)
		return SLAB_EMPTY;
	return s->nr_avail ? SLAB_PARTIAL : SLAB_FULL;
}

/*
 * Each CPU owns the slab it refills from, as SLUB's CPU slab: objects of one
 * slab in two CPUs' magazines would have both flip bits in that slab's
 * bitmap, a cache line bouncing between them on every alloc and free. The
 * owner is last_cpu while OWNED is set, and that CPU's refill_slab points
 * back; all of it changes under the cache lock only.
 */
static void disown_slab(struct zslab_cache *c, struct zslab_slab *s)
{
	if (!s->owned)
		return;
	per_cpu_ptr(c->cpu, s->last_cpu)->refill_slab = NULL;
	s->owned = false;
}

static void own_slab(struct zslab_cache *c, struct zslab_cpu_cache *cc,
		     struct zslab_slab *s, unsigned int cpu)
{
	if (cc->refill_slab == s)
		return;
	if (cc->refill_slab)
		disown_slab(c, cc->refill_slab);
	disown_slab(c, s);		/* taken over: its owner found no other */
	WRITE_ONCE(s->last_cpu, cpu);
	s->owned = true;
	cc->refill_slab = s;
}

static bool owned_by_other(struct zslab_slab *s, unsigned int cpu)
{
	return s->owned && s->last_cpu != cpu;
}

/*
 * An empty slab beyond the reserve leaves the allocator now and is freed by
 * the next writeback pass (or reap, with writeback off), once no bio or
 * dirty list can still point at it.
 */
static void retire_slab(struct zslab_cache *c, struct zslab_slab *s)
{
	disown_slab(c, s);
	atomic_or(ZSLAB_SLAB_DEAD, &s->flags);
	list_move(&s->list, &c->dead);
	c->nr_slabs--;
	c->nr_dead++;
	c->nr_avail -= s->nr_avail;
	zslab_slab_retired(c);
}

/**
 * zslab_reap_dead_slabs() - Free retired slabs nothing refers to any more.
 * @c: the cache. Writeback mutex held, so no new bio starts meanwhile.
 *
 * Not one whose data is on the device without a tombstone after it
 * (WRITTEN): freed, its id could be reused before the tombstone, and the
 * old data would come back to life on the device.
 */
void zslab_reap_dead_slabs(struct zslab_cache *c)
{
	struct zslab_slab *s, *tmp;
	unsigned long flags;
	LIST_HEAD(reap);

	if (atomic_read(&c->inflight))
		return;
	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(s, tmp, &c->dead, list) {
		if (atomic_read(&s->flags) & (ZSLAB_SLAB_DIRTY | ZSLAB_SLAB_WRITTEN))
			continue;	/* still on the dirty list, or owes a tombstone */
		list_move(&s->list, &reap);
		c->nr_dead--;
		c->slabs_freed++;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	list_for_each_entry_safe(s, tmp, &reap, list)
		free_slab(c, s);
}

/* Put @s on the list its availability calls for; @was is where it is now. */
static void relist_slab(struct zslab_cache *c, struct zslab_slab *s,
			enum slab_state was)
{
	enum slab_state now = slab_state(c, s);

	if (now == was)
		return;
	c->nr_partial -= was == SLAB_PARTIAL;
	c->nr_empty -= was == SLAB_EMPTY;

	switch (now) {
	case SLAB_PARTIAL:
		c->nr_partial++;
		list_move(&s->list, &c->partial);
		break;
	case SLAB_FULL:
		list_move(&s->list, &c->full);
		break;
	case SLAB_EMPTY:
		if (c->nr_empty >= c->empty_reserve) {
			retire_slab(c, s);
			return;
		}
		c->nr_empty++;
		list_move(&s->list, &c->empty);
		break;
	}
}

/**
 * zslab_slab_install_locked() - A slab read back joins the allocator.
 * @c: its cache, lock held.
 * @s: its bitmaps, nr_avail and id set; not yet on a list.
 */
void zslab_slab_install_locked(struct zslab_cache *c, struct zslab_slab *s)
{
	enum slab_state now = slab_state(c, s);

	lockdep_assert_held(&c->lock);
	c->nr_slabs++;
	c->nr_avail += s->nr_avail;
	if (now == SLAB_PARTIAL) {
		c->nr_partial++;
		list_add_tail(&s->list, &c->partial);
	} else if (now == SLAB_FULL) {
		list_add_tail(&s->list, &c->full);
	} else {
		c->nr_empty++;
		list_add_tail(&s->list, &c->empty);
	}
}

/**
 * zslab_slab_unlist_locked() - A slab leaves the allocator for eviction.
 * @c: its cache, lock held.
 * @s: a partial or full slab no CPU owns.
 */
void zslab_slab_unlist_locked(struct zslab_cache *c, struct zslab_slab *s)
{
	lockdep_assert_held(&c->lock);
	c->nr_partial -= slab_state(c, s) == SLAB_PARTIAL;
	c->nr_slabs--;
	c->nr_avail -= s->nr_avail;
	list_del_init(&s->list);
}

static void add_slab_locked(struct zslab_cache *c, struct zslab_slab *s)
{
	lockdep_assert_held(&c->lock);
	c->nr_slabs++;
	c->nr_empty++;
	c->nr_avail += s->nr_avail;
	c->slabs_allocated++;
	list_add(&s->list, &c->empty);
}

/* ------------------------------------------------------------------ */
/* Moving objects between magazines and slabs (cache lock held)       */

/*
 * Take up to @want objects from @s, which own_slab() gave this CPU, in
 * ascending address order: a word of the avail bitmap at a time, so a
 * refill costs a find-first-set per object rather than a bitmap search.
 */
static unsigned int take_from_slab(struct zslab_cache *c, struct zslab_slab *s,
				   void **objs, unsigned int want)
{
	unsigned long *avail = zslab_slab_avail(c, s);
	enum slab_state was = slab_state(c, s);
	unsigned int k, got = 0;

	for (k = 0; k < c->map_longs && got < want; k++) {
		unsigned long word = avail[k];

		for (; word && got < want; got++) {
			objs[got] = zslab_slab_obj(c, s, k * BITS_PER_LONG + __ffs(word));
			word &= word - 1;	/* that bit taken */
		}
		avail[k] = word;
	}
	s->nr_avail -= got;
	c->nr_avail -= got;
	relist_slab(c, s, was);
	return got;
}

/*
 * A retired slab the writeback pass has not freed yet is as good as a new
 * one and costs no page allocation: churn that empties and refills slabs
 * faster than passes run reuses them. It may still be on the dirty list
 * (the pass then treats it as live again); dirtying it makes the next pass
 * settle its image either way.
 */
static struct zslab_slab *revive_dead_slab(struct zslab_cache *c)
{
	struct zslab_slab *s = list_first_entry_or_null(&c->dead, struct zslab_slab, list);

	if (!s)
		return NULL;
	atomic_andnot(ZSLAB_SLAB_DEAD, &s->flags);
	c->nr_dead--;
	c->nr_slabs++;
	c->nr_empty++;
	c->nr_avail += s->nr_avail;
	c->slabs_revived++;
	list_move(&s->list, &c->empty);
	smp_mb__after_atomic();		/* DEAD cleared, then DIRTY read */
	zslab_slab_mark_dirty(c, s);
	return s;
}

/*
 * Where a magazine refills from: the slab this CPU owns, a partial slab no
 * other CPU owns (other CPUs own at most one each, so the walk is short),
 * an empty one, a retired one revived. With @share, as a last resort when no
 * page could be had, a slab another CPU owns.
 */
static struct zslab_slab *refill_source(struct zslab_cache *c,
					struct zslab_cpu_cache *cc,
					unsigned int cpu, bool share)
{
	struct zslab_slab *s;

	if (cc->refill_slab && cc->refill_slab->nr_avail)
		return cc->refill_slab;
	list_for_each_entry(s, &c->partial, list)
		if (!owned_by_other(s, cpu))
			return s;
	list_for_each_entry(s, &c->empty, list)
		if (!owned_by_other(s, cpu))
			return s;
	s = revive_dead_slab(c);
	if (!s && share)
		s = list_first_entry_or_null(&c->partial, struct zslab_slab, list) ?:
		    list_first_entry_or_null(&c->empty, struct zslab_slab, list);
	return s;
}

/*
 * Up to @want objects for this CPU into @objs (refill_source() says from
 * where): half a magazine for a refill, one for an interrupt that found the
 * magazine busy.
 */
static unsigned int take_objs(struct zslab_cache *c, struct zslab_cpu_cache *cc,
			      void **objs, unsigned int want, bool share)
{
	unsigned int cpu = smp_processor_id(), got = 0;

	lockdep_assert_held(&c->lock);
	while (got < want) {
		struct zslab_slab *s = refill_source(c, cc, cpu, share);

		if (!s)
			break;
		/* A slab this refill empties has nothing left to own. */
		if (s->owned || s->nr_avail > want - got)
			own_slab(c, cc, s, cpu);
		else
			WRITE_ONCE(s->last_cpu, cpu);
		got += take_from_slab(c, s, objs + got, want - got);
	}
	return got;
}

/*
 * Fill an empty magazine by half. Slabs hand out objects in ascending
 * address order and the magazine pops from its top, so it is stored
 * reversed: successive allocations then walk up through memory, which the
 * hardware prefetcher follows (measured in UML with init_on_alloc: 512 B
 * allocations in a row took 103 ns each walking down, 47 ns walking up).
 */
static void refill_magazine(struct zslab_cache *c, struct zslab_cpu_cache *cc,
			    bool share)
{
	unsigned int n = take_objs(c, cc, cc->objs, ZSLAB_MAG_BATCH, share), i;

	for (i = 0; i < n / 2; i++)
		swap(cc->objs[i], cc->objs[n - 1 - i]);
	cc->count = n;
}

/*
 * Give @n objects back to their slabs. Objects freed together mostly share
 * a slab: each run of them is one relist.
 */
static void give_back_objs(struct zslab_cache *c, void **objs, unsigned int n)
{
	unsigned int i = 0;

	lockdep_assert_held(&c->lock);
	while (i < n) {
		struct zslab_slab *s = our_obj_slab(objs[i]);
		enum slab_state was = slab_state(c, s);

		do {
			__set_bit(obj_index(c, s, objs[i]), zslab_slab_avail(c, s));
			s->nr_avail++;
			c->nr_avail++;
		} while (++i < n && our_obj_slab(objs[i]) == s);
		relist_slab(c, s, was);
	}
}

/* Give the @n oldest objects of a magazine back to their slabs. */
static void flush_magazine(struct zslab_cache *c, struct zslab_cpu_cache *cc,
			   unsigned int n)
{
	n = min(n, cc->count);
	give_back_objs(c, cc->objs, n);
	cc->count -= n;
	memmove(cc->objs, cc->objs + n, cc->count * sizeof(cc->objs[0]));
}

/*
 * The fast paths own their CPU's magazine between mag_lock() and
 * mag_unlock() and use it with plain loads and stores, as local_trylock()
 * lets SLUB's per-CPU sheaves do: preemption off keeps us on this CPU, and
 * busy tells an interrupt here that the magazine is half way through a
 * change, so it leaves it alone and goes to the slabs. No atomic op and no
 * interrupt masking: no other CPU touches a magazine while its cache is in
 * use, and an interrupt on ours sees our stores in program order. Slow paths
 * change a magazine only with interrupts off on its CPU and busy clear, or
 * when nothing can run on it (destroy, a dead CPU).
 */
static __always_inline struct zslab_cpu_cache *mag_lock(struct zslab_cache *c)
{
	struct zslab_cpu_cache *cc;

	preempt_disable();
	cc = this_cpu_ptr(c->cpu);
	if (unlikely(READ_ONCE(cc->busy))) {
		preempt_enable();
		return NULL;
	}
	WRITE_ONCE(cc->busy, true);
	barrier();		/* busy is set before we look at the magazine */
	return cc;
}

static __always_inline void mag_unlock(struct zslab_cpu_cache *cc)
{
	barrier();		/* and cleared after we are done with it */
	WRITE_ONCE(cc->busy, false);
	preempt_enable();
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

/*
 * A writeback pass that sees an object's in-use bit sends its bytes to the
 * device, and those must be zeros or what the client wrote, never the
 * previous occupant's (DESIGN §3). Under init_on_alloc, as Debian's kernels
 * boot, the object is zeroed before it is published, the zeroing SLUB does
 * anyway (the set bit is a full barrier, and the pass reads the bitmap
 * before the objects, see zslab_seg_add_slab()). Without it, as SLUB, we do
 * not zero: the pass sends zeros for an object its client has not marked
 * since (zslab_slab_marked()). A cache with a constructor keeps what it set
 * up, as SLUB's does.
 */
static __always_inline void *finish_alloc(struct zslab_cache *c, void *obj, gfp_t gfp)
{
	struct zslab_slab *s = our_obj_slab(obj);

	if (c->zero_at_alloc || unlikely(gfp & __GFP_ZERO))
		memset(obj, 0, c->object_size);
	/* Nobody else can hold it: a set bit here means our books are wrong. */
	if (WARN_ON_ONCE(test_and_set_bit(obj_index(c, s, obj), zslab_slab_inuse(s))))
		return NULL;
	zslab_slab_mark_dirty(c, s);
	return obj;
}

static noinline void *alloc_slow(struct zslab_cache *c, gfp_t gfp)
{
	struct zslab_slab *s, *tmp;
	struct zslab_cpu_cache *cc;
	bool share = false;
	unsigned long flags;
	LIST_HEAD(fresh);
	void *obj;

	for (;;) {
		spin_lock_irqsave(&c->lock, flags);
		list_for_each_entry_safe(s, tmp, &fresh, list) {
			list_del(&s->list);	/* fresh may be walked again */
			add_slab_locked(c, s);
		}
		/* We may be on another CPU than the fast path was. */
		cc = this_cpu_ptr(c->cpu);
		obj = NULL;
		if (cc->busy) {
			/* We cut into a fast path on this CPU: one object, past its magazine. */
			take_objs(c, cc, &obj, 1, share);
		} else {
			if (!cc->count)
				refill_magazine(c, cc, share);
			if (cc->count)
				obj = cc->objs[--cc->count];
		}
		if (obj) {
			/* Not a counter a fast path we may have cut into changes. */
			cc->stat[ZSLAB_ALLOC_SLOW]++;
			spin_unlock_irqrestore(&c->lock, flags);
			return finish_alloc(c, obj, gfp);
		}
		spin_unlock_irqrestore(&c->lock, flags);

		/* Sleeps only if @gfp allows; GFP_ATOMIC/NOWAIT never do. */
		if (new_slabs(c, gfp, &fresh, c->grow_slabs))
			continue;
		if (!share) {
			share = true;	/* another CPU's slab beats failing */
			continue;
		}
		this_cpu_inc(c->cpu->stat[ZSLAB_ALLOC_FAILED]);
		return NULL;
	}
}

/**
 * zslab_cache_alloc() - Allocate an object.
 * @c: the cache.
 * @gfp: GFP_KERNEL, or GFP_ATOMIC/GFP_NOWAIT from any context (never
 *	sleeps then); __GFP_ZERO zeroes the object.
 *
 * Return: the object, or NULL when memory ran out.
 */
void *zslab_cache_alloc(struct zslab_cache *c, gfp_t gfp)
{
	struct zslab_cpu_cache *cc;
	void *obj = NULL;

	might_alloc(gfp);
	cc = mag_lock(c);
	if (likely(cc)) {
		if (likely(cc->count)) {
			obj = cc->objs[--cc->count];
			cc->stat[ZSLAB_ALLOC_FAST]++;
		}
		mag_unlock(cc);
	}
	if (unlikely(!obj))
		return alloc_slow(c, gfp);
	return finish_alloc(c, obj, gfp);
}
EXPORT_SYMBOL_GPL(zslab_cache_alloc);

/* ------------------------------------------------------------------ */
/* Free                                                                */

/*
 * Magazine full: return its older half to the slabs, then keep @obj. If we
 * cut into a fast path on this CPU, @obj goes straight back to its slab.
 */
static noinline void free_slow(struct zslab_cache *c, struct zslab_slab *s,
			       void *obj)
{
	struct zslab_cpu_cache *cc;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	cc = this_cpu_ptr(c->cpu);
	if (cc->busy) {
		give_back_objs(c, &obj, 1);
	} else {
		if (cc->count == ZSLAB_MAG_SIZE)
			flush_magazine(c, cc, ZSLAB_MAG_BATCH);
		cc->objs[cc->count++] = obj;
		if (s->last_cpu != smp_processor_id())
			cc->stat[ZSLAB_FREE_REMOTE]++;
	}
	/* Not a counter a fast path we may have cut into changes. */
	cc->stat[ZSLAB_FREE_SLOW]++;
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * zslab_cache_free() - Free an object.
 * @c: the cache it came from.
 * @obj: the object; NULL is ignored.
 *
 * A double free, a pointer from another cache or from no cache, and a
 * pointer into the middle of an object are caught: warned about once,
 * counted in debugfs, and otherwise ignored.
 */
void zslab_cache_free(struct zslab_cache *c, void *obj)
{
	struct zslab_cpu_cache *cc;
	enum zslab_misuse why;
	struct zslab_slab *s;
	unsigned int idx;

	if (unlikely(!obj))
		return;
	s = checked_obj_slab(c, obj, &idx, &why);
	if (unlikely(!s)) {
		zslab_report_misuse(c, obj, why);
		return;
	}
	if (unlikely(!test_and_clear_bit(idx, zslab_slab_inuse(s)))) {
		zslab_report_misuse(c, obj, ZSLAB_MISUSE_DOUBLE_FREE);
		return;
	}
	/*
	 * A pinned object's slab is never frozen. One being evicted means the
	 * object was not pinned (freed after its put): keep it live. The bit
	 * op above is a full barrier, as is eviction's freeze before it reads
	 * the bitmap again, so either we see the freeze or eviction sees the
	 * bit clear and gives up (zslab_evict_slab()).
	 */
	if (unlikely(atomic_read(&s->unpinned) >= ZSLAB_PINS_FROZEN / 2)) {
		set_bit(idx, zslab_slab_inuse(s));
		zslab_report_misuse(c, obj, ZSLAB_MISUSE_UNPINNED);
		return;
	}
	/*
	 * After the inuse bit (a full barrier above): a pass that reads the
	 * marked bit clear reads inuse clear too (zslab_seg_add_slab()).
	 */
	if (c->marked_map && test_bit(idx, zslab_slab_marked(c, s)))
		clear_bit(idx, zslab_slab_marked(c, s));
	zslab_slab_mark_dirty(c, s);	/* the image must lose the object */
	if (unlikely(want_init_on_free() && !c->ctor))
		memset(obj, 0, c->object_size);

	cc = mag_lock(c);
	if (likely(cc)) {
		if (likely(cc->count < ZSLAB_MAG_SIZE)) {
			cc->objs[cc->count++] = obj;
			cc->stat[ZSLAB_FREE_FAST]++;
			if (unlikely(READ_ONCE(s->last_cpu) != smp_processor_id()))
				cc->stat[ZSLAB_FREE_REMOTE]++;
			mag_unlock(cc);
			return;
		}
		mag_unlock(cc);
	}
	free_slow(c, s, obj);
}
EXPORT_SYMBOL_GPL(zslab_cache_free);

/* ------------------------------------------------------------------ */
/* Dirtying and references                                             */

/* The slab of a live object of @c, or NULL with the misuse counted. */
struct zslab_slab *zslab_live_obj_slab(struct zslab_cache *c, const void *obj,
				       unsigned int *idx)
{
	enum zslab_misuse why;
	struct zslab_slab *s;

	s = checked_obj_slab(c, obj, idx, &why);
	if (unlikely(!s)) {
		zslab_report_misuse(c, obj, why);
		return NULL;
	}
	if (unlikely(!test_bit(*idx, zslab_slab_inuse(s)))) {
		zslab_report_misuse(c, obj, ZSLAB_MISUSE_NOT_LIVE);
		return NULL;
	}
	return s;
}

/**
 * zslab_mark_dirty() - The object's bytes changed: write its slab back.
 * @c: the cache.
 * @obj: a live object. Any context.
 */
void zslab_mark_dirty(struct zslab_cache *c, void *obj)
{
	struct zslab_slab *s;
	unsigned int idx;

	s = zslab_live_obj_slab(c, obj, &idx);
	if (!s)
		return;
	smp_mb();	/* the client's stores, then marked and DIRTY: see zslab_slab_mark_dirty() */
	if (c->marked_map && unlikely(!test_bit(idx, zslab_slab_marked(c, s)))) {
		set_bit(idx, zslab_slab_marked(c, s));
		/*
		 * Marked, then DIRTY read: a pass clears DIRTY before it reads
		 * marked, so it sees the bit or we see DIRTY clear and queue.
		 */
		smp_mb__after_atomic();
	}
	zslab_slab_mark_dirty(c, s);
}
EXPORT_SYMBOL_GPL(zslab_mark_dirty);

/**
 * zslab_ref() - Stable reference to a live object.
 * @c: the cache.
 * @obj: the object.
 *
 * The reference names the cache, the logical slab and the slot: it stays
 * valid while the object lives, wherever the slab's image moves.
 *
 * Return: the reference, or 0 if @obj is not a live object of @c.
 */
zslab_ref_t zslab_ref(struct zslab_cache *c, void *obj)
{
	struct zslab_slab *s;
	unsigned int idx;

	s = zslab_live_obj_slab(c, obj, &idx);
	if (!s)
		return 0;
	return zslab_make_ref(c, s->id, idx);
}
EXPORT_SYMBOL_GPL(zslab_ref);

/* ------------------------------------------------------------------ */
/* Shrinking and accounting                                            */

/* An IPI: a magazine a fast path is half way through stays as it is. */
static void flush_this_cpu(void *arg)
{
	struct zslab_cache *c = arg;
	struct zslab_cpu_cache *cc = this_cpu_ptr(c->cpu);

	spin_lock(&c->lock);
	if (!cc->busy)
		flush_magazine(c, cc, ZSLAB_MAG_SIZE);
	spin_unlock(&c->lock);
}

static void retire_empty_slabs(struct zslab_cache *c)
{
	struct zslab_slab *s, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(s, tmp, &c->empty, list) {
		c->nr_empty--;
		retire_slab(c, s);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * zslab_cache_shrink() - Return every magazine and every empty slab.
 * @c: the cache. Process context; writes dirty slabs first.
 */
void zslab_cache_shrink(struct zslab_cache *c)
{
	on_each_cpu(flush_this_cpu, c, 1);
	retire_empty_slabs(c);
	zslab_cache_writeback_settle(c);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_cache_shrink);

/* DRAM taken by one slab descriptor (its kmem_cache rounds to 8 bytes). */
unsigned int zslab_desc_bytes(const struct zslab_cache *c)
{
	return ALIGN(c->meta_size, sizeof(void *));
}
ZSLAB_EXPORT_FOR_TESTS(zslab_desc_bytes);

/**
 * zslab_cache_get_info() - Snapshot of a cache's size and counters.
 * @c: the cache.
 * @info: filled in. Objects in flight on other CPUs may be off by a few.
 *
 * O(1) in the cache's size (O(CPUs)): counters kept as the slabs change,
 * never a walk of the slab lists, so debugfs costs little with interrupts
 * off however large the cache. Live objects are allocations less frees,
 * summed over the CPUs' counters.
 */
void zslab_cache_get_info(struct zslab_cache *c, struct zslab_cache_info *info)
{
	unsigned long flags, avail, evicted_objs;
	unsigned int cpu, i;
	u64 dirtied = 0, cleaned;
	s64 active, live;

	memset(info, 0, sizeof(*info));
	spin_lock_irqsave(&c->lock, flags);
	info->slabs = c->nr_slabs;
	info->partial = c->nr_partial;
	info->empty = c->nr_empty;
	info->slabs_allocated = c->slabs_allocated;
	info->slabs_freed = c->slabs_freed;
	info->slabs_revived = c->slabs_revived;
	info->dead = c->nr_dead;
	info->evicted = c->nr_evicted;
	avail = c->nr_avail;
	evicted_objs = c->nr_evicted_objs;
	spin_unlock_irqrestore(&c->lock, flags);
	for (i = 0; i < ZSLAB_NR_CAP_STATS; i++)
		info->cap[i] = atomic64_read(&c->cap[i]);

	for_each_possible_cpu(cpu) {
		struct zslab_cpu_cache *cc = per_cpu_ptr(c->cpu, cpu);

		for (i = 0; i < ZSLAB_NR_STATS; i++)
			info->stat[i] += READ_ONCE(cc->stat[i]);
		dirtied += READ_ONCE(cc->slabs_dirtied);
	}
	/* Live objects, then those of them in DRAM. */
	live = info->stat[ZSLAB_ALLOC_FAST] + info->stat[ZSLAB_ALLOC_SLOW] -
	       info->stat[ZSLAB_FREE_FAST] - info->stat[ZSLAB_FREE_SLOW] -
	       info->cap[ZSLAB_CAP_EVICTED_FREES];
	active = live - evicted_objs;
	info->evicted_objs = evicted_objs;
	info->pinned_objs = clamp_t(s64, live - atomic_long_read(&c->unpinned_objs), 0, S64_MAX);
	info->total_objs = (unsigned long)info->slabs * c->objs_per_slab;
	/* CPUs' counters are read one by one: clamp what a race skews. */
	info->active_objs = clamp_t(s64, active, 0, info->total_objs - min(avail, info->total_objs));
	info->magazine_objs = info->total_objs - info->active_objs - min(avail, info->total_objs);
	info->bytes = (unsigned long)(info->slabs + info->dead) *
		      (c->slab_size + zslab_desc_bytes(c));
	info->loss = info->bytes - info->active_objs * c->object_size;
	for (i = 0; i < ZSLAB_NR_MISUSE; i++)
		info->misuse[i] = atomic64_read(&c->misuse[i]);
	for (i = 0; i < ZSLAB_NR_WB_STATS; i++)
		info->wb[i] = atomic64_read(&c->wb[i]);
	info->wb[ZSLAB_WB_DIRTIED] = dirtied;
	cleaned = atomic64_read(&c->slabs_cleaned);
	info->dirty = dirtied > cleaned ? dirtied - cleaned : 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_cache_get_info);

/* ------------------------------------------------------------------ */
/* Create and destroy                                                  */

/* As SLUB does: cache-line alignment only for objects that can use it. */
static unsigned int object_align(unsigned int size, unsigned int align,
				  unsigned int flags)
{
	if (flags & ZSLAB_HWCACHE_ALIGN) {
		unsigned int line = cache_line_size();

		while (size <= line / 2)
			line /= 2;
		align = max(align, line);
	}
	return max_t(unsigned int, align, sizeof(void *));
}

static int create_error(const char *name, const char *why, int err)
{
	pr_err("%s: cache %s: %s (%d)\n", ZSLAB_NAME, name ? name : "(null)", why, err);
	return err;
}

static int check_create_args(const char *name, unsigned int size,
			     unsigned int align, unsigned int flags)
{
	unsigned int order = (flags & ZSLAB_SLAB_ORDER_MASK) >> ZSLAB_SLAB_ORDER_SHIFT;
	unsigned int slab_size = PAGE_SIZE << order;

	if (!name || !*name || strlen(name) >= sizeof_field(struct zslab_cache, name))
		return create_error(name, "name missing or longer than 31 bytes", -EINVAL);
	if (flags & ~(ZSLAB_HWCACHE_ALIGN | ZSLAB_PERSISTENT | ZSLAB_SLAB_ORDER_MASK))
		return create_error(name, "unknown flags", -EINVAL);
	if (order > ZSLAB_MAX_SLAB_ORDER)
		return create_error(name, "slab order above ZSLAB_MAX_SLAB_ORDER", -EINVAL);
	if (!size)
		return create_error(name, "object size 0", -EINVAL);
	if (size > slab_size)
		return create_error(name, "object larger than a slab", -EINVAL);
	if (align && (!is_power_of_2(align) || align > slab_size))
		return create_error(name, "alignment not a power of two or larger than a slab",
				    -EINVAL);
	if (ALIGN(max_t(unsigned int, size, ZSLAB_MIN_OBJ_SIZE),
		  object_align(size, align, flags)) > slab_size)
		return create_error(name, "object larger than a slab", -EINVAL);
	return 0;
}

static struct zslab_cache *find_cache(const char *name)
{
	struct zslab_cache *c;

	lockdep_assert_held(&zslab_caches_lock);
	list_for_each_entry(c, &zslab_caches, node)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/*
 * Whether objects are zeroed at allocation: -1 (the default) as the kernel
 * says (init_on_alloc), 0 or 1 forced by tests, for caches created after.
 */
static int zero_at_alloc_mode = -1;

/**
 * zslab_zero_at_alloc_set() - Make new caches zero at allocation or not (tests).
 * @mode: 1 zero, 0 keep a marked bitmap instead, -1 follow init_on_alloc.
 */
void zslab_zero_at_alloc_set(int mode)
{
	WRITE_ONCE(zero_at_alloc_mode, mode);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_zero_at_alloc_set);

/*
 * Without init_on_alloc SLUB hands out objects as their last user left
 * them, and so do we, unless the cache has a constructor (whose state the
 * objects keep): a bitmap of the objects the client marked since their
 * allocation then keeps unwritten bytes off the device, see
 * zslab_slab_marked(). It costs one bit per object (8 B a slab up to 64
 * objects); zeroing costs every allocation a memset, which in UML made an
 * alloc+free pair of 2048 B objects 3 times SLUB's.
 */
static bool zeroes_at_alloc(void (*ctor)(void *))
{
	int mode = READ_ONCE(zero_at_alloc_mode);

	if (ctor)
		return false;
	return mode < 0 ? want_init_on_alloc(0) : mode;
}

static void init_geometry(struct zslab_cache *c, unsigned int size,
			  unsigned int align, unsigned int flags, void (*ctor)(void *))
{
	unsigned int maps = 2;	/* inuse and avail */

	c->object_size = size;
	c->flags = flags;
	c->slab_order = (flags & ZSLAB_SLAB_ORDER_MASK) >> ZSLAB_SLAB_ORDER_SHIFT;
	c->slab_size = PAGE_SIZE << c->slab_order;
	c->align = object_align(size, align, flags);
	c->stride = ALIGN(max_t(unsigned int, size, ZSLAB_MIN_OBJ_SIZE), c->align);
	c->stride_recip = reciprocal_value(c->stride);
	c->objs_per_slab = c->slab_size / c->stride;
	c->map_longs = BITS_TO_LONGS(c->objs_per_slab);
	if (flags & ZSLAB_PERSISTENT)
		maps++;		/* the device bitmap */
	c->zero_at_alloc = zeroes_at_alloc(ctor);
	c->marked_map = 0;
	if (!ctor && !c->zero_at_alloc)
		c->marked_map = maps++ * c->map_longs;
	c->meta_size = struct_size((struct zslab_slab *)NULL, map, maps * c->map_longs);
	c->empty_reserve = max_t(unsigned int, ZSLAB_EMPTY_RESERVE_MIN,
				 DIV_ROUND_UP(ZSLAB_EMPTY_RESERVE_OBJS, c->objs_per_slab));
	c->grow_slabs = min_t(unsigned int, ZSLAB_GROW_MAX,
			      DIV_ROUND_UP(ZSLAB_MAG_BATCH, c->objs_per_slab));
}


/*
 * Take a cache's evicted descriptors out without dropping their data: it
 * stays live on the device, held by a detached cache.
 */
static void forget_evicted(struct zslab_cache *c)
{
	unsigned long id;
	void *entry;

	xa_for_each(&c->slabs, id, entry) {
		if (!zslab_entry_evicted(entry))
			continue;
		xa_erase_irq(&c->slabs, id);
		mempool_free(zslab_entry_to_evicted(entry), c->ev_pool);
	}
	c->nr_evicted = 0;
	c->nr_evicted_objs = 0;
}

/*
 * A re-attached persistent cache's slabs, all evicted: the detached
 * cache's descriptors are copied into the cache's own (its mempool's).
 */
static int attach_slabs(struct zslab_cache *c, struct zslab_pcache *pc)
{
	struct zslab_evicted *ev, *nev;
	unsigned long id;
	int ret;

	xa_for_each(&pc->slabs, id, ev) {
		nev = mempool_alloc(c->ev_pool, GFP_KERNEL);
		memcpy(nev, ev, c->ev_size);
		nev->flags = 0;
		ret = xa_insert_irq(&c->slabs, id, xa_tag_pointer(nev, ZSLAB_XA_EVICTED),
				    GFP_KERNEL);
		if (ret) {
			mempool_free(nev, c->ev_pool);
			return ret;
		}
		c->nr_evicted++;
		c->nr_evicted_objs += nev->nr_live;
		atomic_long_add(nev->nr_live, &c->unpinned_objs);
	}
	c->seq = max(c->seq, pc->next_seq);
	return 0;
}

/*
 * Make and list a cache. A persistent one re-attaches the detached cache
 * of its name if there is one (*@attached says so); the caller holds the
 * writeback mutex then, as the detached list changes under it and
 * zslab_caches_lock both.
 */
static struct zslab_cache *create_cache(const char *name, unsigned int size,
					unsigned int align, unsigned int flags,
					void (*ctor)(void *obj), bool *attached)
{
	struct zslab_pcache *pc = NULL;
	char desc_name[48];
	struct zslab_cache *c;
	int ret, i;

	/*
	 * The name is checked first and stays ours until the cache is listed:
	 * kmem_cache_create() of a taken "zslab_desc_<name>" would take the
	 * existing cache's /sys/kernel/slab entry away with it.
	 */
	mutex_lock(&zslab_caches_lock);
	if (find_cache(name)) {
		mutex_unlock(&zslab_caches_lock);
		return ERR_PTR(create_error(name, "name already in use", -EEXIST));
	}
	if (flags & ZSLAB_PERSISTENT)
		pc = zslab_pcache_find(zslab_device, name);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	ret = -ENOMEM;
	if (!c)
		goto unlock;
	strscpy(c->name, name, sizeof(c->name));
	init_geometry(c, size, align, flags, ctor);
	if (pc && (c->object_size != pc->object_size || c->align != pc->align ||
		   c->stride != pc->stride || c->slab_order != pc->slab_order)) {
		pr_err("%s: cache %s: size %u, alignment %u, slab order %u differ from the persistent cache on the device (size %u, alignment %u, slab order %u) (%d)\n",
		       ZSLAB_NAME, name, c->object_size, c->align, c->slab_order,
		       pc->object_size, pc->align, pc->slab_order, -EINVAL);
		kfree(c);
		ret = -EINVAL;
		goto unlock;
	}
	c->ctor = ctor;
	c->page_cookie = ((unsigned long)c ^ zslab_cookie_secret) | 1;
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->empty);
	for (i = 0; i < ZSLAB_NR_MISUSE; i++)
		atomic64_set(&c->misuse[i], 0);

	INIT_LIST_HEAD(&c->dead);
	xa_init_flags(&c->slabs, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_IRQ);
	ret = zslab_cache_writeback_init(c);
	if (ret) {
		create_error(name, "slab and its segment summary larger than the device's zone-append limit",
			     ret);
		kfree(c);
		goto unlock;
	}

	c->cpu = alloc_percpu(struct zslab_cpu_cache);
	ret = -ENOMEM;
	if (!c->cpu)
		goto free;
	snprintf(desc_name, sizeof(desc_name), "zslab_desc_%s", name);
	/* Type-safe: a stale reference may look at a descriptor, never at junk. */
	c->desc_cache = kmem_cache_create(desc_name, c->meta_size, 0,
					  SLAB_TYPESAFE_BY_RCU, NULL);
	if (!c->desc_cache)
		goto free;
	ret = zslab_cache_evict_init(c);
	if (ret)
		goto free;
	if (pc) {
		/* Its id stays what refs and the device say. */
		c->id = pc->id;
		ret = attach_slabs(c, pc);
		if (ret) {
			forget_evicted(c);	/* the detached cache keeps its data */
			goto free;
		}
	} else {
		/* Cache ids fit the 16 bits a reference has for them. */
		ret = ida_alloc_range(&zslab_cache_ida, 1, U16_MAX, GFP_KERNEL);
		if (ret < 0)
			goto free;
		c->id = ret;
	}

	list_add_tail_rcu(&c->node, &zslab_caches);
	if (pc)
		list_del(&pc->node);
	if (attached)
		*attached = pc;
	zslab_debugfs_add_cache(c);
	mutex_unlock(&zslab_caches_lock);
	if (pc) {
		/* The cache holds its data now. */
		zslab_pcache_hold(zslab_device, pc, false);
		zslab_pcache_free(pc, false);
	}
	return c;

free:
	zslab_cache_evict_exit(c);
	kmem_cache_destroy(c->desc_cache);
	free_percpu(c->cpu);
	kfree(c);
unlock:
	mutex_unlock(&zslab_caches_lock);
	return ERR_PTR(ret);
}

/*
 * A persistent cache: re-attached, or new and then recorded in a
 * checkpoint before anything of it can be written (recovery knows a
 * cache's segments only by the cache records of a checkpoint).
 */
static struct zslab_cache *create_persistent(const char *name, unsigned int size,
					     unsigned int align, unsigned int flags,
					     void (*ctor)(void *obj))
{
	struct zslab_dev *zd = zslab_device;
	struct zslab_cache *c;
	bool attached = false;
	unsigned int noio;
	int ret;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	c = create_cache(name, size, align, flags, ctor, &attached);
	if (IS_ERR(c) || attached)
		goto out;
	ret = zslab_checkpoint_locked(zd);
	if (ret) {
		create_error(name, "cannot record the new persistent cache in a checkpoint", ret);
		/* Nothing of it was written: it goes as a volatile cache would. */
		c->flags &= ~ZSLAB_PERSISTENT;
		mutex_unlock(&zd->wb_mutex);
		memalloc_noio_restore(noio);
		zslab_cache_destroy(c);
		return ERR_PTR(ret);
	}
out:
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	return c;
}

/**
 * zslab_cache_create() - Create a cache of fixed-size objects.
 * @name: unique name, at most 31 bytes; shown in debugfs.
 * @size: object size in bytes, 1 up to what fits a slab.
 * @align: minimum alignment (a power of two), or 0.
 * @flags: ZSLAB_HWCACHE_ALIGN, ZSLAB_SLAB_ORDER(n), ZSLAB_PERSISTENT.
 * @ctor: called on every object when its slab is created (not on objects
 *	recovered from the device), or NULL.
 *
 * With ZSLAB_PERSISTENT, a persistent cache of that name found on the
 * device is re-attached: its objects are there, evicted, and come back
 * with zslab_get() or zslab_cache_for_each(); refs from before stay valid.
 * Its size, alignment and slab order must be what they were. A new
 * persistent cache is recorded in a checkpoint before this returns.
 * Process context; may sleep (a persistent create waits for writeback).
 *
 * Return: the cache, or an ERR_PTR (never NULL): -EINVAL for bad arguments
 * or a persistent cache found with another geometry, -EEXIST for a name
 * in use, -ENOMEM, or the error of the checkpoint that records it.
 */
struct zslab_cache *zslab_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned int flags,
				       void (*ctor)(void *obj))
{
	int ret;

	ret = check_create_args(name, size, align, flags);
	if (ret)
		return ERR_PTR(ret);
	if (flags & ZSLAB_PERSISTENT)
		return create_persistent(name, size, align, flags, ctor);
	return create_cache(name, size, align, flags, ctor, NULL);
}
EXPORT_SYMBOL_GPL(zslab_cache_create);

/*
 * A detached cache of what a persistent one has on the device: every slab
 * with live data there, by the device's bitmap. Its data stays live in its
 * zones, now held by the detached cache: the slabs' own descriptors give
 * it up (resident: no image; evicted: taken out without a drop).
 */
static struct zslab_pcache *detach_slabs(struct zslab_cache *c)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOFAIL;	/* teardown: small, must not fail */
	struct zslab_pcache *pc = zslab_pcache_new(c->name, c->id, gfp);
	unsigned long id, flags;
	void *entry;

	pc->object_size = c->object_size;
	pc->align = c->align;
	pc->stride = c->stride;
	pc->nr_objs = c->objs_per_slab;
	pc->slab_order = c->slab_order;
	pc->next_seq = c->seq;
	xa_for_each(&c->slabs, id, entry) {
		struct zslab_evicted *ev = kmalloc(c->ev_size, gfp);

		if (zslab_entry_evicted(entry)) {
			struct zslab_evicted *old = zslab_entry_to_evicted(entry);

			if (!old->nr_live) {	/* emptied: its data dies */
				kfree(ev);
				continue;
			}
			memcpy(ev, old, c->ev_size);
			ev->flags = 0;
			xa_erase_irq(&c->slabs, id);
			mempool_free(old, c->ev_pool);
			c->nr_evicted--;
			c->nr_evicted_objs -= ev->nr_live;
		} else {
			struct zslab_slab *s = entry;
			unsigned long *dev = zslab_slab_devmap(c, s);

			*ev = (struct zslab_evicted){
				.img_zone = s->img_zone,
				.img_offset = s->img_offset,
				.img_seq = s->img_seq,
				.img_crc = s->img_crc,
				.nr_live = bitmap_weight(dev, c->objs_per_slab),
			};
			if (s->img_zone == ZSLAB_NO_IMAGE || !ev->nr_live) {
				kfree(ev);
				continue;
			}
			bitmap_copy(ev->map, dev, c->objs_per_slab);
			spin_lock_irqsave(&zslab_device->zone_lock, flags);
			s->img_zone = ZSLAB_NO_IMAGE;
			spin_unlock_irqrestore(&zslab_device->zone_lock, flags);
		}
		xa_store(&pc->slabs, id, ev, gfp);
		pc->nr_slabs++;
		pc->nr_live += ev->nr_live;
	}
	return pc;
}

/* A persistent cache leaves DRAM: detached, recorded in a checkpoint. */
static void detach_persistent(struct zslab_dev *zd, struct zslab_cache *c)
{
	struct zslab_pcache *pc = detach_slabs(c);
	unsigned int noio = memalloc_noio_save();

	zslab_pcache_hold(zd, pc, true);
	mutex_lock(&zd->wb_mutex);
	mutex_lock(&zslab_caches_lock);
	list_add_tail(&pc->node, &zd->pcaches);
	mutex_unlock(&zslab_caches_lock);
	zslab_checkpoint_locked(zd);	/* a failure is counted and logged */
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
}

/**
 * zslab_cache_destroy() - Destroy a cache and release all its memory.
 * @c: the cache (NULL or an ERR_PTR is ignored). Nobody may use it any more.
 *
 * Objects still allocated are released too, with a warning giving their
 * number: pointers to them must not be used after this. The cache's slab
 * images become stale and its zones are reset once nothing else lives there.
 *
 * A persistent cache is synced first and detached: its objects stay on the
 * device (a checkpoint records them), and zslab_cache_create() of its name
 * re-attaches them, in this load or a later one. Process context.
 */
void zslab_cache_destroy(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	struct zslab_slab *s, *tmp;
	unsigned long flags, live = 0;
	unsigned int cpu;
	LIST_HEAD(slabs);

	if (IS_ERR_OR_NULL(c))
		return;

	if (zslab_cache_persistent(c)) {
		int ret = zslab_cache_sync(c);

		if (ret)
			pr_warn("%s: cache %s: the last sync before detaching failed (%d): what changed since the last good one may be lost\n",
				ZSLAB_NAME, c->name, ret);
	}
	zslab_cache_unlist(c);
	synchronize_rcu();	/* misuse checks may still walk the list */
	zslab_cache_writeback_exit(c);
	if (zslab_cache_persistent(c))
		detach_persistent(zd, c);

	spin_lock_irqsave(&c->lock, flags);
	for_each_possible_cpu(cpu) {
		struct zslab_cpu_cache *cc = per_cpu_ptr(c->cpu, cpu);

		flush_magazine(c, cc, ZSLAB_MAG_SIZE);
	}
	list_splice_init(&c->partial, &slabs);
	list_splice_init(&c->full, &slabs);
	list_splice_init(&c->empty, &slabs);
	list_splice_init(&c->dead, &slabs);
	spin_unlock_irqrestore(&c->lock, flags);

	list_for_each_entry_safe(s, tmp, &slabs, list) {
		live += bitmap_weight(zslab_slab_inuse(s), c->objs_per_slab);
		free_slab(c, s);
	}
	live += c->nr_evicted_objs;
	zslab_cache_evict_exit(c);	/* evicted slabs: their descriptors and images */
	mutex_lock(&zd->wb_mutex);
	zslab_zones_tidy(zd);
	mutex_unlock(&zd->wb_mutex);

	if (live && !zslab_cache_persistent(c))
		pr_warn("%s: cache %s destroyed with %lu live objects\n",
			ZSLAB_NAME, c->name, live);
	kmem_cache_destroy(c->desc_cache);
	xa_destroy(&c->slabs);
	free_percpu(c->cpu);
	/* A persistent cache's id stays taken by its detached self. */
	if (!zslab_cache_persistent(c))
		ida_free(&zslab_cache_ida, c->id);
	kfree(c);
}
EXPORT_SYMBOL_GPL(zslab_cache_destroy);

/*
 * A CPU went offline: its magazines and the slabs it owned would be
 * stranded until their caches are destroyed. Give them back, as SLUB's
 * slub_cpu_dead() does. Runs on another CPU once the dead one is gone, so
 * nothing uses its magazines meanwhile.
 */
static int zslab_cpu_dead(unsigned int cpu)
{
	struct zslab_cache *c;
	unsigned long flags;

	/*
	 * RCU, not zslab_caches_lock: create holds that across
	 * kmem_cache_create(), which takes the CPU-hotplug lock we run under.
	 * A destroy waits for us in synchronize_rcu() before it frees.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(c, &zslab_caches, node) {
		struct zslab_cpu_cache *cc = per_cpu_ptr(c->cpu, cpu);

		spin_lock_irqsave(&c->lock, flags);
		flush_magazine(c, cc, ZSLAB_MAG_SIZE);
		if (cc->refill_slab)
			disown_slab(c, cc->refill_slab);
		spin_unlock_irqrestore(&c->lock, flags);
	}
	rcu_read_unlock();
	return 0;
}

/**
 * zslab_cache_id_reserve() - A persistent cache found on the device keeps
 *	its id: no new cache may take it.
 * @id: the id.
 *
 * Return: 0, or -EBUSY/-ENOMEM.
 */
int zslab_cache_id_reserve(u32 id)
{
	int ret = ida_alloc_range(&zslab_cache_ida, id, id, GFP_KERNEL);

	return ret < 0 ? ret : 0;
}

/* An erased persistent cache's id is free again. */
void zslab_cache_id_release(u32 id)
{
	ida_free(&zslab_cache_ida, id);
}

static enum cpuhp_state zslab_cpuhp_state;

int zslab_alloc_init(struct dentry *debugfs)
{
	int ret;

	zslab_cookie_secret = get_random_long();
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "zns_slab:dead",
					NULL, zslab_cpu_dead);
	if (ret < 0)
		return ret;
	zslab_cpuhp_state = ret;
	fail_slab_alloc_debugfs(debugfs);
	return 0;
}

void zslab_alloc_exit(void)
{
	/* Client modules hold references to us: no cache can outlive them. */
	WARN_ON(!list_empty(&zslab_caches));
	cpuhp_remove_state_nocalls(zslab_cpuhp_state);
	ida_destroy(&zslab_cache_ida);
}
