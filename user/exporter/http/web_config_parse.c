// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What web_config.c, web_tls.c and web_auth.c share while a --web-config
 * file is read: the first error, and bounded file reads. In a file of its
 * own so that the two checkers depend on it, not on web_config.c, which
 * calls them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "web_config_parse.h"

#define WEB_FILE_MAX (1 << 20) /* the config, a certificate chain or a key */

void web_fail(struct parse *ps, const yaml_node_t *at, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	snprintf(ps->err, ps->errlen, "web config %s: ", ps->path);
	n = strlen(ps->err);
	if (at) {
		snprintf(ps->err + n, ps->errlen - n,
			 "line %zu: ", (size_t)at->start_mark.line + 1);
		n = strlen(ps->err);
	}
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}

int web_read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t got;
	size_t done = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	err = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out_close;
	err = -EFBIG;
	if (st.st_size > WEB_FILE_MAX)
		goto out_close;
	err = -ENOMEM;
	buf = malloc(st.st_size + 1);
	if (!buf)
		goto out_close;
	while (done < (size_t)st.st_size) {
		got = read(fd, buf + done, st.st_size - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? -errno : -EIO;
			free(buf);
			goto out_close;
		}
		done += got;
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	err = 0;
out_close:
	close(fd);
	return err;
}

const char *web_file_error(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "larger than 1 MiB";
	default:
		return strerror(-err);
	}
}
