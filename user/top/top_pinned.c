// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pin.h"
#include "sip6xx.h"
#include "top_pinned.h"

static const char *hint(int err)
{
	if (err == -EACCES || err == -EPERM)
		return " (bpffs pins are root-only: run as root)";
	if (err == -ENOENT)
		return " (is the exporter running with --pin-path there?)";
	if (err == -EPROTO)
		return ": use the sip6xx-top of the exporter's build";
	return "";
}

static int open_iface(struct top_pinned *p, const char *pin_path, const char *ifname, char *err,
		      size_t err_len)
{
	char dir[PATH_MAX];
	size_t n;
	int ret;

	if (p->nr == TOP_MAX_IFACES) {
		snprintf(err, err_len, "%s: more than %d interfaces pinned", pin_path,
			 TOP_MAX_IFACES);
		return -E2BIG;
	}
	if (snprintf(dir, sizeof(dir), "%s/%s", pin_path, ifname) >= (int)sizeof(dir) ||
	    strlen(ifname) >= TOP_IFNAME_LEN) {
		snprintf(err, err_len, "%s/%s: name too long", pin_path, ifname);
		return -ENAMETOOLONG;
	}
	ret = pin_open_maps(dir, &p->maps[p->nr], err, err_len);
	if (ret) {
		n = strlen(err);
		snprintf(err + n, err_len - n, "%s", hint(ret));
		return ret;
	}
	snprintf(p->ifnames[p->nr], TOP_IFNAME_LEN, "%s", ifname);
	p->nr++;
	return 0;
}

/* Every DIR/IFACE that holds a resp_codes pin, in name order. */
static int open_all(struct top_pinned *p, const char *pin_path, char *err, size_t err_len)
{
	struct dirent **ents;
	char path[PATH_MAX];
	int i, n, ret = 0;

	n = scandir(pin_path, &ents, NULL, alphasort);
	if (n < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s%s", pin_path, strerror(-ret), hint(ret));
		return ret == -ENOENT ? 0 : ret;
	}
	for (i = 0; i < n; i++) {
		if (!ret && ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s/resp_codes", pin_path, ents[i]->d_name) <
			    (int)sizeof(path) &&
		    !access(path, F_OK))
			ret = open_iface(p, pin_path, ents[i]->d_name, err, err_len);
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int top_pinned_open(struct top_pinned *p, const char *pin_path, const char *const *ifnames,
		    int nr_ifnames, char *err, size_t err_len)
{
	int i, ret = 0;

	memset(p, 0, sizeof(*p));
	if (!nr_ifnames)
		ret = open_all(p, pin_path, err, err_len);
	for (i = 0; !ret && i < nr_ifnames; i++)
		ret = open_iface(p, pin_path, ifnames[i], err, err_len);
	if (ret) {
		top_pinned_close(p);
		return ret;
	}
	if (!p->nr)
		snprintf(err, err_len, "no pinned sip6xx maps under %s", pin_path);
	return p->nr;
}

void top_pinned_close(struct top_pinned *p)
{
	int i;

	for (i = 0; i < p->nr; i++)
		pin_close_maps(&p->maps[i]);
	p->nr = 0;
}

static int add_snapshot(struct top_counts *c, const struct map_snapshot *s)
{
	char addr[TOP_ADDR_LEN];
	unsigned int dir, code;
	__u64 inserts;
	size_t i;
	int err;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (code = SIP_CODE_MIN; code <= SIP_CODE_MAX; code++)
			if (s->resp_codes[dir][code])
				top_counts_add_code(c, code, s->resp_codes[dir][code]);
	for (i = 0; i < s->nr_peers; i++) {
		peer_addr_str(&s->peers[i].key, addr, sizeof(addr));
		err = top_counts_add_source(c, addr, s->peers[i].key.code, s->peers[i].count);
		if (err)
			return err;
	}
	/* As the exporter's sip6xx_peers_evicted_total: inserted keys no longer there. */
	inserts = s->peer_stats[PEER_INSERTS];
	c->peers_tracked += s->nr_peers;
	c->peers_capacity += s->peers_capacity;
	c->peers_evicted += inserts > s->nr_peers ? inserts - s->nr_peers : 0;
	return 0;
}

int top_pinned_read(const struct top_pinned *p, struct top_counts *c)
{
	struct map_snapshot snap;
	int i, err = 0;

	for (i = 0; !err && i < p->nr; i++) {
		err = snapshot_read(&p->maps[i], &snap);
		if (!err)
			err = add_snapshot(c, &snap);
		snapshot_free(&snap);
	}
	top_counts_finish(c);
	return err;
}

int top_pinned_code(const struct top_pinned *p, unsigned int code, __u64 *sum)
{
	unsigned int dir;
	__u64 v;
	int i, err;

	*sum = 0;
	for (i = 0; i < p->nr; i++) {
		for (dir = 0; dir < SIP6XX_NR_DIRS; dir++) {
			err = percpu_array_sum(p->maps[i].resp_codes,
					       dir * RESP_CODES_PER_DIR + code, &v);
			if (err)
				return err;
			*sum += v;
		}
	}
	return 0;
}
