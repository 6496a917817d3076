/* ber.h - a bounded BER (X.690) reader for SNMP: a cursor over a byte slice.
 *
 * The cursor owns nothing: it points into a buffer the caller keeps alive, and
 * every slice it hands out (struct fl_ber_tlv) points into that buffer too. It
 * never allocates and never recurses, so any thread may use its own cursor.
 *
 * Nothing from the wire is trusted. Each length is checked against the bytes
 * left before it is used (comparisons only, no pointer arithmetic that could
 * wrap); nesting is bounded by FL_BER_MAX_DEPTH. A read that fails returns a
 * verdict saying why and leaves the cursor where it was. What is refused, and
 * the clause that forbids it:
 *   - indefinite lengths (0x80): RFC 3417 §8 allows the definite form only;
 *   - lengths of more than 4 octets and the reserved 0xff (X.690 §8.1.3.5);
 *     RFC 3417 §8 explicitly allows MORE length octets than necessary, so a
 *     non-minimal definite length such as 0x82 0x00 0x05 is accepted;
 *   - multi-octet tag numbers (low bits 11111): SNMP defines none;
 *   - INTEGERs that are empty or not minimal (X.690 §8.3.2), or too wide for
 *     the field they are read into;
 *   - OBJECT IDENTIFIERs that are empty, have an arc starting 0x80 (X.690
 *     §8.19.2), end inside an arc, have an arc beyond 64 bits, or more than
 *     FL_SNMP_MAX_OID_ARCS arcs.
 *
 * The verdicts are a prefix of the SNMP decoder's (snmp.h), value for value,
 * so a BER verdict converts to an SNMP one by a cast. */
#ifndef FL_BER_H
#define FL_BER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/limits.h"

#define FL_BER_VERDICTS(X)                                                                  \
	X(OK, "ok")                                                                         \
	X(TRUNCATED, "a tag, length or value runs past the end of its enclosing data")      \
	X(INDEFINITE_LENGTH, "indefinite length (RFC 3417 §8 allows definite only)")        \
	X(BAD_LENGTH, "length field of more than 4 octets, or the reserved 0xff")           \
	X(HIGH_TAG, "multi-octet tag number (SNMP defines none)")                           \
	X(TOO_DEEP, "nesting deeper than FL_BER_MAX_DEPTH")                                 \
	X(UNEXPECTED_TAG, "a tag where SNMP requires another")                              \
	X(BAD_INTEGER, "INTEGER empty or not in minimal form (X.690 §8.3.2)")               \
	X(INTEGER_RANGE, "INTEGER out of range for its field")                              \
	X(UNSIGNED_RANGE, "Counter, Gauge or TimeTicks negative or wider than its type")    \
	X(BAD_OID, "OBJECT IDENTIFIER empty, with a 0x80-led or unterminated arc, or an "   \
		   "arc beyond 64 bits")                                                    \
	X(OID_TOO_LONG, "OBJECT IDENTIFIER of more than FL_SNMP_MAX_OID_ARCS arcs")         \
	X(TRAILING, "bytes left after the end of a structure")

enum fl_ber_verdict {
#define X(name, text) FL_BER_##name,
	FL_BER_VERDICTS(X)
#undef X
	FL_BER__COUNT
};

/* Identifier octets SNMP uses (RFC 3416 §3, RFC 2578 §7.1, RFC 3417 §8). */
enum {
	FL_BER_INTEGER = 0x02,
	FL_BER_OCTET_STRING = 0x04,
	FL_BER_NULL = 0x05,
	FL_BER_OID = 0x06,
	FL_BER_SEQUENCE = 0x30,
	FL_BER_IPADDRESS = 0x40,
	FL_BER_COUNTER32 = 0x41,
	FL_BER_GAUGE32 = 0x42,
	FL_BER_TIMETICKS = 0x43,
	FL_BER_OPAQUE = 0x44,
	FL_BER_COUNTER64 = 0x46,
	FL_BER_NO_SUCH_OBJECT = 0x80,
	FL_BER_NO_SUCH_INSTANCE = 0x81,
	FL_BER_END_OF_MIB_VIEW = 0x82,
	FL_BER_CONSTRUCTED = 0x20,
};

/* A position in a slice. Callers hold it on the stack; read it only through
 * the functions below. depth counts the fl_ber_enter() calls above it. */
struct fl_ber {
	const uint8_t *p, *end;
	unsigned depth;
};

/* One element: its identifier octet and its content octets (inside the slice). */
struct fl_ber_tlv {
	uint8_t tag;
	const uint8_t *value;
	size_t len;
};

/* Operations. */
void fl_ber_init(struct fl_ber *c, const uint8_t *p, size_t len);

/* Reads the next element and steps over it. On failure *out is untouched and
 * the cursor stays put. TRUNCATED also covers a cursor already at its end. */
enum fl_ber_verdict fl_ber_next(struct fl_ber *c, struct fl_ber_tlv *out);

/* fl_ber_next(), then UNEXPECTED_TAG (cursor unmoved) unless the tag is `tag`. */
enum fl_ber_verdict fl_ber_expect(struct fl_ber *c, uint8_t tag, struct fl_ber_tlv *out);

/* Reads a constructed element of tag `tag` and sets *inner to a cursor over its
 * contents, one level deeper; TOO_DEEP beyond FL_BER_MAX_DEPTH. */
enum fl_ber_verdict fl_ber_enter(struct fl_ber *c, uint8_t tag, struct fl_ber *inner);

/* The same for an element already read from c with fl_ber_next() (when the tag
 * decides what comes next): UNEXPECTED_TAG unless it is constructed. */
enum fl_ber_verdict fl_ber_open(const struct fl_ber *c, const struct fl_ber_tlv *t,
				struct fl_ber *inner);

/* Decoding content octets (no tag check: callers check the tag first). int64:
 * at most 8 octets; int32: the value must fit. uint: Counter32, Gauge32,
 * TimeTicks (bits 32) or Counter64 (bits 64): non-negative, at most bits/8
 * octets after the one leading 0x00 that a high first bit requires. */
enum fl_ber_verdict fl_ber_int64(const struct fl_ber_tlv *t, int64_t *out);
enum fl_ber_verdict fl_ber_int32(const struct fl_ber_tlv *t, int32_t *out);
enum fl_ber_verdict fl_ber_uint(const struct fl_ber_tlv *t, unsigned bits, uint64_t *out);

/* Is p[0..len) a valid OBJECT IDENTIFIER content (see the top of this file)?
 * OK, BAD_OID or OID_TOO_LONG. */
enum fl_ber_verdict fl_ber_oid_check(const uint8_t *p, size_t len);

/* Queries. */
static inline bool fl_ber_at_end(const struct fl_ber *c)
{
	return c->p == c->end;
}

static inline size_t fl_ber_left(const struct fl_ber *c)
{
	return (size_t)(c->end - c->p);
}

const char *fl_ber_verdict_text(enum fl_ber_verdict v);

#endif /* FL_BER_H */
