// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the segment decoder (segment.c): zslab_seg_decode(), the entry walk
 * zslab_seg_next() and zslab_seg_check_data(). Input: one byte of options
 * (bit 0: 4 KiB blocks, else 512 B), then the segment as read from a zone.
 *
 * Besides "no crash, no sanitizer report": a segment whose summary decodes
 * and whose slabs' data all check out is rebuilt, entry by entry, by the
 * encoder into the very same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "../zslab_internal.h"
#include "zfuzz.h"

static unsigned long inuse[BITS_TO_LONGS(ZSLAB_MAX_OBJS)];

/* Build the segment again from what was decoded; true if it is the same. */
static bool rebuilds_the_same(const void *buf, const struct zslab_seg_info *info)
{
	size_t len = info->summary_bytes + info->data_bytes;
	struct zslab_seg_builder b;
	struct zslab_seg_cursor cur;
	struct zslab_seg_slab e;
	const char *why;
	void *out = calloc(1, len);
	bool same;
	unsigned int i;

	zslab_seg_start(&b, out, len, info->summary_bytes);
	zslab_seg_cursor_init(&cur, info);
	while (zslab_seg_next(buf, info, &cur, &e, &why) > 0) {
		ZFUZZ_CHECK(zslab_seg_fits(&b, e.nr_objs, e.tombstone ? 0 : e.slab_size));
		if (e.tombstone) {
			zslab_seg_add_tombstone(&b, &e);
			continue;
		}
		memset(inuse, 0, sizeof(inuse));
		for (i = 0; i < BITS_TO_U64(e.nr_objs); i++)
			inuse[i] = le64_to_cpu(e.map[i]);
		/* Every live object marked: the same bytes as with no marked bitmap. */
		ZFUZZ_CHECK(zslab_seg_add_slab(&b, &e, inuse, inuse, buf + e.data_offset));
	}
	ZFUZZ_CHECK(zslab_seg_finish(&b, info->seg_seq) == len);
	same = !memcmp(out, buf, len);
	free(out);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zslab_seg_info info;
	struct zslab_seg_cursor cur;
	struct zslab_seg_slab e;
	const char *why = NULL;
	bool all_data_good = true;
	unsigned int lbs;
	void *buf;
	int ret;

	if (!size)
		return 0;
	lbs = data[0] & 1 ? 4096 : 512;
	buf = zfuzz_exact_copy(data + 1, size - 1);
	ret = zslab_seg_decode(buf, size - 1, lbs, &info, &why);
	ZFUZZ_CHECK(ret == 0 || why);
	if (!ret) {
		ZFUZZ_CHECK(info.summary_bytes <= size - 1);
		zslab_seg_cursor_init(&cur, &info);
		while ((ret = zslab_seg_next(buf, &info, &cur, &e, &why)) > 0) {
			ZFUZZ_CHECK(e.tombstone || e.data_offset >= info.summary_bytes);
			/* A reader checks data it has: the segment may be cut short. */
			if (e.tombstone)
				continue;
			if (e.data_offset + (size_t)e.slab_size > size - 1 ||
			    zslab_seg_check_data(&e, buf + e.data_offset, &why))
				all_data_good = false;
		}
		ZFUZZ_CHECK(ret == 0);	/* decode walked the same entries */
		if (all_data_good && info.summary_bytes + info.data_bytes <= size - 1)
			ZFUZZ_CHECK(rebuilds_the_same(buf, &info));
	}
	free(buf);
	return 0;
}

/* A segment of @n slabs of @stride-byte slots (every @every-th live), then a tombstone. */
static void seed(const char *name, unsigned int lbs, unsigned int slab_size,
		 unsigned int object_size, unsigned int stride, unsigned int every,
		 unsigned int n)
{
	struct zslab_seg_slab l = {
		.cache_id = 3, .object_size = object_size, .stride = stride,
		.nr_objs = slab_size / stride, .slab_size = slab_size,
	};
	unsigned int cap = 64 * 1024, summary, len, i, k;
	uint8_t *src = malloc(slab_size), *seg = calloc(1, cap), *file;
	struct zslab_seg_builder b;

	summary = zslab_seg_summary_bytes(cap, slab_size, l.nr_objs, lbs);
	zslab_seg_start(&b, seg, cap, summary);
	for (i = 0; i < slab_size; i++)
		src[i] = i * 7 + 1;
	for (k = 0; k < n; k++) {
		memset(inuse, 0, sizeof(inuse));
		for (i = k % every; i < l.nr_objs; i += every)
			__set_bit(i, inuse);
		l.slab_id = 10 + k;
		l.seq = 100 + k;
		if (zslab_seg_fits(&b, l.nr_objs, slab_size))
			zslab_seg_add_slab(&b, &l, inuse, NULL, src);
	}
	l.slab_id = 99;
	l.seq = 200;
	if (zslab_seg_fits(&b, l.nr_objs, 0))
		zslab_seg_add_tombstone(&b, &l);
	len = zslab_seg_finish(&b, 77);
	file = malloc(1 + len);
	file[0] = lbs == 4096;
	memcpy(file + 1, seg, len);
	zfuzz_seed(name, file, 1 + len);
	free(src);
	free(seg);
	free(file);
}

void zfuzz_seeds(void)
{
	seed("seg-4k-64B-512", 512, 4096, 60, 64, 3, 3);
	seed("seg-4k-64B-4k", 4096, 4096, 64, 64, 1, 2);
	seed("seg-4k-700B-512", 512, 4096, 700, 704, 2, 4);
	seed("seg-8k-8B-512", 512, 8192, 8, 8, 5, 1);
}
