/* ucs2.h - UTF-8 encoding, UTF-16BE encoding and SMS segmentation.
 *
 * An SMS carries 140 octets: 160 GSM-7 septets or 70 UCS-2 units in one
 * message; a concatenated message spends 6 octets of each part on the UDH
 * (3GPP TS 23.040 §9.2.3.24.1), leaving 153 septets or 67 units per part.
 *
 * Policy, decided here once for every gateway:
 * - GSM-7 only for text made entirely of the ASCII characters of the GSM 03.38
 *   default alphabet (its extension characters ^ { } \ [ ] ~ | count two
 *   septets). Any other character, Chinese first of all, selects UCS-2 for the
 *   whole message. We do not map Latin-1 letters into GSM-7: the win is small
 *   and gateways disagree on the table.
 * - Characters outside the BMP (rare CJK of Extension B in place names,
 *   emoji) are sent as UTF-16 surrogate pairs, two units each, and a pair is
 *   never split across parts: UCS-2 handsets show one replacement glyph,
 *   UTF-16 handsets the right character, and no part carries half a pair.
 * - Long text goes to the gateway as ONE request and the gateway concatenates
 *   with a UDH (Kannel: max-messages); the handset shows one message. Text
 *   beyond max_parts is cut at a character boundary and ends with an ellipsis,
 *   so a storm never becomes a pager flood. One request keeps a delivery
 *   attempt atomic for the outbox: no half-sent multi-request SMS to retry.
 *   The gateway cuts concatenated UCS-2 every 67 units without looking at
 *   characters (Kannel does); where that cut would halve a surrogate pair we
 *   put an invisible U+200B (ZERO WIDTH SPACE) before the pair, so the cut
 *   lands where our plan has it. Numbered parts sent as separate requests
 *   were rejected: a retry after part 2 of 3 failed would resend part 1.
 *
 * Pure functions over caller buffers; any thread. */
#ifndef FL_UCS2_H
#define FL_UCS2_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/lib/utf8.h" /* fl_utf8_next(): the decoder */

#define FL_SMS_GSM7_SINGLE 160
#define FL_SMS_GSM7_PART 153
#define FL_SMS_UCS2_SINGLE 70
#define FL_SMS_UCS2_PART 67
#define FL_SMS_MAX_PARTS 16 /* Kannel's and most gateways' practical limit */

enum fl_sms_coding {
	FL_SMS_GSM7, /* Kannel coding=0 */
	FL_SMS_UCS2, /* Kannel coding=2 */
};

struct fl_sms_plan {
	enum fl_sms_coding coding;
	size_t units; /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	size_t parts; /* messages the handset receives, >= 1 (empty text: 1) */
};

/* Appends code point cp as UTF-8 (cp <= 0x10FFFF, not a surrogate). */
FL_MUST_CHECK int fl_utf8_put(struct fl_buf *out, uint32_t cp);

/* Appends text as UTF-16BE, outside-BMP characters as surrogate pairs,
 * invalid UTF-8 as U+FFFD. Returns 0, -ENOMEM or -EMSGSIZE. */
FL_MUST_CHECK int fl_ucs2_encode(struct fl_buf *out, const char *text, size_t len);

/* Coding, units and parts for text as the policy above sends it. */
void fl_sms_plan(const char *text, size_t len, struct fl_sms_plan *out);

/* Appends to out the text to hand the gateway: controls other than LF become
 * spaces, invalid UTF-8 becomes U+FFFD, and text longer than max_parts
 * (1..FL_SMS_MAX_PARTS) is cut at a character boundary with an ellipsis ("..."
 * in GSM-7, U+2026 in UCS-2), and a U+200B goes before any surrogate pair a
 * 67-unit cut would halve. *truncated tells whether it was cut.
 * Returns 0, -EINVAL (max_parts), -ENOMEM or -EMSGSIZE. */
FL_MUST_CHECK int fl_sms_prepare(struct fl_buf *out, const char *text, size_t len, size_t max_parts,
                                 bool *truncated);

#endif /* FL_UCS2_H */
