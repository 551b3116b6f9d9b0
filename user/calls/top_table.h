/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The N keys (callers, intermediaries) with the most events in a sliding
 * window, in memory fixed by N whatever the input. Keys come from packets:
 * an attacker may send a new one with every message. So the table holds
 * TOP_CANDIDATES(N) candidates; a new key arriving when it is full takes the
 * place of the candidate with the fewest events in the window (ties: the one
 * seen longest ago), whose events stay counted in the window's total and so
 * in "other". A key that really is among the top N keeps its place unless
 * 4N other keys each outnumber it; what an evicted key had is lost to it
 * (never overstated), so a top count is a lower bound.
 *
 * The window is TOP_SLOTS slots of window/TOP_SLOTS each: an event leaves
 * it at the end of the slot TOP_SLOTS slots after its own. A window of 0 is
 * everything ever seen (--replay: the whole capture).
 */
#ifndef SIP6XX_TOP_TABLE_H
#define SIP6XX_TOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define TOP_MAX_N	   1000
#define TOP_CANDIDATES(n)  (4 * (n))
#define TOP_SLOTS	   10
#define TOP_KEY_LEN	   128 /* longer keys are cut; bytes outside printable ASCII become '?' */
#define TOP_DEFAULT_WINDOW (5 * 60 * 1000)
#define TOP_OTHER	   "other" /* the rest's label: a key spelled so counts in it */

struct top_table;

/* An empty table for the top @n (1..TOP_MAX_N) over @window_ms (0: no end); NULL on ENOMEM/EINVAL.
 */
struct top_table *top_table_new(unsigned int n, __u64 window_ms);
void top_table_free(struct top_table *t);

/* One event for @key at @now_ms; time never goes backwards (an earlier @now_ms counts as the
 * latest). */
void top_table_add(struct top_table *t, const char *key, __u64 now_ms);
/* Moves the window to @now_ms: events older than it are dropped. */
void top_table_advance(struct top_table *t, __u64 now_ms);

struct top_item {
	const char *key;
	__u64 count;
};

/*
 * Up to N items into @items (room for N), most events first, ties by key;
 * candidates with none in the window left out. Returns how many, and the
 * window's events not in them into *@other.
 */
unsigned int top_table_top(const struct top_table *t, struct top_item *items, __u64 *other);
unsigned int top_table_n(const struct top_table *t);
/* The window it was made with (0: no end). */
__u64 top_table_window_ms(const struct top_table *t);
/* Candidates held now (at most TOP_CANDIDATES(N)). */
size_t top_table_held(const struct top_table *t);

#endif
