// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Only this file sees -DSIP6XX_VERSION; the Makefile rebuilds it when the version changes. */
#include "version.h"

#ifndef SIP6XX_VERSION
#define SIP6XX_VERSION "unknown"
#endif

const char sip6xx_version[] = SIP6XX_VERSION;
