// SPDX-License-Identifier: GPL-2.0
/*
 * greedy_sim: the yardstick for zns_slab's write amplification under
 * uniform random updates (make bench; scripts/bench.sh builds it with the
 * host's cc and runs it with the geometry the device benchmark found).
 *
 * The model is the classic log-structured one, laid out as zns_slab lays
 * out its writes:
 *
 *   - ZONES zones of ZONE_BLOCKS logical blocks each (the zone capacity);
 *     a slab is SLAB_BLOCKS blocks.
 *   - Writes go out in segments (zns_slab's zone-append bios): SUMMARY
 *     blocks of summary, then up to PER_SEG slabs. A segment that does not
 *     fit in what is left of its zone carries fewer slabs; a zone without
 *     room for a summary and one slab is full.
 *   - LIVE slabs (the fill: live slab data / the zones' capacity) are
 *     first written in order, then changed uniformly at random, one slab
 *     per client update. Every SYNC updates the slabs changed since the
 *     last sync are written (a zslab_cache_sync() writes each dirty slab
 *     once, however often it changed), in the order they were first
 *     changed; a client segment ends there or when it holds PER_SEG slabs.
 *     Write amplification is counted per slab the client writes, as
 *     zns_slab's client_bytes counts them, not per update.
 *   - Client writes and relocation writes go to two different open zones
 *     (HEADS 2: as ../shared/DESIGN.md §3 has zns_slab keep a relocation
 *     zone of its own) or to the same one (HEADS 1: the classic log, one
 *     head, the cleaner appending what it moves to it).
 *   - Greedy cleaning: whenever the client needs a new zone and fewer
 *     than RESERVE + 1 zones are empty, the full zone with the fewest live
 *     slabs is the victim; its live slabs are rewritten through the
 *     relocation head and it is reset. RESERVE zones stay empty for the
 *     relocation writes themselves. (With one head, relocating may open the
 *     client its next zone: then RESERVE empty zones are enough.)
 *
 * After WARM client writes (the fill, then random updates until the zones'
 * state no longer depends on the fill's order), it counts the next MEASURE
 * client writes: the slab data they carry, the slab data relocated and
 * the blocks written in all (summaries included). It prints one line:
 *
 *   greedy: wa DEVICE_WA slab_wa SLAB_WA victim_live MEAN_FRACTION ...
 *           empty_zones_mean MEAN (empty zones, sampled at each client update counted)
 *
 * DEVICE_WA = all blocks written / client slab blocks, what zns_slab's
 * debugfs write_amplification is (device_bytes / client_bytes); SLAB_WA =
 * (client + relocated slabs) / client slabs, the textbook figure.
 *
 *   greedy_sim ZONES ZONE_BLOCKS SLAB_BLOCKS SUMMARY PER_SEG LIVE SYNC
 *              WARM MEASURE RESERVE HEADS SEED
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng;

/* xorshift64*: fast, and the same sequence for the same seed on any host. */
static uint64_t rnd(uint64_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL >> 11) % n;
}

struct zone {
	long live;		/* live slabs */
	long used;		/* blocks written */
	int full;		/* sealed: a victim candidate */
};

struct head {			/* an open zone and its open segment */
	long zone;		/* -1: none */
	long seg_slabs;		/* slabs in the open segment; 0: none open */
};

static long nr_zones, zone_blocks, slab_blocks, summary, per_seg, sync_every, reserve, heads;
static struct zone *zones;
static long *where, nr_live;		/* the zone each slab's newest image is in */
static long *empty_zones, nr_empty;
static struct head client = { -1, 0 }, reloc = { -1, 0 };
static uint64_t blocks, reloc_slabs, victims, victim_live, client_slabs;
static long *pending, nr_pending;	/* slabs changed since the last sync */
static char *dirty;

static void clean(void);

static long take_empty(void)
{
	if (!nr_empty) {
		fprintf(stderr, "greedy_sim: no empty zone left (fill too high)\n");
		exit(1);
	}
	return empty_zones[--nr_empty];
}

static void seal(struct head *h)
{
	zones[h->zone].full = 1;
	h->zone = -1;
	h->seg_slabs = 0;
}

/*
 * Room for one more slab at @h: a new segment or zone when needed; a client
 * write that needs a zone cleans first, a relocation takes a reserved one.
 */
static void make_room(struct head *h, int relocating)
{
	for (;;) {
		struct zone *z = h->zone >= 0 ? &zones[h->zone] : NULL;

		if (z && h->seg_slabs && h->seg_slabs < per_seg &&
		    z->used + slab_blocks <= zone_blocks)
			return;
		if (z && z->used + summary + slab_blocks <= zone_blocks) {
			h->seg_slabs = 0;	/* a new segment: its summary */
			z->used += summary;
			blocks += summary;
			return;
		}
		if (z)
			seal(h);
		if (!relocating) {
			clean();
			if (h->zone >= 0)	/* one head: cleaning opened it */
				continue;
		}
		h->zone = take_empty();
	}
}

static void put_slab(struct head *h, long slab, int relocating)
{
	make_room(h, relocating);
	if (where[slab] >= 0)
		zones[where[slab]].live--;
	where[slab] = h->zone;
	zones[h->zone].live++;
	zones[h->zone].used += slab_blocks;
	blocks += slab_blocks;
	h->seg_slabs++;
}

/*
 * Greedy: free zones until RESERVE are empty, and one more while the client
 * has no zone (with one head, relocating may have opened it one).
 */
static void clean(void)
{
	long i, v, s, rounds = 0;

	while (nr_empty < reserve + (client.zone < 0)) {
		if (++rounds > 4 * nr_zones) {
			fprintf(stderr, "greedy_sim: cleaning frees no zone (fill too high)\n");
			exit(1);
		}
		v = -1;
		for (i = 0; i < nr_zones; i++)
			if (zones[i].full && (v < 0 || zones[i].live < zones[v].live))
				v = i;
		if (v < 0) {
			fprintf(stderr, "greedy_sim: no victim\n");
			exit(1);
		}
		victims++;
		victim_live += zones[v].live;
		/* Relocate its live slabs: scan the slab table (small). */
		for (s = 0; zones[v].live && s < nr_live; s++) {
			if (where[s] == v) {
				put_slab(heads == 1 ? &client : &reloc, s, 1);
				reloc_slabs++;
			}
		}
		/* The relocation zone ends its segment at each victim. */
		if (heads == 2)
			reloc.seg_slabs = 0;
		zones[v].used = 0;
		zones[v].full = 0;
		empty_zones[nr_empty++] = v;
	}
}

/* A sync: each slab changed since the last one is written once. */
static void sync_client(void)
{
	long i;

	for (i = 0; i < nr_pending; i++) {
		put_slab(&client, pending[i], 0);
		dirty[pending[i]] = 0;
	}
	client_slabs += nr_pending;
	nr_pending = 0;
	client.seg_slabs = 0;	/* a sync ends the segment */
}

/* Slabs a zone holds when written in full segments. */
static double zone_slabs(void)
{
	long seg = summary + per_seg * slab_blocks, full = zone_blocks / seg;
	long rest = zone_blocks - full * seg;

	return full * per_seg + (rest > summary ? (rest - summary) / slab_blocks : 0);
}

int main(int argc, char **argv)
{
	long live, warm, measure, i, n;
	uint64_t b0, r0, v0, vl0, c0, measured, empty_sum = 0, samples = 0;
	int measuring = 0;

	if (argc != 13) {
		fputs("usage: greedy_sim ZONES ZONE_BLOCKS SLAB_BLOCKS SUMMARY PER_SEG LIVE SYNC WARM MEASURE RESERVE HEADS SEED\n",
		      stderr);
		return 2;
	}
	nr_zones = atol(argv[1]);
	zone_blocks = atol(argv[2]);
	slab_blocks = atol(argv[3]);
	summary = atol(argv[4]);
	per_seg = atol(argv[5]);
	live = nr_live = atol(argv[6]);
	sync_every = atol(argv[7]);
	warm = atol(argv[8]);
	measure = atol(argv[9]);
	reserve = atol(argv[10]);
	heads = atol(argv[11]);
	rng = strtoull(argv[12], NULL, 0) | 1;
	if (nr_zones < reserve + 3 || zone_blocks < summary + slab_blocks || slab_blocks < 1 ||
	    per_seg < 1 || live < 1 || sync_every < 1 || measure < 1 || reserve < 1 ||
	    heads < 1 || heads > 2) {
		fprintf(stderr, "greedy_sim: bad arguments\n");
		return 2;
	}
	zones = calloc(nr_zones, sizeof(*zones));
	empty_zones = calloc(nr_zones, sizeof(*empty_zones));
	where = malloc(live * sizeof(*where));
	pending = malloc(sync_every * sizeof(*pending));
	dirty = calloc(live, 1);
	if (!zones || !empty_zones || !where || !pending || !dirty)
		return 1;
	for (i = nr_zones - 1; i >= 0; i--)
		empty_zones[nr_empty++] = i;
	for (i = 0; i < live; i++)
		where[i] = -1;

	/*
	 * The fill writes every slab once, in order; then random updates.
	 * Counting starts at the first sync after WARM updates.
	 */
	b0 = r0 = v0 = vl0 = c0 = 0;
	for (n = 0; n < warm + measure; n++) {
		long slab = n < live ? n : (long)rnd(live);

		if (!dirty[slab]) {
			dirty[slab] = 1;
			pending[nr_pending++] = slab;
		}
		if (measuring) {
			empty_sum += nr_empty;
			samples++;
		}
		if ((n + 1) % sync_every && n + 1 < warm + measure)
			continue;
		sync_client();
		if (!measuring && n + 1 >= warm) {
			measuring = 1;
			b0 = blocks;
			r0 = reloc_slabs;
			v0 = victims;
			vl0 = victim_live;
			c0 = client_slabs;
		}
	}
	measured = client_slabs - c0;
	if (!measured) {
		fprintf(stderr, "greedy_sim: nothing measured\n");
		return 1;
	}
	printf("greedy: wa %.3f slab_wa %.3f victim_live %.3f victims %llu client_slabs %ld relocated_slabs %llu empty_zones_mean %.2f\n",
	       (double)(blocks - b0) / ((double)measured * slab_blocks),
	       (double)(measured + reloc_slabs - r0) / measured,
	       victims > v0 ? (double)(victim_live - vl0) / (victims - v0) /
			      zone_slabs() : 0.0,
	       (unsigned long long)(victims - v0), (long)measured,
	       (unsigned long long)(reloc_slabs - r0), samples ? (double)empty_sum / samples : 0.0);
	return 0;
}
