/* usm.c - see usm.h. Crypto is nettle's (stateless, no global setup):
 * its generic HMAC over struct nettle_hash, CBC-DES and CFB-AES. */
#include "engine/decode/usm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "engine/lib/digits.h"

#define ENGINE_BOOTS_MAX 2147483647u /* RFC 3414 §2.2.2: latched, never accepted */

struct user {
	char name[FL_USM_NAME_MAX];
	size_t name_len;
	uint8_t engine_id[FL_USM_ENGINE_ID_MAX];
	size_t engine_id_len; /* 0: any engine */
	enum fl_usm_auth auth;
	enum fl_usm_priv priv;
	uint8_t auth_ku[FL_USM_KEY_MAX], priv_ku[FL_USM_KEY_MAX]; /* not yet localized */
};

struct engine_time {
	uint8_t id[FL_USM_ENGINE_ID_MAX];
	size_t id_len;
	uint32_t boots, time_s;
	int64_t recorded_s, heard_s; /* local clock: when time_s was taken, last message */
};

struct fl_usm {
	struct user users[FL_USM_MAX_USERS];
	size_t n_users;
	struct engine_time engines[FL_USM_MAX_ENGINES];
	size_t n_engines;
	uint64_t engines_forgotten;
};

/* Large enough for any of the hashes' contexts. */
union hash_ctx {
	struct md5_ctx md5;
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

static const struct nettle_hash *hash_of(enum fl_usm_auth auth)
{
	switch (auth) {
	case FL_USM_AUTH_MD5:
		return &nettle_md5;
	case FL_USM_AUTH_SHA1:
		return &nettle_sha1;
	case FL_USM_AUTH_SHA224:
		return &nettle_sha224;
	case FL_USM_AUTH_SHA256:
		return &nettle_sha256;
	case FL_USM_AUTH_SHA384:
		return &nettle_sha384;
	case FL_USM_AUTH_SHA512:
		return &nettle_sha512;
	case FL_USM_AUTH_NONE:
		break;
	}
	return NULL;
}

size_t fl_usm_digest_len(enum fl_usm_auth auth)
{
	const struct nettle_hash *h = hash_of(auth);

	return h ? h->digest_size : 0;
}

size_t fl_usm_mac_len(enum fl_usm_auth auth)
{
	switch (auth) {
	case FL_USM_AUTH_MD5:
	case FL_USM_AUTH_SHA1:
		return 12; /* RFC 3414 §6.3.1, §7.3.1: HMAC-96 */
	case FL_USM_AUTH_SHA224:
		return 16; /* RFC 7860 §4.2.1 */
	case FL_USM_AUTH_SHA256:
		return 24;
	case FL_USM_AUTH_SHA384:
		return 32;
	case FL_USM_AUTH_SHA512:
		return 48;
	case FL_USM_AUTH_NONE:
		break;
	}
	return 0;
}

/* ---- keys ------------------------------------------------------------------------- */

int fl_usm_password_to_key(enum fl_usm_auth auth, const char *password, size_t password_len,
			   uint8_t *out)
{
	const struct nettle_hash *h = hash_of(auth);
	union hash_ctx ctx;
	uint8_t chunk[64];
	size_t at = 0;

	if (!h || !password || password_len == 0)
		return -EINVAL;
	h->init(&ctx);
	/* RFC 3414 §A.2.1: hash 1,048,576 octets of the password repeated */
	for (size_t done = 0; done < 1048576; done += sizeof(chunk)) {
		for (size_t i = 0; i < sizeof(chunk); i++) {
			chunk[i] = (uint8_t)password[at];
			at = at + 1 == password_len ? 0 : at + 1;
		}
		h->update(&ctx, sizeof(chunk), chunk);
	}
	h->digest(&ctx, h->digest_size, out);
	memset(chunk, 0, sizeof(chunk));
	return 0;
}

int fl_usm_localize(enum fl_usm_auth auth, const uint8_t *ku, const uint8_t *engine_id,
		    size_t engine_id_len, uint8_t *out)
{
	const struct nettle_hash *h = hash_of(auth);
	union hash_ctx ctx;

	if (!h)
		return -EINVAL;
	/* RFC 3414 §A.2.2: Kul = H(Ku || snmpEngineID || Ku) */
	h->init(&ctx);
	h->update(&ctx, h->digest_size, ku);
	h->update(&ctx, engine_id_len, engine_id);
	h->update(&ctx, h->digest_size, ku);
	h->digest(&ctx, h->digest_size, out);
	return 0;
}

/* HMAC of whole[0..len) with whole[zero_at..zero_at+zero_len) read as zeros. */
static void hmac_zeroed(enum fl_usm_auth auth, const uint8_t *key, const uint8_t *whole,
			size_t len, size_t zero_at, size_t zero_len, uint8_t *mac)
{
	static const uint8_t zeros[FL_USM_MAC_MAX];
	const struct nettle_hash *h = hash_of(auth);
	union hash_ctx outer, inner, state;
	uint8_t digest[FL_USM_KEY_MAX];

	hmac_set_key(&outer, &inner, &state, h, h->digest_size, key);
	hmac_update(&state, h, zero_at, whole);
	hmac_update(&state, h, zero_len, zeros);
	hmac_update(&state, h, len - zero_at - zero_len, whole + zero_at + zero_len);
	hmac_digest(&outer, &inner, &state, h, h->digest_size, digest);
	memcpy(mac, digest, fl_usm_mac_len(auth));
}

void fl_usm_hmac(enum fl_usm_auth auth, const uint8_t *key, const uint8_t *data, size_t len,
		 uint8_t *mac)
{
	if (hash_of(auth))
		hmac_zeroed(auth, key, data, len, 0, 0, mac);
}

/* ---- users ------------------------------------------------------------------------ */

int fl_usm_create(struct fl_usm **out)
{
	struct fl_usm *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	*out = u;
	return 0;
}

void fl_usm_destroy(struct fl_usm *u)
{
	volatile uint8_t *v = (volatile uint8_t *)u;

	if (!u)
		return;
	for (size_t i = 0; i < sizeof(*u); i++) /* keys must not linger in freed memory */
		v[i] = 0;
	free(u);
}

/* Next blank-separated word of *s, double quotes grouping; NUL-terminates it
 * in place. NULL at the end. */
static char *next_word(char **s)
{
	char *p = *s, *start, *w;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '\r')
		return NULL;
	start = w = p;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			*w++ = *p;
		if (*p == '"')
			p++;
	} else {
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		w = p;
	}
	*s = *p ? p + 1 : p;
	*w = '\0';
	return start;
}

static bool auth_named(const char *s, enum fl_usm_auth *out)
{
	static const struct {
		const char *name;
		enum fl_usm_auth auth;
	} names[] = {{"MD5", FL_USM_AUTH_MD5},		{"SHA", FL_USM_AUTH_SHA1},
		     {"SHA1", FL_USM_AUTH_SHA1},	{"SHA-1", FL_USM_AUTH_SHA1},
		     {"SHA-224", FL_USM_AUTH_SHA224}, {"SHA-256", FL_USM_AUTH_SHA256},
		     {"SHA-384", FL_USM_AUTH_SHA384}, {"SHA-512", FL_USM_AUTH_SHA512}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].auth;
			return true;
		}
	return false;
}

static bool priv_named(const char *s, enum fl_usm_priv *out)
{
	if (strcasecmp(s, "DES") == 0)
		*out = FL_USM_PRIV_DES;
	else if (strcasecmp(s, "AES") == 0 || strcasecmp(s, "AES-128") == 0 ||
		 strcasecmp(s, "AES128") == 0)
		*out = FL_USM_PRIV_AES128;
	else
		return false;
	return true;
}

static bool parse_engine_id(const char *s, struct user *usr)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n % 2 || n / 2 < FL_USM_ENGINE_ID_MIN || n / 2 > FL_USM_ENGINE_ID_MAX)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = fl_hex_value(s[2 * i]), lo = fl_hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		usr->engine_id[i] = (uint8_t)(hi << 4 | lo);
	}
	usr->engine_id_len = n / 2;
	return true;
}

static int set_password(enum fl_usm_auth auth, const char *pass, uint8_t *ku, const char *what,
			char *err, size_t err_len)
{
	if (!pass || strlen(pass) < FL_USM_PASSWORD_MIN) {
		snprintf(err, err_len, "%s password missing or shorter than %d characters", what,
			 FL_USM_PASSWORD_MIN);
		return -EINVAL;
	}
	return fl_usm_password_to_key(auth, pass, strlen(pass), ku);
}

/* The words after an optional -e ENGINEID; spec is a private copy. */
static int parse_user(char *spec, struct user *usr, char *err, size_t err_len)
{
	char *s = spec, *w = next_word(&s), *auth_pass, *priv_pass;
	int rc;

	if (w && strcmp(w, "-e") == 0) {
		w = next_word(&s);
		if (!w || !parse_engine_id(w, usr)) {
			snprintf(err, err_len, "-e wants an engine id of 5 to 32 octets in hex");
			return -EINVAL;
		}
		w = next_word(&s);
	}
	if (!w || strlen(w) > FL_USM_NAME_MAX || !w[0]) {
		snprintf(err, err_len, "user name missing or longer than %d octets",
			 FL_USM_NAME_MAX);
		return -EINVAL;
	}
	usr->name_len = strlen(w);
	memcpy(usr->name, w, usr->name_len);
	if (!(w = next_word(&s)))
		return 0; /* noAuthNoPriv */
	if (!auth_named(w, &usr->auth)) {
		snprintf(err, err_len, "auth protocol '%s' is not MD5, SHA, SHA-224, SHA-256, "
				       "SHA-384 or SHA-512", w);
		return -EINVAL;
	}
	auth_pass = next_word(&s);
	if ((rc = set_password(usr->auth, auth_pass, usr->auth_ku, "auth", err, err_len)) < 0)
		return rc;
	if (!(w = next_word(&s)))
		return 0; /* authNoPriv */
	if (!priv_named(w, &usr->priv)) {
		snprintf(err, err_len, "priv protocol '%s' is not DES or AES", w);
		return -EINVAL;
	}
	priv_pass = next_word(&s);
	if (!priv_pass)
		priv_pass = auth_pass; /* as net-snmp's createUser */
	if ((rc = set_password(usr->auth, priv_pass, usr->priv_ku, "priv", err, err_len)) < 0)
		return rc;
	if (next_word(&s)) {
		snprintf(err, err_len, "unexpected words after the priv password");
		return -EINVAL;
	}
	return 0;
}

int fl_usm_add_user(struct fl_usm *u, const char *spec, char *err, size_t err_len)
{
	struct user *usr;
	char *copy;
	int rc;

	if (u->n_users >= FL_USM_MAX_USERS) {
		snprintf(err, err_len, "more than %d SNMPv3 users", FL_USM_MAX_USERS);
		return -ENOSPC;
	}
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	usr = &u->users[u->n_users];
	memset(usr, 0, sizeof(*usr));
	rc = parse_user(copy, usr, err, err_len);
	memset(copy, 0, strlen(spec)); /* the passwords */
	free(copy);
	if (rc < 0) {
		memset(usr, 0, sizeof(*usr));
		return rc;
	}
	u->n_users++;
	return 0;
}

int fl_usm_add_file(struct fl_usm *u, const char *path, char *err, size_t err_len)
{
	char line[1024], why[256];
	FILE *f = fopen(path, "r");
	int line_no = 0, rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = line, *w;

		line_no++;
		w = next_word(&s);
		if (!w || w[0] == '#' || strcmp(w, "createUser") != 0)
			continue;
		rc = fl_usm_add_user(u, s, why, sizeof(why));
		if (rc < 0)
			snprintf(err, err_len, "%s:%d: %s", path, line_no, why);
	}
	memset(line, 0, sizeof(line));
	fclose(f);
	return rc;
}

size_t fl_usm_n_users(const struct fl_usm *u)
{
	return u->n_users;
}

uint64_t fl_usm_engines_forgotten(const struct fl_usm *u)
{
	return u->engines_forgotten;
}

/* ---- checking a message ------------------------------------------------------------ */

/* A user of that name bound to this engine, else one bound to none. */
static const struct user *find_user(const struct fl_usm *u, const struct fl_usm_params *sp,
				    bool *is_other_engine)
{
	const struct user *any = NULL;

	*is_other_engine = false;
	for (size_t i = 0; i < u->n_users; i++) {
		const struct user *usr = &u->users[i];

		if (usr->name_len != sp->user_len || memcmp(usr->name, sp->user, sp->user_len))
			continue;
		if (usr->engine_id_len == 0) {
			if (!any)
				any = usr;
		} else if (usr->engine_id_len == sp->engine_id_len &&
			   memcmp(usr->engine_id, sp->engine_id, sp->engine_id_len) == 0) {
			return usr;
		} else {
			*is_other_engine = true;
		}
	}
	return any;
}

static struct engine_time *engine_slot(struct fl_usm *u, const struct fl_usm_params *sp,
				       bool *is_new)
{
	struct engine_time *oldest = NULL;

	for (size_t i = 0; i < u->n_engines; i++) {
		struct engine_time *e = &u->engines[i];

		if (e->id_len == sp->engine_id_len && !memcmp(e->id, sp->engine_id, e->id_len)) {
			*is_new = false;
			return e;
		}
		if (!oldest || e->heard_s < oldest->heard_s)
			oldest = e;
	}
	*is_new = true;
	if (u->n_engines < FL_USM_MAX_ENGINES)
		return &u->engines[u->n_engines++];
	u->engines_forgotten++;
	return oldest;
}

/* net-snmp's usm_check_and_update_timeliness() for an engine that is not
 * ours: later boots, or the same boots and a later time, are remembered;
 * the same boots up to 150 s behind our estimate pass without being taken;
 * anything else is too old. */
static bool in_time_window(struct fl_usm *u, const struct fl_usm_params *sp, int64_t now_s)
{
	bool is_new;
	struct engine_time *e;
	int64_t estimate;

	if (sp->boots >= ENGINE_BOOTS_MAX)
		return false;
	e = engine_slot(u, sp, &is_new);
	if (!is_new) {
		e->heard_s = now_s;
		estimate = (int64_t)e->time_s + (now_s > e->recorded_s ? now_s - e->recorded_s : 0);
		if (sp->boots < e->boots)
			return false;
		if (sp->boots == e->boots && (int64_t)sp->time_s <= estimate)
			return estimate - (int64_t)sp->time_s <= FL_USM_TIME_WINDOW_S;
	}
	memcpy(e->id, sp->engine_id, sp->engine_id_len);
	e->id_len = sp->engine_id_len;
	e->boots = sp->boots;
	e->time_s = sp->time_s;
	e->recorded_s = e->heard_s = now_s;
	return true;
}

/* RFC 3414 §8.3.2 (DES) and RFC 3826 §3.1.4 (AES), in place. */
static bool decrypt(const struct user *usr, const struct fl_usm_params *sp, uint8_t *enc,
		    size_t enc_len)
{
	uint8_t key[FL_USM_KEY_MAX], iv[16];
	bool ok = false;

	if (sp->priv_len != 8 ||
	    fl_usm_localize(usr->auth, usr->priv_ku, sp->engine_id, sp->engine_id_len, key) < 0)
		return false;
	if (usr->priv == FL_USM_PRIV_DES && enc_len % DES_BLOCK_SIZE == 0) {
		struct des_ctx des;

		/* key: the first 8 octets; pre-IV: the next 8, XORed with the salt */
		des_set_key(&des, key);
		for (size_t i = 0; i < 8; i++)
			iv[i] = key[8 + i] ^ sp->priv[i];
		cbc_decrypt(&des, (nettle_cipher_func *)des_decrypt, DES_BLOCK_SIZE, iv, enc_len,
			    enc, enc);
		memset(&des, 0, sizeof(des));
		ok = true;
	} else if (usr->priv == FL_USM_PRIV_AES128) {
		struct aes128_ctx aes;

		/* IV: msgAuthoritativeEngineBoots, msgAuthoritativeEngineTime (32 bits
		 * each, big-endian), then the 64-bit salt of msgPrivacyParameters */
		for (size_t i = 0; i < 4; i++) {
			iv[i] = (uint8_t)(sp->boots >> (24 - 8 * i));
			iv[4 + i] = (uint8_t)(sp->time_s >> (24 - 8 * i));
		}
		memcpy(iv + 8, sp->priv, 8);
		aes128_set_encrypt_key(&aes, key); /* CFB decrypts with the forward cipher */
		cfb_decrypt(&aes, (nettle_cipher_func *)aes128_encrypt, AES_BLOCK_SIZE, iv,
			    enc_len, enc, enc);
		memset(&aes, 0, sizeof(aes));
		ok = true;
	}
	memset(key, 0, sizeof(key));
	return ok;
}

enum fl_usm_result fl_usm_check(struct fl_usm *u, const struct fl_usm_params *sp,
				const uint8_t *whole, size_t len, uint8_t *enc, size_t enc_len,
				int64_t now_s)
{
	uint8_t key[FL_USM_KEY_MAX], mac[FL_USM_MAC_MAX];
	const struct user *usr;
	bool is_other_engine, is_authentic;
	size_t mac_len;

	if (sp->engine_id_len < FL_USM_ENGINE_ID_MIN || sp->engine_id_len > FL_USM_ENGINE_ID_MAX)
		return FL_USM_UNKNOWN_ENGINE_ID;
	usr = find_user(u, sp, &is_other_engine);
	if (!usr)
		return is_other_engine ? FL_USM_UNKNOWN_ENGINE_ID : FL_USM_UNKNOWN_USER;
	/* §3.2.5, and stricter: a message must come at exactly the user's level,
	 * so a noAuth message cannot borrow the name of a user who has keys. */
	if (sp->wants_auth != (usr->auth != FL_USM_AUTH_NONE) ||
	    sp->wants_priv != (usr->priv != FL_USM_PRIV_NONE))
		return FL_USM_UNSUPPORTED_LEVEL;
	if (!sp->wants_auth)
		return FL_USM_OK;
	mac_len = fl_usm_mac_len(usr->auth);
	if (sp->auth_len != mac_len || sp->auth < whole || sp->auth + mac_len > whole + len)
		return FL_USM_WRONG_DIGEST;
	if (fl_usm_localize(usr->auth, usr->auth_ku, sp->engine_id, sp->engine_id_len, key) < 0)
		return FL_USM_WRONG_DIGEST;
	hmac_zeroed(usr->auth, key, whole, len, (size_t)(sp->auth - whole), mac_len, mac);
	memset(key, 0, sizeof(key));
	is_authentic = memeql_sec(mac, sp->auth, mac_len) != 0; /* constant time */
	if (!is_authentic)
		return FL_USM_WRONG_DIGEST;
	if (!in_time_window(u, sp, now_s))
		return FL_USM_NOT_IN_TIME_WINDOW;
	if (sp->wants_priv && !decrypt(usr, sp, enc, enc_len))
		return FL_USM_DECRYPTION_ERROR;
	return FL_USM_OK;
}

void fl_usm_forget_engines(struct fl_usm *u)
{
	memset(u->engines, 0, sizeof(u->engines));
	u->n_engines = 0;
}
