#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/lib/csv.h"
#include "engine/lib/limits.h"

/* Each row of the table is an input and the whole reading of it, rendered as
 * `[f1|f2]` per row and `!VERDICT@line:col` per error (a FIELD_COUNT error is
 * followed by the row it kept). */
struct csv_case {
	const char *name;
	const char *input;
	size_t len; /* 0: strlen(input) */
	const char *expect;
};

static const struct csv_case cases[] = {
    {"plain CRLF table", "a,b\r\n1,2\r\n", 0, "[a|b][1|2]"},
    {"LF line ends", "a,b\n1,2\n", 0, "[a|b][1|2]"},
    {"lone CR line ends", "a,b\r1,2\r", 0, "[a|b][1|2]"},
    {"last row without line end", "a,b\r\n1,2", 0, "[a|b][1|2]"},
    {"empty fields", "a,b,c\r\n,,\r\n1,,3\r\n", 0, "[a|b|c][||][1||3]"},
    {"trailing comma is an empty last field", "a,b\r\n1,\r\n", 0, "[a|b][1|]"},
    {"quoted field with comma", "a,b\r\n\"x,y\",2\r\n", 0, "[a|b][x,y|2]"},
    {"doubled quote is one quote", "a\r\n\"say \"\"hi\"\"\"\r\n", 0, "[a][say \"hi\"]"},
    {"quoted CRLF kept inside a field", "a,b\r\n\"l1\r\nl2\",z\r\n", 0, "[a|b][l1\r\nl2|z]"},
    {"empty quoted field", "a,b\r\n\"\",x\r\n", 0, "[a|b][|x]"},
    {"blanks around a quoted field are not its own", "a,b,c\r\n1, \"x, y\" ,\t\"z\"\r\n", 0,
     "[a|b|c][1|x, y|z]"},
    {"blanks in an unquoted field are the reader's to keep", "a,b\r\n1, x \r\n", 0,
     "[a|b][1| x ]"},
    {"text after a quote and a blank", "a,b\r\n1, \"x\" y\r\n", 0,
     "[a|b]!BAD_AFTER_QUOTE@2:8"},
    {"apostrophe needs no quoting", "county\r\nTian'e\r\n", 0, "[county][Tian'e]"},
    {"utf-8 kept", "name\r\n\xe6\xb2\xb3\xe6\xb1\xa0\r\n", 0, "[name][\xe6\xb2\xb3\xe6\xb1\xa0]"},
    {"blank lines skipped", "a\r\n\r\n\r\nx\r\n\n", 0, "[a][x]"},
    {"bom skipped",
     "\xef\xbb\xbf"
     "a,b\r\n1,2\r\n",
     0, "[a|b][1|2]"},
    {"empty input", "", 0, ""},
    {"unterminated quote at its opening quote", "a,b\r\n1,\"open\r\nmore\r\n", 0,
     "[a|b]!UNTERMINATED_QUOTE@2:3"},
    {"stray quote in an unquoted field", "a,b\r\n1,x\"y\r\n3,4\r\n", 0,
     "[a|b]!STRAY_QUOTE@2:4[3|4]"},
    {"text after a closing quote", "a,b\r\n\"x\"y,2\r\n3,4\r\n", 0,
     "[a|b]!BAD_AFTER_QUOTE@2:4[3|4]"},
    {"too few fields reported at the row end", "a,b,c\r\n1,2\r\n", 0,
     "[a|b|c]!FIELD_COUNT@2:4[1|2]"},
    {"too many fields reported at the first extra", "a,b\r\n1,2,3\r\n", 0,
     "[a|b]!FIELD_COUNT@2:5[1|2|3]"},
    {"columns count code points", "a,b,c\r\n\xe6\xb2\xb3,\xe6\xb1\xa0,x\"\r\n", 0,
     "[a|b|c]!STRAY_QUOTE@2:6"},
    {"line numbers count quoted line ends", "a,b\r\n\"1\n2\n3\",x\r\n1,2,3\r\n", 0,
     "[a|b][1\n2\n3|x]!FIELD_COUNT@5:5[1|2|3]"},
    {"nul bytes are data", "a\r\nx\0y\r\n", 8, "[a][x\\0y]"},
};

static void render(struct fl_buf *b, const char *in, size_t len)
{
	struct fl_csv c;
	struct fl_csv_row row;
	enum fl_csv_verdict v;

	cr_assert_eq(fl_csv_init(&c, in, len), 0);
	for (int guard = 0; guard < 100; guard++) {
		v = fl_csv_next(&c, &row);
		if (v == FL_CSV_END)
			break;
		if (v != FL_CSV_OK)
			fl_buf_printf(b, "!%s@%zu:%zu", fl_csv_verdict_name(v), c.err_line,
			              c.err_col);
		if (v != FL_CSV_OK && v != FL_CSV_FIELD_COUNT)
			continue;
		fl_buf_addc(b, '[');
		for (size_t i = 0; i < row.nfields; i++) {
			if (i)
				fl_buf_addc(b, '|');
			for (size_t k = 0; k < row.fields[i].s.len; k++) {
				if (row.fields[i].s.p[k] == '\0')
					fl_buf_adds(b, "\\0");
				else
					fl_buf_addc(b, row.fields[i].s.p[k]);
			}
		}
		fl_buf_addc(b, ']');
	}
	fl_csv_free(&c);
}

Test(csv, reads_every_table_row_as_expected)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct csv_case *t = &cases[i];
		struct fl_buf b;

		fl_buf_init(&b, 1 << 16);
		fl_buf_adds(&b, "");
		render(&b, t->input, t->len ? t->len : strlen(t->input));
		cr_expect_str_eq(b.p ? b.p : "", t->expect, "row '%s'", t->name);
		fl_buf_free(&b);
	}
}

Test(csv, reports_field_positions_and_quoting)
{
	static const char in[] = "id,name\r\nX-1,\"a,b\"\r\n";
	struct fl_csv c;
	struct fl_csv_row row;

	cr_assert_eq(fl_csv_init(&c, in, sizeof(in) - 1), 0);
	cr_assert_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_assert_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(row.line, 2);
	cr_expect_eq(row.fields[1].line, 2);
	cr_expect_eq(row.fields[1].col, 5);
	cr_expect(row.fields[1].was_quoted);
	cr_expect(!row.fields[0].was_quoted);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_END);
	cr_expect_eq(c.stats.rows, 2);
	cr_expect(!c.had_bom);
	fl_csv_free(&c);
}

Test(csv, notes_a_bom_without_counting_it_as_a_column)
{
	static const char in[] = "\xef\xbb\xbfid,x\"\r\n";
	struct fl_csv c;
	struct fl_csv_row row;

	cr_assert_eq(fl_csv_init(&c, in, sizeof(in) - 1), 0);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_STRAY_QUOTE);
	cr_expect_eq(c.err_col, 5);
	cr_expect(c.had_bom);
	fl_csv_free(&c);
}

static char *repeat(const char *head, char ch, size_t n, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(h + n + t + 1);

	cr_assert(s);
	memcpy(s, head, h);
	memset(s + h, ch, n);
	memcpy(s + h + n, tail, t + 1);
	return s;
}

Test(csv, rejects_a_field_longer_than_the_cap_and_counts_it)
{
	char *in = repeat("a,b\r\nx,", 'y', FL_CSV_MAX_FIELD_BYTES + 1, "\r\n1,2\r\n");
	struct fl_csv c;
	struct fl_csv_row row;

	cr_assert_eq(fl_csv_init(&c, in, strlen(in)), 0);
	cr_assert_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_FIELD_TOO_LONG);
	cr_expect_eq(c.err_line, 2);
	cr_expect_eq(c.err_col, 3);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_OK, "reading resumes on the next line");
	cr_expect_eq(c.stats.verdicts[FL_CSV_FIELD_TOO_LONG], 1);
	fl_csv_free(&c);
	free(in);
}

Test(csv, rejects_an_escaped_quoted_field_longer_than_the_cap)
{
	/* "" escapes force the copy path; the copy stops at the cap. */
	char *body = repeat("a\r\n\"\"\"", 'q', FL_CSV_MAX_FIELD_BYTES + 10, "\"\r\nok\r\n");
	struct fl_csv c;
	struct fl_csv_row row;

	cr_assert_eq(fl_csv_init(&c, body, strlen(body)), 0);
	cr_assert_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_FIELD_TOO_LONG);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(row.fields[0].s.len, 2);
	fl_csv_free(&c);
	free(body);
}

Test(csv, rejects_a_row_with_more_fields_than_the_cap)
{
	char *in = repeat("a\r\n", ',', FL_CSV_MAX_FIELDS, "\r\nz\r\n");
	struct fl_csv c;
	struct fl_csv_row row;

	cr_assert_eq(fl_csv_init(&c, in, strlen(in)), 0);
	cr_assert_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_TOO_MANY_FIELDS);
	cr_expect_eq(c.err_line, 2);
	cr_expect_eq(c.err_col, FL_CSV_MAX_FIELDS + 1); /* field 65 starts at column 65 */
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_OK);
	cr_expect_eq(c.stats.verdicts[FL_CSV_TOO_MANY_FIELDS], 1);
	fl_csv_free(&c);
	free(in);
}

Test(csv, names_every_verdict)
{
	for (int v = 0; v < FL_CSV__COUNT; v++) {
		cr_expect_str_neq(fl_csv_verdict_text((enum fl_csv_verdict)v), "?");
		cr_expect_str_neq(fl_csv_verdict_name((enum fl_csv_verdict)v), "?");
	}
	cr_expect_str_eq(fl_csv_verdict_name(FL_CSV__COUNT), "?");
}

Test(csv, stops_at_the_row_cap_and_counts_it)
{
	size_t rows = (size_t)FL_CSV_MAX_ROWS + 1, len = rows * 2;
	char *in = malloc(len);
	struct fl_csv c;
	struct fl_csv_row row;
	enum fl_csv_verdict v;
	size_t ok = 0;

	cr_assert(in);
	for (size_t i = 0; i < rows; i++) {
		in[2 * i] = 'x';
		in[2 * i + 1] = '\n';
	}
	cr_assert_eq(fl_csv_init(&c, in, len), 0);
	while ((v = fl_csv_next(&c, &row)) == FL_CSV_OK)
		ok++;
	cr_expect_eq(ok, FL_CSV_MAX_ROWS);
	cr_expect_eq(v, FL_CSV_TOO_MANY_ROWS);
	cr_expect_eq(c.err_line, rows);
	cr_expect_eq(fl_csv_next(&c, &row), FL_CSV_END);
	cr_expect_eq(c.stats.verdicts[FL_CSV_TOO_MANY_ROWS], 1);
	fl_csv_free(&c);
	free(in);
}
