// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/zns_slab: what the module knows, in text a person and a
 * test script can both read. Every field is described in the README.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "zslab_internal.h"

static int device_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	const struct zslab_geometry *geo = &zd->geo;

	seq_printf(m, "path: %s\n", zd->path);
	seq_printf(m, "capacity_bytes: %llu\n", (u64)geo->capacity << SECTOR_SHIFT);
	seq_printf(m, "zone_size_bytes: %llu\n", (u64)geo->zone_sectors << SECTOR_SHIFT);
	seq_printf(m, "zone_capacity_bytes: %llu\n", (u64)geo->zone_capacity << SECTOR_SHIFT);
	seq_printf(m, "nr_zones: %u\n", geo->nr_zones);
	seq_printf(m, "nr_seq_zones: %u\n", geo->nr_seq_zones);
	seq_printf(m, "nr_usable_zones: %u\n", geo->nr_usable_zones);
	seq_printf(m, "logical_block_size: %u\n", geo->lbs);
	seq_printf(m, "max_open_zones: %u\n", geo->max_open);
	seq_printf(m, "max_active_zones: %u\n", geo->max_active);
	seq_printf(m, "zone_append_max_bytes: %llu\n",
		   (u64)geo->max_append_sectors << SECTOR_SHIFT);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(device);

static int zones_show(struct seq_file *m, void *v)
{
	struct zslab_dev *zd = m->private;
	unsigned int i;

	seq_puts(m, "# zone start_sector len_sectors capacity_sectors wp_sector cond type\n");
	for (i = 0; i < zd->geo.nr_zones; i++) {
		struct zslab_zone z;

		spin_lock(&zd->zone_lock);
		z = zd->zones[i];
		spin_unlock(&zd->zone_lock);
		seq_printf(m, "%u %llu %llu %llu %llu %s %s\n", i,
			   (u64)z.start, (u64)z.len, (u64)z.capacity, (u64)z.wp,
			   zslab_zone_cond_name(z.cond),
			   z.type == BLK_ZONE_TYPE_CONVENTIONAL ? "conv" :
			   z.type == BLK_ZONE_TYPE_SEQWRITE_REQ ? "seq_req" : "seq_pref");
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zones);

/* debugfs failures are not fatal: the module works without its windows. */
void zslab_debugfs_init(struct zslab_dev *zd)
{
	zd->debugfs = debugfs_create_dir(ZSLAB_NAME, NULL);
	debugfs_create_file("device", 0444, zd->debugfs, zd, &device_fops);
	debugfs_create_file("zones", 0444, zd->debugfs, zd, &zones_fops);
}

void zslab_debugfs_exit(struct zslab_dev *zd)
{
	debugfs_remove_recursive(zd->debugfs);
	zd->debugfs = NULL;
}
