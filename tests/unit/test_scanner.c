#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "grammar/arena.h"
#include "grammar/ast.h"
#include "grammar/diag.h"
#include "parser.h"
#include "scanner.h"

struct tok {
	int token;
	const char *text; /* item text (NULL: punctuation) */
	const char *flags; /* regex flags */
	size_t len;
	long long num;
	int line, col, last_col;
};

/* Scans text whole; returns the number of tokens written to out. */
static size_t scan(const char *text, struct tok *out, size_t max, struct fl_diags **dp)
{
	struct fl_parse p = {0};
	const struct fl_src *src;
	yyscan_t sc;
	YY_BUFFER_STATE buf;
	size_t n = 0;

	cr_assert_eq(fl_diags_create(dp), 0);
	cr_assert_eq(fl_arena_create(&p.ast), 0);
	p.diags = *dp;
	src = fl_diag_source(*dp, "t.plan", text, strlen(text));
	p.src = src;
	cr_assert_eq(yylex_init_extra(&p, &sc), 0);
	buf = yy_scan_bytes(text, (int)strlen(text), sc);
	for (;;) {
		YYSTYPE v = {0};
		YYLTYPE l = {0};
		struct fl_place pl;
		int t = yylex(&v, &l, sc);

		if (t == YYEOF || n == max)
			break;
		out[n].token = t;
		out[n].text = (t != YYerror && v.item) ? strdup(v.item->text) : NULL;
		out[n].flags = (t == REGEX && v.item) ? strdup(v.item->flags) : NULL;
		out[n].len = (t != YYerror && v.item) ? v.item->len : 0;
		out[n].num = (t == NUMBER || t == DURATION) && v.item ? v.item->num : 0;
		fl_loc_place(&l, &pl);
		out[n].line = pl.first_line;
		out[n].col = pl.first_column;
		out[n].last_col = pl.last_column;
		n++;
	}
	yy_delete_buffer(buf, sc);
	yylex_destroy(sc);
	fl_arena_destroy(p.ast);
	return n;
}

static void free_toks(struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)t[i].text);
		free((char *)t[i].flags);
	}
}

Test(scanner, reads_words_strings_numbers_and_durations)
{
	struct tok t[16];
	struct fl_diags *d;
	size_t n = scan("rule HC-YZ-R01.x \"a\\\"b\" 42 -3 30s 2h 250ms;", t, 16, &d);

	cr_assert_eq(n, 9);
	cr_expect_eq(t[0].token, WORD);
	cr_expect_str_eq(t[1].text, "HC-YZ-R01.x");
	cr_expect_eq(t[2].token, STRING);
	cr_expect_str_eq(t[2].text, "a\"b");
	cr_expect_eq(t[3].num, 42);
	cr_expect_eq(t[4].num, -3);
	cr_expect_eq(t[5].token, DURATION);
	cr_expect_eq(t[5].num, 30000);
	cr_expect_eq(t[6].num, 7200000);
	cr_expect_eq(t[7].num, 250);
	cr_expect_eq(t[8].token, ';');
	cr_expect_eq(fl_diag_errors(d), 0);
	free_toks(t, n);
	fl_diags_destroy(d);
}

/* Units as people write them: 30min is thirty minutes, not 30m and a
 * word "in" the parser then refuses. */
Test(scanner, reads_durations_with_units_written_out)
{
	static const struct {
		const char *text;
		long long ms;
	} cases[] = {
	    {"30min", 1800000},	      {"5mins", 300000},	{"1minute", 60000},
	    {"2minutes", 120000},     {"45sec", 45000},		{"1secs", 1000},
	    {"10seconds", 10000},     {"1second", 1000},	{"2hr", 7200000},
	    {"2hrs", 7200000},	      {"1hour", 3600000},	{"3hours", 10800000},
	    {"1day", 86400000},	      {"2days", 172800000},	{"1h30min", 5400000},
	    {"1hour30minutes", 5400000}, {"250ms", 250},	{"1m5ms", 60005},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tok t[4];
		struct fl_diags *d;
		size_t n = scan(cases[i].text, t, 4, &d);

		cr_expect_eq(n, 1, "%s: one token", cases[i].text);
		cr_expect_eq(t[0].token, DURATION, "%s", cases[i].text);
		cr_expect_eq(t[0].num, cases[i].ms, "%s: %lld ms", cases[i].text, t[0].num);
		cr_expect_eq(fl_diag_errors(d), 0);
		free_toks(t, n);
		fl_diags_destroy(d);
	}
}

/* A number, a blank and a unit is one duration, kept as written; a number
 * before a word that is no unit, or on the next line, stays a number, and
 * two durations stay two. */
Test(scanner, reads_durations_written_with_blanks)
{
	static const struct {
		const char *text;
		long long ms;
	} cases[] = {
	    {"10 minutes;", 600000}, {"2 h;", 7200000}, {"45\tsec;", 45000},
	    {"30 s]", 30000},	     {"5 days ", 432000000}, {"1 hour,", 3600000},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tok t[4];
		struct fl_diags *d;
		size_t n = scan(cases[i].text, t, 4, &d);

		cr_expect_eq(n, cases[i].text[strlen(cases[i].text) - 1] == ' ' ? 1 : 2, "%s",
			     cases[i].text);
		cr_expect_eq(t[0].token, DURATION, "%s", cases[i].text);
		cr_expect_eq(t[0].num, cases[i].ms, "%s: %lld ms", cases[i].text, t[0].num);
		cr_expect(t[0].text && strncmp(t[0].text, cases[i].text, strlen(t[0].text)) == 0 &&
				  strlen(t[0].text) >= strlen(cases[i].text) - 1,
			  "%s: kept as written, not %s", cases[i].text, t[0].text);
		cr_expect_eq(fl_diag_errors(d), 0);
		free_toks(t, n);
		fl_diags_destroy(d);
	}
	static const char *const numbers[] = {"5 in 10m;", "5 within 10m;", "10\nminutes;",
					      "3 mice;", "2 hours_left;"};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		struct tok t[4];
		struct fl_diags *d;
		size_t n = scan(numbers[i], t, 4, &d);

		cr_expect_geq(n, 2, "%s", numbers[i]);
		cr_expect_eq(t[0].token, NUMBER, "%s: a number, then a word", numbers[i]);
		free_toks(t, n);
		fl_diags_destroy(d);
	}
	struct tok t[4];
	struct fl_diags *d;
	size_t n = scan("30s 2 h;", t, 4, &d);

	cr_assert_eq(n, 3);
	cr_expect(t[0].token == DURATION && t[0].num == 30000 && t[1].token == DURATION &&
		  t[1].num == 7200000);
	free_toks(t, n);
	fl_diags_destroy(d);
}

/* Strings and regexes are unescaped into their item: the text, its length
 * and a regex's flags, right up to the bytes their tokens hold. */
Test(scanner, unescapes_strings_and_regexes_into_their_items)
{
	struct tok t[8];
	struct fl_diags *d;
	size_t n = scan("\"\" \"a\\n\\t\\r\\\\\\d\" /x\\/y/ /\\//imsx \"\\\"\"", t, 8, &d);

	cr_assert_eq(n, 5);
	cr_expect_eq(t[0].token, STRING);
	cr_expect_str_eq(t[0].text, "");
	cr_expect_eq(t[0].len, 0);
	cr_expect_str_eq(t[1].text, "a\n\t\r\\\\d");
	cr_expect_eq(t[1].len, 7);
	cr_expect_eq(t[2].token, REGEX);
	cr_expect_str_eq(t[2].text, "x/y");
	cr_expect_eq(t[2].len, 3);
	cr_expect_str_eq(t[2].flags, "");
	cr_expect_str_eq(t[3].text, "/");
	cr_expect_eq(t[3].len, 1);
	cr_expect_str_eq(t[3].flags, "imsx");
	cr_expect_str_eq(t[4].text, "\"");
	cr_expect_eq(t[4].len, 1);
	cr_expect_eq(fl_diag_errors(d), 0);
	free_toks(t, n);
	fl_diags_destroy(d);
}

/* What operators bring from other languages: awk's =~, C's &&, strings
 * in single quotes. C's || is refused with what to write instead. */
Test(scanner, reads_match_and_and_and_single_quotes_as_other_languages_write_them)
{
	struct tok t[8];
	struct fl_diags *d;
	size_t n = scan("msg =~ /LOS/ && host == 'Tian\\'e'", t, 8, &d);

	cr_assert_eq(n, 7);
	cr_expect_eq(t[1].token, OP);
	cr_expect_str_eq(t[1].text, "~");
	cr_expect_eq(t[3].token, WORD);
	cr_expect_str_eq(t[3].text, "and");
	cr_expect_eq(t[3].col, 14, "the caret stays on the &&");
	cr_expect_eq(t[6].token, STRING);
	cr_expect_str_eq(t[6].text, "Tian'e");
	cr_expect_eq(fl_diag_errors(d), 0);
	free_toks(t, n);
	fl_diags_destroy(d);
	n = scan("a || b", t, 8, &d);
	cr_expect_eq(fl_diag_errors(d), 1, "|| is refused");
	free_toks(t, n);
	fl_diags_destroy(d);
}

Test(scanner, tells_regexes_from_addresses_and_oids)
{
	struct tok t[8];
	struct fl_diags *d;
	size_t n = scan("~ /a\\/b(?<x>\\d+)/i 10.0.0.0/8 1.3.6.1.4.1 ::1 fe80::1/64", t, 8, &d);

	cr_assert_eq(n, 6);
	cr_expect_eq(t[0].token, OP);
	cr_expect_eq(t[1].token, REGEX);
	cr_expect_str_eq(t[1].text, "a/b(?<x>\\d+)");
	cr_expect_eq(t[2].token, DOTTED);
	cr_expect_str_eq(t[2].text, "10.0.0.0/8");
	cr_expect_eq(t[3].token, DOTTED);
	cr_expect_eq(t[4].token, DOTTED);
	cr_expect_eq(t[5].token, DOTTED);
	cr_expect_str_eq(t[5].text, "fe80::1/64");
	free_toks(t, n);
	fl_diags_destroy(d);
}

Test(scanner, counts_columns_in_code_points_across_lines)
{
	struct tok t[8];
	struct fl_diags *d;
	size_t n = scan("# 注释\nlabel \"紧急\" x;\n  y", t, 8, &d);

	cr_assert_eq(n, 5);
	cr_expect_eq(t[0].line, 2);
	cr_expect_eq(t[1].col, 7);
	cr_expect_eq(t[1].last_col, 10, "\"紧急\" is four code points wide");
	cr_expect_eq(t[2].col, 12);
	cr_expect_eq(t[4].line, 3);
	cr_expect_eq(t[4].col, 3);
	free_toks(t, n);
	fl_diags_destroy(d);
}

Test(scanner, reports_unterminated_strings_and_stray_bytes)
{
	struct tok t[8];
	struct fl_diags *d;
	size_t n = scan("\"abc\n@ 光", t, 8, &d);

	cr_assert_eq(n, 3);
	cr_expect_eq(t[0].token, YYerror);
	cr_expect_eq(t[1].token, YYerror);
	cr_expect_eq(t[2].token, YYerror);
	cr_expect_eq(fl_diag_errors(d), 3);
	free_toks(t, n);
	fl_diags_destroy(d);
}

Test(scanner, refuses_a_number_that_overflows)
{
	struct tok t[4];
	struct fl_diags *d;
	size_t n = scan("99999999999999999999 9999999999999999d", t, 4, &d);

	cr_assert_eq(n, 2);
	cr_expect_eq(t[0].token, YYerror);
	cr_expect_eq(t[1].token, YYerror);
	cr_expect_eq(fl_diag_errors(d), 2);
	free_toks(t, n);
	fl_diags_destroy(d);
}

/* The place of a token counted byte by byte from the position before it:
 * the reference fl_loc_place() must agree with. */
struct ref_pos {
	int line, column;
	size_t line_off;
};

static void place_ref(struct ref_pos *p, const char *text, size_t off, size_t len,
		      struct fl_place *out)
{
	out->first_line = out->last_line = p->line;
	out->first_column = out->last_column = p->column;
	out->line_off = p->line_off;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[off + i];

		if (c == '\n') {
			p->line++;
			p->column = 1;
			p->line_off = off + i + 1;
		} else if ((c & 0xc0) != 0x80) {
			out->last_line = p->line;
			out->last_column = p->column++;
		}
	}
}

#define PLACE_TOKENS 20000

/* Random tokens of 0 to 40 bytes, mostly ASCII, some with newlines, UTF-8
 * sequences and bytes 0x80-0xff, one after another in one source: each
 * token's place, asked in order and then out of order (the lookup's cursor
 * going back), equals the byte-by-byte count. */
Test(scanner, loc_place_matches_bytewise_count)
{
	static const char *const odd[] = {"\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
					  "\x80", "\xff", "\n\n"};
	static struct fl_loc locs[PLACE_TOKENS];
	static struct fl_place want[PLACE_TOKENS];
	struct ref_pos ref = {1, 1, 0};
	uint32_t seed = 20261205;
	size_t cap = PLACE_TOKENS * 41, len = 0;
	char *text = malloc(cap);
	struct fl_diags *d;
	const struct fl_src *src;

	cr_assert_not_null(text);
	cr_assert_eq(fl_diags_create(&d), 0);
	for (int k = 0; k < PLACE_TOKENS; k++) {
		size_t start = len, want_len;

		seed = seed * 1103515245u + 12345u;
		want_len = (seed >> 16) % 41;
		while (len - start < want_len) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 16 == 0) {
				const char *o = odd[(seed >> 20) % (sizeof(odd) / sizeof(odd[0]))];

				if (len - start + strlen(o) > want_len)
					break;
				memcpy(text + len, o, strlen(o));
				len += strlen(o);
			} else {
				text[len++] = (char)(' ' + (seed >> 20) % 95);
			}
		}
		locs[k] = (struct fl_loc){NULL, (uint32_t)start, (uint32_t)len};
		place_ref(&ref, text, start, len - start, &want[k]);
	}
	src = fl_diag_source(d, "t.plan", text, len);
	cr_assert_not_null(src);
	for (int round = 0; round < 2; round++)
		for (int j = 0; j < PLACE_TOKENS; j++) {
			/* in order, then by a stride prime to the count */
			int k = round == 0 ? j : (int)(((long)j * 7919) % PLACE_TOKENS);
			struct fl_place got;

			locs[k].src = src;
			fl_loc_place(&locs[k], &got);
			cr_assert(got.first_line == want[k].first_line &&
				  got.first_column == want[k].first_column &&
				  got.last_line == want[k].last_line &&
				  got.last_column == want[k].last_column &&
				  got.line_off == want[k].line_off,
				  "token %d (bytes %u-%u): %d:%d-%d:%d, expected %d:%d-%d:%d", k,
				  locs[k].off, locs[k].end, got.first_line, got.first_column,
				  got.last_line, got.last_column, want[k].first_line,
				  want[k].first_column, want[k].last_line, want[k].last_column);
		}
	fl_diags_destroy(d);
	free(text);
}
