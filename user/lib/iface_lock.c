// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The claim is a listening unix socket with an abstract name. Abstract
 * names belong to the network namespace, as interface names do, so vethA
 * in two namespaces are two claims; they need no file (ProtectSystem=strict
 * leaves none writable, and a file outlives a SIGKILL), and the kernel
 * drops the name with the last descriptor. 'ss -xlp' lists the holders.
 * Any process in the namespace could bind the name first, as it could the
 * --listen port; the error then names that process.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "iface_lock.h"
#include "log.h"

#define LOCK_PREFIX  "sip6xx_exporter/"
/*
 * Connections are never accepted: each refused start leaves one queued, and
 * past this many the holder's PID is no longer told (the claim still holds).
 */
#define LOCK_BACKLOG 16

/* The abstract address for @ifname: a NUL, then the name, no trailing NUL. */
static socklen_t lock_addr(const char *ifname, struct sockaddr_un *sun)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, LOCK_PREFIX "%s", ifname);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

/*
 * The holder's PID: a connection to a listening socket carries the
 * credentials of its listen() in SO_PEERCRED, unaccepted. 0 when unknown
 * (its backlog full, or a PID namespace that cannot see it).
 */
static int lock_holder(const struct sockaddr_un *sun, socklen_t len)
{
	struct ucred cred = {};
	socklen_t clen = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)sun, len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		cred.pid = 0;
	close(fd);
	return cred.pid;
}

int iface_lock(const char *ifname)
{
	struct sockaddr_un sun;
	socklen_t len = lock_addr(ifname, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err, pid;

	if (fd < 0) {
		err = -errno;
		pr_err("%s: cannot claim the interface: socket(AF_UNIX): %s\n", ifname,
		       strerror(-err));
		return err;
	}
	if (!bind(fd, (struct sockaddr *)&sun, len) && !listen(fd, LOCK_BACKLOG))
		return fd;
	err = -errno;
	close(fd);
	if (err != -EADDRINUSE) {
		pr_err("%s: cannot claim the interface: binding @%s: %s\n", ifname,
		       sun.sun_path + 1, strerror(-err));
		return err;
	}
	pid = lock_holder(&sun, len);
	if (pid)
		pr_err("%s: another sip6xx_exporter (PID %d) already watches this interface; "
		       "one exporter per interface: stop that one first\n",
		       ifname, pid);
	else
		pr_err("%s: another sip6xx_exporter already watches this interface ('ss -xlp' "
		       "shows @%s); one exporter per interface: stop that one first\n",
		       ifname, sun.sun_path + 1);
	return -EBUSY;
}
