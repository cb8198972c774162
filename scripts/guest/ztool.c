// SPDX-License-Identifier: GPL-2.0
/*
 * ztool: tiny static helper for the test guest.
 *
 *   ztool load MODULE.ko [PARAMS...]  finit_module(); prints "load: ok" or
 *                                     "load: errno N NAME", exits 0 or N
 *   ztool hold DEVICE SECONDS         open DEVICE with O_EXCL (an exclusive
 *                                     claim, as a mounted filesystem has) and
 *                                     sleep; prints "held" once it holds it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv);
	fprintf(stderr, "usage: ztool load MODULE.ko [PARAMS...] | ztool hold DEVICE SECONDS\n");
	return 2;
}
