/* inventory_check.c - the inventory loader's messages and field checks:
 * ids, enums with "did you mean", numbers in range, ports, addresses and
 * lists (inventory_int.h). Each check reports a bad field and returns false. */
#include "engine/inventory/inventory.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory_int.h"
#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"

/* ---- messages ------------------------------------------------------------- */

const char *const inv_table_names[INV_T__N] = {
    "sites.csv", "rings.csv",    "devices.csv",  "chains.csv",
    "spans.csv", "circuits.csv", "contacts.csv", "maintenance.csv",
};

void inv_report(struct inv_loader *L, size_t line, size_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	L->nerrors++;
	if (L->nerrors > FL_INVENTORY_MAX_ERRORS || !L->on_error)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->on_error(L->ctx, L->file, line, col, msg);
}

const char *inv_table_path(const struct inv_loader *L, enum inv_table t)
{
	return L->paths[t] ? L->paths[t] : inv_table_names[t];
}

/* ---- field checks (each reports and returns false on a bad field) -------- */

/* Column of byte `off` of a cell's value: its start, the opening quote, and
 * the code points before it. */
static size_t col_of(const struct inv_cell *c, size_t off)
{
	size_t col = c->col + (c->quoted ? 1 : 0);

	for (size_t i = 0; i < off && i < c->s.len; i++)
		if (((unsigned char)c->s.p[i] & 0xC0) != 0x80)
			col++;
	return col;
}

bool inv_need(struct inv_loader *L, const struct inv_cell *c, const char *what)
{
	if (c->s.len)
		return true;
	inv_report(L, c->line, c->col, "empty %s; every row needs one", what);
	return false;
}

bool inv_check_id(struct inv_loader *L, const struct inv_cell *c, const char *what)
{
	if (!inv_need(L, c, what))
		return false;
	for (size_t i = 0; i < c->s.len; i++) {
		unsigned char ch = (unsigned char)c->s.p[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')
			continue;
		inv_report(
		    L, c->line, col_of(c, i),
		    "%s '%.*s' holds a character other than A-Z, a-z, 0-9, '-', '_' or '.'; ids "
		    "are ASCII",
		    what, (int)c->s.len, c->s.p);
		return false;
	}
	return true;
}

/* "did you mean": a known name one or two edits from s (one for names of up
 * to four characters, so 'A-X' does not suggest every short id); the closest
 * wins, ties go to the smaller name so the message is stable. */
static bool closer(struct fl_str s, struct fl_str cand, size_t *best_d, struct fl_str *best)
{
	size_t max = s.len <= 4 ? 1 : 2;
	size_t d = fl_utf8_distance(s.p, s.len, cand.p, cand.len, max);
	int cmp;

	if (d == SIZE_MAX || d == 0 || d > *best_d)
		return false;
	if (d == *best_d) {
		cmp = memcmp(cand.p, best->p, cand.len < best->len ? cand.len : best->len);
		if (cmp > 0 || (cmp == 0 && cand.len >= best->len))
			return false;
	}
	*best_d = d;
	*best = cand;
	return true;
}

struct fl_str inv_suggest_key(const struct inv_index *ix, struct fl_str s)
{
	struct fl_str best = FL_STR_NONE;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].value && ix->slots[i].len2 == 0)
			closer(s, fl_str_make(ix->slots[i].k1, ix->slots[i].len1), &best_d, &best);
	return best;
}

static struct fl_str suggest_name(const char *const *names, size_t n, struct fl_str s)
{
	struct fl_str best = FL_STR_NONE;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		closer(s, fl_str_make(names[i], strlen(names[i])), &best_d, &best);
	return best;
}

bool inv_parse_open_enum(struct inv_loader *L, const struct inv_cell *c, const char *what,
                         const char *const *names, size_t n, int *out)
{
	bool is_text = c->s.len > 0 && c->s.len <= FL_INVENTORY_MAX_NAME_BYTES;

	for (size_t i = 0; i < n; i++) {
		if (inv_eq_folded(c->s, names[i])) { /* the name, in any case */
			*out = (int)i;
			return true;
		}
	}
	for (size_t i = 0; is_text && i < c->s.len; i++)
		if ((unsigned char)c->s.p[i] < 0x20 || c->s.p[i] == 0x7f)
			is_text = false;
	if (is_text && !suggest_name(names, n, c->s).p) {
		*out = -1; /* a name of its own (another vendor, another kind of gear) */
		return true;
	}
	return inv_parse_enum(L, c, what, names, n, out);
}

bool inv_parse_enum(struct inv_loader *L, const struct inv_cell *c, const char *what,
                    const char *const *names, size_t n, int *out)
{
	char list[256];
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (inv_eq_folded(c->s, names[i])) { /* `City`, `SNCP` as spreadsheets write them */
			*out = (int)i;
			return true;
		}
	}
	list[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	struct fl_str hint = suggest_name(names, n, c->s);

	if (hint.p)
		inv_report(L, c->line, c->col,
		           "unknown %s '%.*s'; did you mean '%.*s'? (expected one of: %s)", what,
		           (int)c->s.len, c->s.p, (int)hint.len, hint.p, list);
	else
		inv_report(L, c->line, c->col, "unknown %s '%.*s'; expected one of: %s", what,
		           (int)c->s.len, c->s.p, list);
	return false;
}

bool inv_parse_uint(struct inv_loader *L, const struct inv_cell *c, const char *what, size_t min,
                    size_t max, size_t *out)
{
	size_t v = 0;

	if (c->s.len == 0 || c->s.len > 9)
		goto bad;
	for (size_t i = 0; i < c->s.len; i++) {
		if (c->s.p[i] < '0' || c->s.p[i] > '9')
			goto bad;
		v = v * 10 + (size_t)(c->s.p[i] - '0');
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	inv_report(L, c->line, c->col, "%s '%.*s' is not a whole number in %zu..%zu", what,
	           (int)c->s.len, c->s.p, min, max);
	return false;
}

/* Decimal: -?digits[.digits], then the range. */
bool inv_parse_decimal(struct inv_loader *L, const struct inv_cell *c, const char *what, double min,
                       double max, double *out)
{
	char buf[32];
	size_t i = 0, digits = 0;
	double v;

	if (c->s.len == 0 || c->s.len >= sizeof(buf))
		goto bad;
	if (c->s.p[0] == '-')
		i++;
	for (; i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9'; i++)
		digits++;
	if (i < c->s.len && c->s.p[i] == '.') {
		size_t frac = 0;

		for (i++; i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9'; i++)
			frac++;
		if (frac == 0)
			goto bad;
	}
	if (digits == 0 || i != c->s.len)
		goto bad;
	memcpy(buf, c->s.p, c->s.len);
	buf[c->s.len] = '\0';
	v = strtod(buf, NULL);
	if (v < min || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	inv_report(L, c->line, c->col, "%s '%.*s' is not a decimal number in %g..%g (write 12.5)",
	           what, (int)c->s.len, c->s.p, min, max);
	return false;
}

/* yes or no, as spreadsheets write it: yes/no, y/n, true/false, 1/0 in any
 * case, 是/否. */
bool inv_parse_yesno(struct inv_loader *L, const struct inv_cell *c, const char *what, bool *out)
{
	static const char *const words[] = {"no", "yes", "n", "y", "false", "true",
					    "0", "1", "否", "是"};
	static const char *const yn[] = {"no", "yes"};
	int v = 0;

	for (size_t i = 0; i < FL_ARRAY_LEN(words); i++) {
		if (inv_eq_folded(c->s, words[i])) {
			*out = i % 2 == 1;
			return true;
		}
	}
	if (!inv_parse_enum(L, c, what, yn, 2, &v))
		return false;
	*out = v == 1;
	return true;
}

/* Bytes of the character at p[0..len) that cannot be part of a port name:
 * a C0 or C1 control, DEL, a space of any kind (ASCII, no-break U+00A0,
 * ideographic U+3000, the U+2000..U+200B run, line separators, BOM). The
 * CSV reader already refused malformed UTF-8. 0 when the character is fine. */
static size_t port_bad_char(const unsigned char *p, size_t len)
{
	unsigned cp;

	if (p[0] <= 0x20 || p[0] == 0x7F)
		return 1;
	if (p[0] < 0x80)
		return 0;
	if (len >= 2 && p[0] == 0xC2 && (p[1] <= 0x9F || p[1] == 0xA0))
		return 2; /* C1 controls U+0080..U+009F, no-break space */
	if (len >= 3 && (p[0] & 0xF0) == 0xE0) {
		cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		if (cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
		    cp == 0x2029 || cp == 0xFEFF)
			return 3;
	}
	return 0;
}

/* A port as the device names it: "1-8-1", "1-1-8-1", "GigabitEthernet0/0/1",
 * "xgei-1/2/4", "ge-0/0/1.0", "Te1/1/1", "gpon-olt_1/2/3". Any text is taken
 * but what cannot be a port name: empty, longer than
 * FL_INVENTORY_MAX_PORT_BYTES, or holding whitespace or a control character
 * (the column points at it). Ports are compared exactly as written. */
bool inv_check_port(struct inv_loader *L, const struct inv_cell *c, const char *what)
{
	const unsigned char *p = (const unsigned char *)c->s.p;

	if (c->s.len == 0) {
		inv_report(L, c->line, c->col,
		           "empty %s; write the port as the device names it, e.g. 1-8-1 or "
		           "GigabitEthernet0/0/1",
		           what);
		return false;
	}
	if (c->s.len > FL_INVENTORY_MAX_PORT_BYTES) {
		inv_report(L, c->line, c->col, "%s is %zu bytes long; a port name has at most %d",
		           what, c->s.len, FL_INVENTORY_MAX_PORT_BYTES);
		return false;
	}
	for (size_t i = 0; i < c->s.len; i++) {
		size_t bad;

		if ((p[i] & 0xC0) == 0x80)
			continue; /* inside a character already looked at */
		bad = port_bad_char(p + i, c->s.len - i);
		if (bad == 0)
			continue;
		if (p[i] == ' ' || (bad > 1 && !(p[i] == 0xC2 && p[i + 1] <= 0x9F)))
			inv_report(L, c->line, col_of(c, i),
			           "%s '%.*s' holds a space; a port name is written without "
			           "spaces, as the device writes it (e.g. GigabitEthernet0/0/1)",
			           what, (int)c->s.len, c->s.p);
		else
			inv_report(L, c->line, col_of(c, i),
			           "%s holds a control character (byte 0x%02X); a port name "
			           "is printable text, as the device writes it",
			           what, p[i] == 0xC2 ? p[i + 1] : p[i]);
		return false;
	}
	return true;
}

/* Dotted IPv4 as devices.csv has always written it: four numbers 0-255,
 * no leading zeros (10.01.0.1 is octal to some tools, decimal to others). */
static bool is_ipv4(struct fl_str s)
{
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		size_t start = i, v = 0;

		while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && i - start < 3)
			v = v * 10 + (size_t)(s.p[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s.p[start] == '0'))
			return false;
		if (octet < 3 && (i >= s.len || s.p[i++] != '.'))
			return false;
	}
	return i == s.len;
}

bool inv_check_ip(struct inv_loader *L, const struct inv_cell *c, unsigned char key[16])
{
	bool is_v6 = c->s.len > 0 && memchr(c->s.p, ':', c->s.len) != NULL;

	if ((is_v6 || is_ipv4(c->s)) && inv_ip_key(c->s, key))
		return true;
	inv_report(L, c->line, c->col,
	           "mgmt_ip '%.*s' is not an address like 10.1.0.11 (IPv4) or fd00:1::11 (IPv6, "
	           "with no zone or prefix)",
	           (int)c->s.len, c->s.p);
	return false;
}

/* Splits a `;`-separated list into item cells, each without the spaces and
 * tabs around it (`a; b`). Returns the count, or SIZE_MAX after reporting
 * an empty item or more than FL_INVENTORY_MAX_LIST items. */
size_t inv_split_list(struct inv_loader *L, const struct inv_cell *c, const char *what,
                      struct inv_cell *items)
{
	size_t n = 0, start = 0;

	if (c->s.len == 0)
		return 0;
	for (size_t i = 0; i <= c->s.len; i++) {
		size_t skipped;
		struct fl_str item;

		if (i < c->s.len && c->s.p[i] != ';')
			continue;
		item = inv_trim_blanks(fl_str_make(c->s.p + start, i - start), &skipped);
		start += skipped;
		if (item.len == 0) {
			inv_report(
			    L, c->line, col_of(c, i),
			    "empty item in the %s list; separate items with one ';' and no ';' "
			    "at the end",
			    what);
			return SIZE_MAX;
		}
		if (n == FL_INVENTORY_MAX_LIST) {
			inv_report(L, c->line, col_of(c, start), "%s list has more than %d items",
			           what, FL_INVENTORY_MAX_LIST);
			return SIZE_MAX;
		}
		items[n++] = (struct inv_cell){item, c->line, col_of(c, start), false};
		start = i + 1;
	}
	return n;
}
