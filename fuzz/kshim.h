/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel for the module's decoders to build and run in
 * userspace, unchanged, under libFuzzer with ASan and UBSan.
 *
 * The fuzz build force-includes this file and puts an empty stub in place of
 * every <linux/...> and <asm/...> header the module's sources name, so the
 * very .c files the module is built from compile here. Types the internal
 * header embeds by value get a stand-in of their own; the helpers the
 * decoders call get plain C implementations with the kernel's semantics.
 * Nothing here is meant to be fast, only faithful.
 */
#ifndef ZSLAB_FUZZ_KSHIM_H
#define ZSLAB_FUZZ_KSHIM_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 1, 0)
#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + (c))

/* --- types --- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;
typedef u64 sector_t;
typedef unsigned int gfp_t;
typedef unsigned int blk_opf_t;
typedef unsigned int fmode_t;
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef struct { long counter; } atomic_long_t;
typedef struct mempool mempool_t;
typedef struct { int lock; } spinlock_t;
typedef struct { int head; } wait_queue_head_t;
struct list_head { struct list_head *next, *prev; };
struct llist_node { struct llist_node *next; };
struct llist_head { struct llist_node *first; };
struct mutex { int owner; };
struct reciprocal_value { u32 m; u8 sh1, sh2; };
struct bio_set { int pool; };
struct bio { int bi_status; };
typedef s64 ktime_t;
struct work_struct { long data; };
struct delayed_work { struct work_struct work; };
struct xarray { void *head; };
struct block_device;
struct file;
struct blk_zone;
struct dentry;
struct kmem_cache;
struct workqueue_struct;
struct page;
enum req_op { REQ_OP_READ, REQ_OP_WRITE, REQ_OP_ZONE_APPEND, REQ_OP_ZONE_RESET,
	      REQ_OP_ZONE_FINISH };

/* --- annotations and attributes --- */
#define __packed		__attribute__((packed))
#define __read_mostly
#define __percpu
#define __init
#define __exit
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern int zslab_fuzz_export_##sym
#define EXPORT_SYMBOL_GPL(sym)		extern int zslab_fuzz_export_##sym
#define MODULE_IMPORT_NS(ns)
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define lockdep_assert_held(l)	((void)(l))
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#define static_assert(expr, ...) zshim_static_assert(expr, ##__VA_ARGS__, #expr)
#define zshim_static_assert(expr, msg, ...) _Static_assert(expr, msg)

/* --- arithmetic --- */
#define SECTOR_SHIFT		9
#define BITS_PER_LONG		64
#define U16_MAX			UINT16_MAX
#define U32_MAX			UINT32_MAX
#define U64_MAX			UINT64_MAX
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define sizeof_field(t, m)	sizeof(((t *)0)->m)
#define BITS_TO_U64(n)		DIV_ROUND_UP(n, 64)
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)
#define BITMAP_LAST_WORD_MASK(n) (~0UL >> (-(n) & (BITS_PER_LONG - 1)))
#define hweight64(w)		((unsigned int)__builtin_popcountll(w))
#define __ffs64(w)		((unsigned int)__builtin_ctzll(w))

#define ilog2(n)		((n) ? 63 - __builtin_clzll(n) : -1)

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

/* Little-endian hosts only (x86-64), as the kernel module. */
#define cpu_to_le16(x)		((__le16)(x))
#define cpu_to_le32(x)		((__le32)(x))
#define cpu_to_le64(x)		((__le64)(x))
#define le16_to_cpu(x)		((u16)(x))
#define le32_to_cpu(x)		((u32)(x))
#define le64_to_cpu(x)		((u64)(x))

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void put_unaligned_le64(u64 v, void *p)
{
	memcpy(p, &v, sizeof(v));
}

/* --- strings and bitmaps --- */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *s = p;

	for (; n; n--, s++)
		if (*s != (unsigned char)c)
			return (void *)s;
	return NULL;
}

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline unsigned int bitmap_weight(const unsigned long *map, unsigned int n)
{
	unsigned int i, w = 0;

	for (i = 0; i < n; i++)
		w += test_bit(i, map);
	return w;
}

static inline unsigned long shim_find_next(const unsigned long *map, unsigned long n,
					   unsigned long from, bool set)
{
	for (; from < n; from++)
		if (test_bit(from, map) == set)
			return from;
	return n;
}

#define for_each_clear_bit(bit, map, n) \
	for ((bit) = shim_find_next(map, n, 0, false); (bit) < (n); \
	     (bit) = shim_find_next(map, n, (bit) + 1, false))
#define for_each_set_bit(bit, map, n) \
	for ((bit) = shim_find_next(map, n, 0, true); (bit) < (n); \
	     (bit) = shim_find_next(map, n, (bit) + 1, true))

/* --- CRC32C, a byte at a time: the reference the kernel's must agree with --- */
static inline u32 crc32c(u32 crc, const void *p, size_t len)
{
	static u32 table[256];
	const unsigned char *s = p;
	unsigned int b;
	int k;

	if (!table[1]) {
		for (b = 0; b < 256; b++) {
			u32 c = b;

			for (k = 0; k < 8; k++)
				c = (c >> 1) ^ (c & 1 ? 0x82f63b78 : 0);
			table[b] = c;
		}
	}
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *s++) & 0xff];
	return crc;
}

/* Prototypes the internal headers' inline helpers name; never called here. */
int atomic_read(const atomic_t *v);
struct block_device *blkdev_get_by_path(const char *path, fmode_t mode, void *holder);
void blkdev_put(struct block_device *bdev, fmode_t mode);
int blkdev_zone_mgmt(struct block_device *bdev, enum req_op op, sector_t sector,
		     sector_t nr_sectors, gfp_t gfp);
int bdev_zoned_model(struct block_device *bdev);
#define IS_ERR(p)		((unsigned long)(p) >= (unsigned long)-4095)
#define PTR_ERR(p)		((long)(p))
#define FMODE_READ		1U
#define FMODE_WRITE		2U
#define FMODE_EXCL		4U
#define BLK_ZONED_HM		2
#define GFP_NOIO		0U
#define GFP_KERNEL		0U

#define BIT(n)			(1UL << (n))
/* zslab_internal.h's inline helpers of the capacity tier: declared only. */
unsigned int xa_pointer_tag(void *entry);
void *xa_untag_pointer(void *entry);

/* compat.h's shrinker wrappers: declared only, never called here. */
struct shrink_control;
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *s, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *s, struct shrink_control *sc);
	int seeks;
};
#define DEFAULT_SEEKS		2
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
int register_shrinker(struct shrinker *s, const char *fmt, ...);
void unregister_shrinker(struct shrinker *s);

#endif /* ZSLAB_FUZZ_KSHIM_H */
