// SPDX-License-Identifier: GPL-2.0
/*
 * ztool: tiny static helper for the test guest.
 *
 *   ztool load MODULE.ko [PARAMS...]  finit_module(); prints "load: ok" or
 *                                     "load: errno N NAME", exits 0 or N
 *   ztool hold DEVICE SECONDS         open DEVICE with O_EXCL (an exclusive
 *                                     claim, as a mounted filesystem has) and
 *                                     sleep; prints "held" once it holds it
 *   ztool witness DEVICE CACHE_ID OBJECTS
 *                                     read every zone of DEVICE directly
 *                                     (O_DIRECT, up to its write pointer),
 *                                     decode the v2 segments with a decoder
 *                                     of its own, take each slab's newest
 *                                     entry of cache CACHE_ID and compare
 *                                     it with OBJECTS, what the client holds
 *                                     ("SLAB SLOT TAG SIZE" per live object,
 *                                     each object's u32 words TAG ^ index):
 *                                     every live object byte for byte, every
 *                                     free slot zero, no slab the client
 *                                     emptied shown live. Prints a summary
 *                                     line; exits 0 with no mismatch
 *   ztool sbcrc FILE                  store in FILE (a zns_slab superblock
 *                                     block) the CRC32C its fields call for,
 *                                     so a test can forge a superblock that
 *                                     is valid but says something else
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/blkzoned.h>
#include <linux/fs.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENOTBLK: return "ENOTBLK";
	case EBUSY: return "EBUSY";
	case EROFS: return "EROFS";
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case EEXIST: return "EEXIST";
	case EIO: return "EIO";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EUCLEAN: return "EUCLEAN";
	case EMEDIUMTYPE: return "EMEDIUMTYPE";
	case ETOOMANYREFS: return "ETOOMANYREFS";
	default: return "E?";
	}
}

static int load(int argc, char **argv)
{
	char params[4096] = "";
	size_t len = 0;
	int fd, i;

	for (i = 3; i < argc; i++) {
		int n = snprintf(params + len, sizeof(params) - len, "%s%s",
				 len ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(params) - len) {
			fprintf(stderr, "ztool: parameters too long\n");
			return 2;
		}
		len += n;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		int e = errno;

		printf("load: errno %d %s\n", e, errno_name(e));
		return e;
	}
	printf("load: ok\n");
	return 0;
}

static int hold(char **argv)
{
	int fd = open(argv[2], O_RDONLY | O_EXCL);

	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	sleep(atoi(argv[3]));
	return 0;
}


/* --- witness: a decoder of the README's format v2, independent of the module's --- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = b;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78 : 0);
		crc_table[b] = c;
	}
}

static uint32_t crc32c(uint32_t crc, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *b++) & 0xff];
	return crc;
}

static uint16_t le16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

struct wslab {			/* a slab's newest entry on the device */
	uint32_t id;
	uint64_t seq;
	int tombstone;
	uint32_t nr_objs, stride, object_size;
	uint8_t *map;		/* nr_objs bits */
	uint8_t *data;		/* slab_size bytes */
	uint32_t slab_size;
	int seen;		/* objects the client holds in it */
};

static struct wslab *slabs;
static size_t nr_slabs, cap_slabs;
static long mismatches, undecodable, other_zones;

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mismatch(const char *fmt, ...)
{
	va_list ap;

	if (mismatches++ < 10) {
		va_start(ap, fmt);
		printf("witness: mismatch: ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

static struct wslab *find_slab(uint32_t id)
{
	for (size_t i = 0; i < nr_slabs; i++)
		if (slabs[i].id == id)
			return &slabs[i];
	return NULL;
}

/* Keep the entry if it is the newest of its slab seen so far. */
static void take_entry(uint32_t id, uint64_t seq, int tomb, uint32_t nr_objs,
		       uint32_t stride, uint32_t objsz, uint32_t slab_size,
		       const uint8_t *map, const uint8_t *data)
{
	struct wslab *s = find_slab(id);

	if (s && s->seq >= seq)
		return;
	if (!s) {
		if (nr_slabs == cap_slabs) {
			cap_slabs = cap_slabs ? 2 * cap_slabs : 1024;
			slabs = realloc(slabs, cap_slabs * sizeof(*slabs));
		}
		s = &slabs[nr_slabs++];
		memset(s, 0, sizeof(*s));
	}
	free(s->map);
	free(s->data);
	s->id = id;
	s->seq = seq;
	s->tombstone = tomb;
	s->nr_objs = nr_objs;
	s->stride = stride;
	s->object_size = objsz;
	s->slab_size = slab_size;
	s->map = NULL;
	s->data = NULL;
	if (!tomb) {
		s->map = malloc((nr_objs + 63) / 64 * 8);
		memcpy(s->map, map, (nr_objs + 63) / 64 * 8);
		s->data = malloc(slab_size);
		memcpy(s->data, data, slab_size);
	}
}

static int map_bit(const uint8_t *map, uint32_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

/* Walk the segments in [buf, buf + len); anything else there is counted. */
static void walk_zone(const uint8_t *buf, size_t len, uint32_t lbs, uint32_t cache)
{
	size_t at = 0;

	while (at + 64 <= len) {
		const uint8_t *h = buf + at;
		uint32_t summary = le32(h + 8), used = le32(h + 12), n = le32(h + 16);
		uint32_t data = le32(h + 20), pos = 64, doff;
		uint8_t hdr[64];

		if (!le32(h) && !summary && !used && !n)
			return;		/* unwritten: the tail of a finished zone */
		if (le32(h) != 0x4753535a && !at) {
			other_zones++;	/* not a zone of segments: metadata, say */
			return;
		}
		if (le32(h) != 0x4753535a || le16(h + 4) != 2 || !summary ||
		    summary % lbs || used < 64 || used > summary || data % lbs ||
		    at + summary + data > len) {
			undecodable++;
			return;
		}
		memcpy(hdr, h, 64);
		memset(hdr + 32, 0, 4);
		if (~crc32c(crc32c(~0U, hdr, 64), h + 64, used - 64) != le32(h + 32)) {
			undecodable++;
			return;
		}
		doff = summary;
		for (uint32_t e = 0; e < n; e++) {
			const uint8_t *en = h + pos;
			uint32_t nr_objs, stride, slab_size, words;
			int tomb;

			if (pos + 40 > used) {
				undecodable++;
				return;
			}
			nr_objs = le16(en + 32);
			stride = le32(en + 28);
			slab_size = 4096u << en[34];
			tomb = en[35] & 1;
			words = tomb ? 0 : (nr_objs + 63) / 64;
			if (pos + 40 + words * 8 > used || (!tomb && doff + slab_size > summary + data)) {
				undecodable++;
				return;
			}
			if (le32(en) == cache && !tomb &&
			    ~crc32c(~0U, h + doff, slab_size) != le32(en + 16))
				mismatch("slab %u seq %llu: data CRC does not match its entry",
					 le32(en + 4), (unsigned long long)le64(en + 8));
			if (le32(en) == cache)
				take_entry(le32(en + 4), le64(en + 8), tomb, nr_objs, stride,
					   le32(en + 24), slab_size, en + 40, h + doff);
			pos += 40 + words * 8;
			if (!tomb)
				doff += slab_size;
		}
		at += summary + data;
	}
}

static int read_zones(const char *dev, uint32_t cache)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);
	struct blk_zone_report *rep;
	unsigned int lbs = 0, nz = 0;
	uint64_t sector = 0, size = 0;

	if (fd < 0 || ioctl(fd, BLKSSZGET, &lbs) || ioctl(fd, BLKGETNRZONES, &nz) ||
	    ioctl(fd, BLKGETSIZE64, &size)) {
		perror(dev);
		return -1;
	}
	rep = calloc(1, sizeof(*rep) + nz * sizeof(struct blk_zone));
	rep->sector = 0;
	rep->nr_zones = nz;
	if (ioctl(fd, BLKREPORTZONE, rep)) {
		perror("BLKREPORTZONE");
		return -1;
	}
	for (unsigned int z = 0; z < rep->nr_zones; z++) {
		struct blk_zone *bz = &rep->zones[z];
		uint64_t len = (bz->cond == BLK_ZONE_COND_FULL ? bz->capacity : bz->wp - bz->start) * 512;
		void *buf;

		if (bz->type != BLK_ZONE_TYPE_SEQWRITE_REQ || !len)
			continue;
		if (posix_memalign(&buf, 4096, (len + 4095) & ~4095ULL) ||
		    pread(fd, buf, len, bz->start * 512) != (ssize_t)len) {
			perror("read zone");
			return -1;
		}
		walk_zone(buf, len, lbs, cache);
		free(buf);
		sector = bz->start + bz->len;
	}
	(void)sector;
	close(fd);
	return 0;
}

static int witness(char **argv)
{
	uint32_t cache = strtoul(argv[3], NULL, 0);
	FILE *f = fopen(argv[4], "r");
	unsigned long long slab, slot;
	unsigned int tag, size;
	long objects = 0, live_slabs = 0;

	crc_init();
	if (!f || read_zones(argv[2], cache))
		return 2;
	while (fscanf(f, "%llu %llu %u %u", &slab, &slot, &tag, &size) == 4) {
		struct wslab *s = find_slab(slab);

		objects++;
		if (!s || s->tombstone) {
			mismatch("slab %llu slot %llu: live in the client, %s on the device",
				 slab, slot, s ? "a tombstone" : "no entry");
			continue;
		}
		s->seen++;
		if (slot >= s->nr_objs || !map_bit(s->map, slot)) {
			mismatch("slab %llu slot %llu: live in the client, free on the device",
				 slab, slot);
			continue;
		}
		for (unsigned int i = 0; i < s->object_size; i += 4) {
			uint32_t want = i / 4 < size / 4 ? tag ^ (i / 4) : 0;

			if (le32(s->data + slot * s->stride + i) != want) {
				mismatch("slab %llu slot %llu: byte %u differs (device %08x, client %08x)",
					 slab, slot, i, le32(s->data + slot * s->stride + i), want);
				break;
			}
		}
	}
	fclose(f);
	for (size_t i = 0; i < nr_slabs; i++) {
		struct wslab *s = &slabs[i];
		uint32_t live = 0;

		if (s->tombstone)
			continue;
		live_slabs++;
		for (uint32_t k = 0; k < s->nr_objs; k++) {
			const uint8_t *slotp = s->data + k * s->stride;
			uint32_t from = map_bit(s->map, k) ? s->object_size : 0;

			live += map_bit(s->map, k);
			for (uint32_t b = from; b < s->stride; b++)
				if (slotp[b]) {
					mismatch("slab %u slot %u: free slot or tail holds data", s->id, k);
					break;
				}
		}
		if ((long)live != s->seen)
			mismatch("slab %u: %u objects live on the device, %d in the client",
				 s->id, live, s->seen);
	}
	printf("witness: %zu slabs (%ld with data), %ld objects, %ld mismatches, %ld undecodable, %ld zones of other data\n",
	       nr_slabs, live_slabs, objects, mismatches, undecodable, other_zones);
	return mismatches || undecodable;
}

/* The superblock's CRC: its first 512 bytes with the crc field (8..11) zero. */
static int sbcrc(const char *path)
{
	unsigned char b[512];
	unsigned int crc;
	FILE *f = fopen(path, "r+b");

	if (!f || fread(b, 1, sizeof(b), f) != sizeof(b)) {
		perror(path);
		return 1;
	}
	memset(b + 8, 0, 4);
	crc_init();
	crc = ~crc32c(~0U, b, sizeof(b));
	b[8] = crc;
	b[9] = crc >> 8;
	b[10] = crc >> 16;
	b[11] = crc >> 24;
	if (fseek(f, 8, SEEK_SET) || fwrite(b + 8, 1, 4, f) != 4 || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv);
	if (argc == 5 && !strcmp(argv[1], "witness"))
		return witness(argv);
	if (argc == 3 && !strcmp(argv[1], "sbcrc"))
		return sbcrc(argv[2]);
	fprintf(stderr, "usage: ztool load MODULE.ko [PARAMS...] | ztool hold DEVICE SECONDS |\n"
		"       ztool witness DEVICE CACHE_ID OBJECTS | ztool sbcrc FILE\n");
	return 2;
}
