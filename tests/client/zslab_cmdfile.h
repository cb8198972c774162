/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs interface of the modules the shell scripts drive (the test
 * client and the writeback benchmark): writing a command line to <dir>/cmd
 * runs it, reading <dir>/result gives the answer to the last one. Commands
 * run one at a time, under the file's lock. Include it from one .c file.
 */
#ifndef ZSLAB_CMDFILE_H
#define ZSLAB_CMDFILE_H

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define ZSLAB_CMDFILE_RESULT_LEN	64

struct zslab_cmdfile {
	const char *name;		/* the debugfs directory */
	size_t cmd_max;			/* longest command line accepted */
	/* Runs @cmd (NUL-terminated) and writes the answer to @result. */
	void (*run)(char *cmd, char *result, size_t len);
	struct mutex lock;		/* one command at a time; result */
	char result[ZSLAB_CMDFILE_RESULT_LEN];
	struct dentry *dir;
};

static ssize_t zslab_cmdfile_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct zslab_cmdfile *cf = file_inode(file)->i_private;
	char *cmd;

	if (len > cf->cmd_max)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&cf->lock);
	cf->run(cmd, cf->result, sizeof(cf->result));
	mutex_unlock(&cf->lock);
	kfree(cmd);
	return len;
}

static ssize_t zslab_cmdfile_read(struct file *file, char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct zslab_cmdfile *cf = file_inode(file)->i_private;
	char buf[ZSLAB_CMDFILE_RESULT_LEN];

	mutex_lock(&cf->lock);
	strscpy(buf, cf->result, sizeof(buf));
	mutex_unlock(&cf->lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations zslab_cmdfile_cmd_fops = {
	.owner = THIS_MODULE,
	.write = zslab_cmdfile_write,
};

static const struct file_operations zslab_cmdfile_result_fops = {
	.owner = THIS_MODULE,
	.read = zslab_cmdfile_read,
};

/* Create <name>/cmd and <name>/result at the debugfs root. */
static void zslab_cmdfile_create(struct zslab_cmdfile *cf)
{
	mutex_init(&cf->lock);
	cf->dir = debugfs_create_dir(cf->name, NULL);
	debugfs_create_file("cmd", 0200, cf->dir, cf, &zslab_cmdfile_cmd_fops);
	debugfs_create_file("result", 0444, cf->dir, cf, &zslab_cmdfile_result_fops);
}

static void zslab_cmdfile_remove(struct zslab_cmdfile *cf)
{
	debugfs_remove_recursive(cf->dir);
}

#endif
