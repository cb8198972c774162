/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of zns_slab: events/zns_slab/ in tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zns_slab

#if !defined(ZSLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define ZSLAB_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(zslab_wb_submit,
	TP_PROTO(u32 cache_id, unsigned int zone, unsigned int nr_images,
		 unsigned int bytes, u64 first_seq),
	TP_ARGS(cache_id, zone, nr_images, bytes, first_seq),
	TP_STRUCT__entry(
		__field(u32, cache_id)
		__field(unsigned int, zone)
		__field(unsigned int, nr_images)
		__field(unsigned int, bytes)
		__field(u64, first_seq)
	),
	TP_fast_assign(
		__entry->cache_id = cache_id;
		__entry->zone = zone;
		__entry->nr_images = nr_images;
		__entry->bytes = bytes;
		__entry->first_seq = first_seq;
	),
	TP_printk("cache=%u zone=%u images=%u bytes=%u seq=%llu",
		  __entry->cache_id, __entry->zone, __entry->nr_images,
		  __entry->bytes, __entry->first_seq)
);

TRACE_EVENT(zslab_wb_complete,
	TP_PROTO(u32 cache_id, unsigned int zone, sector_t sector,
		 unsigned int nr_images, int status, u64 latency_ns),
	TP_ARGS(cache_id, zone, sector, nr_images, status, latency_ns),
	TP_STRUCT__entry(
		__field(u32, cache_id)
		__field(unsigned int, zone)
		__field(sector_t, sector)
		__field(unsigned int, nr_images)
		__field(int, status)
		__field(u64, latency_ns)
	),
	TP_fast_assign(
		__entry->cache_id = cache_id;
		__entry->zone = zone;
		__entry->sector = sector;
		__entry->nr_images = nr_images;
		__entry->status = status;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("cache=%u zone=%u sector=%llu images=%u status=%d latency_ns=%llu",
		  __entry->cache_id, __entry->zone, (u64)__entry->sector,
		  __entry->nr_images, __entry->status, __entry->latency_ns)
);

TRACE_EVENT(zslab_zone_mgmt,
	TP_PROTO(unsigned int zone, sector_t start, bool reset, int ret),
	TP_ARGS(zone, start, reset, ret),
	TP_STRUCT__entry(
		__field(unsigned int, zone)
		__field(sector_t, start)
		__field(bool, reset)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->zone = zone;
		__entry->start = start;
		__entry->reset = reset;
		__entry->ret = ret;
	),
	TP_printk("zone=%u start=%llu op=%s ret=%d", __entry->zone,
		  (u64)__entry->start, __entry->reset ? "reset" : "finish",
		  __entry->ret)
);

TRACE_EVENT(zslab_evict,
	TP_PROTO(u32 cache_id, u32 slab_id, unsigned int zone, unsigned int nr_live),
	TP_ARGS(cache_id, slab_id, zone, nr_live),
	TP_STRUCT__entry(
		__field(u32, cache_id)
		__field(u32, slab_id)
		__field(unsigned int, zone)
		__field(unsigned int, nr_live)
	),
	TP_fast_assign(
		__entry->cache_id = cache_id;
		__entry->slab_id = slab_id;
		__entry->zone = zone;
		__entry->nr_live = nr_live;
	),
	TP_printk("cache=%u slab=%u zone=%u live=%u",
		  __entry->cache_id, __entry->slab_id, __entry->zone, __entry->nr_live)
);

TRACE_EVENT(zslab_readback,
	TP_PROTO(u32 cache_id, u32 slab_id, unsigned int zone, u32 offset, int status),
	TP_ARGS(cache_id, slab_id, zone, offset, status),
	TP_STRUCT__entry(
		__field(u32, cache_id)
		__field(u32, slab_id)
		__field(unsigned int, zone)
		__field(u32, offset)
		__field(int, status)
	),
	TP_fast_assign(
		__entry->cache_id = cache_id;
		__entry->slab_id = slab_id;
		__entry->zone = zone;
		__entry->offset = offset;
		__entry->status = status;
	),
	TP_printk("cache=%u slab=%u zone=%u offset=%u status=%d",
		  __entry->cache_id, __entry->slab_id, __entry->zone,
		  __entry->offset, __entry->status)
);

TRACE_EVENT(zslab_reclaim,
	TP_PROTO(unsigned int zone, u64 live_sectors, unsigned int relocated, int status),
	TP_ARGS(zone, live_sectors, relocated, status),
	TP_STRUCT__entry(
		__field(unsigned int, zone)
		__field(u64, live_sectors)
		__field(unsigned int, relocated)
		__field(int, status)
	),
	TP_fast_assign(
		__entry->zone = zone;
		__entry->live_sectors = live_sectors;
		__entry->relocated = relocated;
		__entry->status = status;
	),
	TP_printk("zone=%u live_sectors=%llu relocated=%u status=%d",
		  __entry->zone, __entry->live_sectors, __entry->relocated,
		  __entry->status)
);

#endif /* ZSLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE zslab_trace
#include <trace/define_trace.h>
