/* usm.h - the User-based Security Model for SNMPv3 notifications (RFC 3414,
 * AES per RFC 3826, SHA-2 per RFC 7860): the users a receiver knows, their
 * keys, and the engine times it has learned.
 *
 * A struct fl_usm is built once from the configuration (users added with
 * fl_usm_add_user(), in snmptrapd.conf's createUser syntax) and then used by
 * one thread, the one decoding traps: fl_usm_check() updates the table of
 * engine times, so two threads need two tables. Passwords are turned into
 * keys (RFC 3414 §A.2) when a user is added, never kept; each message's key
 * is that key localized to the engine id the message names (for a trap the
 * sender is the authoritative engine, RFC 3412 §6.4).
 *
 * Time window. A trap receiver is not authoritative, so it cannot hold the
 * sender to its own clock (RFC 3414 §3.2.7 a applies to authoritative
 * receivers only). It does what net-snmp's snmptrapd does: the first
 * authentic message from an engine records its boots and time; later ones
 * are refused (NOT_IN_TIME_WINDOW) when their boots are lower than the
 * recorded ones, or equal with a time more than 150 seconds older than the
 * recorded time advanced by the local clock since. Boots 2^31-1 is always
 * refused. The table holds FL_USM_MAX_ENGINES engines; when full, the engine
 * heard from longest ago is forgotten (counted in engines_forgotten) and
 * greeted afresh next time, which only loosens replay protection for it.
 *
 * Informs are not handled here: answering one needs the receiver to be the
 * authoritative engine (its own engine id, boots and time, and Reports for
 * discovery). The decoder refuses v3 informs with their own verdict. */
#ifndef FL_USM_H
#define FL_USM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_USM_MAX_USERS 256
#define FL_USM_MAX_ENGINES 1024
#define FL_USM_NAME_MAX 32	 /* RFC 3414 §2.4: msgUserName SIZE(0..32) */
#define FL_USM_ENGINE_ID_MAX 32	 /* RFC 3411: SnmpEngineID SIZE(5..32) */
#define FL_USM_ENGINE_ID_MIN 5
#define FL_USM_KEY_MAX 64	 /* SHA-512 digest */
#define FL_USM_MAC_MAX 48	 /* HMAC-384-SHA-512 (RFC 7860) */
#define FL_USM_TIME_WINDOW_S 150 /* RFC 3414 §3.2.7 */
#define FL_USM_PASSWORD_MIN 8	 /* RFC 3414 §11.2; net-snmp refuses shorter */

enum fl_usm_auth {
	FL_USM_AUTH_NONE,
	FL_USM_AUTH_MD5,    /* HMAC-MD5-96, RFC 3414 §6 */
	FL_USM_AUTH_SHA1,   /* HMAC-SHA-96, RFC 3414 §7 */
	FL_USM_AUTH_SHA224, /* HMAC-128-SHA-224, RFC 7860 */
	FL_USM_AUTH_SHA256, /* HMAC-192-SHA-256 */
	FL_USM_AUTH_SHA384, /* HMAC-256-SHA-384 */
	FL_USM_AUTH_SHA512, /* HMAC-384-SHA-512 */
};

enum fl_usm_priv {
	FL_USM_PRIV_NONE,
	FL_USM_PRIV_DES,    /* CBC-DES, RFC 3414 §8 */
	FL_USM_PRIV_AES128, /* CFB128-AES-128, RFC 3826 */
};

/* What fl_usm_check() found wrong, one counter each (the decoder's verdicts
 * USM_* map to these one to one). */
enum fl_usm_result {
	FL_USM_OK,
	FL_USM_UNKNOWN_USER,	    /* usmStatsUnknownUserNames */
	FL_USM_UNKNOWN_ENGINE_ID,   /* user bound to another engine, or no engine id */
	FL_USM_UNSUPPORTED_LEVEL,   /* usmStatsUnsupportedSecLevels */
	FL_USM_WRONG_DIGEST,	    /* usmStatsWrongDigests */
	FL_USM_NOT_IN_TIME_WINDOW,  /* usmStatsNotInTimeWindows */
	FL_USM_DECRYPTION_ERROR,    /* usmStatsDecryptionErrors */
};

/* One message's security parameters, slices of the datagram (RFC 3414 §2.4). */
struct fl_usm_params {
	const uint8_t *engine_id, *user, *auth, *priv;
	size_t engine_id_len, user_len, auth_len, priv_len;
	uint32_t boots, time_s;
	bool wants_auth, wants_priv; /* msgFlags */
};

struct fl_usm;

/* Lifecycle. create: 0 or -ENOMEM. destroy wipes the keys; NULL is fine. */
FL_MUST_CHECK int fl_usm_create(struct fl_usm **out);
void fl_usm_destroy(struct fl_usm *u);

/* Adds a user from net-snmp's createUser arguments:
 *   [-e ENGINEID] NAME [(MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512) AUTHPASS
 *                       [(DES|AES|AES-128) [PRIVPASS]]]
 * separated by blanks; a password with blanks is written in double quotes.
 * SHA means SHA-1; a missing PRIVPASS is AUTHPASS (as net-snmp). ENGINEID is
 * hex with an optional 0x; without it the user is accepted from any engine.
 * Returns 0, -EINVAL (err says why), -ENOSPC (FL_USM_MAX_USERS) or -ENOMEM.
 * Costs about a megabyte of hashing per password (RFC 3414 §A.2). */
FL_MUST_CHECK int fl_usm_add_user(struct fl_usm *u, const char *spec, char *err,
				  size_t err_len);

/* Reads users from a file: one createUser line each ("createUser" first, as
 * in snmptrapd.conf; other lines and # comments are ignored). Returns 0,
 * -errno when it cannot be read, or fl_usm_add_user()'s error with the line
 * number in err. */
FL_MUST_CHECK int fl_usm_add_file(struct fl_usm *u, const char *path, char *err,
				  size_t err_len);

/* Operations. */

/* Authenticates a message and decrypts its scoped PDU (RFC 3414 §3.2 steps
 * 3-8). whole[0..len) is the datagram; sp points into it; the auth
 * parameters are taken as zeros while the digest is computed (§6.3.2).
 * When sp->wants_priv, enc[0..enc_len) (the encryptedPDU's content, inside
 * whole) is decrypted in place; on FL_USM_OK it holds the plaintext. now_s:
 * the local clock (seconds, any origin that does not jump). */
enum fl_usm_result fl_usm_check(struct fl_usm *u, const struct fl_usm_params *sp,
				const uint8_t *whole, size_t len, uint8_t *enc, size_t enc_len,
				int64_t now_s);

/* RFC 3414 §A.2: the key Ku of a password (1 MiB of the password repeated,
 * hashed), then localized to an engine id: H(Ku || engine_id || Ku).
 * out holds fl_usm_digest_len(auth) bytes. Returns 0 or -EINVAL. */
int fl_usm_password_to_key(enum fl_usm_auth auth, const char *password, size_t password_len,
			   uint8_t *out);
int fl_usm_localize(enum fl_usm_auth auth, const uint8_t *ku, const uint8_t *engine_id,
		    size_t engine_id_len, uint8_t *out);

/* HMAC of data under key with the protocol's hash, truncated to its MAC
 * length (fl_usm_mac_len()); what a sender puts in msgAuthenticationParameters
 * (with them zeroed). Exposed for tests and tools. */
void fl_usm_hmac(enum fl_usm_auth auth, const uint8_t *key, const uint8_t *data, size_t len,
		 uint8_t *mac);

/* Queries. */
size_t fl_usm_digest_len(enum fl_usm_auth auth);
size_t fl_usm_mac_len(enum fl_usm_auth auth);
size_t fl_usm_n_users(const struct fl_usm *u);

/* Forgets every engine time learned (a fuzz target's fresh start per input). */
void fl_usm_forget_engines(struct fl_usm *u);
uint64_t fl_usm_engines_forgotten(const struct fl_usm *u);

#endif /* FL_USM_H */
