#include "engine/lib/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/digits.h"
#include "engine/lib/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void fl_json_init(struct fl_json *j, struct fl_buf *out)
{
	j->out = out;
	j->depth = 0;
	j->failed = false;
	j->after_key = false;
	j->has_items[0] = false;
}

void fl_json_put_slow(struct fl_json *j, const char *p, size_t n)
{
	if (j->failed)
		return;
	if (fl_buf_add(j->out, p, n) < 0)
		j->failed = true;
}

/* Writes the comma that separates this value from the previous one. */
static void value_prefix(struct fl_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items[j->depth])
		fl_json_put(j, ",", 1);
	j->has_items[j->depth] = true;
}

static void open_scope(struct fl_json *j, char c)
{
	value_prefix(j);
	if (j->depth + 1 >= FL_JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	fl_json_put(j, &c, 1);
	j->has_items[++j->depth] = false;
}

static void close_scope(struct fl_json *j, char c)
{
	if (j->depth == 0) {
		j->failed = true;
		return;
	}
	j->depth--;
	fl_json_put(j, &c, 1);
}

void fl_json_obj_begin(struct fl_json *j)
{
	open_scope(j, '{');
}

void fl_json_obj_end(struct fl_json *j)
{
	close_scope(j, '}');
}

void fl_json_arr_begin(struct fl_json *j)
{
	open_scope(j, '[');
}

void fl_json_arr_end(struct fl_json *j)
{
	close_scope(j, ']');
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Are all 8 bytes of v printable ASCII other than '"' and '\\', the bytes
 * a JSON string takes as they are? Bit tricks for "some byte is less than
 * n" and "some byte is zero", exact for the question "any?": a borrow only
 * marks bytes above one already marked. The "less than 0x20" test drops its
 * usual "& ~v": it errs only on bytes with the high bit set, which v itself
 * marks as not plain anyway. */
static inline bool plain8(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), bs = v ^ (ONES * '\\');
	uint64_t bad = v | (v - ONES * 0x20) | ((q - ONES) & ~q) | ((bs - ONES) & ~bs);

	return (bad & HIGHS) == 0;
}

#if defined(__SSE2__)
/* plain8() for 16 bytes, with SSE2 (every x86-64 has it): a byte below 0x20
 * as a signed byte is a control or has its high bit set. */
static inline bool plain16(__m128i x)
{
	__m128i ctl = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
	__m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
	__m128i slash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));

	return _mm_movemask_epi8(_mm_or_si128(ctl, _mm_or_si128(quote, slash))) == 0;
}
#endif

/* Length of the run at the start of s[0..len) that a JSON string takes as
 * it is. */
static size_t plain_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint64_t v;

	while (len - i >= 8 && (memcpy(&v, s + i, 8), plain8(v)))
		i += 8;
	while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/* Copies s[0..len) to w if JSON takes it as it is, checking and copying a
 * word at a time (16 bytes with SSE2, else 8), the last word overlapping
 * the one before. A string under 8 bytes is checked as one word made of its
 * bytes (two overlapping halves, or first, middle and last padded with
 * spaces). No plain string is walked a byte at a time, and each is read
 * once. Returns false at the first word that is not plain; w[0..len) is
 * then undefined. */
static inline bool copy_plain(char *w, const unsigned char *s, size_t len)
{
	uint64_t v;

#if defined(__SSE2__)
	if (len >= 16) {
		__m128i x;

		for (size_t i = 0; len - i > 16; i += 16) {
			x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			if (!plain16(x))
				return false;
			_mm_storeu_si128((__m128i *)(void *)(w + i), x);
		}
		x = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));
		if (!plain16(x))
			return false;
		_mm_storeu_si128((__m128i *)(void *)(w + len - 16), x);
		return true;
	}
#endif
	if (len >= 8) {
		for (size_t i = 0; len - i > 8; i += 8) {
			memcpy(&v, s + i, 8);
			if (!plain8(v))
				return false;
			memcpy(w + i, &v, 8);
		}
		memcpy(&v, s + len - 8, 8);
		if (!plain8(v))
			return false;
		memcpy(w + len - 8, &v, 8);
		return true;
	}
	if (len >= 4) {
		uint32_t lo, hi;

		memcpy(&lo, s, 4);
		memcpy(&hi, s + len - 4, 4);
		if (!plain8(lo | (uint64_t)hi << 32))
			return false;
		memcpy(w, &lo, 4);
		memcpy(w + len - 4, &hi, 4);
		return true;
	}
	if (len == 0)
		return true;
	v = (ONES * ' ') << 24 | (uint64_t)s[0] << 16 | (uint64_t)s[len / 2] << 8 | s[len - 1];
	if (!plain8(v))
		return false;
	w[0] = (char)s[0];
	w[len / 2] = (char)s[len / 2];
	w[len - 1] = (char)s[len - 1];
	return true;
}

static void put_string_escaped(struct fl_json *j, const unsigned char *s, size_t len,
			       const char *tail, size_t tail_len);

/* Writes the string, quoted and escaped, and then tail (tail_len bytes, as
 * they are). Almost every string is plain and fits the buffer: it is checked
 * and copied there in one pass, and only a string that is not goes through
 * put_string_escaped(). The bytes past b->len are free to scribble on until
 * b->len moves: the NUL at b->len stays until the string is complete. */
static void put_string_then(struct fl_json *j, const char *p, size_t len, const char *tail,
			    size_t tail_len)
{
	const unsigned char *s = (const unsigned char *)p;
	struct fl_buf *b = j->out;
	size_t need = len + 2 + tail_len;

	if (!j->failed && b->alloc > b->len + need && b->len + need <= b->max) {
		char *w = b->p + b->len;

		if (copy_plain(w + 1, s, len)) {
			w[len + 1] = '"';
			memcpy(w + len + 2, tail, tail_len);
			w[0] = '"';
			b->len += need;
			b->p[b->len] = '\0';
			return;
		}
	}
	put_string_escaped(j, s, len, tail, tail_len);
}

/* The slow path of put_string_then(): a string that needs escaping or
 * replacement characters, or that meets the buffer's end. Plain runs are
 * still copied whole; each other byte is written by itself. Kept out of
 * line so the fast path stays small. */
__attribute__((noinline)) static void put_string_escaped(struct fl_json *j,
							 const unsigned char *s, size_t len,
							 const char *tail, size_t tail_len)
{
	size_t i, run;

	i = run = plain_prefix(s, len);
	fl_json_put(j, "\"", 1);
	while (i < len) {
		uint64_t v;

		if (len - i >= 8 && (memcpy(&v, s + i, 8), plain8(v))) {
			i += 8;
			run += 8;
			continue;
		}
		unsigned char c = s[i];
		const char *esc = NULL;
		char ubuf[8];
		size_t n;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		fl_json_put(j, (const char *)s + i - run, run);
		run = 0;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			fl_json_put(j, esc, 2);
			i++;
			continue;
		}
		if (c < 0x20) {
			snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
			fl_json_put(j, ubuf, 6);
			i++;
			continue;
		}
		n = fl_utf8_seq_len((const char *)s + i, len - i);
		if (n == 0) {
			fl_json_put(j, "\xef\xbf\xbd", 3); /* U+FFFD for each bad byte */
			i++;
			continue;
		}
		fl_json_put(j, (const char *)s + i, n);
		i += n;
	}
	fl_json_put(j, (const char *)s + i - run, run);
	fl_json_put(j, "\"", 1);
	fl_json_put(j, tail, tail_len);
}

void fl_json_key_n(struct fl_json *j, const char *key, size_t len)
{
	value_prefix(j);
	put_string_then(j, key, len, ":", 1);
	j->after_key = true;
}

void fl_json_str(struct fl_json *j, const char *p, size_t len)
{
	value_prefix(j);
	put_string_then(j, p, len, "", 0);
}

void fl_json_cstr(struct fl_json *j, const char *s)
{
	if (!s) {
		fl_json_null(j);
		return;
	}
	fl_json_str(j, s, strlen(s));
}

void fl_json_fstr(struct fl_json *j, struct fl_str s)
{
	if (!s.p) {
		fl_json_null(j);
		return;
	}
	fl_json_str(j, s.p, s.len);
}

/* Decimal digits of v, ending at end, two per division; returns where
 * they start. */
static char *u64_digits(char *end, uint64_t v)
{
	while (v >= 100) {
		end -= 2;
		fl_digits2(end, (unsigned)(v % 100));
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		fl_digits2(end, (unsigned)v);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

void fl_json_int(struct fl_json *j, int64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p;

	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	p = u64_digits(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	value_prefix(j);
	fl_json_put(j, p, (size_t)(end - p));
}

void fl_json_uint(struct fl_json *j, uint64_t v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p = u64_digits(end, v);

	value_prefix(j);
	fl_json_put(j, p, (size_t)(end - p));
}

void fl_json_bool(struct fl_json *j, bool v)
{
	value_prefix(j);
	fl_json_put(j, v ? "true" : "false", v ? 4 : 5);
}

void fl_json_null(struct fl_json *j)
{
	value_prefix(j);
	fl_json_put(j, "null", 4);
}

void fl_json_hex(struct fl_json *j, const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = p;

	fl_json_obj_begin(j);
	fl_json_key(j, "hex");
	value_prefix(j);
	fl_json_put(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		char two[2] = {digits[s[i] >> 4], digits[s[i] & 15]};

		fl_json_put(j, two, 2);
	}
	fl_json_put(j, "\"", 1);
	fl_json_obj_end(j);
}

bool fl_json_failed(const struct fl_json *j)
{
	return j->failed || j->depth != 0;
}
