/* inventory.h - the network inventory and its topology: sites, devices, rings,
 * spans, branch chains, customer circuits, contacts and maintenance windows.
 *
 * fl_inventory_load() reads the eight CSV tables (RFC 4180, see csv.h) named in
 * struct fl_inventory_paths, checks every row (types, enums, cross-references,
 * duplicates) and builds the indexes the correlation engine asks: names to
 * records, span by (device, port), ring order and ring neighbours, chains behind
 * a device, devices downstream of a span, shared-risk groups, circuits per span
 * and per site, devices per site, sites per county and city, and the site
 * graph that decides which customer circuits failed places bring down.
 *
 * Ownership and threads: the inventory owns every record and string it hands
 * out; they live until fl_inventory_free(). After a successful load nothing in
 * it changes, so any number of threads may call the queries at once without
 * locks. The load itself runs on one thread (the plan compiler's). The
 * inventory keeps no global state: two inventories may live in one process.
 *
 * Errors: a load reports EVERY problem it finds through on_error, each with the
 * CSV file, 1-based line and column (column counts UTF-8 code points), and a
 * message saying what is wrong and how to fix it; then it fails with -EINVAL
 * and no inventory. Reports stop after FL_INVENTORY_MAX_ERRORS (a last message
 * says how many were left unreported).
 *
 * Record structs below are exposed read-only: callers read their fields, never
 * write them. All `const char *` fields are NUL-terminated UTF-8 and never
 * NULL; an empty CSV field is "". Arrays inside records are `n...` long. */
#ifndef FL_INVENTORY_H
#define FL_INVENTORY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/str.h"

struct fl_inventory;

/* A port name (spans.csv a_port, b_port) is 1..FL_INVENTORY_MAX_PORT_BYTES
 * bytes of UTF-8 without whitespace or control characters; longer is a load
 * error at its cell. Interface names of real devices stay under 48 bytes
 * ("TenGigabitEthernet1/0/1.1000", "gpon-olt_1/2/3"). */
#define FL_INVENTORY_MAX_PORT_BYTES 64

/* ---- enums (each has a text form, as in the CSV) ------------------------- */

/* Organisational level (devices.level, contacts.level, contact queries). */
enum fl_inv_level {
	FL_INV_LEVEL_REGION,
	FL_INV_LEVEL_CITY,
	FL_INV_LEVEL_COUNTY,
	FL_INV_LEVEL_TOWNSHIP,
};

enum fl_inv_site_class { FL_INV_CLASS_CITY, FL_INV_CLASS_COUNTY, FL_INV_CLASS_TOWNSHIP };

enum fl_inv_power {
	FL_INV_POWER_MAINS,     /* no battery: silent at once on a mains failure */
	FL_INV_POWER_BATTERY,   /* mains+battery */
	FL_INV_POWER_GENERATOR, /* mains+battery+generator */
};

enum fl_inv_device_role {
	FL_INV_ROLE_BACKBONE_OTN,
	FL_INV_ROLE_METRO_SDH,
	FL_INV_ROLE_OLT,
	FL_INV_ROLE_ROUTER,
	FL_INV_ROLE_SWITCH,
	FL_INV_ROLE_EDFA,
	FL_INV_ROLE_OTHER, /* a kind devices.csv names itself (role_name) */
};

enum fl_inv_ring_level { FL_INV_RING_BACKBONE, FL_INV_RING_CITY, FL_INV_RING_COUNTY };

enum fl_inv_priority { FL_INV_PRIO_URGENT, FL_INV_PRIO_SEVERE, FL_INV_PRIO_GENERAL };

/* contacts.role: the plan's seven, then the roles a contacts table names of
 * its own (FL_INV_CONTACT__COUNT up to FL_INV_MAX_CONTACT_ROLES - 1, in the
 * order the table first names them: fl_inventory_role_name()). Values are
 * bit positions for role masks: 1u << role. */
enum fl_inv_contact_role {
	FL_INV_CONTACT_DUTY_ROOM,
	FL_INV_CONTACT_OPS_HEAD,
	FL_INV_CONTACT_FAULT_LEAD,
	FL_INV_CONTACT_REPAIR_TEAM,
	FL_INV_CONTACT_LEADER_IN_CHARGE,
	FL_INV_CONTACT_CHIEF_ENGINEER,
	FL_INV_CONTACT_CUSTOMER_CONTACT,
	FL_INV_CONTACT__COUNT
};

enum fl_inv_scope { FL_INV_SCOPE_SPAN, FL_INV_SCOPE_SITE, FL_INV_SCOPE_DEVICE };

/* Text forms ("township", "metro-sdh", "fault_lead", ...); "?" when out of range. */
const char *fl_inv_level_name(enum fl_inv_level l);
const char *fl_inv_device_role_name(enum fl_inv_device_role r);
const char *fl_inv_contact_role_name(enum fl_inv_contact_role r);
/* Parses a contact role's text form; 0 or -EINVAL. */
FL_MUST_CHECK int fl_inv_contact_role_parse(struct fl_str s, enum fl_inv_contact_role *out);

#define FL_INV_MAX_CONTACT_ROLES 24 /* the seven and the table's own */

/* ---- records -------------------------------------------------------------- */

struct fl_inv_site;
struct fl_inv_device;
struct fl_inv_ring;
struct fl_inv_span;
struct fl_inv_chain;
struct fl_inv_circuit;
struct fl_inv_area;
struct fl_inv_srlg;

/* A city or a county (the English names of sites.csv). */
struct fl_inv_area {
	const char *name;
	enum fl_inv_level level;                /* FL_INV_LEVEL_CITY or FL_INV_LEVEL_COUNTY */
	const struct fl_inv_area *city;         /* a county's city; NULL for a city */
	const struct fl_inv_site *const *sites; /* in sites.csv order */
	size_t nsites;
};

struct fl_inv_site {
	const char *id, *name; /* name: site_name (Chinese) */
	const struct fl_inv_area *county, *city;
	enum fl_inv_site_class site_class;
	enum fl_inv_power power;
	double lat, lon;
	size_t index; /* 0-based position in sites.csv order, for per-site arrays */
	const struct fl_inv_device *const *devices; /* devices standing here, CSV order */
	size_t ndevices;
	const struct fl_inv_circuit *const *circuits; /* circuits ending here (a or b) */
	size_t ncircuits;
	size_t line; /* sites.csv line, for diagnostics */
};

struct fl_inv_device {
	const char *id, *mgmt_ip, *vendor, *model;
	enum fl_inv_device_role role;
	const char *role_name; /* as rules compare it: the known spelling, or as written */
	enum fl_inv_level level; /* where escalation starts */
	const struct fl_inv_site *site;
	/* Ring membership: ring == NULL for devices on no ring (access devices,
	 * chain devices, HC-DH-QBN-SDH01). ring_pos is 1..N, 0 when off-ring.
	 * east: the ring neighbour at ring_pos + 1 (wrapping), joined by
	 * east_span (this device is its a end, east port); west: ring_pos - 1,
	 * joined by west_span (this device is its b end, west port). */
	const struct fl_inv_ring *ring;
	size_t ring_pos;
	const struct fl_inv_device *east, *west;
	const struct fl_inv_span *east_span, *west_span;
	/* Chain membership: chain != NULL for a chain device, chain_pos 1..n from
	 * the parent outwards (0 when not on a chain). */
	const struct fl_inv_chain *chain;
	size_t chain_pos;
	const struct fl_inv_chain *const *chains; /* chains hanging off this device */
	size_t nchains;
	/* Every device behind this one: the devices of the chains hanging off
	 * it, and of the chains hanging off those (a spur off a spur), each
	 * once; what loses its path with this device. */
	const struct fl_inv_device *const *behind;
	size_t nbehind;
	const struct fl_inv_span *const *spans; /* every span ending here */
	size_t nspans;
	size_t line;
};

struct fl_inv_ring {
	const char *id, *name, *vendor;
	enum fl_inv_ring_level level;
	const struct fl_inv_area *city, *county; /* NULL when empty in the CSV */
	/* devices[k] is at ring_pos k + 1; spans[k] joins devices[k] (east) and
	 * devices[(k + 1) % n] (west). Both arrays are nodes long. */
	const struct fl_inv_device *const *devices;
	const struct fl_inv_span *const *spans;
	size_t nodes;
	size_t line;
};

struct fl_inv_chain {
	const char *id, *name;
	const struct fl_inv_ring *parent_ring;
	const struct fl_inv_device *parent_device;
	const struct fl_inv_area *county, *city;
	/* devices[k] at chain_pos k + 1; spans[k] joins devices[k] to the one
	 * before it (the parent for k == 0). spans are matched from spans.csv. */
	const struct fl_inv_device *const *devices;
	const struct fl_inv_span *const *spans;
	size_t ndevices;
	size_t line;
};

struct fl_inv_span {
	const char *id;
	size_t index; /* 0-based position among the spans, for per-span arrays */
	const struct fl_inv_ring *ring;   /* kind ring: its ring; else NULL */
	const struct fl_inv_chain *chain; /* kind chain: its chain; else NULL */
	const struct fl_inv_device *a, *b;
	/* Ports as the devices name them ("1-8-1", "GigabitEthernet0/0/1",
	 * "xgei-1/2/4", ...), compared byte for byte (see fl_inventory_span_at). */
	const char *a_port, *b_port;
	double length_km;
	bool is_duct, is_chain;
	const struct fl_inv_srlg *const *srlgs; /* shared-risk groups it belongs to */
	size_t nsrlgs;
	const struct fl_inv_circuit *const *circuits; /* circuits riding it */
	size_t ncircuits;
	/* Devices behind this span, that lose their path when it is cut: for a
	 * chain span the chain devices beyond it and what is behind them; for a
	 * ring span what is behind either end (a single ring cut is protected
	 * for the ring, but those chains' alarms come with it). downstream_chains
	 * lists those chains (for a chain span: its own chain first). */
	const struct fl_inv_device *const *downstream;
	size_t ndownstream;
	const struct fl_inv_chain *const *downstream_chains;
	size_t ndownstream_chains;
	size_t line;
};

struct fl_inv_srlg {
	const char *id; /* e.g. DUCT-HC-JCJ-SW */
	const struct fl_inv_span *const *spans;
	size_t nspans;
};

struct fl_inv_circuit {
	const char *id, *customer, *bandwidth;
	size_t index; /* 0-based position in circuits.csv order */
	const struct fl_inv_site *a_site, *b_site;
	enum fl_inv_priority priority;
	bool is_protected;                     /* protection sncp */
	const struct fl_inv_span *const *path; /* from a_site to b_site */
	size_t npath;
	size_t line;
};

struct fl_inv_contact {
	enum fl_inv_level level; /* region, city or county */
	const char *branch;      /* "region", a city or a county */
	enum fl_inv_contact_role role;
	const char *role_name; /* the plan's name of one of the seven, or as written */
	const char *name, *mobile, *email, *office_phone; /* email may be "" */
	bool is_24h;
	const char *city, *branch_name, *customer; /* customer: "" unless customer_contact */
	size_t line, on_24h_col; /* where its row and its on_24h cell are */
};

struct fl_inv_window {
	const char *id, *target, *reason, *approved_by;
	int64_t start_ns, end_ns; /* UTC ns since the epoch; end exclusive */
	int64_t announced_ns;
	enum fl_inv_scope scope;
	const char *const *customers_notified;
	size_t ncustomers_notified;
	size_t line;
};

/* ---- lifecycle ------------------------------------------------------------ */

/* on_error: file is the path as given, line and col 1-based (col 0: no column,
 * e.g. a missing file). msg is borrowed for the call. */
typedef void (*fl_inventory_error_fn)(void *ctx, const char *file, size_t line, size_t col,
                                      const char *msg);

/* Paths of the CSV tables; NULL = not given: the table is empty, and references
 * into it are not checked (a plan may load sites and devices only). A table
 * may be left out only with those that need it: devices need sites; chains
 * need rings and devices; spans need devices; circuits need sites and spans.
 * Leaving a needed one out is an error (line 0) and the load fails. */
struct fl_inventory_paths {
	const char *devices, *sites, *rings, *spans, *chains, *circuits, *contacts, *maintenance;
};

/* Loads and checks the tables. Returns 0 and sets *out; -EINVAL after
 * reporting EVERY error found through on_error (file:line:col of the CSV, a
 * message saying what is wrong and how to fix it); -ENOENT for a missing file
 * (also reported; other tables are still checked); -EFBIG for a file above
 * FL_INVENTORY_MAX_FILE_BYTES (reported); -ENOMEM. on_error may be NULL.
 * On failure *out is untouched. Free the result with fl_inventory_free(). */
FL_MUST_CHECK int fl_inventory_load(struct fl_inventory **out,
                                    const struct fl_inventory_paths *paths,
                                    fl_inventory_error_fn on_error, void *ctx);

/* The same tables already in memory (a test, a fuzzer, a bundle): each text is
 * borrowed for the call only; p == NULL means not given. Errors name the
 * tables "sites.csv", "devices.csv", ... Returns as fl_inventory_load(),
 * never -ENOENT (-EFBIG for a text above FL_INVENTORY_MAX_FILE_BYTES). */
struct fl_inventory_texts {
	struct fl_str devices, sites, rings, spans, chains, circuits, contacts, maintenance;
};
FL_MUST_CHECK int fl_inventory_load_texts(struct fl_inventory **out,
                                          const struct fl_inventory_texts *texts,
                                          fl_inventory_error_fn on_error, void *ctx);

void fl_inventory_free(struct fl_inventory *inv); /* NULL ok */

/* ---- queries: counts and lookups ------------------------------------------ */

struct fl_inventory_counts {
	size_t sites, devices, rings, spans, ring_spans, chain_spans, chains, circuits, contacts,
	    windows, cities, counties, srlgs;
	size_t arena_bytes; /* memory the records, strings and lists hold (not the indexes) */
};
void fl_inventory_counts(const struct fl_inventory *inv, struct fl_inventory_counts *out);

/* Lookups by exact (case-sensitive) name; NULL when unknown. O(1). */
const struct fl_inv_site *fl_inventory_site(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_device *fl_inventory_device(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_ring *fl_inventory_ring(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_span *fl_inventory_span(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_chain *fl_inventory_chain(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_circuit *fl_inventory_circuit(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_area *fl_inventory_city(const struct fl_inventory *inv, struct fl_str name);
const struct fl_inv_area *fl_inventory_county(const struct fl_inventory *inv, struct fl_str name);
const struct fl_inv_srlg *fl_inventory_srlg(const struct fl_inventory *inv, struct fl_str id);
const struct fl_inv_window *fl_inventory_window(const struct fl_inventory *inv, struct fl_str id);

/* The device a message names (a syslog HOSTNAME, a capture): RFC 5424
 * prefers an FQDN to a hostname to an address, and devices and relays
 * write any of them in any case (DNS names ignore it). In order: the device
 * of that exact id; for an IPv4 or IPv6 address, the device it manages
 * (fl_inventory_device_by_ip); for an FQDN, the device named by its first
 * label; then either name again ignoring ASCII case, when only one device's
 * id matches so. NULL when none. */
const struct fl_inv_device *fl_inventory_device_named(const struct fl_inventory *inv,
						      struct fl_str name);

/* The device whose mgmt_ip is the address `ip` (IPv4 or IPv6 text, as an
 * SNMP trap's agent address or a syslog peer is written, in any of its
 * spellings; an IPv4 address is also found as ::ffff:a.b.c.d); NULL when
 * none. */
const struct fl_inv_device *fl_inventory_device_by_ip(const struct fl_inventory *inv,
                                                      struct fl_str ip);
/* The same for a binary address: af AF_INET (4 bytes at addr) or AF_INET6
 * (16); NULL for any other af. */
const struct fl_inv_device *fl_inventory_device_by_addr(const struct fl_inventory *inv, int af,
                                                        const void *addr);

/* The span ending at (device, port), as a device names it in an alarm
 * ("HC-YZ-LX-OSN01", "1-8-1"; "HC-JCJ-RT01", "GigabitEthernet0/0/1"); NULL
 * when that port carries no span. Ports compare exactly as written in
 * spans.csv: case and every character count, so "Gi0/0/1" does not find
 * "GigabitEthernet0/0/1". Any port name loads (FL_INVENTORY_MAX_PORT_BYTES at
 * most, no whitespace or control characters). */
const struct fl_inv_span *fl_inventory_span_at(const struct fl_inventory *inv, struct fl_str device,
                                               struct fl_str port);

/* Iteration by index, 0 <= i < count, in CSV order; NULL past the end. */
const struct fl_inv_device *fl_inventory_device_at(const struct fl_inventory *inv, size_t i);
const struct fl_inv_site *fl_inventory_site_at(const struct fl_inventory *inv, size_t i);
const struct fl_inv_span *fl_inventory_span_nth(const struct fl_inventory *inv, size_t i);
const struct fl_inv_ring *fl_inventory_ring_at(const struct fl_inventory *inv, size_t i);
const struct fl_inv_circuit *fl_inventory_circuit_at(const struct fl_inventory *inv, size_t i);
const struct fl_inv_contact *fl_inventory_contact_at(const struct fl_inventory *inv, size_t i);
const struct fl_inv_window *fl_inventory_window_at(const struct fl_inventory *inv, size_t i);

/* ---- contacts ------------------------------------------------------------- */

/* The contact roles inv knows: the seven, then its contacts table's own
 * (count at least FL_INV_CONTACT__COUNT; inv may be NULL: the seven). name:
 * "?" out of range. find: one of them by name (the seven by the plan's
 * names), 0 or -EINVAL. */
size_t fl_inventory_role_count(const struct fl_inventory *inv);
const char *fl_inventory_role_name(const struct fl_inventory *inv, unsigned role);
FL_MUST_CHECK int fl_inventory_role_find(const struct fl_inventory *inv, struct fl_str name,
                                         enum fl_inv_contact_role *out);

#define FL_INVENTORY_MAX_HITS 32 /* contacts one query returns; more: `truncated` */

struct fl_inv_contact_hit {
	const struct fl_inv_contact *contact;
	enum fl_inv_contact_role role; /* the role it was found for (the first) */
	unsigned also_roles;           /* other asked roles the same person fills */
	enum fl_inv_level asked_level, found_level;
	const char *found_branch; /* the branch that filled the role */
	bool fell_back;           /* found_level above asked_level */
};

struct fl_inv_contacts {
	struct fl_inv_contact_hit hits[FL_INVENTORY_MAX_HITS];
	size_t nhits;
	unsigned missing_roles; /* asked roles nobody fills, even at region */
	size_t duplicates;      /* rows dropped: same mobile or e-mail as a hit */
	bool truncated;         /* more than FL_INVENTORY_MAX_HITS matched */
};

/* Resolves each role in role_mask (bits 1u << enum fl_inv_contact_role) at
 * `level` relative to `location`: a device or site id (-> its county, city,
 * region), a county, a city, or "region". Level township means the location's
 * county: townships have no branch, so the hit reports fell_back from
 * township to county. When nobody fills a role at a branch the search goes one
 * level up (county -> city -> region) and the hit says where it was found.
 * Every row filling the role at the found branch is returned (the region has
 * two fault leads; check is_24h). A person already returned (same mobile or,
 * when not empty, same e-mail) is not returned twice: the first hit gets the
 * role in also_roles, and `duplicates` counts it. Customer contacts are not
 * resolved here (see fl_inventory_customer_contacts()).
 * Returns 0 (nhits may be 0 with missing_roles set); -ENOENT when location
 * names nothing; -EINVAL for a level below the location (county of a city,
 * city of "region") or a bad mask. out is written only on success. */
FL_MUST_CHECK int fl_inventory_contacts(const struct fl_inventory *inv, unsigned role_mask,
                                        enum fl_inv_level level, struct fl_str location,
                                        struct fl_inv_contacts *out);

/* The customer_contact rows whose customer is exactly `customer`, deduplicated
 * as above. Returns 0 (possibly no hits). */
FL_MUST_CHECK int fl_inventory_customer_contacts(const struct fl_inventory *inv,
                                                 struct fl_str customer,
                                                 struct fl_inv_contacts *out);

/* ---- maintenance ---------------------------------------------------------- */

/* Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" to UTC ns
 * since the epoch. Returns 0 or -EINVAL (no offset, out-of-range field). */
FL_MUST_CHECK int fl_inventory_parse_time(struct fl_str s, int64_t *out_ns);

/* Whether `target` (of kind scope) is under a maintenance window at at_ns
 * (start <= at_ns < end). A site window covers the site and its devices; a
 * device window the device; a span window the span. Returns the first window
 * covering it (CSV order), or NULL; unknown targets are never covered. */
const struct fl_inv_window *fl_inventory_maintenance(const struct fl_inventory *inv,
                                                     enum fl_inv_scope scope, struct fl_str target,
                                                     int64_t at_ns);

/* ---- ring and circuit state under cuts ------------------------------------ */

enum fl_inv_ring_state {
	FL_INV_RING_INTACT,    /* no cut on this ring */
	FL_INV_RING_PROTECTED, /* one cut: traffic switched the other way, nothing isolated */
	FL_INV_RING_BROKEN,    /* two or more cuts: the devices between them are isolated */
};

/* Given the spans cut (any spans; those of other rings are ignored, a span
 * listed twice counts once), tells the ring's state and which ring devices are
 * isolated: those not joined to the ring head (ring_pos 1) by an uncut path.
 * The head itself is never isolated. Devices on chains hanging off an isolated
 * device are isolated too; they are not listed (see fl_inv_device.behind).
 * isolated: caller's array of cap entries (may be NULL when cap is 0);
 * *nisolated gets the full count even when it exceeds cap.
 * Returns the state, or -EINVAL for a NULL ring or nisolated. */
FL_MUST_CHECK int fl_inventory_ring_state(const struct fl_inventory *inv,
                                          const struct fl_inv_ring *ring,
                                          const struct fl_inv_span *const *cuts, size_t ncuts,
                                          const struct fl_inv_device **isolated, size_t cap,
                                          size_t *nisolated);

enum fl_inv_circuit_state {
	FL_INV_CIRCUIT_UP,        /* none of its path is cut */
	FL_INV_CIRCUIT_PROTECTED, /* its path is cut, SNCP carries it round the ring */
	FL_INV_CIRCUIT_DOWN,      /* cut and unprotected, on a chain, or both ways cut */
};

/* A circuit's state under a set of cut spans. An sncp circuit survives a cut
 * ring span as long as, on every ring of its path, the devices where it enters
 * and leaves that ring remain joined; a cut chain span or a cut on an
 * unprotected circuit's path drops it. Returns the state or -EINVAL. */
FL_MUST_CHECK int fl_inventory_circuit_state(const struct fl_inventory *inv,
                                             const struct fl_inv_circuit *c,
                                             const struct fl_inv_span *const *cuts, size_t ncuts);

/* ---- customer circuits under failed spans and sites ----------------------- */

/* Places fl_inventory_circuit_effect() reads from each of its arrays; the
 * rest are counted in places_ignored. */
#define FL_INVENTORY_MAX_FAILED 64
/* Circuits listed per class; the rest are counted in the totals only. */
#define FL_INVENTORY_MAX_EFFECT 256

/* What failed spans and sites do to the customer circuits. down: circuits
 * whose service is lost; at_risk: protected (sncp) circuits whose working
 * path crosses a failed place but whose ends are still joined, so they run
 * on protection. Both lists are in circuits.csv order. *_total count every
 * such circuit, listed or not; down_priorities has bit 1u << priority set
 * for every down circuit (listed or not). */
struct fl_inv_circuit_effect {
	const struct fl_inv_circuit *down[FL_INVENTORY_MAX_EFFECT];
	const struct fl_inv_circuit *at_risk[FL_INVENTORY_MAX_EFFECT];
	size_t ndown, nat_risk;		/* listed */
	size_t down_total, at_risk_total; /* listed or not */
	unsigned down_priorities;	/* bits 1u << enum fl_inv_priority */
	size_t places_ignored;		/* failed places past FL_INVENTORY_MAX_FAILED */
};

/* Decides, for failed spans and failed sites (an incident's places: cut
 * spans, a dead site), which circuits are down and which are at risk:
 * - a circuit ending at a failed site is down;
 * - an unprotected circuit is down when its path crosses a failed span or a
 *   failed site (a path span ends at a device of that site);
 * - a protected (sncp) circuit is down when its two end sites are no longer
 *   joined by any span of spans.csv (ring, chain or backbone) once the failed
 *   spans and sites are taken out of the network; otherwise, when its path
 *   crosses a failed place, it is at risk.
 * Circuits whose path crosses no failed place are neither. NULL entries and
 * repeats in the arrays are ignored. The site graph is built at load; one
 * call costs O(places' circuits + sites + spans) and allocates one scratch
 * block of O(sites + spans + circuits) bytes, freed before it returns.
 * Returns 0, -EINVAL (NULL inv or out, an array NULL with a count) or
 * -ENOMEM; out is written only on success. Thread-safe like every query. */
FL_MUST_CHECK int fl_inventory_circuit_effect(const struct fl_inventory *inv,
                                              const struct fl_inv_span *const *spans,
                                              size_t nspans,
                                              const struct fl_inv_site *const *sites,
                                              size_t nsites, struct fl_inv_circuit_effect *out);

#endif /* FL_INVENTORY_H */
