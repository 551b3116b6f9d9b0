/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The build's version, kept in one object so every part reports the same one. */
#ifndef SIP6XX_VERSION_H
#define SIP6XX_VERSION_H

extern const char sip6xx_version[];

#endif
