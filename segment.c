// SPDX-License-Identifier: GPL-2.0
/*
 * Segments: what one zone-append bio writes, the on-disk format v2 (README).
 *
 *   [ summary: header, entries, zero padding ]  summary_bytes, whole blocks
 *   [ data of the 1st slab that has data     ]  slab_size bytes
 *   [ data of the 2nd ...                     ]
 *
 * The summary says what the data is: one entry per slab, with its identity,
 * its sequence number, its occupancy bitmap and the CRC32C of its data. A
 * tombstone entry has no data: it says the slab emptied, and as it carries a
 * sequence number like any entry, an older image that lands after it never
 * wins. The slabs' data follows back to back, with no header or padding of
 * their own, so device bytes per slab byte stay near 1. One CRC32C covers
 * the summary's header and entries; its padding must be zero.
 *
 * Everything is little endian at fixed offsets. Encoding and decoding are
 * pure functions over a buffer; decoding trusts nothing it reads.
 */
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/log2.h>
#include <linux/string.h>
#include "zslab_internal.h"

static_assert(sizeof(struct zslab_seg_hdr) == 64);
static_assert(sizeof(struct zslab_seg_entry) == 40);
/* The bitmap is copied as little-endian u64 words: one per unsigned long here. */
static_assert(BITS_PER_LONG == 64);

static unsigned int map_bytes(unsigned int nr_objs)
{
	return BITS_TO_U64(nr_objs) * sizeof(u64);
}

/**
 * zslab_seg_entry_bytes() - Summary bytes one entry takes.
 * @nr_objs: objects per slab of its cache.
 * @tombstone: a tombstone carries no bitmap.
 */
unsigned int zslab_seg_entry_bytes(unsigned int nr_objs, bool tombstone)
{
	return sizeof(struct zslab_seg_entry) + (tombstone ? 0 : map_bytes(nr_objs));
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_entry_bytes);

/**
 * zslab_seg_summary_bytes() - Summary area for a cache's segments.
 * @buf_bytes: the largest segment (append bio) written.
 * @slab_size: bytes of data per slab.
 * @nr_objs: objects per slab.
 * @lbs: logical block size.
 *
 * The fewest whole blocks that describe every slab a full segment carries.
 *
 * Return: bytes, or 0 if not even one slab fits beside its summary.
 */
unsigned int zslab_seg_summary_bytes(unsigned int buf_bytes, unsigned int slab_size,
				     unsigned int nr_objs, unsigned int lbs)
{
	unsigned int entry = zslab_seg_entry_bytes(nr_objs, false);
	unsigned int summary = ALIGN(sizeof(struct zslab_seg_hdr) + entry, lbs);

	for (;;) {
		unsigned int slabs, need;

		if (summary >= buf_bytes || buf_bytes - summary < slab_size)
			return 0;
		slabs = (buf_bytes - summary) / slab_size;
		need = ALIGN(sizeof(struct zslab_seg_hdr) + slabs * entry, lbs);
		if (need <= summary)
			return summary;
		summary = need;
	}
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_summary_bytes);

/**
 * zslab_seg_start() - Begin a segment in @buf.
 * @b: the builder.
 * @buf: @cap bytes.
 * @cap: the largest segment to build.
 * @summary_bytes: from zslab_seg_summary_bytes(); data starts there.
 */
void zslab_seg_start(struct zslab_seg_builder *b, void *buf, unsigned int cap,
		     unsigned int summary_bytes)
{
	b->buf = buf;
	b->cap = cap;
	b->summary_bytes = summary_bytes;
	b->used = sizeof(struct zslab_seg_hdr);
	b->data_bytes = 0;
	b->nr_entries = 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_start);

/**
 * zslab_seg_fits() - Room for one more entry (and its data) in the segment?
 * @b: the builder.
 * @nr_objs: objects per slab.
 * @slab_size: its data, or 0 for a tombstone.
 */
bool zslab_seg_fits(const struct zslab_seg_builder *b, unsigned int nr_objs,
		    unsigned int slab_size)
{
	if (b->used + zslab_seg_entry_bytes(nr_objs, !slab_size) > b->summary_bytes)
		return false;
	return b->summary_bytes + b->data_bytes + slab_size <= b->cap;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_fits);

static struct zslab_seg_entry *next_entry(struct zslab_seg_builder *b,
					  const struct zslab_seg_slab *l, u8 flags)
{
	struct zslab_seg_entry *e = b->buf + b->used;

	memset(e, 0, sizeof(*e));
	e->cache_id = cpu_to_le32(l->cache_id);
	e->slab_id = cpu_to_le32(l->slab_id);
	e->seq = cpu_to_le64(l->seq);
	e->object_size = cpu_to_le32(l->object_size);
	e->stride = cpu_to_le32(l->stride);
	e->nr_objs = cpu_to_le16(l->nr_objs);
	e->slab_order = ilog2(l->slab_size / ZSLAB_DEFAULT_SLAB_SIZE);
	e->flags = flags;
	return e;
}

/**
 * zslab_seg_add_tombstone() - Record that a slab has emptied.
 * @b: the builder; zslab_seg_fits(b, nr_objs, 0) said yes.
 * @l: the slab's identity, geometry and the tombstone's sequence number.
 */
void zslab_seg_add_tombstone(struct zslab_seg_builder *b, const struct zslab_seg_slab *l)
{
	next_entry(b, l, ZSLAB_SEG_TOMBSTONE);
	b->used += sizeof(struct zslab_seg_entry);
	b->nr_entries++;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_add_tombstone);

/* Zero @len bytes of data and go on with the CRC over them. */
static u32 data_zero(u32 crc, void *dst, unsigned int len)
{
	memset(dst, 0, len);
	return crc32c(crc, dst, len);
}

static inline bool map_test(const __le64 *map, unsigned int i)
{
	return le64_to_cpu(map[i / 64]) >> (i % 64) & 1;
}

/*
 * Encode objects [@first, @first + @n) of a slab, @n <= 64: slot @first + i
 * is copied if bit i of @copy is set, else zeroed; the CRC32C goes on over
 * what was written, summed with the kernel's crc32c() (the CPU's CRC
 * instruction where there is one). The module once had slicing-by-8 tables
 * of its own that summed as they copied, and took the faster route at load:
 * only under QEMU TCG, which emulates the CRC instruction, did the tables
 * win. In UML encoding took 686 ns per KiB of slab data with crc32c() after
 * a copy and 941 ns with the tables.
 */
static u32 encode_objs(void *dst, const void *src, const struct zslab_seg_slab *l,
		       unsigned int first, unsigned int n, u64 copy, u32 crc)
{
	unsigned int tail = l->stride - l->object_size, i, run;

	for (i = 0; i < n; i += run) {
		unsigned int off = (first + i) * l->stride;
		u64 rest = copy >> i;

		if (rest & 1) {
			crc = crc32c(crc, memcpy(dst + off, src + off, l->object_size),
				     l->object_size);
			if (tail)
				crc = data_zero(crc, dst + off + l->object_size, tail);
			run = 1;
		} else {
			/* A run of zeroed slots is one memset and one sum. */
			run = rest ? min_t(unsigned int, __ffs64(rest), n - i) : n - i;
			crc = data_zero(crc, dst + off, run * l->stride);
		}
	}
	return crc;
}

/**
 * zslab_seg_add_slab() - Add a slab's data to the segment.
 * @b: the builder; zslab_seg_fits(b, nr_objs, slab_size) said yes.
 * @l: the slab's identity, geometry and sequence number; data_crc and
 *	data_offset are filled in.
 * @inuse: occupancy bitmap (bit set = live object).
 * @marked: the live objects whose bytes may go out as they are (the others
 *	go as zeros), see zslab_slab_marked(); NULL: every live object's.
 * @data: the slab's objects.
 *
 * The bitmaps and @data may be changed by clients while this runs. Word by
 * word, @marked is read, then @inuse, then the objects of that word, with
 * read barriers between: an object freed or allocated meanwhile gives an
 * entry that is consistent (CRC, bitmap, zeroed free slots) but already old,
 * and the change has dirtied the slab again. A slot seen live holds zeros or
 * what its client wrote, never a previous occupant's bytes: where objects
 * are zeroed before their inuse bit is set (finish_alloc()), by that order;
 * elsewhere because a free clears the marked bit after the inuse bit, so a
 * marked bit seen set before a set inuse bit belongs to that object, and
 * the client set it after its stores.
 *
 * Return: true if the slab had a live object (the entry was added), false
 * if the bitmap read empty (nothing was added).
 */
bool zslab_seg_add_slab(struct zslab_seg_builder *b, struct zslab_seg_slab *l,
			const unsigned long *inuse, const unsigned long *marked,
			const void *data)
{
	struct zslab_seg_entry *e = next_entry(b, l, 0);
	__le64 *map = (__le64 *)(e + 1);
	unsigned int offset = b->summary_bytes + b->data_bytes;
	unsigned int i, live = 0;
	u32 crc = ~0U;

	for (i = 0; i < BITS_TO_U64(l->nr_objs); i++) {
		unsigned int first = i * 64, n = min(64U, l->nr_objs - first);
		u64 copy = marked ? READ_ONCE(marked[i]) : ~0ULL, word;

		smp_rmb();	/* marked before inuse */
		word = READ_ONCE(inuse[i]);
		if (n < 64)
			word &= BITMAP_LAST_WORD_MASK(n);
		map[i] = cpu_to_le64(word);
		live += hweight64(word);
		smp_rmb();	/* inuse before the objects */
		crc = encode_objs(b->buf + offset, data, l, first, n, word & copy, crc);
	}
	if (!live)
		return false;	/* the zeros written past b->used do not count */
	if (l->slab_size > l->nr_objs * l->stride)
		crc = data_zero(crc, b->buf + offset + l->nr_objs * l->stride,
				l->slab_size - l->nr_objs * l->stride);

	l->data_offset = offset;
	l->data_crc = ~crc;
	l->map = map;
	l->nr_live = live;
	e->nr_live = cpu_to_le32(live);
	e->data_crc = cpu_to_le32(l->data_crc);
	b->used += zslab_seg_entry_bytes(l->nr_objs, false);
	b->data_bytes += l->slab_size;
	b->nr_entries++;
	return true;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_add_slab);

static u32 summary_crc(const void *buf, unsigned int used)
{
	return zslab_crc32c_field_zero(buf, used, offsetof(struct zslab_seg_hdr, crc));
}

/**
 * zslab_seg_finish() - Write the summary's header and padding.
 * @b: the builder, with at least one entry.
 * @seg_seq: the device-wide segment sequence number.
 *
 * Return: bytes of the segment (summary and data), whole blocks.
 */
unsigned int zslab_seg_finish(struct zslab_seg_builder *b, u64 seg_seq)
{
	struct zslab_seg_hdr *h = b->buf;

	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(ZSLAB_SEG_MAGIC);
	h->version = cpu_to_le16(ZSLAB_FORMAT_VERSION);
	h->summary_bytes = cpu_to_le32(b->summary_bytes);
	h->used_bytes = cpu_to_le32(b->used);
	h->nr_entries = cpu_to_le32(b->nr_entries);
	h->data_bytes = cpu_to_le32(b->data_bytes);
	h->seg_seq = cpu_to_le64(seg_seq);
	memset(b->buf + b->used, 0, b->summary_bytes - b->used);
	h->crc = cpu_to_le32(summary_crc(b->buf, b->used));
	return b->summary_bytes + b->data_bytes;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_finish);

/* --- decoding: every field is checked before it is used --- */

/**
 * zslab_seg_decode() - Check a segment's summary and describe it.
 * @buf: the bytes read, starting at the segment.
 * @len: how many bytes @buf holds (at least the summary).
 * @lbs: the device's logical block size.
 * @info: filled in on success.
 * @why: set to a one-line reason on failure.
 *
 * Checks the header, the CRC, the padding and every entry (identity,
 * geometry, bitmap against nr_live, data sizes adding up). The data is not
 * read: zslab_seg_check_data() checks one slab's once it is at hand.
 *
 * Return: 0, -EUCLEAN for a damaged or foreign summary, -EMSGSIZE when
 * @len is shorter than the summary (read more and try again).
 */
int zslab_seg_decode(const void *buf, size_t len, unsigned int lbs,
		     struct zslab_seg_info *info, const char **why)
{
	const struct zslab_seg_hdr *h = buf;
	struct zslab_seg_cursor cur;
	struct zslab_seg_slab e;
	u64 data = 0;
	int ret;

	if (len < sizeof(*h)) {
		*why = "shorter than a summary header";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(h->magic) != ZSLAB_SEG_MAGIC) {
		*why = "bad magic";
		return -EUCLEAN;
	}
	if (le16_to_cpu(h->version) != ZSLAB_FORMAT_VERSION) {
		*why = "unknown format version";
		return -EUCLEAN;
	}
	info->summary_bytes = le32_to_cpu(h->summary_bytes);
	info->used_bytes = le32_to_cpu(h->used_bytes);
	info->nr_entries = le32_to_cpu(h->nr_entries);
	info->data_bytes = le32_to_cpu(h->data_bytes);
	info->seg_seq = le64_to_cpu(h->seg_seq);
	info->lbs = lbs;
	if (!lbs || !is_power_of_2(lbs) || !info->summary_bytes ||
	    info->summary_bytes % lbs || info->summary_bytes > ZSLAB_MAX_SEGMENT_BYTES ||
	    info->used_bytes < sizeof(*h) || info->used_bytes > info->summary_bytes) {
		*why = "summary size out of range";
		return -EUCLEAN;
	}
	if (info->data_bytes % lbs ||
	    info->data_bytes > ZSLAB_MAX_SEGMENT_BYTES - info->summary_bytes) {
		*why = "data size out of range";
		return -EUCLEAN;
	}
	if (h->flags || memchr_inv(h->reserved, 0, sizeof(h->reserved))) {
		*why = "reserved header bits set";
		return -EUCLEAN;
	}
	if (len < info->summary_bytes) {
		*why = "summary truncated";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(h->crc) != summary_crc(buf, info->used_bytes)) {
		*why = "summary CRC mismatch";
		return -EUCLEAN;
	}
	if (memchr_inv(buf + info->used_bytes, 0, info->summary_bytes - info->used_bytes)) {
		*why = "summary padding not zero";
		return -EUCLEAN;
	}

	zslab_seg_cursor_init(&cur, info);
	while ((ret = zslab_seg_next(buf, info, &cur, &e, why)) > 0)
		if (!e.tombstone)
			data += e.slab_size;
	if (ret < 0)
		return ret;
	if (cur.nr != info->nr_entries || cur.pos != info->used_bytes) {
		*why = "entries do not fill the summary";
		return -EUCLEAN;
	}
	if (data != info->data_bytes) {
		*why = "entries' data does not add up to the data size";
		return -EUCLEAN;
	}
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_decode);

/**
 * zslab_seg_cursor_init() - Start walking a decoded summary's entries.
 * @cur: the cursor.
 * @info: from zslab_seg_decode() (or being filled by it).
 */
void zslab_seg_cursor_init(struct zslab_seg_cursor *cur, const struct zslab_seg_info *info)
{
	cur->pos = sizeof(struct zslab_seg_hdr);
	cur->nr = 0;
	cur->data_offset = info->summary_bytes;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_cursor_init);

static int bad_entry(const char **why, const char *reason)
{
	*why = reason;
	return -EUCLEAN;
}

/**
 * zslab_seg_next() - The next entry of a summary.
 * @buf: the segment.
 * @info: its summary's header, bounds-checked (zslab_seg_decode()).
 * @cur: where we are; advanced.
 * @e: filled with the entry; e->map points into @buf.
 * @why: set to a one-line reason on failure.
 *
 * Return: 1 with an entry, 0 at the end, -EUCLEAN for an entry that is out
 * of bounds or inconsistent.
 */
int zslab_seg_next(const void *buf, const struct zslab_seg_info *info,
		   struct zslab_seg_cursor *cur, struct zslab_seg_slab *e,
		   const char **why)
{
	const struct zslab_seg_entry *ent;
	unsigned int i, live = 0;

	if (cur->nr >= info->nr_entries)
		return 0;
	if (cur->pos > info->used_bytes ||
	    info->used_bytes - cur->pos < sizeof(*ent))
		return bad_entry(why, "entry beyond the summary");
	ent = buf + cur->pos;
	memset(e, 0, sizeof(*e));
	e->cache_id = le32_to_cpu(ent->cache_id);
	e->slab_id = le32_to_cpu(ent->slab_id);
	e->seq = le64_to_cpu(ent->seq);
	e->data_crc = le32_to_cpu(ent->data_crc);
	e->nr_live = le32_to_cpu(ent->nr_live);
	e->object_size = le32_to_cpu(ent->object_size);
	e->stride = le32_to_cpu(ent->stride);
	e->nr_objs = le16_to_cpu(ent->nr_objs);
	e->tombstone = ent->flags & ZSLAB_SEG_TOMBSTONE;
	if (ent->flags & ~ZSLAB_SEG_TOMBSTONE || ent->reserved)
		return bad_entry(why, "unknown entry flags");
	if (!e->cache_id || !e->slab_id || !e->seq)
		return bad_entry(why, "entry names no cache, slab or sequence");
	if (ent->slab_order > ZSLAB_MAX_SLAB_ORDER)
		return bad_entry(why, "slab order out of range");
	e->slab_size = ZSLAB_DEFAULT_SLAB_SIZE << ent->slab_order;
	if (e->stride < ZSLAB_MIN_OBJ_SIZE || e->stride > e->slab_size ||
	    !e->object_size || e->object_size > e->stride ||
	    e->nr_objs != e->slab_size / e->stride)
		return bad_entry(why, "object layout out of range");
	cur->pos += sizeof(*ent);
	cur->nr++;
	if (e->tombstone) {
		if (e->nr_live || e->data_crc)
			return bad_entry(why, "tombstone with live objects or data");
		return 1;
	}
	if (info->used_bytes - cur->pos < map_bytes(e->nr_objs))
		return bad_entry(why, "bitmap beyond the summary");
	e->map = buf + cur->pos;
	cur->pos += map_bytes(e->nr_objs);
	if (e->nr_objs % 64 &&
	    le64_to_cpu(e->map[BITS_TO_U64(e->nr_objs) - 1]) &
	    ~BITMAP_LAST_WORD_MASK(e->nr_objs))
		return bad_entry(why, "bitmap has bits past the last object");
	for (i = 0; i < BITS_TO_U64(e->nr_objs); i++)
		live += hweight64(le64_to_cpu(e->map[i]));
	if (!e->nr_live || live != e->nr_live)
		return bad_entry(why, "live count does not match the bitmap");
	if (cur->data_offset > info->summary_bytes + info->data_bytes ||
	    info->summary_bytes + info->data_bytes - cur->data_offset < e->slab_size)
		return bad_entry(why, "slab data beyond the segment");
	e->data_offset = cur->data_offset;
	cur->data_offset += e->slab_size;
	return 1;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_next);

/**
 * zslab_seg_check_data() - Check one slab's data against its entry.
 * @e: the entry, from zslab_seg_next().
 * @data: e->slab_size bytes.
 * @why: set to a one-line reason on failure.
 *
 * Return: 0, or -EUCLEAN if the CRC differs or a free slot holds data.
 */
int zslab_seg_check_data(const struct zslab_seg_slab *e, const void *data,
			 const char **why)
{
	unsigned int i;

	if (e->tombstone)
		return 0;
	if (~crc32c(~0U, data, e->slab_size) != e->data_crc) {
		*why = "slab data CRC mismatch";
		return -EUCLEAN;
	}
	for (i = 0; i < e->nr_objs; i++) {
		const void *slot = data + i * e->stride;
		unsigned int from = map_test(e->map, i) ? e->object_size : 0;

		if (memchr_inv(slot + from, 0, e->stride - from)) {
			*why = "free slot or object tail holds data";
			return -EUCLEAN;
		}
	}
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_seg_check_data);
