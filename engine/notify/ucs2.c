#include "engine/notify/ucs2.h"

#include <errno.h>
#include <string.h>

#define REPLACEMENT 0xFFFDu

/* fl_utf8_next() and fl_utf8_encode() are engine/lib/utf8.c's: one decoder,
 * one encoder. */
int fl_utf8_put(struct fl_buf *out, uint32_t cp)
{
	char b[4];
	size_t n = fl_utf8_encode(cp, b);

	if (n == 0)
		n = fl_utf8_encode(REPLACEMENT, b);
	return fl_buf_add(out, b, n);
}

static int put_u16be(struct fl_buf *out, uint32_t unit)
{
	char b[2] = {(char)(unit >> 8), (char)(unit & 0xFF)};

	return fl_buf_add(out, b, 2);
}

int fl_ucs2_encode(struct fl_buf *out, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		int rc;

		i += fl_utf8_next(text + i, len - i, &cp);
		if (cp >= 0x10000) {
			/* RFC 2781 §2.1: a high then a low surrogate. */
			cp -= 0x10000;
			rc = put_u16be(out, 0xD800 | (cp >> 10));
			if (rc == 0)
				rc = put_u16be(out, 0xDC00 | (cp & 0x3FF));
		} else {
			rc = put_u16be(out, cp);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Controls other than LF would be dropped or shown as boxes; make them spaces. */
static uint32_t clean_cp(uint32_t cp)
{
	if ((cp < 0x20 && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return ' ';
	return cp;
}

/* Septets for an ASCII character in the GSM 03.38 default alphabet, or 0
 * when it has none (the backquote; anything non-ASCII by our policy). */
static size_t gsm7_septets(uint32_t cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
		return 1;
	if (cp == ' ' || cp == '\n' || cp == '\r')
		return 1;
	if (cp < 0x80 && cp != 0 && strchr("!\"#$%&'()*+,-./:;<=>?@_", (int)cp))
		return 1;
	if (cp < 0x80 && cp != 0 && strchr("^{}\\[]~|", (int)cp))
		return 2; /* ESC + the extension table's code */
	return 0;
}

static size_t char_units(uint32_t cp, enum fl_sms_coding coding)
{
	if (coding == FL_SMS_GSM7)
		return gsm7_septets(cp);
	return cp >= 0x10000 ? 2 : 1;
}

static enum fl_sms_coding coding_of(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += fl_utf8_next(text + i, len - i, &cp);
		if (gsm7_septets(clean_cp(cp)) == 0)
			return FL_SMS_UCS2;
	}
	return FL_SMS_GSM7;
}

/* Packing characters into parts without splitting one: parts used so far and
 * units used in the last part. */
struct pack {
	size_t parts, used;
};

static void pack_add(struct pack *pk, size_t units, size_t limit)
{
	if (pk->parts == 0 || pk->used + units > limit) {
		pk->parts++;
		pk->used = 0;
	}
	pk->used += units;
}

static size_t single_limit(enum fl_sms_coding c)
{
	return c == FL_SMS_GSM7 ? FL_SMS_GSM7_SINGLE : FL_SMS_UCS2_SINGLE;
}

static size_t part_limit(enum fl_sms_coding c)
{
	return c == FL_SMS_GSM7 ? FL_SMS_GSM7_PART : FL_SMS_UCS2_PART;
}

void fl_sms_plan(const char *text, size_t len, struct fl_sms_plan *out)
{
	enum fl_sms_coding coding = coding_of(text, len);
	struct pack pk = {0, 0};
	size_t units = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += fl_utf8_next(text + i, len - i, &cp);
		units += char_units(clean_cp(cp), coding);
	}
	out->coding = coding;
	out->units = units;
	if (units <= single_limit(coding)) {
		out->parts = 1;
		return;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += fl_utf8_next(text + i, len - i, &cp);
		pack_add(&pk, char_units(clean_cp(cp), coding), part_limit(coding));
	}
	out->parts = pk.parts;
}

/* Would the packing, plus the ellipsis, still fit in max_parts? */
static bool fits_with_ellipsis(struct pack pk, enum fl_sms_coding coding, size_t limit,
                               size_t max_parts)
{
	if (coding == FL_SMS_GSM7)
		for (int k = 0; k < 3; k++)
			pack_add(&pk, 1, limit);
	else
		pack_add(&pk, 1, limit);
	return pk.parts <= max_parts;
}

int fl_sms_prepare(struct fl_buf *out, const char *text, size_t len, size_t max_parts,
                   bool *truncated)
{
	struct fl_sms_plan plan;
	struct pack pk = {0, 0};
	bool multi;
	size_t limit;
	int rc = 0;

	if (max_parts < 1 || max_parts > FL_SMS_MAX_PARTS)
		return -EINVAL;
	fl_sms_plan(text, len, &plan);
	*truncated = plan.parts > max_parts;
	multi = plan.coding == FL_SMS_UCS2 && plan.parts > 1 && max_parts > 1;
	limit = *truncated
	            ? (max_parts == 1 ? single_limit(plan.coding) : part_limit(plan.coding))
	            : (plan.parts == 1 ? single_limit(plan.coding) : part_limit(plan.coding));
	for (size_t i = 0; i < len && rc == 0;) {
		uint32_t cp;

		i += fl_utf8_next(text + i, len - i, &cp);
		cp = clean_cp(cp);
		if (*truncated) {
			struct pack next = pk;

			pack_add(&next, char_units(cp, plan.coding), limit);
			if (!fits_with_ellipsis(next, plan.coding, limit, max_parts))
				break;
		}
		/* A gateway cuts concatenated UCS-2 at fixed 67-unit offsets
		 * (Kannel does): a pair that would straddle a cut gets an
		 * invisible U+200B before it, so the cut falls where our plan
		 * put it, between characters. */
		if (multi && cp >= 0x10000 && pk.parts > 0 && pk.used + 2 > limit &&
		    pk.used < limit) {
			rc = fl_utf8_put(out, 0x200B);
			pack_add(&pk, 1, limit);
		}
		pack_add(&pk, char_units(cp, plan.coding), limit);
		if (rc == 0)
			rc = fl_utf8_put(out, cp);
	}
	if (rc == 0 && *truncated)
		rc = fl_buf_adds(out, plan.coding == FL_SMS_GSM7 ? "..." : "\xe2\x80\xa6");
	return rc;
}
