/* SPDX-License-Identifier: GPL-2.0 */
/* KUnit helpers shared by the suites: a device of empty zones, in memory. */
#ifndef ZSLAB_KUNIT_FAKE_DEV_H
#define ZSLAB_KUNIT_FAKE_DEV_H

#include <kunit/test.h>
#include "../zslab_internal.h"

/* Zones the fake device has: 1024 sectors each, 1000 writable. */
#define FAKE_ZONES	12

struct zslab_dev *fake_zoned_dev(struct kunit *test, unsigned int max_open,
				 unsigned int max_active);

#endif
