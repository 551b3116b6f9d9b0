// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stddef.h>

#include "sip_codes.h"

const struct sip_code sip_named_6xx[SIP_NR_NAMED_6XX] = {
	{ 600, "Busy Everywhere", "RFC 3261" },
	{ 603, "Decline", "RFC 3261" },
	{ 604, "Does Not Exist Anywhere", "RFC 3261" },
	{ 606, "Not Acceptable", "RFC 3261" },
	{ 607, "Unwanted", "RFC 8197" },
	{ 608, "Rejected", "RFC 8688" },
};

static const struct sip_code *find(unsigned int code)
{
	size_t i;

	for (i = 0; i < SIP_NR_NAMED_6XX; i++)
		if (sip_named_6xx[i].code == code)
			return &sip_named_6xx[i];
	return NULL;
}

bool sip_code_is_named(unsigned int code)
{
	return find(code) != NULL;
}

const char *sip_code_reason(unsigned int code)
{
	const struct sip_code *c = find(code);

	return c ? c->reason : "global failure";
}
