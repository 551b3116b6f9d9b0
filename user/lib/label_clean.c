// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "label_clean.h"

void label_clean(char *out, const char *in, size_t len)
{
	size_t n;

	if (!len)
		return;
	for (n = 0; in[n] && n + 1 < len; n++) {
		unsigned char ch = in[n];

		out[n] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	out[n] = '\0';
}
