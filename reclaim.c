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

/**
 * zslab_short_of_zones_locked() - Free data zones down to reclaim's watermark?
 * @zd: the device, zone lock held.
 */
bool zslab_short_of_zones_locked(struct zslab_dev *zd)
{
	return zslab_free_zones_locked(zd) <= low_watermark(zd);
}

/*
 * Whether a zone with nothing live waits for an older zone to be reset (its
 * tombstones may bury data there, see zslab_zones_mark_resets_locked()):
 * free space reclaim gets at only by emptying the oldest zone that holds
 * live data, @oldest_gen its open_gen. Zone lock held.
 */
static bool dead_zones_wait_locked(struct zslab_dev *zd, u64 oldest_gen)
{
	bool short_of_zones = zslab_short_of_zones_locked(zd);
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];
		u64 tomb_gen;

		if (!zslab_zone_dead(z))
			continue;
		tomb_gen = zslab_zone_tomb_gen_locked(zd, z, short_of_zones);
		if (tomb_gen && tomb_gen >= oldest_gen)
			return true;
	}
	return false;
}

/* The zone holding live data that was opened first, or -1. Zone lock held. */
static int oldest_live_zone_locked(struct zslab_dev *zd)
{
	u64 oldest = U64_MAX;
	unsigned int i;
	int ret = -1;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (zslab_zone_holds_data(z) && z->live && z->open_gen < oldest) {
			oldest = z->open_gen;
			ret = i;
		}
	}
	return ret;
}

/*
 * Room relocation can count on: what its zone has left and the last free
 * zone (allocation leaves it to relocation while reclaim has work, see
 * open_free_zone_locked()). Zone lock held.
 */
static sector_t reloc_room_locked(struct zslab_dev *zd)
{
	const struct zslab_zone *z;
	sector_t room = 0;
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		if (zd->zones[i].use == ZZ_FREE) {
			room = zd->zones[i].capacity;
			break;
		}
	}
	if (zd->reloc_zone >= 0) {
		z = &zd->zones[zd->reloc_zone];
		if (z->use == ZZ_OPEN && z->owner == ZSLAB_RELOC_OWNER)
			room += z->capacity - z->reserved;
	}
	return room;
}

/* Whether @room has space for @live sectors and a sixteenth for summaries. */
static bool fits(sector_t live, sector_t room)
{
	return live + live / 16 <= room;
}

/**
 * zslab_reloc_can_lend_locked() - May a cache append to relocation's zone?
 * @zd: the device, zone lock held.
 * @sectors: the cache's append bio.
 *
 * A cache that can have no zone of its own (the last free zone is kept for
 * relocation) appends to relocation's open zone, as the classic log has
 * one head for the client and its cleaner, as long as relocation keeps
 * room for the zone worth reclaiming with the least live data: reclaim can
 * then always free a zone. Two heads leave one more zone half written: in
 * make bench's random updates at 70 % fill, the device wrote 3.10 times
 * what clients changed with a cache never lending, and 2.74 lending
 * (greedy cleaning, simulated: 3.14 with two heads, 2.74 with one).
 */
bool zslab_reloc_can_lend_locked(struct zslab_dev *zd, sector_t sectors)
{
	sector_t room = reloc_room_locked(zd), least = 0;
	bool any = false;
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (zslab_zone_worth_reclaiming(z) && (!any || z->live < least)) {
			least = z->live;
			any = true;
		}
	}
	return any && room >= sectors && fits(least, room - sectors);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_reloc_can_lend_locked);

/*
 * Whether zone @i, full or open, can be emptied now: nothing in flight, no
 * error, no data only a detached cache could rewrite, room for its data
 * (the relocation zone itself needs a free zone to move to). Zone lock held.
 */
static bool can_empty_locked(struct zslab_dev *zd, int i)
{
	const struct zslab_zone *z = &zd->zones[i];

	if (z->inflight || z->use == ZZ_ERROR || z->detached ||
	    !fits(z->live, reloc_room_locked(zd)))
		return false;
	return i != zd->reloc_zone || z->use != ZZ_OPEN || zslab_free_zones_locked(zd);
}

/*
 * Candidates: full for us, idle, partly live; whose live data fits the
 * room relocation has (with a sixteenth for its summaries), and whose reset
 * would follow once they are empty: no tombstone of theirs still buries
 * data in an older zone that stays. Moving a zone that then cannot be
 * reset only fills the relocation zone. Zone lock held.
 *
 * Return: whether some zone worth reclaiming was left out for either reason.
 */
static bool victims_locked(struct zslab_dev *zd, struct zslab_victim_zone *v)
{
	bool short_of_zones = zslab_short_of_zones_locked(zd), held_back = false;
	sector_t room = reloc_room_locked(zd);
	u64 oldest = U64_MAX, second = U64_MAX;
	unsigned int i;

	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		if (!zslab_zone_holds_data(z) || !z->live)
			continue;
		if (z->open_gen < oldest) {
			second = oldest;
			oldest = z->open_gen;
		} else if (z->open_gen < second) {
			second = z->open_gen;
		}
	}
	for (i = 0; i < zd->geo.nr_zones; i++) {
		const struct zslab_zone *z = &zd->zones[i];
		u64 oldest_other = z->open_gen == oldest ? second : oldest, tomb_gen;

		v[i] = (struct zslab_victim_zone){ };
		if (i < zd->first_data_zone || !zslab_zone_worth_reclaiming(z) ||
		    z->inflight || z->reset_due || !z->live)
			continue;
		tomb_gen = zslab_zone_tomb_gen_locked(zd, z, short_of_zones);
		if (!fits(z->live, room) || (tomb_gen && oldest_other <= tomb_gen)) {
			held_back = true;
			continue;
		}
		v[i].live = z->live;
		v[i].capacity = z->capacity;
		v[i].age = zd->zone_gen - z->open_gen;
	}
	return held_back;
}

/**
 * zslab_reclaim_victim_locked() - The zone reclaim should empty next.
 * @zd: the device, zone lock held.
 *
 * Dead zones waiting for an older one come first: emptying the oldest
 * zone that holds live data frees them. Otherwise the best candidate by
 * cost-benefit; if every zone worth reclaiming is held back (its reset
 * would wait for an older zone, or it does not fit), the oldest zone again:
 * cleaning in the order zones were opened always lets the reset follow, as
 * a log's cleaner does, and the zones behind it come free in turn.
 *
 * Return: the zone, or -1 if none can be emptied and reset now.
 */
int zslab_reclaim_victim_locked(struct zslab_dev *zd)
{
	int oldest = oldest_live_zone_locked(zd), victim;
	bool held_back;

	if (oldest < 0)
		return -1;
	if (dead_zones_wait_locked(zd, zd->zones[oldest].open_gen) &&
	    can_empty_locked(zd, oldest))
		return oldest;
	held_back = victims_locked(zd, zd->victims);
	victim = zslab_pick_victim(zd->victims, zd->geo.nr_zones);
	if (victim < 0 && held_back && can_empty_locked(zd, oldest))
		victim = oldest;
	return victim;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_reclaim_victim_locked);

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
	int oldest;

	if (zslab_free_zones(zd) > low_watermark(zd))
		return false;
	spin_lock_irqsave(&zd->zone_lock, flags);
	for (i = zd->first_data_zone; i < zd->geo.nr_zones && !due; i++) {
		const struct zslab_zone *z = &zd->zones[i];

		due = z->live && zslab_zone_worth_reclaiming(z);
	}
	oldest = oldest_live_zone_locked(zd);
	due = due || (oldest >= 0 && dead_zones_wait_locked(zd, zd->zones[oldest].open_gen));
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

/*
 * The slab @id of @c if its newest data is in @zone, back in DRAM if it
 * was evicted; NULL if it is elsewhere or could not be read. A slab a get
 * read back meanwhile is looked up again (-EAGAIN); one that found no room
 * under the cap gets it, once, by writing and evicting what can go:
 * skipping it would leave the zone live and its reset undone.
 */
static struct zslab_slab *resident_slab(struct zslab_dev *zd, struct zslab_cache *c,
					unsigned long id, unsigned int zone)
{
	bool made_room = false;
	unsigned long flags;
	void *entry, *base;
	bool here;

	for (;;) {
		spin_lock_irqsave(&c->lock, flags);
		entry = xa_load(&c->slabs, id);
		if (entry && !zslab_entry_evicted(entry)) {
			here = READ_ONCE(((struct zslab_slab *)entry)->img_zone) == zone;
			spin_unlock_irqrestore(&c->lock, flags);
			return here ? entry : NULL;
		}
		here = entry && zslab_entry_to_evicted(entry)->img_zone == zone;
		spin_unlock_irqrestore(&c->lock, flags);
		if (!here)
			return NULL;
		base = zslab_read_back(c, id, 0, GFP_NOIO, false);
		if (!IS_ERR_OR_NULL(base))
			return zslab_slab_of(base);
		if (base == ERR_PTR(-EAGAIN))
			continue;
		if (base != ERR_PTR(-ENOMEM) || made_room)
			return NULL;
		made_room = true;
		zslab_writeback_cache(zd, c);
		zslab_wait_writeback(c);
		zslab_evict_to_cap(zd);
	}
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
		struct zslab_slab *s = resident_slab(zd, c, id, zone);

		if (!s)
			continue;
		if (!(atomic_fetch_or(ZSLAB_SLAB_RELOC, &s->flags) & ZSLAB_SLAB_DIRTY))
			atomic_or(ZSLAB_SLAB_MOVE_ONLY, &s->flags);
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

/*
 * Zones with nothing live whose persistent tombstones wait only for a
 * checkpoint to cover them: a checkpoint (a few blocks per thousand slabs)
 * frees them for less than emptying the zones they would wait for. At
 * most one per zone's worth appended since the last, so that checkpoints
 * of large caches never cost more than the zones they free.
 * Writeback mutex held, under memalloc_noio_save(). Return: zones reset.
 */
static unsigned int reset_after_checkpoint_locked(struct zslab_dev *zd)
{
	u64 since = atomic64_read(&zd->io[ZSLAB_IO_APPEND_BYTES]) - zd->ckpt_append_bytes;
	unsigned long flags;
	bool wait;
	u64 resets;

	if (since < (u64)zd->geo.zone_capacity << SECTOR_SHIFT)
		return 0;
	spin_lock_irqsave(&zd->zone_lock, flags);
	wait = zslab_resets_wait_for_checkpoint_locked(zd);
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	if (!wait || zslab_checkpoint_locked(zd))
		return 0;
	/* Resets happen only in a tidy, under the mutex we hold. */
	resets = atomic64_read(&zd->io[ZSLAB_IO_RESETS]);
	zslab_zones_tidy(zd);
	return atomic64_read(&zd->io[ZSLAB_IO_RESETS]) - resets;
}

/* Reclaim one zone. Writeback mutex held. Return: as zslab_reclaim_zone(). */
static int reclaim_zone_locked(struct zslab_dev *zd)
{
	unsigned int moved = 0, resets;
	struct zslab_cache *c;
	unsigned long flags;
	sector_t live;
	bool emptied;
	int victim;

	lockdep_assert_held(&zd->wb_mutex);
	if (reset_after_checkpoint_locked(zd))
		return 1;
	spin_lock_irqsave(&zd->zone_lock, flags);
	victim = zslab_reclaim_victim_locked(zd);
	if (victim >= 0) {
		resets = zd->zones[victim].resets;
		live = zd->zones[victim].live;
		/* An open one (oldest, blocking resets) takes no more appends. */
		zslab_zone_close_locked(zd, victim);
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
	emptied = !zd->zones[victim].live;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	trace_zslab_reclaim(victim, live, moved, resets ? 0 : -EAGAIN);
	if (!resets)
		return emptied ? -EAGAIN : 0;
	atomic64_inc(&zd->io[ZSLAB_IO_RECLAIMED_ZONES]);
	return 1;
}

/**
 * zslab_reclaim_zone() - Reclaim one zone now (a sync that found no room).
 * @zd: the device. Process context; sleeps.
 *
 * Return: 1 if a zone was freed, -EAGAIN if one was emptied but its reset
 * waits for an older zone (reclaiming that one frees both), 0 if no zone
 * could be emptied.
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
		if (!reclaim_zone_locked(zd))
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
