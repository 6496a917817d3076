/* config.c - see config.h. The reader works a line at a time: a line is a
 * comment, a [section] header or a "key = value", and a mistake on one line
 * is reported and the next line read, so one run lists every mistake. */
#include "engine/cli/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/utf8.h"

#define CMD_RUN 1u
#define CMD_LISTEN 2u
#define ERR_BYTES 512

/* A key of the file and the option it stands for. Keys a command does not
 * read (cmds) are left alone by it; a key it reads but whose option its
 * table lacks is an error, so a key never goes silently unused. */
struct key_row {
	const char *section, *key;
	const char *option, *alias; /* alias: another name of the option on argv */
	unsigned cmds;
	bool is_list; /* repeatable; the command line's values replace the file's */
};

static const struct key_row key_rows[] = {
	{"inputs", "udp", "--udp", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tcp", "--tcp", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "relp", "--relp", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "trap", "--trap", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls", "--tls", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_cert", "--tls-cert", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_key", "--tls-key", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_ca", "--tls-ca", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_auth", "--tls-auth", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_peers", "--tls-peers", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "tls_handshake_timeout_ms", "--tls-handshake-timeout-ms", NULL,
	 CMD_RUN | CMD_LISTEN, false},
	{"inputs", "allow", "--allow", NULL, CMD_RUN | CMD_LISTEN, true},
	{"inputs", "community", "--community", NULL, CMD_RUN | CMD_LISTEN, true},
	{"inputs", "snmp_user", "--snmp-user", NULL, CMD_RUN | CMD_LISTEN, true},
	{"inputs", "snmp_users", "--snmp-users", NULL, CMD_RUN | CMD_LISTEN, true},
	{"inputs", "tz", "--tz", NULL, CMD_RUN | CMD_LISTEN, false},
	{"inputs", "max_msg_size", "--max-msg-size", NULL, CMD_LISTEN, false},
	{"inputs", "max_conns", "--max-conns", NULL, CMD_RUN | CMD_LISTEN, false},
	{"plan", "file", "--plan", "-c", CMD_RUN, false},
	{"plan", "data", "--data", NULL, CMD_RUN, false},
	{"plan", "partition", "--partition", NULL, CMD_RUN, false},
	{"plan", "max_keys", "--max-keys", NULL, CMD_RUN, false},
	{"plan", "max_keys_per_rule", "--max-keys-per-rule", NULL, CMD_RUN, false},
	{"store", "path", "--db", NULL, CMD_RUN, false},
	{"store", "journal", "--journal", NULL, CMD_RUN, false},
	{"notify", "plugin_dir", "--plugin-dir", NULL, CMD_RUN, false},
	{"notify", "timeout_ms", "--timeout-ms", NULL, CMD_RUN, false},
	{"notify", "backoff_ms", "--backoff-ms", NULL, CMD_RUN, false},
	{"notify", "backoff_max_ms", "--backoff-max-ms", NULL, CMD_RUN, false},
	{"notify", "poll_ms", "--poll-ms", NULL, CMD_RUN, false},
	{"service", "user", "--user", NULL, CMD_RUN | CMD_LISTEN, false},
	{"service", "metrics", "--metrics", NULL, CMD_RUN, false},
	{"service", "control", "--control", NULL, CMD_RUN, false},
	{"service", "http", "--http", NULL, CMD_RUN, false},
	{"service", "users", "--users", NULL, CMD_RUN, false},
	{"service", "http_tls_cert", "--http-tls-cert", NULL, CMD_RUN, false},
	{"service", "http_tls_key", "--http-tls-key", NULL, CMD_RUN, false},
};

static const char *const section_names[] = {"inputs", "plan", "store", "notify", "service", "route"};

struct fl_config {
	struct fl_config_entry *entries;
	size_t n_entries, cap_entries;
	char **owned; /* every string the entries point to; wiped when freed */
	size_t n_owned, cap_owned;
};

/* The reader's state for one file. */
struct reader {
	struct fl_config *c;
	struct fl_diags *d;
	const struct fl_src *src;
	const char *text;
	size_t len;
	size_t line_off;  /* where the line starts in text */
	const char *section, *arg; /* the current header's; NULL before the first */
	struct fl_loc section_loc;
	bool is_oom;
};

/* --- strings and locations ------------------------------------------------ */

static void wipe(char *s)
{
	volatile char *v = s;

	while (*v)
		*v++ = '\0';
}

/* A copy of p[0..n) owned by the config, or NULL when out of memory. */
static char *own(struct reader *r, const char *p, size_t n)
{
	struct fl_config *c = r->c;
	char *s;

	if (c->n_owned == c->cap_owned) {
		size_t cap = c->cap_owned ? 2 * c->cap_owned : 32;
		char **grown = realloc(c->owned, cap * sizeof(*grown));

		if (!grown)
			goto out_oom;
		c->owned = grown;
		c->cap_owned = cap;
	}
	s = malloc(n + 1);
	if (!s)
		goto out_oom;
	memcpy(s, p, n);
	s[n] = '\0';
	c->owned[c->n_owned++] = s;
	return s;

out_oom:
	r->is_oom = true;
	return NULL;
}

/* The span [off, end) of the text (end > off, or a point). */
static struct fl_loc loc_of(const struct reader *r, size_t off, size_t end)
{
	/* a config is at most FL_CONFIG_MAX_BYTES */
	return (struct fl_loc){.src = r->src, .off = (uint32_t)off, .end = (uint32_t)end};
}

static bool is_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static size_t skip_space(const struct reader *r, size_t i, size_t eol)
{
	while (i < eol && is_space(r->text[i]))
		i++;
	return i;
}

/* Nothing but spaces and a comment from i to the end of the line. */
static bool rest_is_blank(const struct reader *r, size_t i, size_t eol)
{
	i = skip_space(r, i, eol);
	return i == eol || r->text[i] == '#' || r->text[i] == ';';
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* --- the table of keys ----------------------------------------------------- */

static const struct key_row *find_row(const char *section, const char *key)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(key_rows); i++)
		if (strcmp(key_rows[i].section, section) == 0 && strcmp(key_rows[i].key, key) == 0)
			return &key_rows[i];
	return NULL;
}

static void unknown_key(struct reader *r, const struct fl_loc *loc, const char *key)
{
	const char *names[FL_ARRAY_LEN(key_rows)];
	const char *hint;
	size_t n = 0;

	for (size_t i = 0; i < FL_ARRAY_LEN(key_rows); i++)
		if (strcmp(key_rows[i].section, r->section) == 0)
			names[n++] = key_rows[i].key;
	hint = fl_utf8_suggest(key, names, n);
	if (hint)
		fl_diag_error(r->d, loc, "unknown key '%s' in [%s]; did you mean '%s'?", key,
			      r->section, hint);
	else
		fl_diag_error(r->d, loc, "unknown key '%s' in [%s]", key, r->section);
}

/* --- secrets --------------------------------------------------------------- */

/* The first line of path, at most FL_CONFIG_MAX_SECRET_BYTES: 0 and *out
 * (owned), or -1 after reporting why at loc. The text is never printed. */
static int read_secret_file(struct reader *r, const char *key, const char *path,
			    const struct fl_loc *loc, const char **out)
{
	char buf[FL_CONFIG_MAX_SECRET_BYTES + 2];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = -1;

	if (!f) {
		fl_diag_error(r->d, loc, "cannot read %s_file '%s': %s", key, path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (ferror(f))
		fl_diag_error(r->d, loc, "cannot read %s_file '%s': %s", key, path,
			      strerror(errno));
	else if (n > FL_CONFIG_MAX_SECRET_BYTES)
		fl_diag_error(r->d, loc, "%s_file '%s' is longer than %d bytes", key, path,
			      FL_CONFIG_MAX_SECRET_BYTES);
	else
		rc = 0;
	fclose(f);
	if (rc == 0) {
		size_t len = strcspn(buf, "\r\n");

		/* a line feed ends the secret; anything after it is a mistake */
		if (buf[len + strspn(buf + len, "\r\n")] != '\0') {
			fl_diag_error(r->d, loc, "%s_file '%s' holds more than one line", key, path);
			rc = -1;
		} else if (len == 0 || memchr(buf, '\0', n)) {
			fl_diag_error(r->d, loc, "%s_file '%s' is empty or holds a NUL byte", key,
				      path);
			rc = -1;
		} else if (!(*out = own(r, buf, len))) {
			rc = -1;
		}
	}
	wipe(buf);
	return rc;
}

static int read_secret_env(struct reader *r, const char *key, const char *name,
			   const struct fl_loc *loc, const char **out)
{
	const char *v = getenv(name);

	if (!v || !v[0]) {
		fl_diag_error(r->d, loc, "%s_env: the environment variable %s is not set", key,
			      name);
		return -1;
	}
	return (*out = own(r, v, strlen(v))) ? 0 : -1;
}

/* --- reading --------------------------------------------------------------- */

static struct fl_config_entry *add_entry(struct reader *r)
{
	struct fl_config *c = r->c;

	if (c->n_entries == FL_CONFIG_MAX_ENTRIES)
		return NULL;
	if (c->n_entries == c->cap_entries) {
		size_t cap = c->cap_entries ? 2 * c->cap_entries : 32;
		struct fl_config_entry *grown = realloc(c->entries, cap * sizeof(*grown));

		if (!grown) {
			r->is_oom = true;
			return NULL;
		}
		c->entries = grown;
		c->cap_entries = cap;
	}
	memset(&c->entries[c->n_entries], 0, sizeof(c->entries[0]));
	return &c->entries[c->n_entries++];
}

/* The entry of the same section, channel and key read before, or NULL. */
static const struct fl_config_entry *earlier(const struct reader *r, const char *key)
{
	for (size_t i = 0; i < r->c->n_entries; i++) {
		const struct fl_config_entry *e = &r->c->entries[i];

		if (strcmp(e->section, r->section) == 0 && strcmp(e->key, key) == 0 &&
		    (!e->arg || !r->arg || strcmp(e->arg, r->arg) == 0))
			return e;
	}
	return NULL;
}

/* Checks key against the table, resolves a KEY_file or KEY_env and records
 * the entry; mistakes are reported at their place. */
static void add_pair(struct reader *r, const char *key, const struct fl_loc *key_loc,
		     const char *value, const struct fl_loc *value_loc)
{
	size_t n = strlen(key);
	bool is_file = ends_with(key, n, "_file"), is_env = !is_file && ends_with(key, n, "_env");
	bool is_route = strcmp(r->section, "route") == 0;
	const struct key_row *row = NULL;
	const struct fl_config_entry *before;
	struct fl_config_entry *e;
	const char *base = key;

	if (is_file || is_env) {
		char *cut = own(r, key, n - (is_file ? 5 : 4));

		if (!cut)
			return;
		base = cut;
	}
	if (!is_route && !(row = find_row(r->section, base))) {
		unknown_key(r, key_loc, key);
		return;
	}
	before = earlier(r, base);
	if (before && (is_route ? strcmp(base, "plugin") == 0 : !row->is_list)) {
		fl_diag_error(r->d, key_loc, "'%s' given twice in [%s%s%s]", base, r->section,
			      r->arg ? " " : "", r->arg ? r->arg : "");
		fl_diag_note(r->d, &before->key_loc, "first given here");
		return;
	}
	if (is_file && read_secret_file(r, base, value, value_loc, &value) < 0)
		return;
	if (is_env && read_secret_env(r, base, value, value_loc, &value) < 0)
		return;
	e = add_entry(r);
	if (!e) {
		if (!r->is_oom)
			fl_diag_error(r->d, key_loc, "more than %d settings in one file",
				      FL_CONFIG_MAX_ENTRIES);
		return;
	}
	*e = (struct fl_config_entry){.section = r->section, .arg = r->arg, .key = base,
				      .value = value, .is_secret = is_file || is_env,
				      .key_loc = *key_loc, .value_loc = *value_loc,
				      .section_loc = r->section_loc};
}

/* A [route CHANNEL] section must name its plugin: checked when it ends. */
static void close_section(struct reader *r)
{
	if (!r->section || strcmp(r->section, "route") != 0 || !r->arg)
		return;
	if (!earlier(r, "plugin"))
		fl_diag_error(r->d, &r->section_loc, "[route %s] names no plugin; add 'plugin = NAME'",
			      r->arg);
}

/* "[name]" or "[route CHANNEL]", from i (at '[') to eol. */
static void read_header(struct reader *r, size_t i, size_t eol)
{
	const char *t = r->text;
	size_t open = i, name, name_end, arg, arg_end;
	const char *hint;

	close_section(r);
	r->section = ""; /* until the header proves good: its keys are not checked */
	r->arg = NULL;
	name = i = skip_space(r, i + 1, eol);
	while (i < eol && is_key_char(t[i]))
		i++;
	name_end = i;
	arg = i = skip_space(r, i, eol);
	while (i < eol && !is_space(t[i]) && t[i] != ']' && t[i] != '#')
		i++;
	arg_end = i;
	i = skip_space(r, i, eol);
	if (name == name_end || i == eol || t[i] != ']' || (arg == name_end && arg != arg_end)) {
		struct fl_loc at = loc_of(r, i, i < eol ? i + 1 : i);

		fl_diag_error(r->d, &at, name == name_end ? "expected a section name after '['"
							  : "expected ']' to end the section header");
		return;
	}
	r->section_loc = loc_of(r, open, i + 1);
	if (!rest_is_blank(r, i + 1, eol)) {
		struct fl_loc at = loc_of(r, skip_space(r, i + 1, eol), eol);

		fl_diag_error(r->d, &at, "unexpected text after the section header");
		return;
	}
	r->section = own(r, t + name, name_end - name);
	if (!r->section)
		return;
	for (size_t k = 0; k < FL_ARRAY_LEN(section_names); k++)
		if (strcmp(r->section, section_names[k]) == 0)
			goto known;
	hint = fl_utf8_suggest(r->section, section_names, FL_ARRAY_LEN(section_names));
	{
		struct fl_loc at = loc_of(r, name, name_end);

		if (hint)
			fl_diag_error(r->d, &at, "unknown section '%s'; did you mean '%s'?",
				      r->section, hint);
		else
			fl_diag_error(r->d, &at, "unknown section '%s'", r->section);
	}
	r->section = "";
	return;
known:
	if (strcmp(r->section, "route") == 0 && arg == arg_end) {
		fl_diag_error(r->d, &r->section_loc, "[route] needs a channel: [route sms]");
		r->section = "";
	} else if (strcmp(r->section, "route") != 0 && arg != arg_end) {
		struct fl_loc at = loc_of(r, arg, arg_end);

		fl_diag_error(r->d, &at, "[%s] takes no name", r->section);
		r->section = "";
	} else if (arg != arg_end && !(r->arg = own(r, t + arg, arg_end - arg))) {
		r->section = "";
	}
}

/* A "..." value from i (at the quote): \" and \\ are the only escapes. The
 * unquoted text (owned) and the index after the closing quote, or NULL
 * after reporting the mistake. */
static const char *read_quoted(struct reader *r, size_t i, size_t eol, size_t *after)
{
	const char *t = r->text;
	char *out = own(r, t + i, eol - i), *w = out;
	size_t j = i + 1;

	if (!out)
		return NULL;
	for (; j < eol && t[j] != '"'; j++) {
		if (t[j] == '\\' && j + 1 < eol && (t[j + 1] == '"' || t[j + 1] == '\\'))
			j++;
		else if (t[j] == '\\') {
			struct fl_loc at = loc_of(r, j, j + 2 <= eol ? j + 2 : j + 1);

			fl_diag_error(r->d, &at, "unknown escape in a string: only \\\" and \\\\");
			return NULL;
		}
		*w++ = t[j];
	}
	*w = '\0';
	if (j == eol) {
		struct fl_loc at = loc_of(r, i, i + 1);

		fl_diag_error(r->d, &at, "unterminated string: no closing '\"' on this line");
		return NULL;
	}
	*after = j + 1;
	return out;
}

/* "key = value" from i to eol. */
static void read_pair(struct reader *r, size_t i, size_t eol)
{
	const char *t = r->text, *key, *value;
	size_t key_start = i, key_end, v_start, v_end;
	struct fl_loc key_loc, value_loc;

	while (i < eol && is_key_char(t[i]))
		i++;
	key_end = i;
	if (key_end == key_start) {
		struct fl_loc at = loc_of(r, i, i + 1);

		fl_diag_error(r->d, &at, "expected '[section]' or 'key = value'");
		return;
	}
	key_loc = loc_of(r, key_start, key_end);
	i = skip_space(r, i, eol);
	if (i == eol || t[i] != '=') {
		struct fl_loc at = loc_of(r, i, i < eol ? i + 1 : i);

		fl_diag_error(r->d, &at, "expected '=' after '%.*s'", (int)(key_end - key_start),
			      t + key_start);
		return;
	}
	v_start = i = skip_space(r, i + 1, eol);
	if (i < eol && t[i] == '"') {
		if (!(value = read_quoted(r, i, eol, &v_end)))
			return;
		if (!rest_is_blank(r, v_end, eol)) {
			struct fl_loc at = loc_of(r, skip_space(r, v_end, eol), eol);

			fl_diag_error(r->d, &at, "unexpected text after the closing '\"'");
			return;
		}
	} else {
		/* a bare value ends at the line's end or at a '#' after a space */
		for (v_end = i; v_end < eol; v_end++)
			if (t[v_end] == '#' && (v_end == v_start || is_space(t[v_end - 1])))
				break;
		while (v_end > v_start && is_space(t[v_end - 1]))
			v_end--;
		if (v_end == v_start) {
			struct fl_loc at = loc_of(r, v_start, v_start);

			fl_diag_error(r->d, &at, "missing value after '%.*s ='",
				      (int)(key_end - key_start), t + key_start);
			return;
		}
		if (!(value = own(r, t + v_start, v_end - v_start)))
			return;
	}
	value_loc = loc_of(r, v_start, v_end);
	if (!r->section) {
		fl_diag_error(r->d, &key_loc, "'%.*s' is outside any section: put it under a "
			      "header such as [inputs]", (int)(key_end - key_start), t + key_start);
		return;
	}
	if (!r->section[0] || !(key = own(r, t + key_start, key_end - key_start)))
		return; /* under a bad header, reported already */
	add_pair(r, key, &key_loc, value, &value_loc);
}

static void read_line(struct reader *r, size_t eol)
{
	size_t i = skip_space(r, r->line_off, eol);

	if (i == eol || r->text[i] == '#' || r->text[i] == ';')
		return;
	if (r->text[i] == '[')
		read_header(r, i, eol);
	else
		read_pair(r, i, eol);
}

/* --- lifecycle --------------------------------------------------------------- */

int fl_config_parse(struct fl_config **out, const char *name, const char *text, size_t len,
		    struct fl_diags *d)
{
	size_t errors_before = fl_diag_errors(d);
	struct reader r = {.d = d};

	r.c = calloc(1, sizeof(*r.c));
	if (!r.c)
		return -ENOMEM;
	r.src = fl_diag_source(d, name, text, len);
	if (!r.src) {
		fl_config_destroy(r.c);
		return -ENOMEM;
	}
	/* locations point into the diagnostics' copy, which outlives the config's use */
	r.text = r.src->text;
	r.len = r.src->len;
	for (size_t off = 0; off < r.len && !r.is_oom;) {
		const char *nl = memchr(r.text + off, '\n', r.len - off);
		size_t eol = nl ? (size_t)(nl - r.text) : r.len;

		r.line_off = off;
		read_line(&r, eol);
		off = eol + 1;
	}
	close_section(&r);
	if (r.is_oom) {
		fl_config_destroy(r.c);
		return -ENOMEM;
	}
	if (fl_diag_errors(d) > errors_before) {
		fl_config_destroy(r.c);
		return -EINVAL;
	}
	*out = r.c;
	return 0;
}

int fl_config_load(struct fl_config **out, const char *path, struct fl_diags *d)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;
	int rc;

	if (!f) {
		rc = -errno;
		fl_diag_at(d, FL_DIAG_ERROR, path, 0, 0, "cannot read the config file: %s",
			   strerror(-rc));
		return rc;
	}
	text = malloc(FL_CONFIG_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, FL_CONFIG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		rc = -EIO;
		fl_diag_at(d, FL_DIAG_ERROR, path, 0, 0, "cannot read the config file: %s",
			   strerror(errno));
	} else if (n > FL_CONFIG_MAX_BYTES) {
		rc = -EFBIG;
		fl_diag_at(d, FL_DIAG_ERROR, path, 0, 0, "the config file is larger than %d bytes",
			   FL_CONFIG_MAX_BYTES);
	} else {
		rc = fl_config_parse(out, path, text, n, d);
	}
	fclose(f);
	free(text);
	return rc;
}

void fl_config_destroy(struct fl_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_owned; i++) {
		wipe(c->owned[i]);
		free(c->owned[i]);
	}
	free(c->owned);
	free(c->entries);
	free(c);
}

size_t fl_config_count(const struct fl_config *c)
{
	return c ? c->n_entries : 0;
}

const struct fl_config_entry *fl_config_entry(const struct fl_config *c, size_t i)
{
	return c && i < c->n_entries ? &c->entries[i] : NULL;
}

/* --- applying -------------------------------------------------------------- */

static unsigned cmd_bit(const struct fl_opts_cmd *cmd)
{
	return strcmp(cmd->name, "run") == 0 ? CMD_RUN : strcmp(cmd->name, "listen") == 0 ? CMD_LISTEN : 0;
}

static bool has_option(const struct fl_opts_cmd *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->n_opts; i++)
		if (strcmp(cmd->opts[i].name, name) == 0)
			return true;
	return false;
}

/* Hands opt=value to the table; reports a refusal at the entry's value,
 * without the value when it is a secret. */
static int take(const struct fl_config_entry *e, const struct fl_opts_cmd *cmd, const char *opt,
		const char *value, void *ctx, struct fl_diags *d)
{
	struct fl_opts_result res;
	size_t prefix = strlen("faultline ") + strlen(cmd->name) + 2;

	if (fl_opts_take(cmd, opt, value, ctx, &res) == 0)
		return 0;
	if (e->is_secret)
		fl_diag_error(d, &e->value_loc, "the value read for '%s' is refused by %s", e->key,
			      opt);
	else
		fl_diag_error(d, &e->value_loc, "%s",
			      strlen(res.err) > prefix ? res.err + prefix : res.err);
	return -EINVAL;
}

/* [route CHANNEL]: plugin is --route CHANNEL=PLUGIN, any other key --set
 * CHANNEL.KEY=VALUE (a later --set of the same key wins in the plugin's
 * settings, so the command line's, parsed after, overrides). */
static int apply_route(const struct fl_config_entry *e, const struct fl_opts_cmd *cmd, int argc,
		       char **argv, void *ctx, struct fl_diags *d)
{
	char prefix[FL_OPTS_ERR_BYTES], text[FL_CONFIG_MAX_SECRET_BYTES + 2 * FL_OPTS_ERR_BYTES];
	bool is_plugin = strcmp(e->key, "plugin") == 0;
	int rc;

	if (!has_option(cmd, "--route"))
		return 0;
	snprintf(prefix, sizeof(prefix), "%s=", e->arg);
	if (fl_opts_given(cmd, argc, argv, "--route", prefix, NULL))
		return 0; /* the command line routes this channel itself */
	if (is_plugin)
		rc = snprintf(text, sizeof(text), "%s=%s", e->arg, e->value);
	else
		rc = snprintf(text, sizeof(text), "%s.%s=%s", e->arg, e->key, e->value);
	if (rc < 0 || (size_t)rc >= sizeof(text)) {
		wipe(text);
		fl_diag_error(d, &e->value_loc, "the value of '%s' is longer than %zu bytes", e->key,
			      sizeof(text) - 2 * FL_OPTS_ERR_BYTES);
		return -EINVAL;
	}
	rc = take(e, cmd, is_plugin ? "--route" : "--set", text, ctx, d);
	wipe(text); /* the deliver config keeps its own copy */
	return rc;
}

static int apply_entry(const struct fl_config_entry *e, const struct fl_opts_cmd *cmd, int argc,
		       char **argv, void *ctx, struct fl_diags *d)
{
	const struct key_row *row = find_row(e->section, e->key);

	if (!row || !(row->cmds & cmd_bit(cmd)))
		return 0;
	if (!has_option(cmd, row->option)) {
		fl_diag_error(d, &e->key_loc, "faultline %s has no option %s for '%s'", cmd->name,
			      row->option, e->key);
		return -EINVAL;
	}
	if (fl_opts_given(cmd, argc, argv, row->option, NULL, NULL) ||
	    (row->alias && fl_opts_given(cmd, argc, argv, row->alias, NULL, NULL)))
		return 0; /* the command line's value wins (a list's replaces the file's) */
	return take(e, cmd, row->option, e->value, ctx, d);
}

int fl_config_apply(const struct fl_config *c, const struct fl_opts_cmd *cmd, int argc,
		    char **argv, void *ctx, struct fl_diags *d)
{
	int rc = 0;

	/* routes before their settings, wherever plugin = sits in a section */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < fl_config_count(c); i++) {
			const struct fl_config_entry *e = &c->entries[i];
			bool is_route = strcmp(e->section, "route") == 0;

			if (is_route && (strcmp(e->key, "plugin") == 0) == (pass == 0)) {
				if (apply_route(e, cmd, argc, argv, ctx, d) < 0)
					rc = -EINVAL;
			} else if (!is_route && pass == 0) {
				if (apply_entry(e, cmd, argc, argv, ctx, d) < 0)
					rc = -EINVAL;
			}
		}
	return rc;
}

bool fl_config_prepare(struct fl_config **out, const struct fl_opts_cmd *cmd, int argc,
		       char **argv, void *ctx, int *status)
{
	const char *path = NULL;
	bool is_default = false;
	struct fl_diags *d = NULL;
	struct fl_config *c = NULL;
	int rc;

	*out = NULL;
	if (fl_opts_given(cmd, argc, argv, "-h", NULL, NULL) ||
	    fl_opts_given(cmd, argc, argv, "--help", NULL, NULL) ||
	    fl_opts_given(cmd, argc, argv, "--no-config", NULL, NULL))
		return true;
	if (!fl_opts_given(cmd, argc, argv, "-C", NULL, &path)) {
		if (access(FL_CONFIG_DEFAULT_PATH, F_OK) != 0)
			return true; /* no file where the service keeps it: flags alone */
		path = FL_CONFIG_DEFAULT_PATH;
		is_default = true;
	}
	if (fl_diags_create(&d) < 0) {
		fprintf(stderr, "faultline %s: out of memory\n", cmd->name);
		*status = 1;
		return false;
	}
	rc = fl_config_load(&c, path, d);
	if (rc == 0 && fl_config_apply(c, cmd, argc, argv, ctx, d) < 0)
		rc = -EINVAL;
	if (rc < 0) {
		fl_diag_print(d, stderr);
		if (rc == -ENOMEM)
			fprintf(stderr, "faultline %s: out of memory\n", cmd->name);
		else
			fprintf(stderr, "faultline %s: %s: %zu error%s%s\n", cmd->name, path,
				fl_diag_errors(d), fl_diag_errors(d) == 1 ? "" : "s",
				is_default ? " (--no-config runs without it)" : "");
		fl_diags_destroy(d);
		fl_config_destroy(c);
		*status = 2;
		return false;
	}
	fl_diags_destroy(d);
	*out = c;
	return true;
}
