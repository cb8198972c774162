// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints: what recovery starts from, the on-disk format v1 (README).
 *
 *   [ header (64 B)                                  ]
 *   [ zone records, 16 B each, zone index increasing ]
 *   [ cache record (64 B)                            ]  for each cache:
 *   [   its slab records, 32 B + bitmap words each   ]  slab id increasing
 *   [ zero padding to a whole number of blocks       ]
 *
 * The header's used_bytes ends with the last record; one CRC32C covers that
 * much, and the padding up to total_bytes must be zero. Everything is little
 * endian at fixed offsets; every record is a multiple of 8 bytes long, so
 * the bitmaps stay aligned as the buffer is.
 *
 * Like segment.c and superblock_format.c, everything here is a pure
 * function over a buffer: no I/O, no allocation, no locks, so the same file
 * builds in userspace for the fuzzers (fuzz/). The builder refuses anything
 * the decoder would, so what it builds always decodes; the decoder trusts
 * nothing it reads.
 */
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/log2.h>
#include <linux/string.h>
#include "zslab_internal.h"

static_assert(sizeof(struct zslab_ckpt_hdr) == 64);
static_assert(sizeof(struct zslab_ckpt_zone_disk) == 16);
static_assert(sizeof(struct zslab_ckpt_cache_disk) == 64);
static_assert(sizeof(struct zslab_ckpt_slab_disk) == 32);
/* The bitmap is copied as little-endian u64 words: one per unsigned long here. */
static_assert(BITS_PER_LONG == 64);
/* nr_objs is 16 bits on disk. */
static_assert(ZSLAB_MAX_OBJS <= U16_MAX);

#define NAME_LEN	sizeof_field(struct zslab_ckpt_cache_disk, name)
static_assert(NAME_LEN == sizeof_field(struct zslab_ckpt_cache, name));

/**
 * zslab_ckpt_slab_bytes() - Bytes one slab record takes, bitmap included.
 * @nr_objs: objects per slab of its cache.
 *
 * Return: 32 + 8 * ceil(@nr_objs / 64).
 */
unsigned int zslab_ckpt_slab_bytes(unsigned int nr_objs)
{
	return sizeof(struct zslab_ckpt_slab_disk) + BITS_TO_U64(nr_objs) * sizeof(u64);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_slab_bytes);

/* Bytes a cache's record and all of its slab records take; u64 cannot overflow. */
static u64 cache_span(u32 nr_objs, u32 nr_slabs)
{
	return sizeof(struct zslab_ckpt_cache_disk) +
		(u64)nr_slabs * zslab_ckpt_slab_bytes(nr_objs);
}

/* Where the first cache record lies: after the header and the zone records. */
static u32 first_cache_pos(u32 nr_zones)
{
	return sizeof(struct zslab_ckpt_hdr) + nr_zones * sizeof(struct zslab_ckpt_zone_disk);
}

static u32 ckpt_crc(const void *buf, u32 used)
{
	return zslab_crc32c_field_zero(buf, used, offsetof(struct zslab_ckpt_hdr, crc));
}

/*
 * Not empty and NUL-terminated within the field; when read from a device,
 * NUL-padded too (the builder pads what it is given, so it need not be).
 */
static const char *name_invalid(const char *name, bool padded)
{
	size_t n = strnlen(name, NAME_LEN);

	if (!n || n == NAME_LEN)
		return "cache name empty or not terminated";
	if (padded && memchr_inv(name + n, 0, NAME_LEN - n))
		return "cache name not NUL padded";
	return NULL;
}

/* A cache this module could have created: what both builder and decoder insist on. */
static const char *cache_invalid(const struct zslab_ckpt_cache *c, bool padded)
{
	u32 slab_size;

	if (!c->id || c->id > U16_MAX)
		return "cache id out of range";
	if (c->slab_order > ZSLAB_MAX_SLAB_ORDER)
		return "slab order out of range";
	slab_size = ZSLAB_DEFAULT_SLAB_SIZE << c->slab_order;
	if (c->stride < ZSLAB_MIN_OBJ_SIZE || !c->object_size || c->object_size > c->stride)
		return "object layout out of range";
	if (!c->align || !is_power_of_2(c->align) || c->stride % c->align)
		return "alignment not a power of two dividing the stride";
	if (!c->nr_objs || c->nr_objs != slab_size / c->stride)
		return "object count does not match the slab and stride";
	return name_invalid(c->name, padded);
}

/*
 * Cache ids are unique. The records are not ours to sort and there is no
 * memory to spare, so ids are checked a range at a time against a small
 * bitmap: at most 65536 / IDS_PER_PASS passes over the cache records, each
 * skipping its slab records in one step. The records must have been
 * walked (bounds-checked) already.
 */
#define IDS_PER_PASS	2048

static bool cache_ids_unique(const void *buf, u32 pos, u32 nr_caches)
{
	u64 seen[IDS_PER_PASS / 64];
	u32 base, max_id = 0, i, p;

	if (nr_caches > U16_MAX)
		return false;
	for (base = 0; base <= max_id; base += IDS_PER_PASS) {
		memset(seen, 0, sizeof(seen));
		for (i = 0, p = pos; i < nr_caches; i++) {
			const struct zslab_ckpt_cache_disk *d = buf + p;
			u32 id = le32_to_cpu(d->id);

			max_id = max(max_id, id);
			if (id >= base && id - base < IDS_PER_PASS) {
				u64 bit = 1ULL << ((id - base) % 64);

				if (seen[(id - base) / 64] & bit)
					return false;
				seen[(id - base) / 64] |= bit;
			}
			p += cache_span(le16_to_cpu(d->nr_objs), le32_to_cpu(d->nr_slabs));
		}
	}
	return true;
}

/* --- building --- */

/**
 * zslab_ckpt_start() - Begin a checkpoint in @buf.
 * @b: the builder.
 * @buf: @cap bytes; 8-byte aligned keeps the bitmaps aligned.
 * @cap: the most the checkpoint may take, padding included (more than
 *	ZSLAB_CKPT_MAX_BYTES is not used).
 *
 * Room for the header is kept; zslab_ckpt_finish() writes it.
 */
void zslab_ckpt_start(struct zslab_ckpt_builder *b, void *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = min_t(size_t, cap, ZSLAB_CKPT_MAX_BYTES);
	b->used = sizeof(struct zslab_ckpt_hdr);
	b->overflow = b->cap < b->used;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_start);

/* Where the next @len bytes go, or NULL (and the checkpoint is lost) if they do not fit. */
static void *room(struct zslab_ckpt_builder *b, u32 len)
{
	if (b->overflow || b->cap - b->used < len) {
		b->overflow = true;
		return NULL;
	}
	return b->buf + b->used;
}

/* Refuse one record: the whole checkpoint with it (zslab_ckpt_finish() returns 0). */
static bool refuse(struct zslab_ckpt_builder *b)
{
	b->overflow = true;
	return false;
}

/**
 * zslab_ckpt_add_zone() - Record how far a data zone was written.
 * @b: the builder, with no cache added yet.
 * @z: the zone; its index must be above the previous zone's.
 *
 * Return: true, or false (and the checkpoint is refused: @b->overflow) if
 * it does not fit or breaks the order.
 */
bool zslab_ckpt_add_zone(struct zslab_ckpt_builder *b, const struct zslab_ckpt_zone *z)
{
	struct zslab_ckpt_zone_disk *d = room(b, sizeof(*d));

	if (!d)
		return false;
	/* The previous zone record, if any, lies just before. */
	if (b->nr_caches || (b->nr_zones && z->zone <= le32_to_cpu(d[-1].zone)))
		return refuse(b);
	d->zone = cpu_to_le32(z->zone);
	d->tail = cpu_to_le32(z->tail);
	d->first_seq = cpu_to_le64(z->first_seq);
	b->used += sizeof(*d);
	b->nr_zones++;
	return true;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_add_zone);

/* The current cache's slab count goes into its record once it is known. */
static void close_cache(struct zslab_ckpt_builder *b)
{
	struct zslab_ckpt_cache_disk *d = b->buf + b->cache_pos;

	if (b->nr_caches)
		d->nr_slabs = cpu_to_le32(b->cache_slabs);
}

/**
 * zslab_ckpt_add_cache() - Start a cache; its slabs follow.
 * @b: the builder.
 * @c: the cache; @c->nr_slabs is ignored (counted as slabs are added). Its
 *	fields must be what the decoder accepts (id 1..65535, geometry, a
 *	NUL-terminated non-empty name); ids unique (zslab_ckpt_finish()
 *	checks that).
 *
 * Return: true, or false (and the checkpoint is refused: @b->overflow) if
 * it does not fit or @c is not a valid cache.
 */
bool zslab_ckpt_add_cache(struct zslab_ckpt_builder *b, const struct zslab_ckpt_cache *c)
{
	struct zslab_ckpt_cache_disk *d;

	if (cache_invalid(c, false))
		return refuse(b);
	d = room(b, sizeof(*d));
	if (!d)
		return false;
	close_cache(b);
	memset(d, 0, sizeof(*d));
	d->id = cpu_to_le32(c->id);
	d->object_size = cpu_to_le32(c->object_size);
	d->align = cpu_to_le32(c->align);
	d->stride = cpu_to_le32(c->stride);
	d->nr_objs = cpu_to_le16(c->nr_objs);
	d->slab_order = c->slab_order;
	d->next_seq = cpu_to_le64(c->next_seq);
	memcpy(d->name, c->name, strnlen(c->name, NAME_LEN));
	b->cache_pos = b->used;
	b->cache_nr_objs = c->nr_objs;
	b->cache_slabs = 0;
	b->last_slab_id = 0;
	b->used += sizeof(*d);
	b->nr_caches++;
	return true;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_add_cache);

/**
 * zslab_ckpt_add_slab() - Record a slab of the current cache.
 * @b: the builder, after zslab_ckpt_add_cache().
 * @s: the slab: id (not 0, above the previous slab's of this cache), where
 *	its newest data lies, that data's CRC and sequence number (not 0).
 *	@s->nr_live and @s->map are ignored: the count comes from @map.
 * @map: its occupancy bitmap, nr_objs bits of the current cache; bits past
 *	them are not recorded.
 *
 * @map is read once, a word at a time, and the live count is that of the
 * copy: a bitmap clients change meanwhile gives a record that is consistent.
 *
 * Return: true if the slab was recorded. False with @b->overflow set if it
 * does not fit or breaks the order (the checkpoint is refused); false with
 * @b->overflow clear if @map read empty: a slab with no live object has
 * nothing to recover, so nothing was added.
 */
bool zslab_ckpt_add_slab(struct zslab_ckpt_builder *b, const struct zslab_ckpt_slab *s,
			 const unsigned long *map)
{
	unsigned int words = BITS_TO_U64(b->cache_nr_objs), i, live = 0;
	struct zslab_ckpt_slab_disk *d;
	__le64 *out;

	if (!b->nr_caches || !s->slab_id || s->slab_id <= b->last_slab_id || !s->seq)
		return refuse(b);
	d = room(b, zslab_ckpt_slab_bytes(b->cache_nr_objs));
	if (!d)
		return false;
	out = (__le64 *)(d + 1);
	for (i = 0; i < words; i++) {
		u64 word = READ_ONCE(map[i]);

		if (i == words - 1 && b->cache_nr_objs % 64)
			word &= BITMAP_LAST_WORD_MASK(b->cache_nr_objs);
		out[i] = cpu_to_le64(word);
		live += hweight64(word);
	}
	if (!live)
		return false;
	d->slab_id = cpu_to_le32(s->slab_id);
	d->zone = cpu_to_le32(s->zone);
	d->offset = cpu_to_le32(s->offset);
	d->data_crc = cpu_to_le32(s->data_crc);
	d->seq = cpu_to_le64(s->seq);
	d->nr_live = cpu_to_le32(live);
	d->reserved = 0;
	b->used += zslab_ckpt_slab_bytes(b->cache_nr_objs);
	b->nr_slabs++;
	b->cache_slabs++;
	b->last_slab_id = s->slab_id;
	return true;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_add_slab);

/**
 * zslab_ckpt_finish() - Write the header, the padding and the CRC.
 * @b: the builder.
 * @ckpt_seq: this checkpoint's sequence number, not 0.
 * @seg_seq: the device's next segment sequence number.
 * @lbs: the logical block size: the checkpoint is padded to whole blocks.
 *
 * Return: the checkpoint's bytes (whole blocks, at most the builder's cap),
 * or 0 if anything was refused, the padding does not fit, @ckpt_seq is 0,
 * @lbs is not a power of two or two caches have the same id.
 */
u32 zslab_ckpt_finish(struct zslab_ckpt_builder *b, u64 ckpt_seq, u64 seg_seq,
		      unsigned int lbs)
{
	struct zslab_ckpt_hdr *h = b->buf;
	u64 total;

	if (b->overflow || !ckpt_seq || !lbs || !is_power_of_2(lbs))
		goto refused;
	total = ALIGN((u64)b->used, lbs);
	if (total > b->cap)
		goto refused;
	close_cache(b);
	if (!cache_ids_unique(b->buf, first_cache_pos(b->nr_zones), b->nr_caches))
		goto refused;
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(ZSLAB_CKPT_MAGIC);
	h->version = cpu_to_le16(ZSLAB_CKPT_VERSION);
	h->total_bytes = cpu_to_le32(total);
	h->used_bytes = cpu_to_le32(b->used);
	h->ckpt_seq = cpu_to_le64(ckpt_seq);
	h->seg_seq = cpu_to_le64(seg_seq);
	h->nr_zones = cpu_to_le32(b->nr_zones);
	h->nr_caches = cpu_to_le32(b->nr_caches);
	h->nr_slabs = cpu_to_le32(b->nr_slabs);
	memset(b->buf + b->used, 0, total - b->used);
	h->crc = cpu_to_le32(ckpt_crc(b->buf, b->used));
	return total;
refused:
	b->overflow = true;
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_finish);

/* --- decoding: every field is checked before it is used --- */

static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -EUCLEAN;
}

/**
 * zslab_ckpt_decode_header() - Check a checkpoint's header alone.
 * @buf: the bytes read, starting at the checkpoint.
 * @len: how many bytes @buf holds (its first block is enough).
 * @lbs: the device's logical block size.
 * @info: filled in on success.
 * @why: set to a one-line reason on failure.
 *
 * For a reader that learns from the first block how much more to read. The
 * CRC and the records are not checked: zslab_ckpt_decode() does that.
 *
 * Return: 0; -EMSGSIZE when @len is shorter than a header; -ENOMSG when the
 * magic is not a checkpoint's; -EOPNOTSUPP for a newer format version;
 * -EINVAL for an @lbs that is not a power of two; -EUCLEAN for anything
 * else that does not check out.
 */
int zslab_ckpt_decode_header(const void *buf, size_t len, unsigned int lbs,
			     struct zslab_ckpt_info *info, const char **why)
{
	const struct zslab_ckpt_hdr *h = buf;
	unsigned int version;
	u64 least;

	if (!lbs || !is_power_of_2(lbs)) {
		*why = "logical block size not a power of two";
		return -EINVAL;
	}
	if (len < sizeof(*h)) {
		*why = "shorter than a checkpoint header";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(h->magic) != ZSLAB_CKPT_MAGIC) {
		*why = "no checkpoint magic";
		return -ENOMSG;
	}
	version = le16_to_cpu(h->version);
	if (version > ZSLAB_CKPT_VERSION) {
		*why = "newer format version";
		return -EOPNOTSUPP;
	}
	if (version != ZSLAB_CKPT_VERSION)
		return bad(why, "unknown format version");
	if (h->flags)
		return bad(why, "unknown flags");
	if (memchr_inv(h->reserved, 0, sizeof(h->reserved)))
		return bad(why, "reserved header bytes not zero");
	info->total_bytes = le32_to_cpu(h->total_bytes);
	info->used_bytes = le32_to_cpu(h->used_bytes);
	info->ckpt_seq = le64_to_cpu(h->ckpt_seq);
	info->seg_seq = le64_to_cpu(h->seg_seq);
	info->crc = le32_to_cpu(h->crc);
	info->nr_zones = le32_to_cpu(h->nr_zones);
	info->nr_caches = le32_to_cpu(h->nr_caches);
	info->nr_slabs = le32_to_cpu(h->nr_slabs);
	if (!info->total_bytes || info->total_bytes % lbs ||
	    info->total_bytes > ZSLAB_CKPT_MAX_BYTES)
		return bad(why, "checkpoint size out of range");
	if (info->used_bytes < sizeof(*h) || info->used_bytes > info->total_bytes)
		return bad(why, "used size out of range");
	if (!info->ckpt_seq)
		return bad(why, "checkpoint sequence number zero");
	/* So that a reader may size arrays by the counts before the walk. */
	least = (u64)info->nr_zones * sizeof(struct zslab_ckpt_zone_disk) +
		(u64)info->nr_caches * sizeof(struct zslab_ckpt_cache_disk) +
		(u64)info->nr_slabs * zslab_ckpt_slab_bytes(1);
	if (least > info->used_bytes - sizeof(*h))
		return bad(why, "record counts do not fit the used size");
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_decode_header);

/**
 * zslab_ckpt_decode() - Check a whole checkpoint and describe it.
 * @buf: the bytes read, starting at the checkpoint.
 * @len: how many bytes @buf holds.
 * @lbs: the device's logical block size.
 * @info: filled in on success.
 * @why: set to a one-line reason on failure.
 *
 * The header as zslab_ckpt_decode_header() checks it, then the CRC, the
 * padding and every record: zones increasing; caches valid, with unique
 * ids; slabs with ids increasing per cache and live counts that are their
 * bitmaps'; the counts adding up to the header's and the records ending at
 * used_bytes exactly. The cursors may then walk @buf.
 *
 * Return: 0; the errors of zslab_ckpt_decode_header(); -EMSGSIZE when
 * @len is shorter than the checkpoint; -EUCLEAN for anything that does not
 * check out.
 */
int zslab_ckpt_decode(const void *buf, size_t len, unsigned int lbs,
		      struct zslab_ckpt_info *info, const char **why)
{
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_cache c;
	struct zslab_ckpt_slab s;
	struct zslab_ckpt_zone z;
	int ret;

	ret = zslab_ckpt_decode_header(buf, len, lbs, info, why);
	if (ret)
		return ret;
	if (len < info->total_bytes) {
		*why = "truncated";
		return -EMSGSIZE;
	}
	if (info->crc != ckpt_crc(buf, info->used_bytes))
		return bad(why, "CRC mismatch");
	if (memchr_inv(buf + info->used_bytes, 0, info->total_bytes - info->used_bytes))
		return bad(why, "padding not zero");

	zslab_ckpt_cursor_init(&cur);
	do {
		ret = zslab_ckpt_next_zone(buf, info, &cur, &z, why);
	} while (ret > 0);
	while (!ret) {
		ret = zslab_ckpt_next_cache(buf, info, &cur, &c, why);
		if (ret <= 0)
			break;
		do {
			ret = zslab_ckpt_next_slab(buf, info, &cur, &s, why);
		} while (ret > 0);
	}
	if (ret < 0)
		return ret;
	if (cur.slabs != info->nr_slabs || cur.pos != info->used_bytes)
		return bad(why, "records do not fill the used size");
	if (!cache_ids_unique(buf, first_cache_pos(info->nr_zones), info->nr_caches))
		return bad(why, "two caches with one id");
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_decode);

/**
 * zslab_ckpt_cursor_init() - Start walking a checkpoint's records.
 * @cur: the cursor; the walk is zslab_ckpt_next_zone() until it returns
 *	0, then zslab_ckpt_next_cache() and, for each cache, zslab_ckpt_next_slab()
 *	until it returns 0.
 */
void zslab_ckpt_cursor_init(struct zslab_ckpt_cursor *cur)
{
	memset(cur, 0, sizeof(*cur));
	cur->pos = sizeof(struct zslab_ckpt_hdr);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_cursor_init);

/* Move on by @len bytes if they lie within used_bytes. */
static int skip(const struct zslab_ckpt_info *info, struct zslab_ckpt_cursor *cur,
		u64 len, const char **why)
{
	if (cur->pos > info->used_bytes || info->used_bytes - cur->pos < len)
		return bad(why, "records beyond the used size");
	cur->pos += len;
	return 0;
}

/**
 * zslab_ckpt_next_zone() - The next zone record.
 * @buf: the checkpoint, all of it.
 * @info: its header (zslab_ckpt_decode()).
 * @cur: where we are; advanced.
 * @z: filled with the zone.
 * @why: set to a one-line reason on failure.
 *
 * Return: 1 with a zone; 0 when there is none left (also once the caches
 * have been started); -EUCLEAN for a record beyond used_bytes or out of
 * order.
 */
int zslab_ckpt_next_zone(const void *buf, const struct zslab_ckpt_info *info,
			 struct zslab_ckpt_cursor *cur, struct zslab_ckpt_zone *z,
			 const char **why)
{
	const struct zslab_ckpt_zone_disk *d = buf + cur->pos;

	if (cur->caches || cur->zones >= info->nr_zones)
		return 0;
	if (skip(info, cur, sizeof(*d), why))
		return -EUCLEAN;
	z->zone = le32_to_cpu(d->zone);
	z->tail = le32_to_cpu(d->tail);
	z->first_seq = le64_to_cpu(d->first_seq);
	/* The previous record lies just before this one, inside the buffer. */
	if (cur->zones++ && z->zone <= le32_to_cpu(d[-1].zone))
		return bad(why, "zone records not in increasing order");
	return 1;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_next_zone);

/**
 * zslab_ckpt_next_cache() - The next cache record.
 * @buf: the checkpoint, all of it.
 * @info: its header (zslab_ckpt_decode()).
 * @cur: where we are; advanced past the cache record. Zones not walked
 *	yet and slabs of the previous cache not walked yet are skipped.
 * @c: filled with the cache; @c->nr_slabs slab records follow it.
 * @why: set to a one-line reason on failure.
 *
 * Return: 1 with a cache; 0 when there is none left; -EUCLEAN for a record
 * beyond used_bytes, an invalid cache, or more slabs than the header says.
 */
int zslab_ckpt_next_cache(const void *buf, const struct zslab_ckpt_info *info,
			  struct zslab_ckpt_cursor *cur, struct zslab_ckpt_cache *c,
			  const char **why)
{
	const struct zslab_ckpt_cache_disk *d;
	const char *reason;

	if (!cur->caches && cur->zones < info->nr_zones) {
		if (skip(info, cur, (u64)(info->nr_zones - cur->zones) *
			 sizeof(struct zslab_ckpt_zone_disk), why))
			return -EUCLEAN;
		cur->zones = info->nr_zones;
	}
	if (cur->cache_slabs_left) {
		if (skip(info, cur, (u64)cur->cache_slabs_left *
			 zslab_ckpt_slab_bytes(cur->cache_nr_objs), why))
			return -EUCLEAN;
		cur->slabs += cur->cache_slabs_left;
		cur->cache_slabs_left = 0;
	}
	if (cur->caches >= info->nr_caches)
		return 0;
	d = buf + cur->pos;
	if (skip(info, cur, sizeof(*d), why))
		return -EUCLEAN;
	c->id = le32_to_cpu(d->id);
	c->object_size = le32_to_cpu(d->object_size);
	c->align = le32_to_cpu(d->align);
	c->stride = le32_to_cpu(d->stride);
	c->nr_objs = le16_to_cpu(d->nr_objs);
	c->slab_order = d->slab_order;
	c->nr_slabs = le32_to_cpu(d->nr_slabs);
	c->next_seq = le64_to_cpu(d->next_seq);
	memcpy(c->name, d->name, NAME_LEN);
	if (d->flags)
		return bad(why, "unknown cache flags");
	reason = cache_invalid(c, true);
	if (reason)
		return bad(why, reason);
	if (c->nr_slabs > info->nr_slabs - cur->slabs)
		return bad(why, "more slab records than the header counts");
	if ((u64)c->nr_slabs * zslab_ckpt_slab_bytes(c->nr_objs) >
	    info->used_bytes - cur->pos)
		return bad(why, "slab records beyond the used size");
	cur->caches++;
	cur->cache_slabs_left = c->nr_slabs;
	cur->cache_nr_objs = c->nr_objs;
	cur->last_slab_id = 0;
	return 1;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_next_cache);

/**
 * zslab_ckpt_next_slab() - The next slab record of the current cache.
 * @buf: the checkpoint, all of it.
 * @info: its header (zslab_ckpt_decode()).
 * @cur: where we are; advanced.
 * @s: filled with the slab; @s->map points at its bitmap in @buf
 *	(little-endian u64 words, bit i of word w is slot 64 * w + i).
 * @why: set to a one-line reason on failure.
 *
 * Return: 1 with a slab; 0 when the current cache has none left; -ENOENT
 * before the first cache; -EUCLEAN for a record beyond used_bytes or that
 * does not check out.
 */
int zslab_ckpt_next_slab(const void *buf, const struct zslab_ckpt_info *info,
			 struct zslab_ckpt_cursor *cur, struct zslab_ckpt_slab *s,
			 const char **why)
{
	unsigned int words = BITS_TO_U64(cur->cache_nr_objs), i, live = 0;
	const struct zslab_ckpt_slab_disk *d = buf + cur->pos;

	if (!cur->caches) {
		*why = "no cache walked yet";
		return -ENOENT;
	}
	if (!cur->cache_slabs_left)
		return 0;
	if (skip(info, cur, zslab_ckpt_slab_bytes(cur->cache_nr_objs), why))
		return -EUCLEAN;
	cur->cache_slabs_left--;
	cur->slabs++;
	s->slab_id = le32_to_cpu(d->slab_id);
	s->zone = le32_to_cpu(d->zone);
	s->offset = le32_to_cpu(d->offset);
	s->data_crc = le32_to_cpu(d->data_crc);
	s->seq = le64_to_cpu(d->seq);
	s->nr_live = le32_to_cpu(d->nr_live);
	s->map = (const __le64 *)(d + 1);
	if (!s->slab_id || s->slab_id <= cur->last_slab_id)
		return bad(why, "slab ids zero or not increasing");
	cur->last_slab_id = s->slab_id;
	if (!s->seq)
		return bad(why, "slab sequence number zero");
	if (d->reserved)
		return bad(why, "reserved slab bytes not zero");
	if (cur->cache_nr_objs % 64 &&
	    le64_to_cpu(s->map[words - 1]) & ~BITMAP_LAST_WORD_MASK(cur->cache_nr_objs))
		return bad(why, "bitmap has bits past the last object");
	for (i = 0; i < words; i++)
		live += hweight64(le64_to_cpu(s->map[i]));
	if (!s->nr_live || live != s->nr_live)
		return bad(why, "live count does not match the bitmap");
	return 1;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_ckpt_next_slab);
