/* cmd_rsyslog_config.c - `faultline rsyslog-config`: the operator's relay
 * configuration (RainerScript) that routes each device's lines to the
 * engine of its partition over RELP.
 *
 * The devices are those of devices.csv, matched first by HOSTNAME (a line
 * relayed by another rsyslog keeps its device's name; its source address is
 * then that relay's), then by source address (the mgmt_ip of a device that
 * writes no usable name). A device at the far end of a backbone span that
 * another partition owns goes to that partition's engine too: the owner
 * sees both ends of its span and makes one incident of a cut. Each engine
 * gets its own omrelp action on a disk-assisted queue, so an engine that is
 * down or restarting loses nothing: the relay keeps its lines on disk and
 * sends them, in order, once it answers. Lines of no known device go to the
 * --default partition's engine (the first partition when not given), or
 * nowhere with --default discard. See docs/partitions.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/inventory/inventory.h"
#include "engine/inventory/partition.h"

#define PATH_BYTES 4096
#define ADDR_BYTES 256
#define RULESET "faultline"

struct engine_addr {
	char host[ADDR_BYTES];
	unsigned port;
	bool is_set;
};

struct rsc_args {
	const char *data_dir, *out_path, *default_part;
	/* --engine NAME=HOST:PORT as given; checked against the map once loaded */
	char *engines[FL_PARTITION_MAX];
	size_t n_engines;
};

static void rsc_usage(FILE *out)
{
	fputs("usage: faultline rsyslog-config --data DIR --engine NAME=HOST:PORT... [-o FILE]\n"
	      "                                [--default NAME|discard]\n"
	      "Writes the relay's rsyslog configuration: ruleset \"" RULESET "\" routes each\n"
	      "device of DIR/devices.csv (by hostname, then by source address) over RELP to\n"
	      "its partition's engine, with a disk-assisted queue per engine. Bind the relay's\n"
	      "inputs to it: input(type=\"imudp\" port=\"514\" ruleset=\"" RULESET "\").\n",
	      out);
}

static int add_engine(void *ctx, const struct fl_opt *opt, const char *value, char *err,
		      size_t err_len)
{
	struct rsc_args *a = ctx;

	(void)opt;
	if (a->n_engines == FL_PARTITION_MAX) {
		snprintf(err, err_len, "more than %d --engine", FL_PARTITION_MAX);
		return -EINVAL;
	}
	a->engines[a->n_engines++] = (char *)value;
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT" into e. 0 or -EINVAL. */
static int parse_addr(const char *s, struct engine_addr *e)
{
	const char *colon = strrchr(s, ':');
	const char *host = s;
	size_t host_len;
	uint64_t port;

	if (!colon || fl_opts_uint(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	host_len = (size_t)(colon - s);
	if (host_len >= 2 && s[0] == '[' && s[host_len - 1] == ']') {
		host++;
		host_len -= 2;
	}
	if (host_len == 0 || host_len >= sizeof(e->host) || memchr(host, '"', host_len) ||
	    memchr(host, '\\', host_len))
		return -EINVAL;
	memcpy(e->host, host, host_len);
	e->host[host_len] = '\0';
	e->port = (unsigned)port;
	e->is_set = true;
	return 0;
}

/* Every --engine names a partition of the map, once; every partition has
 * one. Reports each problem; returns 0 or -EINVAL. */
static int resolve_engines(const struct rsc_args *a, const struct fl_partition_map *m,
			   struct engine_addr *addrs)
{
	int rc = 0;

	for (size_t i = 0; i < a->n_engines; i++) {
		const char *eq = strchr(a->engines[i], '=');
		size_t p = eq ? fl_partition_find(m, fl_str_make(a->engines[i],
								  (size_t)(eq - a->engines[i])))
			      : FL_PARTITION_NONE;

		if (!eq || parse_addr(eq + 1, &(struct engine_addr){0}) < 0) {
			fprintf(stderr, "faultline rsyslog-config: --engine %s: not NAME=HOST:PORT\n",
				a->engines[i]);
			rc = -EINVAL;
		} else if (p == FL_PARTITION_NONE) {
			fprintf(stderr, "faultline rsyslog-config: --engine %s: no partition '%.*s' "
					"in the data\n",
				a->engines[i], (int)(eq - a->engines[i]), a->engines[i]);
			rc = -EINVAL;
		} else if (addrs[p].is_set) {
			fprintf(stderr, "faultline rsyslog-config: --engine %s: partition given "
					"twice\n", a->engines[i]);
			rc = -EINVAL;
		} else {
			(void)parse_addr(eq + 1, &addrs[p]);
		}
	}
	for (size_t p = 0; p < fl_partition_count(m); p++)
		if (!addrs[p].is_set) {
			fprintf(stderr, "faultline rsyslog-config: partition '%s' has no --engine\n",
				fl_partition_name(m, p));
			rc = -EINVAL;
		}
	return rc;
}

/* A RainerScript string constant: backslash and quote escaped; control
 * characters cannot come from a loaded inventory (ids have none). */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A name fit for rsyslog object names (action and queue file): partition
 * names may hold anything, so anything but [A-Za-z0-9_-] becomes '_', and
 * the partition number keeps two such names apart. */
static void put_ident(FILE *f, const struct fl_partition_map *m, size_t p)
{
	const char *s = fl_partition_name(m, p);

	fprintf(f, "faultline_%zu_", p);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool is_plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '-' || c == '_';

		fputc(is_plain ? c : '_', f);
	}
}

static void write_engine(FILE *f, const struct fl_partition_map *m, size_t p,
			 const struct engine_addr *e)
{
	fprintf(f, "# partition %s\nruleset(name=\"", fl_partition_name(m, p));
	put_ident(f, m, p);
	fputs("\") {\n\taction(type=\"omrelp\" name=\"", f);
	put_ident(f, m, p);
	fputs("\" target=", f);
	put_string(f, e->host);
	fprintf(f, " port=\"%u\"\n", e->port);
	/* a disk-assisted queue: in memory while the engine keeps up, spilled
	 * to the work directory when it is down, kept over a relay restart */
	fputs("\t       queue.type=\"LinkedList\" queue.filename=\"", f);
	put_ident(f, m, p);
	fputs("\" queue.saveOnShutdown=\"on\"\n"
	      "\t       queue.maxDiskSpace=\"1g\" queue.size=\"100000\"\n"
	      "\t       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")\n}\n\n",
	      f);
}

/* Bit p of mask[d]: device d's lines go to partition p. */
static void device_targets(const struct fl_partition_map *m, const struct fl_inv_device *d,
			   bool *to)
{
	for (size_t p = 0; p < fl_partition_count(m); p++)
		to[p] = fl_partition_sees_device(m, p, d);
}

/* One `if` per set of partitions, for the devices going to exactly that
 * set: by hostname (by_ip false) or by source address. */
static void write_matches(FILE *f, const struct fl_inventory *inv, const struct fl_partition_map *m,
			  bool by_ip, bool *to, bool *group_to, bool *done, size_t ndev)
{
	memset(done, 0, ndev * sizeof(*done));
	for (size_t i = 0; i < ndev; i++) {
		size_t nparts = fl_partition_count(m), n = 0;

		if (done[i])
			continue;
		device_targets(m, fl_inventory_device_at(inv, i), group_to);
		fprintf(f, "\tif %s == [", by_ip ? "$fromhost-ip" : "$hostname");
		for (size_t j = i; j < ndev; j++) {
			const struct fl_inv_device *d = fl_inventory_device_at(inv, j);

			device_targets(m, d, to);
			if (done[j] || memcmp(to, group_to, nparts * sizeof(*to)) != 0 ||
			    (by_ip && !*d->mgmt_ip))
				continue;
			done[j] = true;
			fputs(n++ % 4 ? ", " : (n > 1 ? ",\n\t\t" : ""), f);
			put_string(f, by_ip ? d->mgmt_ip : d->id);
		}
		if (n == 0)
			put_string(f, ""); /* a group with no address: matches nothing */
		fputs("] then {\n", f);
		for (size_t p = 0; p < nparts; p++)
			if (group_to[p]) {
				fputs("\t\tcall ", f);
				put_ident(f, m, p);
				fputc('\n', f);
			}
		fputs("\t\tstop\n\t}\n", f);
	}
}

static int write_config(FILE *f, const struct fl_inventory *inv, const struct fl_partition_map *m,
			const struct engine_addr *addrs, size_t default_part, const char *dir)
{
	struct fl_inventory_counts c;
	size_t nparts = fl_partition_count(m);
	bool *to = calloc(nparts, sizeof(*to)), *group_to = calloc(nparts, sizeof(*group_to));
	bool *done;

	fl_inventory_counts(inv, &c);
	done = calloc(c.devices + 1, sizeof(*done));
	if (!to || !group_to || !done) {
		free(to);
		free(group_to);
		free(done);
		return -ENOMEM;
	}
	fprintf(f, "# Written by faultline rsyslog-config from %s: %zu devices, %zu partitions.\n"
		   "# Bind the relay's inputs to ruleset \"" RULESET "\"; set global(workDirectory)\n"
		   "# for the engines' disk queues. Lines of no device of devices.csv: %s%s.\n"
		   "module(load=\"omrelp\")\n\n",
		dir, c.devices, nparts, default_part == FL_PARTITION_NONE ? "discarded" : "to ",
		default_part == FL_PARTITION_NONE ? "" : fl_partition_name(m, default_part));
	for (size_t p = 0; p < nparts; p++)
		write_engine(f, m, p, &addrs[p]);
	fputs("ruleset(name=\"" RULESET "\") {\n\t# by the device's name first\n", f);
	write_matches(f, inv, m, false, to, group_to, done, c.devices);
	fputs("\t# then by the address it sent from\n", f);
	write_matches(f, inv, m, true, to, group_to, done, c.devices);
	if (default_part == FL_PARTITION_NONE) {
		fputs("\t# no device of devices.csv\n\tstop\n}\n", f);
	} else {
		fputs("\t# no device of devices.csv\n\tcall ", f);
		put_ident(f, m, default_part);
		fputs("\n}\n", f);
	}
	free(to);
	free(group_to);
	free(done);
	return ferror(f) ? -EIO : 0;
}

static void print_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	(void)ctx;
	if (col)
		fprintf(stderr, "%s:%zu:%zu: error: %s\n", file, line, col, msg);
	else if (line)
		fprintf(stderr, "%s:%zu: error: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: error: %s\n", file, msg);
}

static int load_inventory(const char *dir, struct fl_inventory **inv)
{
	static const char *const tables[] = {"devices", "sites",    "rings",    "spans",
					     "chains",  "circuits", "contacts", "maintenance"};
	char files[8][PATH_BYTES];

	for (size_t i = 0; i < 8; i++)
		if (snprintf(files[i], PATH_BYTES, "%s/%s.csv", dir, tables[i]) >= PATH_BYTES)
			return -ENAMETOOLONG;
	struct fl_inventory_paths paths = {files[0], files[1], files[2], files[3],
					   files[4], files[5], files[6], files[7]};

	return fl_inventory_load(inv, &paths, print_error, NULL);
}

/* The map's partition named by --default (its first when not given);
 * FL_PARTITION_NONE for discard. -EINVAL for an unknown name (reported). */
static int default_partition(const struct fl_partition_map *m, const char *name, size_t *out)
{
	if (!name) {
		*out = 0;
		return 0;
	}
	if (strcmp(name, "discard") == 0) {
		*out = FL_PARTITION_NONE;
		return 0;
	}
	*out = fl_partition_find(m, fl_str_make(name, strlen(name)));
	if (*out != FL_PARTITION_NONE)
		return 0;
	fprintf(stderr, "faultline rsyslog-config: --default %s: no such partition\n", name);
	return -EINVAL;
}

static int generate(const struct rsc_args *a, const struct fl_inventory *inv)
{
	struct engine_addr addrs[FL_PARTITION_MAX] = {0};
	struct fl_partition_map *m = NULL;
	size_t default_part;
	FILE *f = stdout;
	int rc = fl_partition_map_load(&m, inv, a->data_dir, print_error, NULL);

	if (rc < 0)
		return 1;
	if (resolve_engines(a, m, addrs) < 0 ||
	    default_partition(m, a->default_part, &default_part) < 0) {
		fl_partition_map_free(m);
		return 2;
	}
	if (a->out_path && !(f = fopen(a->out_path, "w"))) {
		fprintf(stderr, "faultline rsyslog-config: %s: %s\n", a->out_path, strerror(errno));
		fl_partition_map_free(m);
		return 1;
	}
	rc = write_config(f, inv, m, addrs, default_part, a->data_dir);
	if ((f == stdout ? fflush(f) : fclose(f)) != 0 && rc == 0)
		rc = -EIO;
	if (rc < 0)
		fprintf(stderr, "faultline rsyslog-config: cannot write %s: %s\n",
			a->out_path ? a->out_path : "stdout", strerror(-rc));
	fl_partition_map_free(m);
	return rc < 0 ? 1 : 0;
}

int fl_cmd_rsyslog_config(int argc, char **argv)
{
	struct rsc_args a = {0};
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--data", &a.data_dir, "DIR", "the inventory and partitions.csv"),
		FL_OPT_LIST_ROW("--engine", add_engine, "NAME=HOST:PORT",
				"a partition's engine RELP input"),
		FL_OPT_STRING_ROW("--default", &a.default_part, "NAME|discard",
				  "where lines of unknown devices go (default: first partition)"),
		FL_OPT_STRING_ROW("-o", &a.out_path, "FILE", "write here (default stdout)"),
	};
	const struct fl_opts_cmd cmd = {"rsyslog-config", opts, sizeof(opts) / sizeof(opts[0]),
					0, false, rsc_usage};
	struct fl_inventory *inv = NULL;
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, &a, &res, &status))
		return status;
	if (!a.data_dir) {
		fprintf(stderr, "faultline rsyslog-config: needs --data DIR\n");
		rsc_usage(stderr);
		return 2;
	}
	if (load_inventory(a.data_dir, &inv) < 0) {
		fprintf(stderr, "faultline rsyslog-config: the inventory of %s does not load\n",
			a.data_dir);
		return 1;
	}
	status = generate(&a, inv);
	fl_inventory_free(inv);
	return status;
}
