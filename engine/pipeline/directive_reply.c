/* directive_reply.c - a branch acknowledges a directive by answering its SMS.
 *
 * The gateway hands over the sender's number and the text; the number says
 * who (the contact table), the text says what (an acknowledgement word and
 * perhaps the order's id). Nothing is guessed: an unknown number, a text
 * that is no acknowledgement or a choice between two open orders is refused
 * with a reply that says what to send instead. */
#include "engine/pipeline/directive.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/digits.h"
#include "engine/lib/utf8.h"

#define PHONE_DIGITS_MAX 24
#define SENDER_BRANCHES_MAX 16
#define OPEN_IDS_MAX 64
#define NOTE_TEXT_MAX 200

/* The digits of a number, the country's prefix (+86, 0086) left out: the
 * table writes 138-0000-6121, a gateway sends 8613800006121. false when it
 * holds no digit or too many. */
static bool phone_digits(const char *in, char out[PHONE_DIGITS_MAX + 1])
{
	size_t n = 0;

	for (; in && *in; in++) {
		if (!isdigit((unsigned char)*in))
			continue;
		if (n == PHONE_DIGITS_MAX)
			return false;
		out[n++] = *in;
	}
	out[n] = '\0';
	if (n > 4 && strncmp(out, "0086", 4) == 0)
		memmove(out, out + 4, n - 3);
	else if (n == 13 && strncmp(out, "86", 2) == 0)
		memmove(out, out + 2, n - 1);
	return n > 0;
}

struct sender {
	const char *name;
	const char *branches[SENDER_BRANCHES_MAX];
	size_t n;
};

static void sender_find(const struct fl_inventory *inv, const char *from, struct sender *who)
{
	char want[PHONE_DIGITS_MAX + 1], have[PHONE_DIGITS_MAX + 1];
	const struct fl_inv_contact *c;

	memset(who, 0, sizeof(*who));
	if (!inv || !phone_digits(from, want))
		return;
	for (size_t i = 0; (c = fl_inventory_contact_at(inv, i)); i++) {
		bool seen = false;

		if (!phone_digits(c->mobile, have) || strcmp(have, want) != 0)
			continue;
		if (!who->name)
			who->name = c->name;
		for (size_t k = 0; k < who->n; k++)
			seen |= strcmp(who->branches[k], c->branch) == 0;
		if (!seen && who->n < SENDER_BRANCHES_MAX)
			who->branches[who->n++] = c->branch;
	}
}

static bool sender_has(const struct sender *who, const char *branch)
{
	for (size_t k = 0; k < who->n; k++)
		if (strcmp(who->branches[k], branch) == 0)
			return true;
	return false;
}

/* ---- the text ------------------------------------------------------------ */

static const char *const ack_ascii[] = {"ACK", "OK", "YES", "Y", "1"};
static const char *const ack_words[] = {"已收到", "收到", "确认", "收悉"};

/* Blanks and the punctuation people put after a word, ASCII or full width. */
static const char *skip_separators(const char *p)
{
	static const char *const wide[] = {"\xe3\x80\x80", "\xef\xbc\x8c", "\xef\xbc\x9a",
					   "\xe3\x80\x82", "\xef\xbc\x81"}; /* 　，：。！ */

	for (;;) {
		bool more = false;

		if (*p == ' ' || *p == '\t' || *p == ',' || *p == ':' || *p == '.' || *p == '!' ||
		    *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
			if (strncmp(p, wide[i], strlen(wide[i])) == 0) {
				p += strlen(wide[i]);
				more = true;
			}
		if (!more)
			return p;
	}
}

/* The acknowledgement word at p: returns what follows it, or NULL. */
static const char *ack_word(const char *p)
{
	for (size_t i = 0; i < sizeof(ack_words) / sizeof(ack_words[0]); i++)
		if (strncmp(p, ack_words[i], strlen(ack_words[i])) == 0)
			return p + strlen(ack_words[i]);
	for (size_t i = 0; i < sizeof(ack_ascii) / sizeof(ack_ascii[0]); i++) {
		size_t n = strlen(ack_ascii[i]);

		if (strncasecmp(p, ack_ascii[i], n) == 0 && !isalnum((unsigned char)p[n]) &&
		    p[n] != '-')
			return p + n;
	}
	return NULL;
}

/* A directive id at p (DIR-..., any case) into id: returns what follows it,
 * or p when there is none. */
static const char *directive_id(const char *p, char id[FL_STORE_ID_MAX + 1])
{
	size_t n = 0;

	if (strncasecmp(p, "DIR-", 4) != 0)
		return p;
	while ((isalnum((unsigned char)p[n]) || p[n] == '-') && n < FL_STORE_ID_MAX) {
		id[n] = (char)toupper((unsigned char)p[n]);
		n++;
	}
	id[n] = '\0';
	return p + n;
}

struct reply_text {
	char id[FL_STORE_ID_MAX + 1]; /* "" when not named */
	char note[NOTE_TEXT_MAX + 1];
};

/* "收到", "ACK DIR-20261205-1 部署完毕", "DIR-20261205-1 ok". */
static bool reply_parse(const char *text, struct reply_text *t)
{
	const char *p = skip_separators(text ? text : ""), *rest;
	size_t n;

	memset(t, 0, sizeof(*t));
	p = skip_separators(directive_id(p, t->id));
	if (!(rest = ack_word(p)))
		return false;
	p = skip_separators(rest);
	if (!t->id[0])
		p = skip_separators(directive_id(p, t->id));
	n = strlen(p);
	if (n > NOTE_TEXT_MAX) /* cut on a character's first byte */
		for (n = NOTE_TEXT_MAX; n && ((unsigned char)p[n] & 0xC0) == 0x80; n--)
			;
	memcpy(t->note, p, n);
	t->note[n] = '\0';
	return true;
}

/* ---- what is open for the sender ------------------------------------------ */

struct open_ids {
	char ids[OPEN_IDS_MAX][FL_STORE_ID_MAX + 1];
	size_t n;
};

static int collect_open(void *ctx, const struct fl_directive_view *d)
{
	struct open_ids *o = ctx;

	if (o->n < OPEN_IDS_MAX)
		snprintf(o->ids[o->n++], FL_STORE_ID_MAX + 1, "%s", d->id);
	return 0;
}

struct pending {
	const struct sender *who;
	const char *branches[SENDER_BRANCHES_MAX]; /* the sender's, not acknowledged */
	char names[SENDER_BRANCHES_MAX][64];
	size_t n, acked; /* acked: the sender's branches acknowledged before */
};

static int collect_branch(void *ctx, const struct fl_directive_branch_view *b)
{
	struct pending *p = ctx;

	if (!sender_has(p->who, b->branch))
		return 0;
	if (b->acked_ns) {
		p->acked++;
		return 0;
	}
	if (p->n < SENDER_BRANCHES_MAX) {
		snprintf(p->names[p->n], sizeof(p->names[p->n]), "%s", b->branch);
		p->branches[p->n] = p->names[p->n];
		p->n++;
	}
	return 0;
}

__attribute__((format(printf, 3, 4))) static int say(struct fl_directive_reply *out, int rc,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reply, sizeof(out->reply), fmt, ap);
	va_end(ap);
	return rc;
}

/* The one open directive with something for the sender, into id and p. */
static int choose(struct fl_store *s, const struct sender *who, char id[FL_STORE_ID_MAX + 1],
		  struct pending *p, struct fl_directive_reply *out)
{
	struct open_ids open = {0};
	char list[FL_DIRECTIVE_REPLY_MAX / 2] = "";
	size_t found = 0, acked = 0;
	int rc = fl_store_directives_each(s, true, collect_open, &open);

	if (rc < 0)
		return say(out, rc, "faultline: the store failed; acknowledge by the duty room");
	for (size_t i = 0; i < open.n; i++) {
		struct pending here = {.who = who};

		if ((rc = fl_store_directive_branches_each(s, open.ids[i], collect_branch, &here)) < 0)
			return say(out, rc, "faultline: the store failed; acknowledge by the duty room");
		acked += here.acked;
		if (!here.n)
			continue;
		if (!found++) {
			*p = here;
			for (size_t k = 0; k < p->n; k++)
				p->branches[k] = p->names[k];
			snprintf(id, FL_STORE_ID_MAX + 1, "%s", open.ids[i]);
		}
		if (strlen(list) + strlen(open.ids[i]) + 3 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ", " : "", open.ids[i]);
	}
	if (!found && acked)
		return say(out, -EEXIST, "faultline: %s acknowledged every open order already",
			   who->branches[0]);
	if (!found)
		return say(out, -ESRCH, "faultline: no order waits for %s's acknowledgement",
			   who->branches[0]);
	if (found > 1)
		return say(out, -EAGAIN,
			   "faultline: %zu orders are open (%s); reply ACK and the order's id",
			   found, list);
	return 0;
}

int fl_directive_reply(struct fl_store *s, const struct fl_program *prog, const char *from,
		       const char *text, int64_t now_ns, struct fl_directive_reply *out)
{
	struct sender who;
	struct reply_text t;
	struct pending p = {0};
	char note[NOTE_TEXT_MAX + 96];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s || !prog)
		return say(out, -EINVAL, "faultline: not configured");
	sender_find(prog->inventory, from, &who);
	if (!who.n)
		return say(out, -ENOENT, "faultline: %s is no branch's contact; acknowledge by the "
					 "duty room", from ? from : "this number");
	if (!reply_parse(text, &t))
		return say(out, -EINVAL, "faultline: to acknowledge an order reply ACK (or 收到), "
					 "and its DIR- id when several are open");
	p.who = &who;
	if (t.id[0]) {
		snprintf(out->id, sizeof(out->id), "%s", t.id);
		if ((rc = fl_store_directive_branches_each(s, t.id, collect_branch, &p)) < 0)
			return say(out, rc, "faultline: the store failed; acknowledge by the duty room");
		if (!p.n && p.acked)
			return say(out, -EEXIST, "faultline: %s was acknowledged for %s already", t.id,
				   who.branches[0]);
		if (!p.n)
			return say(out, -ESRCH, "faultline: %s is no open order of %s", t.id,
				   who.branches[0]);
	} else if ((rc = choose(s, &who, out->id, &p, out)) < 0) {
		return rc;
	}
	snprintf(out->by, sizeof(out->by), "%s", who.name);
	snprintf(note, sizeof(note), "SMS reply from %s%s%s", from, t.note[0] ? ": " : "", t.note);
	for (size_t k = 0; k < p.n; k++) {
		rc = fl_store_directive_ack(s, out->id, p.branches[k], who.name, note, now_ns);
		if (rc == -EEXIST)
			continue; /* acknowledged meanwhile, by the duty room or another reply */
		if (rc < 0)
			return say(out, rc, "faultline: the store failed; acknowledge by the duty room");
		out->branches++;
	}
	if (!out->branches)
		return say(out, -EEXIST, "faultline: %s was acknowledged for %s already", out->id,
			   who.branches[0]);
	return say(out, 0, "faultline: %s acknowledged for %s%s", out->id, p.branches[0],
		   p.n > 1 ? " and others" : "");
}

/* ---- the gateway's text ------------------------------------------------- */

/* %XX and '+' undone into raw; returns its length or -EINVAL. */
static long url_decode(const char *in, unsigned char *raw, size_t cap)
{
	size_t n = 0;

	for (; *in; in++) {
		int c = (unsigned char)*in;

		if (*in == '%') {
			int hi = fl_hex_value(in[1]), lo = hi < 0 ? -1 : fl_hex_value(in[2]);

			if (lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			in += 2;
		} else if (*in == '+') {
			c = ' ';
		}
		if (n == cap)
			break; /* longer than any SMS: the rest is not read */
		raw[n++] = (unsigned char)c;
	}
	return (long)n;
}

/* One code point as UTF-8, if it fits whole. */
static bool put_cp(uint32_t cp, char *out, size_t cap, size_t *n)
{
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp, k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
	}
	if (*n + k >= cap)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

long fl_directive_reply_text(const char *in, int coding, char *out, size_t cap)
{
	unsigned char raw[1600]; /* ten concatenated parts at most */
	long len = in ? url_decode(in, raw, sizeof(raw)) : -EINVAL;
	size_t n = 0;

	if (len < 0 || cap == 0 || coding < 0 || coding > 2)
		return -EINVAL;
	if (coding == 2 && len % 2)
		return -EINVAL;
	if (coding == 1 && !memchr(raw, 0, (size_t)len) &&
	    fl_utf8_valid((const char *)raw, (size_t)len)) {
		size_t k = (size_t)len < cap ? (size_t)len : cap - 1;

		while (k && k < (size_t)len && ((unsigned char)raw[k] & 0xC0) == 0x80)
			k--;
		memcpy(out, raw, k);
		out[k] = '\0';
		return (long)k;
	}
	for (long i = 0; i < len;) {
		uint32_t cp = raw[i++];

		if (coding == 2) {
			cp = cp << 8 | raw[i++];
			if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < len) {
				uint32_t lo = (uint32_t)raw[i] << 8 | raw[i + 1];

				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 2;
				}
			}
			if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD; /* a half pair */
		}
		if (cp == 0)
			continue; /* a NUL would end the text where the sender did not */
		if (!put_cp(cp, out, cap, &n))
			break;
	}
	out[n] = '\0';
	return (long)n;
}
