#include "engine/lib/utf8.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

size_t fl_utf8_seq_len(const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}


bool fl_utf8_is_ascii(const char *p, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		if (w & 0x8080808080808080ull)
			return false;
	}
	for (; i < len; i++)
		if ((unsigned char)p[i] & 0x80)
			return false;
	return true;
}

bool fl_utf8_valid(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		size_t n;
		uint64_t w;

		/* Plans and messages are mostly ASCII: eight bytes a step while
		 * none has its high bit set. */
		if (i + 8 <= len) {
			memcpy(&w, s + i, sizeof(w));
			if (!(w & UINT64_C(0x8080808080808080))) {
				i += 8;
				continue;
			}
		}
		n = fl_utf8_seq_len((const char *)s + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t fl_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t fl_utf8_next(const char *p, size_t len, uint32_t *cp)
{
	static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
	const unsigned char *s = (const unsigned char *)p;
	size_t n = fl_utf8_seq_len(p, len);
	uint32_t c;

	if (n == 0) {
		*cp = FL_UTF8_REPLACEMENT;
		return 1;
	}
	c = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3Fu);
	*cp = c;
	return n;
}

struct range {
	uint32_t first, last;
};

/* Zero columns: combining marks (they sit on the character before them),
 * zero-width spaces and joiners, variation selectors. Checked before the
 * wide table: U+302A..U+302D and U+3099..U+309A lie inside wide blocks. */
static const struct range zero_width[] = {
	{0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF},
	{0x05C1, 0x05C2},   {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},
	{0x064B, 0x065F},   {0x0670, 0x0670},   {0x06D6, 0x06DC},   {0x06DF, 0x06E4},
	{0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},
	{0x0E47, 0x0E4E},   {0x1160, 0x11FF},   {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},
	{0x200B, 0x200F},   {0x20D0, 0x20FF},   {0x302A, 0x302D},   {0x3099, 0x309A},
	{0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},   {0xE0100, 0xE01EF},
};

/* Two columns: East Asian Width W and F (Hangul Jamo, CJK punctuation,
 * kana, ideographs, Hangul syllables, compatibility and fullwidth forms, the
 * supplementary ideograph planes) and the emoji shown as pictures by
 * default (Unicode 15 emoji presentation). Sorted for the binary search. */
static const struct range wide[] = {
	{0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
	{0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
	{0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
	{0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
	{0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
	{0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
	{0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
	{0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
	{0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
	{0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
	{0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
	{0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
	{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
	{0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
	{0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF},
	{0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool in_table(uint32_t cp, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	if (cp < t[0].first || cp > t[n - 1].last)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < t[mid].first)
			hi = mid;
		else if (cp > t[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int fl_utf8_cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_table(cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	return in_table(cp, wide, sizeof(wide) / sizeof(wide[0])) ? 2 : 1;
}

size_t fl_utf8_width(const char *s, size_t len)
{
	size_t cols = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += fl_utf8_next(s + i, len - i, &cp);
		cols += (size_t)fl_utf8_cp_width(cp);
	}
	return cols;
}

/* Code points of s[0..len) into cps (room for FL_UTF8_SUGGEST_MAX_BYTES:
 * never more code points than bytes); returns how many. */
static size_t decode_all(const char *s, size_t len, uint32_t *cps)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++)
		i += fl_utf8_next(s + i, len - i, &cps[n]);
	return n;
}

size_t fl_utf8_distance(const char *a, size_t a_len, const char *b, size_t b_len, size_t max)
{
	uint32_t ca[FL_UTF8_SUGGEST_MAX_BYTES], cb[FL_UTF8_SUGGEST_MAX_BYTES];
	size_t row[FL_UTF8_SUGGEST_MAX_BYTES + 1], na, nb;

	if (a_len > FL_UTF8_SUGGEST_MAX_BYTES || b_len > FL_UTF8_SUGGEST_MAX_BYTES)
		return SIZE_MAX;
	na = decode_all(a, a_len, ca);
	nb = decode_all(b, b_len, cb);
	if ((na > nb ? na - nb : nb - na) > max)
		return SIZE_MAX;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	/* one row, rewritten in place: diag holds the cell up and to the left */
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], v = diag + (ca[i - 1] != cb[j - 1]);

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > max) /* every later row is at least this far */
			return SIZE_MAX;
	}
	return row[nb] <= max ? row[nb] : SIZE_MAX;
}

const char *fl_utf8_suggest(const char *name, const char *const *cands, size_t n)
{
	uint32_t cps[FL_UTF8_SUGGEST_MAX_BYTES];
	size_t len = strlen(name), best_d = SIZE_MAX, name_cps;
	const char *best = NULL;

	if (len > FL_UTF8_SUGGEST_MAX_BYTES)
		return NULL;
	name_cps = decode_all(name, len, cps);
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!cands[i])
			continue;
		/* the same name in another case (SMS for sms) is the likeliest */
		if (strcasecmp(name, cands[i]) == 0 && strcmp(name, cands[i]) != 0)
			return cands[i];
		d = fl_utf8_distance(name, len, cands[i], strlen(cands[i]), 2);
		if (d == 0 || d == SIZE_MAX || d >= name_cps)
			continue;
		if (d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
