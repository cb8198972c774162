// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim: when free zones run low, move the live slabs out of the zone
 * that gives back most for the least copying, then reset it.
 *
 * A zone with nothing live is reset as soon as its last data dies
 * (zone_io.c); reclaim is for zones that are partly live. The victim is
 * chosen by cost-benefit, as LFS's cleaner and F2FS's background cleaning
 * do: free space got back times the age of the data, over the cost of
 * reading and rewriting what lives (1 - u) * age / (1 + u), u the zone's
 * live fraction and age the zones opened since it was. Old cold zones are
 * taken before young ones that are still dying by themselves.
 *
 * Live slabs are rewritten by the writeback pass, to the relocation zone:
 * a resident slab is marked to move and dirtied; an evicted one is read
 * back first. Everything runs under the writeback mutex, as writeback and
 * eviction do, so none of them waits for another holding what it needs.
 */
#include <linux/math64.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "zslab_internal.h"
#include "zslab_trace.h"

/*
 * Reclaim starts when the free data zones are down to the one kept for
 * relocation, plus a sixteenth of the data zones on a large device. Every
 * zone kept empty is space the live data cannot use, which makes the
 * zones that are reclaimed fuller: on 13 data zones at 70 % fill, greedy
 * cleaning writes 3.1 times the client's data with one kept empty and
 * 5.5 times with two (bench/greedy_sim.c).
 */
#define ZSLAB_RECLAIM_SPARE_SHIFT	4
/* Zones one background run reclaims at most before it lets writeback go on. */
#define ZSLAB_RECLAIM_PER_RUN	4
/* Slabs read back for a move before they are written and may leave again. */
#define ZSLAB_RECLAIM_BATCH	64

/**
 * zslab_pick_victim() - The zone reclaim should empty next.
 * @z: candidates: live sectors, writable capacity, age (0 = not a candidate).
 * @n: how many.
 *
 * Return: the index of the zone with the best (1 - u) * age / (1 + u),
 * or -1 if no candidate has space to give back.
 */
int zslab_pick_victim(const struct zslab_victim_zone *z, unsigned int n)
{
	u64 best_score = 0;
	unsigned int i;
	int best = -1;

	for (i = 0; i < n; i++) {
		u64 free, score;

		if (!z[i].capacity || z[i].live >= z[i].capacity)
			continue;
		free = z[i].capacity - z[i].live;
		/* (free / cap) * age / ((cap + live) / cap), in fixed point */
		score = div64_u64((free * (z[i].age + 1)) << 10, z[i].capacity + z[i].live);
		if (score > best_score) {
			best_score = score;
			best = i;
		}
	}
	return best;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_pick_victim);

static unsigned int low_watermark(struct zslab_dev *zd)
{
	return ZSLAB_RELOC_ZONES +
	       ((zd->geo.nr_zones - zd->first_data_zone) >> ZSLAB_RECLAIM_SPARE_SHIFT);
}

/*
 * A zone with nothing live whose reset waits for an older zone (its
 * tombstones bury data there, see zslab_zones_mark_resets_locked()) is
 * free space reclaim cannot get at directly: the zone it waits for is
 * the oldest one still holding live data. Return that zone, or -1 if no
 * zone waits so. Zone lock held.
 */
static int blocking_zone_locked(struct zslab_dev *zd)
{
	u64 newest_tomb = 0, oldest = U64_MAX;
	unsigned int i;
	int blocker = -1;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (z->use == ZZ_FULL && !z->live && !z->inflight && z->tomb_gen)
			newest_tomb = max(newest_tomb, z->tomb_gen);
	}
	if (!newest_tomb)
		return -1;
	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (z->use == ZZ_FULL && z->live && !z->inflight && z->open_gen < oldest) {
			oldest = z->open_gen;
			blocker = i;
		}
	}
	return oldest <= newest_tomb ? blocker : -1;
}

/* Candidates: full for us, idle, partly live. Zone lock held. */
static void victims_locked(struct zslab_dev *zd, struct zslab_victim_zone *v)
{
	unsigned int i;

	for (i = 0; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		v[i] = (struct zslab_victim_zone){ };
		if (i < zd->first_data_zone || !zslab_zone_worth_reclaiming(z) ||
		    z->inflight || z->reset_due || !z->live)
			continue;
		v[i].live = z->live;
		v[i].capacity = z->capacity;
		v[i].age = zd->zone_gen - z->open_gen;
	}
}

/**
 * zslab_reclaim_due() - Few free zones left, and some zone to reclaim (or
 *	dead zones waiting for an older one)?
 * @zd: the device. Any context.
 */
bool zslab_reclaim_due(struct zslab_dev *zd)
{
	unsigned long flags;
	unsigned int i;
	bool due = false;

	if (zslab_free_zones(zd) > low_watermark(zd))
		return false;
	spin_lock_irqsave(&zd->zone_lock, flags);
	for (i = zd->first_data_zone; i < zd->geo.nr_zones && !due; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		due = z->live && zslab_zone_worth_reclaiming(z);
	}
	due = due || blocking_zone_locked(zd) >= 0;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	return due;
}

/**
 * zslab_kick_reclaim() - Reclaim in the background if it is due.
 * @zd: the device. Process context.
 */
void zslab_kick_reclaim(struct zslab_dev *zd)
{
	if (zslab_reclaim_due(zd))
		queue_work(zd->wq, &zd->reclaim_work);
}

/* The slab @id of @c, back in DRAM if it was evicted; NULL if that failed. */
static struct zslab_slab *resident_slab(struct zslab_cache *c, unsigned long id,
					void *entry, unsigned int zone)
{
	unsigned long flags;
	bool here;
	void *base;

	if (!zslab_entry_evicted(entry))
		return READ_ONCE(((struct zslab_slab *)entry)->img_zone) == zone ? entry : NULL;
	spin_lock_irqsave(&c->lock, flags);
	entry = xa_load(&c->slabs, id);
	here = entry && zslab_entry_evicted(entry) &&
	       zslab_entry_to_evicted(entry)->img_zone == zone;
	spin_unlock_irqrestore(&c->lock, flags);
	if (!here)
		return NULL;
	base = zslab_read_back(c, id, 0, GFP_NOIO, false);
	return IS_ERR_OR_NULL(base) ? NULL : zslab_slab_of(base);
}

/*
 * Mark every slab of @c whose newest data is in @zone to move, and write
 * them. Slabs read back for it are written and may be evicted again every
 * ZSLAB_RECLAIM_BATCH, so that reclaim's memory stays bounded. Writeback
 * mutex held: no eviction or reap frees a descriptor under us.
 */
static unsigned int relocate_from_zone(struct zslab_dev *zd, struct zslab_cache *c,
				       unsigned int zone)
{
	unsigned int moved = 0, read = 0;
	unsigned long id;
	void *entry;

	xa_for_each(&c->slabs, id, entry) {
		bool evicted = zslab_entry_evicted(entry);
		struct zslab_slab *s = resident_slab(c, id, entry, zone);

		if (!s)
			continue;
		atomic_or(ZSLAB_SLAB_RELOC, &s->flags);
		zslab_slab_mark_dirty(c, s);
		moved++;
		if (evicted && ++read % ZSLAB_RECLAIM_BATCH == 0) {
			zslab_writeback_cache(zd, c);
			zslab_wait_writeback(c);
			zslab_evict_to_cap(zd);
		}
		cond_resched();
	}
	if (moved)
		zslab_writeback_cache(zd, c);
	return moved;
}

/* Reclaim one zone. Writeback mutex held. Return: 1 if a zone was reset, else 0. */
static int reclaim_zone_locked(struct zslab_dev *zd)
{
	struct zslab_victim_zone *v = zd->victims;
	unsigned int moved = 0, resets;
	struct zslab_cache *c;
	unsigned long flags;
	sector_t live;
	int victim;

	lockdep_assert_held(&zd->wb_mutex);
	spin_lock_irqsave(&zd->zone_lock, flags);
	/* Dead zones waiting for an older one first: that one frees them all. */
	victim = blocking_zone_locked(zd);
	if (victim < 0) {
		victims_locked(zd, v);
		victim = zslab_pick_victim(v, zd->geo.nr_zones);
	}
	if (victim >= 0) {
		resets = zd->zones[victim].resets;
		live = zd->zones[victim].live;
	}
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (victim < 0)
		return 0;

	list_for_each_entry_rcu(c, &zslab_caches, node, lockdep_is_held(&zd->wb_mutex))
		moved += relocate_from_zone(zd, c, victim);
	wait_event(zd->inflight_wait, !atomic_read(&zd->inflight));
	zslab_zones_tidy(zd);

	spin_lock_irqsave(&zd->zone_lock, flags);
	resets = zd->zones[victim].resets - resets;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	trace_zslab_reclaim(victim, live, moved, resets ? 0 : -EAGAIN);
	if (!resets)
		return 0;
	atomic64_inc(&zd->io[ZSLAB_IO_RECLAIMED_ZONES]);
	return 1;
}

/**
 * zslab_reclaim_zone() - Reclaim one zone now (a sync that found no room).
 * @zd: the device. Process context; sleeps.
 *
 * Return: 1 if a zone was freed, 0 if none could be.
 */
int zslab_reclaim_zone(struct zslab_dev *zd)
{
	unsigned int noio;
	int ret;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	ret = reclaim_zone_locked(zd);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	return ret;
}

static void reclaim_work_fn(struct work_struct *work)
{
	struct zslab_dev *zd = container_of(work, struct zslab_dev, reclaim_work);
	unsigned int noio, i;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	for (i = 0; i < ZSLAB_RECLAIM_PER_RUN && zslab_reclaim_due(zd); i++)
		if (reclaim_zone_locked(zd) <= 0)
			break;
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
}

int zslab_reclaim_init(struct zslab_dev *zd)
{
	zd->victims = kcalloc(zd->geo.nr_zones, sizeof(*zd->victims), GFP_KERNEL);
	if (!zd->victims)
		return -ENOMEM;
	INIT_WORK(&zd->reclaim_work, reclaim_work_fn);
	return 0;
}

/* After zslab_writeback_exit(): its workqueue ran what was queued. */
void zslab_reclaim_exit(struct zslab_dev *zd)
{
	kfree(zd->victims);
	zd->victims = NULL;
}
