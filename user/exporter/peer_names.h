/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * --peers FILE: names for source prefixes, IPv4 and IPv6, longest match wins.
 *
 * The file has one "CIDR NAME" per line; '#' starts a comment, blank lines are
 * skipped. A bare address is a /32 or /128. An IPv4-mapped IPv6 prefix
 * (::ffff:0:0/96 or longer) is the IPv4 prefix it maps. The prefixes are
 * flattened into sorted, disjoint address ranges, each carrying the name of
 * the longest prefix that covers it, so a lookup is one binary search.
 */
#ifndef SIP6XX_PEER_NAMES_H
#define SIP6XX_PEER_NAMES_H

#include <stddef.h>
#include <stdio.h>
#include "sip6xx.h"

#define PEER_NAME_MAX	  128	     /* bytes of one name */
#define PEER_PREFIXES_MAX (1U << 20) /* lines with a prefix, per file */
#define PEER_ERR_LEN	  512

struct peer_table;

/*
 * Reads @f; @name is the file name errors start with. NULL on failure, with
 * one line "NAME:LINE: what is wrong" (or "NAME: why it cannot be read") in @err.
 */
struct peer_table *peer_table_parse(FILE *f, const char *name, char *err, size_t errlen);
/* Opens @path and parses it, as above. */
struct peer_table *peer_table_load(const char *path, char *err, size_t errlen);
void peer_table_free(struct peer_table *t);
/* How many prefixes the file named. */
size_t peer_table_size(const struct peer_table *t);
/*
 * The name of the longest prefix holding @addr (16 bytes, network order; an
 * IPv4 address as ::ffff:a.b.c.d with @family SIP6XX_FAMILY_IPV4, as in a
 * peer key), or NULL when none does. Valid until the table is freed.
 */
const char *peer_table_lookup(const struct peer_table *t, const __u8 addr[16], __u8 family);

#endif
