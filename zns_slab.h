/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zns_slab: kmem-style object caches backed by the zones of a ZNS SSD.
 *
 * The API follows kmem_cache_*: create a cache of fixed-size objects, then
 * allocate and free plain pointers. All functions are EXPORT_SYMBOL_GPL.
 *
 *	struct zslab_cache *c;
 *	struct item *it;
 *
 *	c = zslab_cache_create("items", sizeof(*it), 0, ZSLAB_HWCACHE_ALIGN, NULL);
 *	if (IS_ERR(c))
 *		return PTR_ERR(c);
 *	it = zslab_cache_alloc(c, GFP_KERNEL);
 *	...
 *	zslab_cache_free(c, it);
 *	zslab_cache_destroy(c);
 */
#ifndef ZNS_SLAB_H
#define ZNS_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>

struct zslab_cache;

/* A stable reference to an object: survives writeback and relocation. 0 is never valid. */
typedef u64 zslab_ref_t;

/* Align objects to the CPU cache line (like SLAB_HWCACHE_ALIGN). */
#define ZSLAB_HWCACHE_ALIGN	0x00000001U
/*
 * The cache survives unload, reboot and power loss: its objects are on the
 * device as of its last zslab_cache_sync(), and creating it again by name
 * (same size and alignment) re-attaches them.
 */
#define ZSLAB_PERSISTENT	0x00000002U

/*
 * Slab size: PAGE_SIZE << order, order 0 (4 KiB, the default) to
 * ZSLAB_MAX_SLAB_ORDER, and no larger than the device's zone-append limit.
 */
#define ZSLAB_SLAB_ORDER_SHIFT	8
#define ZSLAB_SLAB_ORDER_MASK	(0xfU << ZSLAB_SLAB_ORDER_SHIFT)
#define ZSLAB_SLAB_ORDER(order)	(((order) & 0xfU) << ZSLAB_SLAB_ORDER_SHIFT)
#define ZSLAB_MAX_SLAB_ORDER	5

struct zslab_cache *zslab_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned int flags,
				       void (*ctor)(void *obj));
void zslab_cache_destroy(struct zslab_cache *c);
void *zslab_cache_alloc(struct zslab_cache *c, gfp_t gfp);
void zslab_cache_free(struct zslab_cache *c, void *obj);
void zslab_mark_dirty(struct zslab_cache *c, void *obj);
int zslab_cache_sync(struct zslab_cache *c);
zslab_ref_t zslab_ref(struct zslab_cache *c, void *obj);
void *zslab_get(struct zslab_cache *c, zslab_ref_t ref, gfp_t gfp);
void zslab_put(struct zslab_cache *c, void *obj);
void zslab_free_ref(struct zslab_cache *c, zslab_ref_t ref);
int zslab_cache_erase(const char *name);
int zslab_cache_for_each(struct zslab_cache *c,
			 int (*fn)(struct zslab_cache *c, void *obj, void *arg),
			 void *arg);

#endif /* ZNS_SLAB_H */
