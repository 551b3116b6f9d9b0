/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* --url as sip6xx-top may show it: never with the user name or password it carries. */
#ifndef SIP6XX_TOP_URL_H
#define SIP6XX_TOP_URL_H

#include <stddef.h>

/*
 * Writes @url to @out without its user info ("user:password@"), parsed by
 * libcurl's URL API; a URL libcurl cannot parse becomes "(the --url given)"
 * if it might hold an '@', so nothing secret is ever echoed.
 */
void top_url_redact(const char *url, char *out, size_t len);

#endif
