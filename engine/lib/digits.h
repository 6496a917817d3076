/* digits.h - decimal digits two at a time, for writers of numbers and times
 * on hot paths (the action stream): one table load per pair where a digit
 * at a time cost a division each; and the value of a hex digit, for every
 * reader of hex (regex escapes, percent-encoding, fingerprints, keys).
 * Owns nothing; any thread. */
#ifndef FL_DIGITS_H
#define FL_DIGITS_H
#include <string.h>

/* Writes v (0..99) as two digits at p[0..2), "07" for 7. */
static inline void fl_digits2(char *p, unsigned v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";

	memcpy(p, pairs + 2 * v, 2);
}

/* The value of hex digit c (either case), or -1 when it is none. */
static inline int fl_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
		return (c | 0x20) - 'a' + 10;
	return -1;
}

#endif /* FL_DIGITS_H */
