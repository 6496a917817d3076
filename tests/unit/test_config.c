/* engine/cli/config: the config file reader, each mistake at file:line:col,
 * and the command line overriding the file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cli/config.h"
#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"

struct parsed {
	struct fl_diags *d;
	struct fl_config *c;
	struct fl_buf out;
	const char *shown; /* what was rendered, "" for nothing */
	int rc;
};

static void parse(struct parsed *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	cr_assert_eq(fl_diags_create(&p->d), 0);
	p->rc = fl_config_parse(&p->c, "t.conf", text, strlen(text), p->d);
	fl_buf_init(&p->out, 1 << 20);
	cr_assert_eq(fl_diag_render(p->d, &p->out), 0);
	p->shown = p->out.p ? p->out.p : "";
}

static void done(struct parsed *p)
{
	fl_config_destroy(p->c);
	fl_diags_destroy(p->d);
	fl_buf_free(&p->out);
}

/* text must be refused with exactly the diagnostic want (every line). */
static void expect_error(const char *text, const char *want)
{
	struct parsed p;

	parse(&p, text);
	cr_expect_eq(p.rc, -EINVAL, "accepted: %s", text);
	cr_expect_str_eq(p.shown, want);
	done(&p);
}

Test(config, reads_sections_keys_quotes_comments_and_routes)
{
	struct parsed p;
	const struct fl_config_entry *e;
	struct fl_place pl;

	parse(&p, "# faultline\n"
		  "[inputs]\n"
		  "  udp = 0.0.0.0:514   # syslog\n"
		  "allow = udp=10.0.0.0/8\n"
		  "allow = 192.168.0.0/16\n"
		  "\n"
		  "; also a comment\n"
		  "[plan]\n"
		  "file = \"/etc/faultline/my plan#1.plan\"\n"
		  "data=/srv/net#not-a-comment\n"
		  "[route sms]\n"
		  "plugin = sms\n"
		  "header = \"a \\\"quoted\\\" \\\\ value\"\n");
	cr_assert_eq(p.rc, 0, "%s", p.shown);
	cr_assert_eq(fl_config_count(p.c), 7);
	e = fl_config_entry(p.c, 0);
	cr_expect_str_eq(e->section, "inputs");
	cr_expect_null(e->arg);
	cr_expect_str_eq(e->key, "udp");
	cr_expect_str_eq(e->value, "0.0.0.0:514");
	fl_loc_place(&e->value_loc, &pl);
	cr_expect_eq(pl.first_line, 3);
	cr_expect_eq(pl.first_column, 9);
	cr_expect_eq(pl.last_column, 19);
	cr_expect_str_eq(fl_config_entry(p.c, 2)->value, "192.168.0.0/16");
	cr_expect_str_eq(fl_config_entry(p.c, 3)->value, "/etc/faultline/my plan#1.plan");
	cr_expect_str_eq(fl_config_entry(p.c, 4)->value, "/srv/net#not-a-comment");
	e = fl_config_entry(p.c, 5);
	cr_expect_str_eq(e->section, "route");
	cr_expect_str_eq(e->arg, "sms");
	cr_expect_str_eq(e->key, "plugin");
	cr_expect_str_eq(fl_config_entry(p.c, 6)->value, "a \"quoted\" \\ value");
	cr_expect_not(fl_config_entry(p.c, 6)->is_secret);
	cr_expect_str_eq(p.shown, "");
	done(&p);
}

Test(config, reads_a_secret_from_a_file_or_the_environment)
{
	char path[] = "/tmp/fl-config-secret.XXXXXX";
	int fd = mkstemp(path);
	char text[512];
	struct parsed p;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "s3cret pass\n", 12), 12);
	close(fd);
	setenv("FL_TEST_CONFIG_TOKEN", "t0ken", 1);
	snprintf(text, sizeof(text),
		 "[route sms]\nplugin = sms\npassword_file = %s\n"
		 "[route hook]\nplugin = webhook\ntoken_env = FL_TEST_CONFIG_TOKEN\n",
		 path);
	parse(&p, text);
	unlink(path);
	cr_assert_eq(p.rc, 0, "%s", p.shown);
	cr_assert_eq(fl_config_count(p.c), 4);
	cr_expect_str_eq(fl_config_entry(p.c, 1)->key, "password");
	cr_expect_str_eq(fl_config_entry(p.c, 1)->value, "s3cret pass");
	cr_expect(fl_config_entry(p.c, 1)->is_secret);
	cr_expect_str_eq(fl_config_entry(p.c, 3)->key, "token");
	cr_expect_str_eq(fl_config_entry(p.c, 3)->value, "t0ken");
	cr_expect(fl_config_entry(p.c, 3)->is_secret);
	done(&p);
}

Test(config, unknown_key_at_its_place_with_a_suggestion)
{
	expect_error("[inputs]\nupd = 0.0.0.0:514\n",
		     "t.conf:2:1: error: unknown key 'upd' in [inputs]; did you mean 'udp'?\n"
		     "    2 | upd = 0.0.0.0:514\n"
		     "      | ^~~\n");
}

Test(config, unknown_section_with_a_suggestion)
{
	expect_error("[inptus]\nudp = 1\n",
		     "t.conf:1:2: error: unknown section 'inptus'; did you mean 'inputs'?\n"
		     "    1 | [inptus]\n"
		     "      |  ^~~~~~\n");
}

Test(config, a_key_before_any_section)
{
	expect_error("udp = 0.0.0.0:514\n",
		     "t.conf:1:1: error: 'udp' is outside any section: put it under a header "
		     "such as [inputs]\n"
		     "    1 | udp = 0.0.0.0:514\n"
		     "      | ^~~\n");
}

Test(config, a_key_without_equals)
{
	expect_error("[inputs]\nudp 0.0.0.0:514\n",
		     "t.conf:2:5: error: expected '=' after 'udp'\n"
		     "    2 | udp 0.0.0.0:514\n"
		     "      |     ^\n");
}

Test(config, a_key_without_a_value)
{
	expect_error("[inputs]\nudp =   # later\n",
		     "t.conf:2:9: error: missing value after 'udp ='\n"
		     "    2 | udp =   # later\n"
		     "      |         ^\n");
}

Test(config, a_line_that_is_neither_header_nor_pair)
{
	expect_error("[inputs]\n= 1\n",
		     "t.conf:2:1: error: expected '[section]' or 'key = value'\n"
		     "    2 | = 1\n"
		     "      | ^\n");
}

Test(config, an_unterminated_string)
{
	expect_error("[plan]\nfile = \"/etc/x.plan\n",
		     "t.conf:2:8: error: unterminated string: no closing '\"' on this line\n"
		     "    2 | file = \"/etc/x.plan\n"
		     "      |        ^\n");
}

Test(config, an_unknown_escape)
{
	expect_error("[plan]\nfile = \"a\\nb\"\n",
		     "t.conf:2:10: error: unknown escape in a string: only \\\" and \\\\\n"
		     "    2 | file = \"a\\nb\"\n"
		     "      |          ^~\n");
}

Test(config, text_after_a_closing_quote_counts_columns_in_code_points)
{
	expect_error("[plan]\nfile = \"光缆.plan\" x\n",
		     "t.conf:2:18: error: unexpected text after the closing '\"'\n"
		     "    2 | file = \"光缆.plan\" x\n"
		     "      |                    ^\n");
}

Test(config, a_header_without_its_bracket)
{
	expect_error("[inputs\nudp = 1\n",
		     "t.conf:1:8: error: expected ']' to end the section header\n"
		     "    1 | [inputs\n"
		     "      |        ^\n");
}

Test(config, a_header_without_a_name)
{
	expect_error("[ ]\n",
		     "t.conf:1:3: error: expected a section name after '['\n"
		     "    1 | [ ]\n"
		     "      |   ^\n");
}

Test(config, text_after_a_header)
{
	expect_error("[inputs] udp = 1\n",
		     "t.conf:1:10: error: unexpected text after the section header\n"
		     "    1 | [inputs] udp = 1\n"
		     "      |          ^~~~~~~\n");
}

Test(config, a_route_without_its_channel)
{
	expect_error("[route]\nplugin = sms\n",
		     "t.conf:1:1: error: [route] needs a channel: [route sms]\n"
		     "    1 | [route]\n"
		     "      | ^~~~~~~\n");
}

Test(config, a_name_on_a_section_that_takes_none)
{
	expect_error("[store main]\npath = x.db\n",
		     "t.conf:1:8: error: [store] takes no name\n"
		     "    1 | [store main]\n"
		     "      |        ^~~~\n");
}

Test(config, a_route_without_a_plugin)
{
	expect_error("[route sms]\nurl = http://x/\n[inputs]\nudp = 1\n",
		     "t.conf:1:1: error: [route sms] names no plugin; add 'plugin = NAME'\n"
		     "    1 | [route sms]\n"
		     "      | ^~~~~~~~~~~\n");
}

Test(config, a_key_given_twice_with_a_note_at_the_first)
{
	expect_error("[inputs]\nudp = 1\n[plan]\nfile = p\n[inputs]\nudp = 2\n",
		     "t.conf:6:1: error: 'udp' given twice in [inputs]\n"
		     "    6 | udp = 2\n"
		     "      | ^~~\n"
		     "t.conf:2:1: note: first given here\n"
		     "    2 | udp = 1\n"
		     "      | ^~~\n");
}

Test(config, a_plugin_given_twice_for_one_route)
{
	expect_error("[route sms]\nplugin = sms\nplugin = file\n",
		     "t.conf:3:1: error: 'plugin' given twice in [route sms]\n"
		     "    3 | plugin = file\n"
		     "      | ^~~~~~\n"
		     "t.conf:2:1: note: first given here\n"
		     "    2 | plugin = sms\n"
		     "      | ^~~~~~\n");
}

Test(config, a_secret_file_that_cannot_be_read)
{
	expect_error("[route sms]\nplugin = sms\npassword_file = /nonexistent/fl-pw\n",
		     "t.conf:3:17: error: cannot read password_file '/nonexistent/fl-pw': No such "
		     "file or directory\n"
		     "    3 | password_file = /nonexistent/fl-pw\n"
		     "      |                 ^~~~~~~~~~~~~~~~~~\n");
}

Test(config, a_secret_file_of_two_lines_is_refused_without_printing_it)
{
	char path[] = "/tmp/fl-config-secret.XXXXXX";
	int fd = mkstemp(path);
	char text[256];
	struct parsed p;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "first\nsecond\n", 13), 13);
	close(fd);
	snprintf(text, sizeof(text), "[route sms]\nplugin = sms\npassword_file = %s\n", path);
	parse(&p, text);
	unlink(path);
	cr_expect_eq(p.rc, -EINVAL);
	cr_expect(strstr(p.shown, "t.conf:3:17: error: password_file '") != NULL, "%s", p.shown);
	cr_expect(strstr(p.shown, "' holds more than one line\n") != NULL, "%s", p.shown);
	cr_expect(strstr(p.shown, "first") == NULL && strstr(p.shown, "second") == NULL,
		  "the secret was printed: %s", p.shown);
	done(&p);
}

Test(config, a_secret_from_an_unset_variable)
{
	unsetenv("FL_TEST_CONFIG_UNSET");
	expect_error("[route sms]\nplugin = sms\npassword_env = FL_TEST_CONFIG_UNSET\n",
		     "t.conf:3:16: error: password_env: the environment variable "
		     "FL_TEST_CONFIG_UNSET is not set\n"
		     "    3 | password_env = FL_TEST_CONFIG_UNSET\n"
		     "      |                ^~~~~~~~~~~~~~~~~~~~\n");
}

Test(config, every_mistake_of_a_file_in_one_run_in_order)
{
	struct parsed p;

	parse(&p, "[inputs]\nupd = 1\nudp 2\n[nope]\nx = 1\n[plan]\nfile =\n");
	cr_expect_eq(p.rc, -EINVAL);
	cr_expect_eq(fl_diag_errors(p.d), 4, "%s", p.shown);
	cr_expect(strstr(p.shown, "t.conf:2:1: error: unknown key 'upd'") < strstr(p.shown, "t.conf:3:5:"));
	cr_expect(strstr(p.shown, "t.conf:4:2: error: unknown section 'nope'") != NULL);
	cr_expect(strstr(p.shown, "t.conf:5:") == NULL, "keys under a bad header are not checked");
	cr_expect(strstr(p.shown, "t.conf:7:7: error: missing value") != NULL, "%s", p.shown);
	done(&p);
}

/* --- the command line overrides the file ------------------------------------ */

struct fake_run {
	const char *udp, *tcp, *plan, *db, *config_path;
	bool no_config;
	uint32_t max_conns;
	char allow[4][64];
	size_t n_allow;
	char set[8][128]; /* --route and --set values in order, "route:" or "set:" first */
	size_t n_set;
};

static int add_allow(void *ctx, const struct fl_opt *opt, const char *val, char *err,
		     size_t err_len)
{
	struct fake_run *f = ctx;

	(void)opt, (void)err, (void)err_len;
	cr_assert_lt(f->n_allow, 4);
	snprintf(f->allow[f->n_allow++], sizeof(f->allow[0]), "%s", val);
	return 0;
}

static int add_delivery(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			size_t err_len)
{
	struct fake_run *f = ctx;

	(void)err, (void)err_len;
	cr_assert_lt(f->n_set, 8);
	snprintf(f->set[f->n_set++], sizeof(f->set[0]), "%s:%s", opt->name + 2, val);
	return 0;
}

/* The file applied to a run-like table, then argv parsed as run does it. */
static int apply(struct fake_run *f, const char *text, int argc, char **argv, struct parsed *p)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--udp", &f->udp, "ADDR", "udp"),
		FL_OPT_STRING_ROW("--tcp", &f->tcp, "ADDR", "tcp"),
		FL_OPT_STRING_ROW("-c", &f->plan, "PLAN", "plan"),
		FL_OPT_STRING_ROW("--plan", &f->plan, "PLAN", "plan"),
		FL_OPT_STRING_ROW("--db", &f->db, "PATH", "db"),
		FL_OPT_LIST_ROW("--allow", add_allow, "CIDR", "allow"),
		FL_OPT_UINT_ROW("--max-conns", &f->max_conns, 1, 1000, FL_OPT_COUNT, "N", "conns"),
		FL_OPT_LIST_ROW("--route", add_delivery, "C=P", "route"),
		FL_OPT_LIST_ROW("--set", add_delivery, "C.K=V", "set"),
		FL_CONFIG_ROWS(&f->config_path, &f->no_config),
	};
	const struct fl_opts_cmd cmd = {"run", opts, FL_ARRAY_LEN(opts), 0, false, NULL};
	struct fl_opts_result res;
	int rc;

	memset(f, 0, sizeof(*f));
	parse(p, text);
	cr_assert_eq(p->rc, 0, "%s", p->shown);
	rc = fl_config_apply(p->c, &cmd, argc, argv, f, p->d);
	fl_buf_free(&p->out);
	fl_buf_init(&p->out, 1 << 20);
	cr_assert_eq(fl_diag_render(p->d, &p->out), 0);
	p->shown = p->out.p ? p->out.p : "";
	if (rc == 0)
		cr_assert_eq(fl_opts_parse(&cmd, argc, argv, f, &res), 0, "%s", res.err);
	return rc;
}

static const char run_conf[] = "[inputs]\n"
			       "udp = 127.0.0.1:514\n"
			       "tcp = 127.0.0.1:601\n"
			       "allow = 10.0.0.0/8\n"
			       "allow = 172.16.0.0/12\n"
			       "max_conns = 50\n"
			       "[plan]\n"
			       "file = site.plan\n"
			       "[store]\n"
			       "path = /var/lib/faultline/faultline.db\n"
			       "[route sms]\n"
			       "password = from-file\n" /* before its plugin: still after the route */
			       "plugin = sms\n"
			       "user = noc\n"
			       "[route email]\n"
			       "plugin = email\n"
			       "from = noc@example.net\n";

Test(config, the_file_alone_sets_every_option)
{
	char *argv[] = {"run"};
	struct fake_run f;
	struct parsed p;

	cr_assert_eq(apply(&f, run_conf, 1, argv, &p), 0, "%s", p.shown);
	cr_expect_str_eq(f.udp, "127.0.0.1:514");
	cr_expect_str_eq(f.tcp, "127.0.0.1:601");
	cr_expect_str_eq(f.plan, "site.plan");
	cr_expect_str_eq(f.db, "/var/lib/faultline/faultline.db");
	cr_expect_eq(f.max_conns, 50);
	cr_assert_eq(f.n_allow, 2);
	cr_expect_str_eq(f.allow[1], "172.16.0.0/12");
	cr_assert_eq(f.n_set, 5);
	cr_expect_str_eq(f.set[0], "route:sms=sms");
	cr_expect_str_eq(f.set[1], "route:email=email");
	cr_expect_str_eq(f.set[2], "set:sms.password=from-file");
	cr_expect_str_eq(f.set[3], "set:sms.user=noc");
	cr_expect_str_eq(f.set[4], "set:email.from=noc@example.net");
	done(&p);
}

Test(config, flags_override_the_file)
{
	char *argv[] = {"run",	   "--udp",	  "127.0.0.1:0", "-c",	  "other.plan",
			"--allow", "192.0.2.0/24", "--route",	  "email=file", "--set",
			"email.path=/tmp/x", "--set", "sms.user=duty"};
	struct fake_run f;
	struct parsed p;

	cr_assert_eq(apply(&f, run_conf, FL_ARRAY_LEN(argv), argv, &p), 0, "%s", p.shown);
	cr_expect_str_eq(f.udp, "127.0.0.1:0");
	cr_expect_str_eq(f.tcp, "127.0.0.1:601", "what the command line leaves stays");
	cr_expect_str_eq(f.plan, "other.plan", "-c overrides [plan] file, an alias of --plan");
	cr_assert_eq(f.n_allow, 1, "the command line's list replaces the file's");
	cr_expect_str_eq(f.allow[0], "192.0.2.0/24");
	/* the file's email route and its settings gave way; sms's user is set after */
	cr_assert_eq(f.n_set, 6);
	cr_expect_str_eq(f.set[0], "route:sms=sms");
	cr_expect_str_eq(f.set[1], "set:sms.password=from-file");
	cr_expect_str_eq(f.set[2], "set:sms.user=noc");
	cr_expect_str_eq(f.set[3], "route:email=file");
	cr_expect_str_eq(f.set[4], "set:email.path=/tmp/x");
	cr_expect_str_eq(f.set[5], "set:sms.user=duty", "the last --set of a key wins");
	done(&p);
}

Test(config, a_value_the_option_refuses_is_reported_at_the_value)
{
	char *argv[] = {"run"};
	struct fake_run f;
	struct parsed p;

	cr_expect_eq(apply(&f, "[inputs]\nmax_conns = 0\n", 1, argv, &p), -EINVAL);
	cr_expect_str_eq(p.shown, "t.conf:2:13: error: --max-conns 0: not a number (1..1000)\n"
				  "    2 | max_conns = 0\n"
				  "      |             ^\n");
	done(&p);
}

Test(config, a_key_the_command_reads_but_has_no_option_for)
{
	char *argv[] = {"run"};
	struct fake_run f;
	struct parsed p;

	cr_expect_eq(apply(&f, "[plan]\ndata = /srv/net\n", 1, argv, &p), -EINVAL);
	cr_expect_str_eq(p.shown, "t.conf:2:1: error: faultline run has no option --data for "
				  "'data'\n"
				  "    2 | data = /srv/net\n"
				  "      | ^~~~\n");
	done(&p);
}

Test(config, a_refused_secret_is_not_printed)
{
	char path[] = "/tmp/fl-config-secret.XXXXXX";
	int fd = mkstemp(path);
	char text[256], *argv[] = {"run"};
	struct fake_run f;
	struct parsed p;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "9999\n", 5), 5);
	close(fd);
	snprintf(text, sizeof(text), "[inputs]\nmax_conns_file = %s\n", path);
	cr_expect_eq(apply(&f, text, 1, argv, &p), -EINVAL);
	unlink(path);
	cr_expect(strstr(p.shown, "t.conf:2:18: error: the value read for 'max_conns' is refused "
				  "by --max-conns\n") == p.shown, "%s", p.shown);
	cr_expect(strstr(p.shown, "9999") == NULL, "the secret was printed: %s", p.shown);
	done(&p);
}
