// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz zslab_sb_decode() (superblock_format.c) and the rule that picks the
 * newest superblock. Input: one byte of options (bit 0: 4 KiB blocks, else
 * 512 B; bits 1-4: what the two metadata zones look like), then the block.
 *
 * Besides "no crash, no sanitizer report": a block that decodes encodes
 * back to the same bytes, and its geometry matches itself.
 */
#include <stdlib.h>
#include <string.h>
#include "../zslab_internal.h"
#include "zfuzz.h"

static const struct zslab_sb_geo seed_geo = {
	.capacity = 16ULL << 17, .zone_sectors = 1 << 17, .zone_capacity = 126976,
	.nr_zones = 16, .lbs = 4096, .max_open = 8, .max_active = 12,
	.max_append_sectors = 256, .meta_zone = { 0, 1 }, .first_data_zone = 3,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zslab_sb_slot slot[2];
	struct zslab_sb sb, again;
	unsigned int lbs, cur = 0;
	const char *why = NULL;
	uint8_t opt;
	void *buf, *enc;
	int ret;

	if (!size)
		return 0;
	opt = data[0];
	lbs = opt & 1 ? 4096 : 512;
	buf = zfuzz_exact_copy(data + 1, size - 1);
	ret = zslab_sb_decode(buf, size - 1, lbs, &sb, &why);
	ZFUZZ_CHECK(ret == 0 || why);
	if (!ret) {
		enc = malloc(lbs);
		zslab_sb_encode(enc, lbs, &sb);
		ZFUZZ_CHECK(!memcmp(enc, buf, lbs));
		ZFUZZ_CHECK(zslab_sb_decode(enc, lbs, lbs, &again, &why) == 0);
		ZFUZZ_CHECK(!memcmp(&again, &sb, sizeof(sb)));
		ZFUZZ_CHECK(!zslab_sb_geo_mismatch(&sb.geo, &sb.geo));
		free(enc);
	}

	/* The same block in either zone, beside an empty, full or like zone. */
	memset(slot, 0, sizeof(slot));
	slot[0].empty = opt & 2;
	slot[0].full = opt & 4;
	slot[0].err = ret;
	slot[0].why = why;
	slot[0].sb = sb;
	slot[1] = slot[0];
	slot[1].empty = opt & 8;
	slot[1].full = opt & 16;
	if (!ret && opt & 32)
		slot[1].sb.generation++;
	switch (zslab_sb_choose(slot, &cur, &why)) {
	case ZSLAB_SB_OURS:
		ZFUZZ_CHECK(cur < 2 && !slot[cur].empty && !slot[cur].err);
		ZFUZZ_CHECK(zslab_sb_next_slot(slot, cur) < 2);
		break;
	case ZSLAB_SB_BLANK:
		ZFUZZ_CHECK(slot[0].empty && slot[1].empty);
		break;
	default:
		ZFUZZ_CHECK(why);
	}
	free(buf);
	return 0;
}

void zfuzz_seeds(void)
{
	static uint8_t b[1 + 4096], blk[4096] __attribute__((aligned(8)));
	struct zslab_sb sb = { .generation = 1, .created = 1764633600, .geo = seed_geo };

	memcpy(sb.uuid, "\x5a\x53\x53\x42\x01\x02\x03\x04\x05\x06\x47\x88\x99\xaa\xbb\xcc", 16);
	b[0] = 1;
	zslab_sb_encode(blk, 4096, &sb);
	memcpy(b + 1, blk, 4096);
	zfuzz_seed("sb-4k-gen1", b, sizeof(b));
	b[0] = 1 | 32;
	zfuzz_seed("sb-4k-gen1-next", b, sizeof(b));

	/* Committing a checkpoint of 3 blocks just before it in zone 0. */
	sb.generation = 2;
	sb.ckpt = (struct zslab_sb_ckpt){
		.seq = 1, .sector = 8, .bytes = 3 * 4096, .crc = 0x89abcdef,
	};
	b[0] = 1;
	zslab_sb_encode(blk, 4096, &sb);
	memcpy(b + 1, blk, 4096);
	zfuzz_seed("sb-4k-gen2-ckpt", b, sizeof(b));
	sb.ckpt = (struct zslab_sb_ckpt){ 0 };

	sb.geo.lbs = 512;
	sb.geo.zone_sectors = 1 << 16;
	sb.geo.zone_capacity = 61440;
	sb.geo.nr_zones = 24;
	sb.geo.capacity = 24ULL << 16;
	sb.geo.max_open = 2;
	sb.geo.max_active = 3;
	sb.generation = 12345;
	b[0] = 0 | 16;
	zslab_sb_encode(blk, 512, &sb);
	memcpy(b + 1, blk, 512);
	zfuzz_seed("sb-512-gen12345", b, 1 + 512);
}
