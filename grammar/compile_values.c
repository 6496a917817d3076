/* compile_values.c - the values a condition compares with that are not
 * plain text: OIDs (dotted, named, quoted, with their MIB module), the
 * peer's addresses and networks, a varbind's named values. */
#include "grammar/compile_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/mib.h"

/* "1.3.6.1.4.1.32473" -> BER content octets, the form events carry. */
bool oid_encode(const char *text, uint8_t *out, size_t *len)
{
	unsigned long arcs[128];
	size_t n = 0, o = 0;
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9' || n == FL_ARRAY_LEN(arcs))
			return false;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return false;
		arcs[n++] = v;
		p = end;
		if (*p == '.')
			p++;
		else if (*p)
			return false;
	}
	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return false;
	arcs[1] += arcs[0] * 40;
	for (size_t i = 1; i < n; i++) {
		uint8_t tmp[5];
		size_t k = 0;
		unsigned long v = arcs[i];

		do {
			tmp[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v);
		if (o + k > 512)
			return false;
		while (k--)
			out[o++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
	}
	*len = o;
	return true;
}

/* An OID written dotted (1.3.6.1.6.3.1.1.5.3) or by a name of the bundled MIB
 * table with an optional instance (linkDown, ifDescr.3), as BER content
 * octets into out[0..512). false after reporting what is wrong with it. */
bool oid_item(struct fl_compile *c, const struct fl_ast_item *v, uint8_t *out, size_t *len)
{
	ssize_t n;
	const char *hint;
	char name[64];
	size_t name_len;

	const char *text = v->text, *module_end = strstr(text, "::");

	/* quoted as in a script: "linkDown", "1.3.6.1.6.3.1.1.5.3" */
	if (v->kind == FL_ITEM_DOTTED ||
	    (v->kind == FL_ITEM_STRING && text[0] >= '0' && text[0] <= '9')) {
		if (oid_encode(text, out, len))
			return true;
		fl_diag_error(c->d, &v->loc,
			      "'%s' is not an OID (numbers joined by dots, 1.3.6.1...)", text);
		return false;
	}
	if (v->kind != FL_ITEM_WORD && v->kind != FL_ITEM_STRING) {
		fl_diag_error(c->d, &v->loc, "expected an OID (1.3.6.1... or a name such as "
			      "linkDown), got %s", item_kind_name(v));
		return false;
	}
	/* net-snmp writes a name with its module (IF-MIB::linkDown): the name
	 * alone names the same OID */
	if (module_end)
		text = module_end + 2;
	n = fl_mib_resolve(text, out, 512, NULL);
	if (n > 0) {
		*len = (size_t)n;
		return true;
	}
	if (n != -ENOENT) {
		fl_diag_error(c->d, &v->loc, "'%s': an instance is numbers joined by dots "
			      "(ifDescr.3)", v->text);
		return false;
	}
	name_len = strcspn(text, ".");
	if (name_len >= sizeof(name))
		name_len = sizeof(name) - 1;
	memcpy(name, text, name_len);
	name[name_len] = '\0';
	hint = fl_mib_suggest(name);
	if (hint)
		fl_diag_error(c->d, &v->loc, "unknown MIB name '%s'; did you mean '%s'?", name,
			      hint);
	else
		fl_diag_error(c->d, &v->loc, "unknown MIB name '%s': write its OID (1.3.6.1...)",
			      name);
	return false;
}

bool parse_cidr(const char *text, struct fl_prog_cond *cond)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t al = slash ? (size_t)(slash - text) : strlen(text);
	long prefix;
	char *end;

	if (al >= sizeof(buf))
		return false;
	memcpy(buf, text, al);
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, cond->addr.bytes) == 1)
		cond->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, cond->addr.bytes) == 1)
		cond->addr.family = AF_INET6;
	else
		return false;
	prefix = cond->addr.family == AF_INET ? 32 : 128;
	if (slash) {
		long max = prefix;

		errno = 0;
		prefix = strtol(slash + 1, &end, 10);
		if (errno || *end || slash[1] == '\0' || prefix < 0 || prefix > max)
			return false;
	}
	cond->addr.prefix = (uint8_t)prefix;
	return true;
}

/* A named value of the varbind the condition reads (`down` of
 * ifOperStatus) as its number: 1 and *out; 0 when v is no name (a number
 * or the varbind has no named values); -1 after reporting a name the
 * varbind does not have. */
int varbind_enum(struct fl_compile *c, const struct fl_ast_item *v, int64_t *out)
{
	const char *labels = fl_mib_enum_labels(c->scope.varbind_obj);

	if (!labels || (v->kind != FL_ITEM_WORD && v->kind != FL_ITEM_STRING))
		return 0;
	if ((*out = fl_mib_enum_value(c->scope.varbind_obj, v->text)) >= 0)
		return 1;
	fl_diag_error(c->d, &v->loc, "'%s' is not a value of %s: %s", v->text,
		      c->scope.varbind_obj->name, labels);
	return -1;
}

/* Network or address v (10.12.0.0/16, 2001:db8::/32, "10.1.2.3") as a set
 * value of an address set (FL_PROG_NET_*). false after reporting. */
static bool push_network(struct fl_compile *c, const struct fl_ast_item *v)
{
	struct fl_prog_cond net = {0};
	char bytes[FL_PROG_NET_BYTES];
	struct fl_str *slot;

	if ((v->kind != FL_ITEM_DOTTED && v->kind != FL_ITEM_STRING) || !parse_cidr(v->text, &net)) {
		fl_diag_error(c->d, &v->loc, "'%s' is not an IPv4/IPv6 address or CIDR", v->text);
		return false;
	}
	memset(bytes, 0, sizeof(bytes));
	bytes[FL_PROG_NET_FAMILY] = net.addr.family == AF_INET ? 4 : 6;
	bytes[FL_PROG_NET_PREFIX] = (char)net.addr.prefix;
	memcpy(bytes + FL_PROG_NET_ADDR, net.addr.bytes, 16);
	if (!(slot = PUSH(c, set_values)))
		return false;
	*slot = arena_str(c, bytes, sizeof(bytes));
	return slot->p != NULL;
}

/* The peer `in` or `not in` networks and addresses: a set, or one. */
bool compile_addr_set(struct fl_compile *c, const struct fl_ast_item *v,
			     struct fl_prog_cond *cond)
{
	size_t first = c->prog->n_set_values;

	for (const struct fl_ast_item *e = next_value(v, NULL); e; e = next_value(v, e))
		if (!push_network(c, e))
			return false;
	if (c->prog->n_set_values == first) {
		fl_diag_error(c->d, &v->loc, "empty set: it can never match");
		return false;
	}
	cond->is_addr_set = true;
	cond->first_value = (uint32_t)first;
	cond->n_values = (uint32_t)(c->prog->n_set_values - first);
	return true;
}

