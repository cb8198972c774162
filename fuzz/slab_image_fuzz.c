// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz zslab_image_decode() (slab_image.c). Input: one byte of options
 * (bit 0: 4 KiB blocks, else 512 B; bit 1: the table CRC route, else
 * crc32c()), then the image.
 *
 * Besides "no crash, no sanitizer report": an image that decodes encodes
 * back to the same bytes from its own bitmap and data, by either CRC route.
 */
#include <stdlib.h>
#include <string.h>
#include "../zslab_internal.h"
#include "zfuzz.h"

static unsigned long inuse[BITS_TO_LONGS(ZSLAB_MAX_OBJS)];

void zfuzz_init(void)
{
	zslab_image_choose_crc();	/* builds the CRC tables */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zslab_image_layout l;
	const char *why = NULL;
	unsigned int lbs, hdr;
	void *buf, *enc;
	int ret;

	if (!size)
		return 0;
	lbs = data[0] & 1 ? 4096 : 512;
	zslab_image_use_crc(data[0] & 2 ? ZSLAB_CRC_TABLE : ZSLAB_CRC_LIB);
	buf = zfuzz_exact_copy(data + 1, size - 1);
	ret = zslab_image_decode(buf, size - 1, lbs, &l, inuse, &why);
	ZFUZZ_CHECK(ret == 0 || why);
	if (!ret) {
		hdr = zslab_image_hdr_size(l.nr_objs, lbs);
		enc = calloc(1, hdr + l.slab_size);
		zslab_image_encode(enc, &l, inuse, buf + hdr, false);
		ZFUZZ_CHECK(!memcmp(enc, buf, hdr + l.slab_size));
		free(enc);
	}
	free(buf);
	return 0;
}

/* One image of @slab_size bytes of @stride-byte slots, every @every-th live. */
static void seed(const char *name, unsigned int lbs, unsigned int slab_size,
		 unsigned int object_size, unsigned int stride, unsigned int every)
{
	struct zslab_image_layout l = {
		.cache_id = 3, .slab_size = slab_size, .object_size = object_size,
		.stride = stride, .nr_objs = slab_size / stride, .lbs = lbs,
		.slab_id = 42, .seq = 7,
	};
	unsigned int hdr = zslab_image_hdr_size(l.nr_objs, lbs), i;
	uint8_t *data = malloc(slab_size), *img = calloc(1, hdr + slab_size);
	uint8_t *file = malloc(1 + hdr + slab_size);

	memset(inuse, 0, sizeof(inuse));
	for (i = 0; i < slab_size; i++)
		data[i] = i * 7 + 1;
	for (i = 0; i < l.nr_objs; i += every)
		__set_bit(i, inuse);
	/* Encoded where the module would (aligned), then put behind the option byte. */
	zslab_image_encode(img, &l, inuse, data, false);
	file[0] = lbs == 4096;
	memcpy(file + 1, img, hdr + slab_size);
	zfuzz_seed(name, file, 1 + hdr + slab_size);
	free(data);
	free(img);
	free(file);
}

void zfuzz_seeds(void)
{
	seed("img-4k-64B-512", 512, 4096, 60, 64, 3);
	seed("img-4k-64B-4k", 4096, 4096, 64, 64, 1);
	seed("img-4k-700B-512", 512, 4096, 700, 704, 2);
	seed("img-8k-8B-512", 512, 8192, 8, 8, 5);
}
