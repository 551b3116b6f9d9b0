// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "alert_body.h"
#include "alert_calls.h"
#include "spike_detector.h"

struct totals_sample {
	__u64 t_ms;
	struct calls_code_totals code[ALERT_MAX_CODES];
	__u64 dropped; /* calls_context_dropped(), summed over the interfaces */
};

struct alert_calls {
	const struct calls *const *calls;
	int nr_calls;
	__u16 codes[ALERT_MAX_CODES];
	int nr_codes;
	__u64 window_ms;
	bool name_callers; /* --alert-callers */
	/* The samples of the last window and one before it, oldest at head - len. */
	struct totals_sample *ring;
	__u32 cap, head, len;
};

struct alert_calls *alert_calls_new(const struct calls *const *calls, int nr_calls,
				    const __u16 *codes, int nr_codes, __u64 window_ms,
				    __u64 interval_ms, bool name_callers)
{
	struct alert_calls *ac;

	if (nr_codes > ALERT_MAX_CODES || !interval_ms)
		return NULL;
	ac = calloc(1, sizeof(*ac));
	if (!ac)
		return NULL;
	ac->calls = calls;
	ac->nr_calls = nr_calls;
	memcpy(ac->codes, codes, nr_codes * sizeof(*codes));
	ac->nr_codes = nr_codes;
	ac->window_ms = window_ms;
	ac->name_callers = name_callers;
	/* A late tick stretches the window's span: room for twice its samples. */
	ac->cap = 2 * (window_ms / interval_ms) + 2;
	ac->ring = calloc(ac->cap, sizeof(*ac->ring));
	if (!ac->ring) {
		free(ac);
		return NULL;
	}
	return ac;
}

void alert_calls_free(struct alert_calls *ac)
{
	if (!ac)
		return;
	free(ac->ring);
	free(ac);
}

bool alert_calls_live(const struct alert_calls *ac)
{
	int i;

	for (i = 0; i < ac->nr_calls; i++)
		if (ac->calls[i])
			return true;
	return false;
}

/* The sample @age ticks before the last (0: the last). */
static const struct totals_sample *sample_at(const struct alert_calls *ac, __u32 age)
{
	return &ac->ring[(ac->head + ac->cap - 1 - age) % ac->cap];
}

void alert_calls_sample(struct alert_calls *ac, __u64 now_ms)
{
	struct totals_sample *s = &ac->ring[ac->head];
	int c, i;

	memset(s, 0, sizeof(*s));
	s->t_ms = now_ms;
	for (i = 0; i < ac->nr_calls; i++) {
		if (!ac->calls[i])
			continue;
		for (c = 0; c < ac->nr_codes; c++)
			calls_code_totals_add(ac->calls[i], ac->codes[c], &s->code[c]);
		s->dropped += calls_context_dropped(ac->calls[i]);
	}
	ac->head = (ac->head + 1) % ac->cap;
	if (ac->len < ac->cap)
		ac->len++;
	/* Keep exactly one sample at or before the window's start. */
	while (ac->len > 1 && now_ms - sample_at(ac, ac->len - 2)->t_ms >= ac->window_ms)
		ac->len--;
}

__u64 alert_calls_rejections(const struct alert_calls *ac, int slot)
{
	return ac->len ? sample_at(ac, 0)->code[slot].rejections : 0;
}

static __u64 gained(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

void alert_calls_window(const struct alert_calls *ac, int slot, struct calls_code_totals *d)
{
	const struct calls_code_totals *now, *then;

	memset(d, 0, sizeof(*d));
	if (!ac->len)
		return;
	now = &sample_at(ac, 0)->code[slot];
	then = &sample_at(ac, ac->len - 1)->code[slot];
	/* A single sample: the context started inside the window, from zero. */
	if (ac->len == 1) {
		*d = *now;
		return;
	}
	d->rejections = gained(now->rejections, then->rejections);
	d->retransmissions = gained(now->retransmissions, then->retransmissions);
}

__u64 alert_calls_dropped(const struct alert_calls *ac)
{
	if (!ac->len)
		return 0;
	if (ac->len == 1)
		return sample_at(ac, 0)->dropped;
	return gained(sample_at(ac, 0)->dropped, sample_at(ac, ac->len - 1)->dropped);
}

/* Each interface's whole top N, so a label's counts add up before the cut. */
static int gather(const struct alert_calls *ac, enum calls_top_kind kind, struct label_count **all)
{
	struct label_count *buf = NULL, *grown;
	unsigned int n;
	int i, nr = 0;
	bool on = false;

	for (i = 0; i < ac->nr_calls; i++) {
		if (!ac->calls[i] || !calls_top_enabled(ac->calls[i], kind))
			continue;
		on = true;
		n = calls_top_n(ac->calls[i], kind);
		grown = realloc(buf, (nr + n) * sizeof(*buf));
		if (!grown)
			break; /* what was gathered is still a lower bound */
		buf = grown;
		nr += calls_top_view(ac->calls[i], kind, buf + nr, n);
	}
	*all = buf;
	return on ? nr : -1;
}

int alert_calls_top(const struct alert_calls *ac, enum calls_top_kind kind, struct label_count *out,
		    int max)
{
	struct label_count *all;
	int nr = gather(ac, kind, &all), n;

	if (nr <= 0) {
		free(all);
		return nr;
	}
	n = label_count_merge(all, nr);
	label_count_rank(all, n);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* The window of the first interface keeping @kind's table: they all share --callers-window. */
static __u64 top_window_ms(const struct alert_calls *ac, enum calls_top_kind kind)
{
	int i;

	for (i = 0; i < ac->nr_calls; i++)
		if (ac->calls[i] && calls_top_enabled(ac->calls[i], kind))
			return calls_top_window_ms(ac->calls[i], kind);
	return 0;
}

void alert_calls_report(const struct alert_calls *ac, int slot, struct alert_report *r)
{
	r->context = false;
	r->nr_callers = -1;
	r->nr_intermediaries = -1;
	if (!ac || !alert_calls_live(ac))
		return;
	r->context = true;
	alert_calls_window(ac, slot, &r->window);
	r->window_dropped = alert_calls_dropped(ac);
	if (ac->name_callers) {
		r->nr_callers =
			alert_calls_top(ac, CALLS_TOP_CALLERS, r->callers, ALERT_TOP_CALLERS);
		r->callers_window_ms = top_window_ms(ac, CALLS_TOP_CALLERS);
	}
	if (r->st->code == 608) {
		r->nr_intermediaries = alert_calls_top(ac, CALLS_TOP_INTERMEDIARIES,
						       r->intermediaries, ALERT_TOP_CALLERS);
		r->intermediaries_window_ms = top_window_ms(ac, CALLS_TOP_INTERMEDIARIES);
	}
}
