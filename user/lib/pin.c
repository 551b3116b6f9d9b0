// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "pin.h"
#include "sip6xx.h"
#include "sip6xx.skel.h"
#include "tc_egress.h"

#define BPFFS_ROOT "/sys/fs/bpf"

/*
 * Every map the object pins in DIR/IFACE, once: pin_set_paths() pins these
 * and no other, --detach removes them all, and a reader (pin_open_maps())
 * opens those with a field in struct sip6xx_maps. The call context's ring,
 * token buckets and per-CPU sample scratch (ctx_ring, ctx_bucket,
 * ctx_scratch) stay unpinned: their reader is the process, and the ring's
 * size follows --context-rate, which a pinned map would pin down across
 * restarts.
 */
#define NOT_READ ((size_t)-1)
static const struct {
	const char *name;
	size_t fd_at; /* offsetof() its fd in struct sip6xx_maps, or NOT_READ */
} pinned_maps[] = {
	{ "resp_codes", offsetof(struct sip6xx_maps, resp_codes) },
	{ "peers", offsetof(struct sip6xx_maps, peers) },
	{ "pkt_stats", offsetof(struct sip6xx_maps, pkt_stats) },
	{ "peer_stats", offsetof(struct sip6xx_maps, peer_stats) },
	{ "contract", NOT_READ },
	/* Pinned too: a PROG_ARRAY empties when its last fd or pin goes. */
	{ "xdp_stages", NOT_READ },
	{ "tc_stages", NOT_READ },
	/* The call context's drop counts, kept across restarts like the others. */
	{ "ctx_drops", NOT_READ },
};

#define NR_PINNED_MAPS (sizeof(pinned_maps) / sizeof(pinned_maps[0]))

static int *map_fd(struct sip6xx_maps *m, size_t i)
{
	return (int *)((char *)m + pinned_maps[i].fd_at);
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* True when this process has a mount namespace of its own (not init's). */
static bool private_mount_ns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/mnt", &self) || stat("/proc/1/ns/mnt", &init))
		return false;
	return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
}

int pin_prepare(const char *pin_path)
{
	int err;

	if (!strncmp(pin_path, BPFFS_ROOT "/", strlen(BPFFS_ROOT) + 1) && !is_bpffs(BPFFS_ROOT)) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			pr_err("--pin-path %s: mounting bpffs on %s failed: %s (mount it with "
			       "'mount -t bpf bpf %s')\n",
			       pin_path, BPFFS_ROOT, strerror(errno), BPFFS_ROOT);
			return -errno;
		}
		pr_info("mounted bpffs on %s\n", BPFFS_ROOT);
		if (private_mount_ns())
			pr_warn("--pin-path %s: bpffs was mounted in this process's own mount "
				"namespace (as under 'ip netns exec'), so the pins vanish when it "
				"exits; "
				"mount bpffs on %s in the host's namespace first\n",
				pin_path, BPFFS_ROOT);
	}
	err = mkdir_p(pin_path);
	if (err) {
		pr_err("--pin-path %s: %s\n", pin_path, strerror(-err));
		return err;
	}
	if (!is_bpffs(pin_path)) {
		pr_err("--pin-path %s is not on a bpffs (use a directory below %s)\n", pin_path,
		       BPFFS_ROOT);
		return -EINVAL;
	}
	return 0;
}

int pin_dir(const char *pin_path, const char *ifname, char *dir, size_t len)
{
	if (snprintf(dir, len, "%s/%s", pin_path, ifname) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int pin_open(const char *dir, const char *name)
{
	char path[PATH_MAX];

	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* The layout version stamped in @dir's contract map; 0 or -errno (-ENOENT: none pinned). */
static int contract_version(const char *dir, __u32 *version)
{
	struct sip6xx_contract c = {};
	__u32 key = 0;
	int fd = pin_open(dir, "contract"), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &c))
		err = -errno;
	close(fd);
	*version = c.version;
	return err;
}

int pin_check(const char *ifname, const char *pin_path, const char *dir, __u32 *max_peers)
{
	struct bpf_map_info info = {};
	__u32 version = 0, len = sizeof(info);
	int fd;

	fd = contract_version(dir, &version);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		pr_err("%s: the pinned maps in %s cannot be read: %s\n", ifname, dir,
		       strerror(-fd));
		return -EPROTO;
	}
	if (version != SIP6XX_CONTRACT_VERSION) {
		pr_err("%s: the maps pinned in %s have layout version %u, this build uses %u; "
		       "remove "
		       "them with 'sip6xx_exporter --detach -i %s --pin-path ...' (their counts "
		       "are "
		       "lost) or run the build that made them\n",
		       ifname, dir, version, SIP6XX_CONTRACT_VERSION, ifname);
		return -EPROTO;
	}
	fd = pin_open(dir, "peers");
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.max_entries != *max_peers) {
		pr_warn("%s: keeping the pinned peers map's capacity %u (--max-peers %u applies "
			"once "
			"the pins are removed with --detach)\n",
			ifname, info.max_entries, *max_peers);
		*max_peers = info.max_entries;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int pin_open_maps(const char *dir, struct sip6xx_maps *m, char *err, size_t err_len)
{
	struct bpf_map_info info = {};
	__u32 version = 0, len = sizeof(info);
	size_t i;
	int fd;

	fd = contract_version(dir, &version);
	if (fd) {
		snprintf(err, err_len, "%s/contract: %s", dir, strerror(-fd));
		return fd;
	}
	if (version != SIP6XX_CONTRACT_VERSION) {
		snprintf(err, err_len, "%s: maps of layout version %u, this build reads version %u",
			 dir, version, SIP6XX_CONTRACT_VERSION);
		return -EPROTO;
	}
	for (i = 0; i < NR_PINNED_MAPS; i++) {
		if (pinned_maps[i].fd_at == NOT_READ)
			continue;
		fd = pin_open(dir, pinned_maps[i].name);
		if (fd < 0) {
			snprintf(err, err_len, "%s/%s: %s", dir, pinned_maps[i].name,
				 strerror(-fd));
			while (i--)
				if (pinned_maps[i].fd_at != NOT_READ)
					close(*map_fd(m, i));
			return fd;
		}
		*map_fd(m, i) = fd;
	}
	if (!bpf_obj_get_info_by_fd(m->peers, &info, &len))
		m->peers_capacity = info.max_entries;
	return 0;
}

void pin_close_maps(struct sip6xx_maps *m)
{
	size_t i;

	for (i = 0; i < NR_PINNED_MAPS; i++)
		if (pinned_maps[i].fd_at != NOT_READ)
			close(*map_fd(m, i));
}

int pin_set_paths(struct sip6xx *skel, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	size_t i;
	int err;

	for (i = 0; i < NR_PINNED_MAPS; i++) {
		map = bpf_object__find_map_by_name(skel->obj, pinned_maps[i].name);
		if (!map)
			return -ENOENT; /* the table and bpf/ disagree: a build bug */
		if (snprintf(path, sizeof(path), "%s/%s", dir, pinned_maps[i].name) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	return 0;
}

int pin_stamp_contract(struct sip6xx *skel)
{
	struct sip6xx_contract c = { .version = SIP6XX_CONTRACT_VERSION };
	int fd = bpf_map__fd(skel->maps.contract);
	struct sip6xx_contract cur = {};
	__u32 key = 0;

	if (bpf_map_lookup_elem(fd, &key, &cur))
		return -errno;
	if (cur.version)
		return 0; /* reused: pin_check() already compared it */
	return bpf_map_update_elem(fd, &key, &c, BPF_ANY) ? -errno : 0;
}

/*
 * The PID holding a flock on the file @st names, from /proc/locks (flock
 * itself never says who holds it), or 0 when none is listed.
 */
static int lock_holder(const struct stat *st)
{
	unsigned int maj, min;
	unsigned long ino;
	char line[256], type[16];
	int pid, found = 0;
	FILE *f = fopen("/proc/locks", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF"; waiters have "->". */
		if (strstr(line, "->") || sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", type, &pid,
						 &maj, &min, &ino) != 5)
			continue;
		if (!strcmp(type, "FLOCK") && ino == st->st_ino && maj == major(st->st_dev) &&
		    min == minor(st->st_dev))
			found = pid;
	}
	fclose(f);
	return found;
}

int pin_lock(const char *ifname, const char *dir, bool detach)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), pid;

	if (fd < 0) {
		int err = -errno; /* before pr_err() can change errno */

		if (err == -ENOENT && detach)
			return -ENOENT;
		pr_err("%s: opening the pin directory %s failed: %s\n", ifname, dir,
		       strerror(-err));
		return err;
	}
	/* bpffs holds no regular files, so the directory itself carries the lock. */
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	pid = fstat(fd, &st) ? 0 : lock_holder(&st);
	close(fd);
	if (detach)
		pr_err("%s: the pins in %s belong to a running sip6xx_exporter (PID %d); stop it "
		       "first (SIGTERM), then run --detach again\n",
		       ifname, dir, pid);
	else
		pr_err("%s: the pins in %s are in use by another sip6xx_exporter (PID %d); stop "
		       "it, or give this one another --pin-path\n",
		       ifname, dir, pid);
	return -EBUSY;
}

int pin_open_link(const char *dir)
{
	return pin_open(dir, XDP_LINK_NAME);
}

int pin_object(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	unlink(path); /* a stale link of an interface that went away */
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

int pin_link(int link_fd, const char *dir)
{
	return pin_object(link_fd, dir, XDP_LINK_NAME);
}

void pin_unlink(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		unlink(path);
}

int pin_drop_link(const char *ifname, const char *dir, const char *name, const char *what)
{
	int fd = pin_open(dir, name);

	if (fd < 0)
		return 0;
	if (bpf_link_detach(fd) && errno != ENOLINK)
		pr_warn("%s: detaching the pinned %s link failed: %s\n", ifname, what,
			strerror(errno));
	close(fd);
	pin_unlink(dir, name);
	return 1;
}

/* Unlinks the pin @name in @dir: 1 when it was there, else 0. */
static int pin_remove_one(const char *ifname, const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!unlink(path))
		return 1;
	if (errno != ENOENT)
		pr_warn("%s: removing %s failed: %s\n", ifname, path, strerror(errno));
	return 0;
}

int pin_remove(const char *ifname, const char *dir)
{
	static const char *const links[] = { XDP_LINK_NAME, TC_LINK_NAME };
	/* Maps older layouts pinned: --detach is how their pins go (pin_check()). */
	static const char *const retired[] = { "peer_cache" };
	int removed = 0;
	size_t i;

	removed += pin_drop_link(ifname, dir, XDP_LINK_NAME, "XDP");
	for (i = 0; i < NR_PINNED_MAPS; i++)
		removed += pin_remove_one(ifname, dir, pinned_maps[i].name);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		removed += pin_remove_one(ifname, dir, links[i]);
	for (i = 0; i < sizeof(retired) / sizeof(retired[0]); i++)
		removed += pin_remove_one(ifname, dir, retired[i]);
	if (rmdir(dir) && errno != ENOENT) {
		pr_err("%s: removing %s failed: %s\n", ifname, dir, strerror(errno));
		return -errno;
	}
	pr_info("%s: removed %d pins in %s\n", ifname, removed, dir);
	return 0;
}
