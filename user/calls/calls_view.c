// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>

#include "caller_id.h"
#include "calls_view.h"
#include "txn_table.h"

void calls_code_totals_add(const struct calls *c, unsigned int code, struct calls_code_totals *t)
{
	unsigned int i = code - CALLS_CODE_MIN, m;
	int dir;

	if (code < CALLS_CODE_MIN || i >= CALLS_NR_CODES)
		return;
	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++) {
		for (m = 0; m < CALLS_NR_METHODS; m++)
			t->rejections += c->st.rejections[dir][i][m];
		t->retransmissions += c->st.retransmissions[dir][i];
	}
}

__u64 calls_context_dropped(const struct calls *c)
{
	__u64 n = c->txns ? txn_table_evicted(c->txns) : 0;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		n += c->st.kernel_dropped[dir][CTX_DROP_RATE] +
		     c->st.kernel_dropped[dir][CTX_DROP_BUFFER_FULL];
	return n;
}

_Static_assert(LABEL_COUNT_LEN >= TOP_KEY_LEN, "a table's key fits a label row");

static const struct top_table *table_of(const struct calls *c, enum calls_top_kind kind)
{
	return kind == CALLS_TOP_CALLERS ? c->callers : c->intermediaries;
}

bool calls_top_enabled(const struct calls *c, enum calls_top_kind kind)
{
	return table_of(c, kind);
}

unsigned int calls_top_n(const struct calls *c, enum calls_top_kind kind)
{
	const struct top_table *t = table_of(c, kind);

	return t ? top_table_n(t) : 0;
}

__u64 calls_top_window_ms(const struct calls *c, enum calls_top_kind kind)
{
	const struct top_table *t = table_of(c, kind);

	return t ? top_table_window_ms(t) : 0;
}

unsigned int calls_top_view(const struct calls *c, enum calls_top_kind kind,
			    struct label_count *out, unsigned int max)
{
	const struct top_table *t = table_of(c, kind);
	struct top_item items[TOP_MAX_N];
	char hash[CALLER_HASH_CHARS + 1];
	unsigned int nr, i;
	__u64 other;

	if (!t)
		return 0;
	nr = top_table_top(t, items, &other);
	if (nr > max)
		nr = max;
	for (i = 0; i < nr; i++) {
		/* Callers' labels are hashed exactly where calls_metrics.c hashes them. */
		if (kind == CALLS_TOP_CALLERS && c->hash_key) {
			caller_id_hash(c->hash_key, c->hash_key_len, items[i].key, hash);
			snprintf(out[i].label, sizeof(out[i].label), "%s", hash);
		} else {
			snprintf(out[i].label, sizeof(out[i].label), "%s", items[i].key);
		}
		out[i].count = items[i].count;
	}
	return nr;
}
