/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The named SIP global failures: code, reason phrase and the RFC that
 * defines it, once for the metrics, the alerts and sip6xx-top.
 */
#ifndef SIP6XX_SIP_CODES_H
#define SIP6XX_SIP_CODES_H

#include <stdbool.h>

struct sip_code {
	unsigned int code;
	const char *reason; /* the RFC's reason phrase */
	const char *rfc;
};

#define SIP_NR_NAMED_6XX 6

extern const struct sip_code sip_named_6xx[SIP_NR_NAMED_6XX];

/* Whether @code is one of sip_named_6xx (exported at 0 before any traffic). */
bool sip_code_is_named(unsigned int code);
/* The reason phrase of a named 6xx, else "global failure". */
const char *sip_code_reason(unsigned int code);

#endif
