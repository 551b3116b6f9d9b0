/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Labels that come from packets or from a scrape, made safe to export and to
 * draw: bounded, and printable ASCII only (no escape sequence, no UTF-8 that
 * could move a terminal's cursor or widen a cell).
 */
#ifndef SIP6XX_LABEL_CLEAN_H
#define SIP6XX_LABEL_CLEAN_H

#include <stddef.h>

/* Copies @in into @out (@len bytes, cut there), every byte outside 0x20..0x7e as '?'. */
void label_clean(char *out, const char *in, size_t len);

#endif
