// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "top_sources.h"

struct addr_delta {
	struct peer_key key; /* the address and family; other fields unused */
	__u64 delta;
};

static int addr_cmp(const void *a, const void *b)
{
	const struct addr_delta *x = a, *y = b;

	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

static int delta_desc(const void *a, const void *b)
{
	const struct addr_delta *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta < y->delta ? 1 : -1;
	return addr_cmp(a, b);
}

static __u64 count_in(const struct peer_count *then, size_t nr_then, const struct peer_key *key)
{
	/* struct peer_count starts with its key, so the key compares as the element. */
	const struct peer_count *pc = bsearch(key, then, nr_then, sizeof(*then), peer_count_cmp);

	return pc ? pc->count : 0;
}

int top_sources(const struct peer_count *now, size_t nr_now, const struct peer_count *then,
		size_t nr_then, __u16 code, double seconds, struct source_rate *out, int max)
{
	struct addr_delta *d = calloc(nr_now ? nr_now : 1, sizeof(*d));
	size_t i, n = 0, merged = 0;
	int written = 0;

	if (!d || seconds <= 0)
		goto out;
	for (i = 0; i < nr_now; i++) {
		__u64 old;

		if (now[i].key.code != code)
			continue;
		old = count_in(then, nr_then, &now[i].key);
		d[n].key = now[i].key;
		d[n].delta = now[i].count >= old ? now[i].count - old : now[i].count;
		n++;
	}
	/* One row per address: the same source may have been seen on several interfaces. */
	qsort(d, n, sizeof(*d), addr_cmp);
	for (i = 0; i < n; i++) {
		if (merged && !addr_cmp(&d[merged - 1], &d[i]))
			d[merged - 1].delta += d[i].delta;
		else
			d[merged++] = d[i];
	}
	qsort(d, merged, sizeof(*d), delta_desc);
	for (i = 0; i < merged && written < max && d[i].delta; i++, written++) {
		peer_addr_str(&d[i].key, out[written].source, sizeof(out[written].source));
		out[written].rate = d[i].delta / seconds;
	}
out:
	free(d);
	return written;
}
