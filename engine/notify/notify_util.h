/* notify_util.h - small functions the notification plugins share.
 *
 * Settings lookup, URL encoding, HTTP and libcurl outcome mapping, and a JSON
 * syntax check that also compacts a document onto one line (for JSON Lines).
 * Compiled into the engine and into every plugin (see PLUGIN_LIB in the
 * Makefile). Pure functions over caller-owned buffers; no state, any thread. */
#ifndef FL_NOTIFY_UTIL_H
#define FL_NOTIFY_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "plugins/fl_plugin.h"

/* The value of the last setting named key, or NULL. */
const char *fl_kv_get(const struct fl_kv *kv, size_t n, const char *key);

/* A decimal setting in [min, max]; absent gives def. Returns 0 or -EINVAL. */
FL_MUST_CHECK int fl_kv_get_u32(const struct fl_kv *kv, size_t n, const char *key, uint32_t def,
                                uint32_t min, uint32_t max, uint32_t *out);

/* RFC 3986 percent-encoding of everything but unreserved characters.
 * Returns 0, -ENOMEM or -EMSGSIZE. */
FL_MUST_CHECK int fl_url_encode(struct fl_buf *out, const char *p, size_t len);

/* HTTP status of a delivery: 2xx OK; 408, 425, 429 and 5xx RETRY (the
 * receiver may recover); everything else (3xx, 4xx, garbage) PERMANENT. */
enum fl_send_result fl_notify_http_result(long status);

/* A libcurl error code (CURLcode) before any response: network trouble and
 * timeouts RETRY; malformed URLs, unsupported protocols, TLS refusals and
 * rejected logins PERMANENT. */
enum fl_send_result fl_notify_curl_result(int curl_code);

/* Writes the phone number addr as digits with an optional leading '+' into
 * dst (FL_PHONE_MAX + 1 bytes), dropping the separators " -()." that contact
 * lists use ("138-0000-2112" -> "13800002112"). Returns false, dst unusable,
 * for anything else or fewer than 3 digits. */
#define FL_PHONE_MAX 20
bool fl_phone_normalise(char *dst, const char *addr);

/* Validates p[0..len) as one RFC 8259 JSON value and appends it to out without
 * the whitespace between tokens, so it fits on one line. Returns 0, -EINVAL
 * (not JSON, nesting deeper than FL_JSON_MAX_DEPTH), -ENOMEM or -EMSGSIZE;
 * out may hold a partial copy on failure. */
FL_MUST_CHECK int fl_json_compact(struct fl_buf *out, const char *p, size_t len);

#endif /* FL_NOTIFY_UTIL_H */
