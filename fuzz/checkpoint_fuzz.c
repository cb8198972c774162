// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the checkpoint decoder (checkpoint_format.c): zslab_ckpt_decode(),
 * zslab_ckpt_decode_header() and the cursors. Input: one byte of options
 * (bit 0: 4 KiB blocks, else 512 B; bit 1: make the CRC right first, so
 * that mutations reach the record checks behind it), then the checkpoint
 * as read from a metadata zone.
 *
 * Besides "no crash, no sanitizer report": the header decoder agrees with
 * the full one; a checkpoint that decodes is walked with the cursors (all
 * of it, and caches alone, skipping zones and slabs), and rebuilt record by
 * record by the builder into the very same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../zslab_internal.h"
#include "zfuzz.h"

static unsigned long map[BITS_TO_LONGS(ZSLAB_MAX_OBJS)];

/* Build the checkpoint again from what the cursors read; true if it is the same. */
static bool rebuilds_the_same(const void *buf, const struct zslab_ckpt_info *info,
			      unsigned int lbs)
{
	struct zslab_ckpt_builder b;
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_zone z;
	struct zslab_ckpt_cache c;
	struct zslab_ckpt_slab s;
	struct zslab_ckpt_hdr *h;
	const char *why;
	void *out = calloc(1, info->total_bytes);
	unsigned int i;
	bool same;
	u32 len;

	zslab_ckpt_start(&b, out, info->total_bytes);
	zslab_ckpt_cursor_init(&cur);
	while (zslab_ckpt_next_zone(buf, info, &cur, &z, &why) > 0)
		ZFUZZ_CHECK(zslab_ckpt_add_zone(&b, &z));
	while (zslab_ckpt_next_cache(buf, info, &cur, &c, &why) > 0) {
		ZFUZZ_CHECK(zslab_ckpt_add_cache(&b, &c));
		while (zslab_ckpt_next_slab(buf, info, &cur, &s, &why) > 0) {
			memset(map, 0, sizeof(map));
			for (i = 0; i < BITS_TO_U64(c.nr_objs); i++)
				map[i] = le64_to_cpu(s.map[i]);
			ZFUZZ_CHECK(zslab_ckpt_add_slab(&b, &s, map));
		}
	}
	len = zslab_ckpt_finish(&b, info->ckpt_seq, info->seg_seq, lbs);
	ZFUZZ_CHECK(len == ALIGN(info->used_bytes, lbs));
	h = out;
	/* A writer may pad with more zero blocks than the builder does. */
	if (len != info->total_bytes) {
		h->total_bytes = cpu_to_le32(info->total_bytes);
		h->crc = cpu_to_le32(zslab_crc32c_field_zero(out, info->used_bytes,
							     offsetof(struct zslab_ckpt_hdr, crc)));
	}
	same = !memcmp(out, buf, info->total_bytes);
	free(out);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zslab_ckpt_info info, hinfo;
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_cache c;
	struct zslab_ckpt_slab s;
	struct zslab_ckpt_zone z;
	const char *why = NULL;
	unsigned int lbs, caches = 0;
	void *buf;
	int ret, hret;

	if (!size)
		return 0;
	lbs = data[0] & 1 ? 4096 : 512;
	buf = zfuzz_exact_copy(data + 1, size - 1);
	if (data[0] & 2 && size - 1 >= sizeof(struct zslab_ckpt_hdr)) {
		struct zslab_ckpt_hdr *h = buf;
		u32 used = le32_to_cpu(h->used_bytes);

		if (used >= sizeof(*h) && used <= size - 1)
			h->crc = cpu_to_le32(zslab_crc32c_field_zero(buf, used,
					     offsetof(struct zslab_ckpt_hdr, crc)));
	}
	ret = zslab_ckpt_decode(buf, size - 1, lbs, &info, &why);
	ZFUZZ_CHECK(ret == 0 || why);
	hret = zslab_ckpt_decode_header(buf, size - 1, lbs, &hinfo, &why);
	ZFUZZ_CHECK(hret == 0 || why);
	/* The header check is part of the whole one. */
	ZFUZZ_CHECK(!hret || ret == hret);
	if (!ret) {
		ZFUZZ_CHECK(!hret && !memcmp(&info, &hinfo, sizeof(info)));
		ZFUZZ_CHECK(info.total_bytes <= size - 1 && info.total_bytes % lbs == 0);
		/* A next_slab before any cache is refused, not read. */
		zslab_ckpt_cursor_init(&cur);
		ZFUZZ_CHECK(zslab_ckpt_next_slab(buf, &info, &cur, &s, &why) == -ENOENT);
		/* Caches alone: zones and slabs skipped whole. */
		while ((ret = zslab_ckpt_next_cache(buf, &info, &cur, &c, &why)) > 0)
			caches++;
		ZFUZZ_CHECK(ret == 0 && caches == info.nr_caches);
		ZFUZZ_CHECK(cur.pos == info.used_bytes && cur.slabs == info.nr_slabs);
		ZFUZZ_CHECK(zslab_ckpt_next_zone(buf, &info, &cur, &z, &why) == 0);
		ZFUZZ_CHECK(zslab_ckpt_next_slab(buf, &info, &cur, &s, &why) == 0 ||
			    !info.nr_caches);
		ZFUZZ_CHECK(rebuilds_the_same(buf, &info, lbs));
	}
	free(buf);
	return 0;
}

/*
 * A checkpoint of @nr_zones zones and, per cache of @geo, @nr_slabs slabs
 * whose every @every-th slot is live.
 */
struct seed_cache {
	u32 object_size, align, stride, order;
};

static void seed(const char *name, unsigned int lbs, unsigned int nr_zones,
		 const struct seed_cache *geo, unsigned int nr_caches,
		 unsigned int nr_slabs, unsigned int every)
{
	size_t cap = 1 << 20;
	uint8_t *ck = calloc(1, cap), *file;
	struct zslab_ckpt_builder b;
	unsigned int i, k, n;
	u32 len;

	zslab_ckpt_start(&b, ck, cap);
	for (i = 0; i < nr_zones; i++) {
		struct zslab_ckpt_zone z = {
			.zone = 3 + 2 * i, .tail = 8 * i, .first_seq = i ? 100 + i : 0,
		};

		zslab_ckpt_add_zone(&b, &z);
	}
	for (k = 0; k < nr_caches; k++) {
		struct zslab_ckpt_cache c = {
			.id = 7 - k, .object_size = geo[k].object_size, .align = geo[k].align,
			.stride = geo[k].stride, .slab_order = geo[k].order,
			.nr_objs = (4096 << geo[k].order) / geo[k].stride,
			.next_seq = 1000 + k,
		};

		snprintf(c.name, sizeof(c.name), "seed-cache-%u", k);
		zslab_ckpt_add_cache(&b, &c);
		for (n = 0; n < nr_slabs; n++) {
			struct zslab_ckpt_slab s = {
				.slab_id = 1 + 3 * n, .zone = 3 + 2 * (n % (nr_zones + 1)),
				.offset = 8 * n, .data_crc = 0x1234567 * n, .seq = 50 + n,
			};

			memset(map, 0, sizeof(map));
			for (i = n % every; i < c.nr_objs; i += every)
				__set_bit(i, map);
			zslab_ckpt_add_slab(&b, &s, map);
		}
	}
	len = zslab_ckpt_finish(&b, 42, 4242, lbs);
	if (!len)
		zfuzz_fail(__FILE__, __LINE__, "seed does not build");
	file = malloc(1 + len);
	file[0] = (lbs == 4096) | 2;
	memcpy(file + 1, ck, len);
	zfuzz_seed(name, file, 1 + len);
	free(ck);
	free(file);
}

void zfuzz_seeds(void)
{
	static const struct seed_cache geo[] = {
		{ 8, 8, 8, 0 },		/* 512 objects */
		{ 4000, 64, 4096, 0 },	/* 1 object */
		{ 100, 8, 104, 0 },	/* 39 objects */
		{ 60, 64, 64, 1 },	/* 128 objects, 8 KiB slabs */
	};

	seed("ckpt-empty-512", 512, 0, geo, 0, 0, 1);
	seed("ckpt-zones-4k", 4096, 5, geo, 0, 0, 1);
	seed("ckpt-2caches-512", 512, 3, geo, 2, 3, 3);
	seed("ckpt-4caches-4k", 4096, 2, geo, 4, 2, 5);
	seed("ckpt-no-slabs-512", 512, 1, geo + 2, 2, 0, 1);
}
