/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The caller's canonical identity (RFC 8197 asks those who tally 607s per
 * caller to use it): P-Asserted-Identity, else From; a phone number as E.164
 * with its "+", anything else as user@host lower-cased. Personal data: only
 * ever exported on request, optionally as a keyed hash.
 */
#ifndef SIP6XX_CALLER_ID_H
#define SIP6XX_CALLER_ID_H

#include <stddef.h>

#include "sip_decode.h"

#define CALLER_ID_LEN	  128 /* longer identities are cut */
#define E164_MAX_DIGITS	  15  /* ITU-T E.164 */
#define CALLER_HASH_CHARS 16  /* hex digits of HMAC-SHA-256 kept */

/* The canonical form of one URI's text into @out; 0, or -EINVAL when it has none. */
int caller_id_canonical(const char *uri, char *out, size_t size);

/* The caller of @msg: its P-Asserted-Identity when that has an identity, else its From. */
int caller_id_of(const struct sip_msg *msg, char *out, size_t size);

/* The host of @uri (an intermediary's jwscard URI), lower-cased; 0, or -EINVAL when it has none. */
int caller_id_host(const char *uri, char *out, size_t size);

/* HMAC-SHA-256 of @id under @key, its first 16 hex digits and a NUL into @out. */
void caller_id_hash(const void *key, size_t key_len, const char *id,
		    char out[CALLER_HASH_CHARS + 1]);

#endif
