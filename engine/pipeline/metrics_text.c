/* metrics_text.c - a run's snapshot (metrics.h) gathered and written out: the
 * JSON stats line, the Prometheus text exposition and the health verdict.
 * Pure functions of their arguments; metrics.c serves them.
 *
 * Every counter is a row of one of the tables below, named once for both
 * outputs: a counter added to a stats struct is one row here. Prometheus
 * names follow its conventions (https://prometheus.io/docs/practices/naming/):
 * faultline_ prefix, _total on counters, the unit (seconds) in the name,
 * base units only. */
#include "engine/pipeline/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/pipeline/runner.h"
#include "engine/store/store.h"

#define ALL_INPUTS ((1u << FL_INPUT__COUNT) - 1)
#define ONLY(k) (1u << (k))
#define STREAMS (ONLY(FL_INPUT_TCP) | ONLY(FL_INPUT_TLS))

/* A counter of struct fl_input_stats, for the inputs in mask. Rows of one
 * family are adjacent; cause: the label of faultline_input_dropped_total. */
struct input_row {
	const char *metric, *cause, *json, *help;
	size_t offset;
	unsigned mask;
};

#define IN(f) offsetof(struct fl_input_stats, f)
static const struct input_row input_rows[] = {
	{"faultline_input_received_total", NULL, "received",
	 "Messages taken from the wire and queued for the engine.", IN(received), ALL_INPUTS},
	{"faultline_input_dropped_total", "allowlist", "dropped_allowlist",
	 "Messages (or connections) dropped, by cause.", IN(dropped_allowlist), ALL_INPUTS},
	{"faultline_input_dropped_total", "queue_full", "queue_full", NULL, IN(queue_full),
	 ALL_INPUTS},
	{"faultline_input_dropped_total", "kernel", "kernel_drops", NULL, IN(kernel_drops),
	 ONLY(FL_INPUT_UDP) | ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "too_long", "too_long", NULL, IN(too_long),
	 STREAMS | ONLY(FL_INPUT_RELP)},
	{"faultline_input_dropped_total", "bad_community", "bad_community", NULL,
	 IN(bad_community), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "undecodable", "undecodable", NULL, IN(undecodable),
	 ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "v3_refused", "v3_refused", NULL, IN(v3_refused),
	 ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_unknown_user", "usm_unknown_user", NULL,
	 IN(usm_unknown_user), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_unknown_engine_id", "usm_unknown_engine_id", NULL,
	 IN(usm_unknown_engine_id), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_unsupported_level", "usm_unsupported_level", NULL,
	 IN(usm_unsupported_level), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_wrong_digest", "usm_wrong_digest", NULL,
	 IN(usm_wrong_digest), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_not_in_time_window", "usm_not_in_time_window",
	 NULL, IN(usm_not_in_time_window), ONLY(FL_INPUT_TRAP)},
	{"faultline_input_dropped_total", "usm_decryption_error", "usm_decryption_error", NULL,
	 IN(usm_decryption_error), ONLY(FL_INPUT_TRAP)},
	{"faultline_relp_refused_unkept_total", NULL, "refused_unkept",
	 "RELP messages refused unacknowledged: the journal could not keep them.",
	 IN(refused_unkept), ONLY(FL_INPUT_RELP)},
	{"faultline_tcp_connections_total", NULL, "connections",
	 "TCP connections accepted (TLS: sessions set up).", IN(connections), STREAMS},
	{"faultline_tcp_connections_refused_total", NULL, "refused",
	 "TCP (and TLS) connections refused over --max-conns.", IN(refused), STREAMS},
	{"faultline_tcp_bad_framing_total", NULL, "bad_framing",
	 "TCP (and TLS) connections closed for a bad octet count.", IN(bad_framing), STREAMS},
	{"faultline_tcp_half_frames_total", NULL, "half_frames",
	 "Unfinished TCP (and TLS) frames at a disconnect.", IN(half_frames), STREAMS},
	{"faultline_tcp_pauses_total", NULL, "paused",
	 "TCP (and TLS) connections paused while the queue was full.", IN(paused), STREAMS},
	{"faultline_tls_handshakes_failed_total", NULL, "handshake_failed",
	 "TLS handshakes that failed (not TLS, or a TLS error).", IN(handshake_failed),
	 ONLY(FL_INPUT_TLS)},
	{"faultline_tls_peers_rejected_total", NULL, "peer_rejected",
	 "TLS clients refused: certificate missing, invalid or not permitted.", IN(peer_rejected),
	 ONLY(FL_INPUT_TLS)},
	{"faultline_tls_handshake_timeouts_total", NULL, "handshake_timeout",
	 "TLS connections closed still in the handshake.", IN(handshake_timeout),
	 ONLY(FL_INPUT_TLS)},
	{"faultline_trap_informs_answered_total", NULL, "informs_answered",
	 "Responses sent to SNMP InformRequests.", IN(informs_answered), ONLY(FL_INPUT_TRAP)},
	{"faultline_trap_log_lines_suppressed_total", NULL, "log_suppressed",
	 "Log lines about bad traps held back by the rate limit.", IN(log_suppressed),
	 ONLY(FL_INPUT_TRAP)},
	{"faultline_tls_log_lines_suppressed_total", NULL, "log_suppressed",
	 "Log lines about TLS handshakes held back by the rate limit.", IN(log_suppressed),
	 ONLY(FL_INPUT_TLS)},
};
#undef IN

/* A uint64_t counter of a stats struct at offset. */
struct stat_row {
	const char *metric, *json, *help;
	size_t offset;
};

#define EN(f) offsetof(struct fl_engine_stats, f)
static const struct stat_row engine_rows[] = {
	{"faultline_engine_events_total", "events", "Events fed to the engine.", EN(events)},
	{"faultline_events_matched_total", "matched", "Events a rule matched.", EN(matched)},
	{"faultline_alarms_absorbed_total", "absorbed", "Alarms absorbed into an open incident.",
	 EN(absorbed)},
	{"faultline_incidents_opened_total", "opened", "Incidents opened.", EN(opened)},
	{"faultline_incidents_cleared_total", "cleared", "Incidents cleared.", EN(cleared)},
	{"faultline_incident_updates_total", "updated", "Update actions on open incidents.",
	 EN(updated)},
	{"faultline_incidents_suppressed_total", "suppressed", "Incidents suppressed.",
	 EN(suppressed)},
	{"faultline_notifications_total", "notified", "Notify actions of ladder steps and rules.",
	 EN(notified)},
	{"faultline_runs_total", "runs", "Run actions of rules.", EN(runs)},
	{"faultline_runs_without_incident_total", "runs_without_incident",
	 "Run actions with no open incident.", EN(runs_without_incident)},
	{"faultline_events_emitted_total", "emitted", "Derived events emitted by rules.",
	 EN(emitted)},
	{"faultline_emits_too_deep_total", "emit_too_deep", "Emits refused: nested too deep.",
	 EN(emit_too_deep)},
	{"faultline_emits_dropped_total", "emit_dropped", "Emitted events dropped.",
	 EN(emit_dropped)},
	{"faultline_events_late_total", "late", "Events too late for the engine's clock.",
	 EN(late)},
	{"faultline_keys_evicted_total", "evicted", "Rule keys evicted, least recently used.",
	 EN(evicted)},
	{"faultline_keys_refused_total", "keys_refused", "New rule keys refused at the cap.",
	 EN(keys_refused)},
	{"faultline_keys_too_long_total", "key_too_long", "Rule keys longer than the cap.",
	 EN(key_too_long)},
	{"faultline_incidents_refused_total", "incidents_refused",
	 "Incidents refused: the incident table was full.", EN(incidents_refused)},
	{"faultline_timers_refused_total", "timers_refused", "Timers the timer wheel refused.",
	 EN(timers_refused)},
	{"faultline_regex_limits_total", "regex_limit", "Regex matches stopped at the PCRE2 limit.",
	 EN(regex_limit)},
	{"faultline_regex_pcre2_runs_total", "regex_pcre2", "Regex runs PCRE2 answered.",
	 EN(regex_pcre2)},
	{"faultline_regex_rxlite_runs_total", "regex_rxlite",
	 "Regex runs rxlite answered, without PCRE2.", EN(regex_rxlite)},
	{"faultline_regex_late_compiles_total", "regex_compiled",
	 "PCRE2 compiles of regexes the plan holds for rxlite, made when first needed.",
	 EN(regex_compiled)},
	{"faultline_regex_late_compile_failures_total", "regex_uncompiled",
	 "Of those, compiles that failed for want of memory: the regex does not match.",
	 EN(regex_uncompiled)},
	{"faultline_regex_shared_total", "regex_shared",
	 "Regex conditions answered by another rule's run of the same regex on the same text.",
	 EN(regex_shared)},
	{"faultline_ladder_steps_dropped_total", "ladder_steps_dropped",
	 "Ladder steps not scheduled: FL_LADDER_STEPS_MAX.", EN(ladder_steps_dropped)},
	{"faultline_resumed_steps_dropped_total", "resume_steps_dropped",
	 "Steps taken a resumed ticket could not keep.", EN(resume_steps_dropped)},
	{"faultline_scope_sites_dropped_total", "scope_sites_dropped",
	 "Sites left out of an incident's scope: FL_SCOPE_SITES_MAX.", EN(scope_sites_dropped)},
	{"faultline_places_dropped_total", "places_dropped",
	 "Places an incident could not keep: FL_INCIDENT_MAX_PLACES.", EN(places_dropped)},
	{"faultline_incidents_resumed_total", "resumed",
	 "Open tickets of the store taken back by the engine.", EN(resumed)},
	{"faultline_incidents_resume_refused_total", "resume_refused",
	 "Open tickets the engine could not take back.", EN(resume_refused)},
};
#undef EN

#define SK(f) offsetof(struct fl_sink_stats, f)
static const struct stat_row sink_rows[] = {
	{"faultline_store_tickets_opened_total", "opened", "Tickets opened in the store.",
	 SK(opened)},
	{"faultline_store_tickets_continued_total", "continued",
	 "Opens that continued the same fault's ticket still open.", SK(continued)},
	{"faultline_store_alarms_absorbed_total", "absorbed", "Alarms absorbed into tickets.",
	 SK(absorbed)},
	{"faultline_store_steps_taken_total", "steps", "Ladder steps recorded.", SK(steps)},
	{"faultline_store_steps_already_taken_total", "steps_skipped",
	 "Steps the store had taken before: not sent again.", SK(steps_skipped)},
	{"faultline_store_steps_no_longer_due_total", "steps_not_due",
	 "Steps not sent: the ticket was acknowledged, restored or resolved.", SK(steps_not_due)},
	{"faultline_store_notifications_queued_total", "notices", "Outbox rows queued.",
	 SK(notices)},
	{"faultline_store_commits_total", "commits", "Store transactions committed or tried.",
	 SK(commits)},
	{"faultline_store_errors_total", "errors", "Store writes or commits that failed.",
	 SK(errors)},
	{"faultline_store_queue_full_total", "queue_full",
	 "Actions dropped: the store thread's queue was full.", SK(queue_full)},
	{"faultline_store_incidents_forgotten_open_total", "incidents_forgotten_open",
	 "Open incidents the sink's full memory let go.", SK(incidents_forgotten_open)},
	{"faultline_store_actions_without_ticket_total", "unknown_incident",
	 "Actions on an incident the store has no ticket for.", SK(unknown_incident)},
	{"faultline_store_incidents_refused_total", "incidents_refused",
	 "Incidents the sink had no room to remember.", SK(incidents_refused)},
	{"faultline_clocks_missed_total", "clocks_missed",
	 "Ticket clocks the store marked missed at their deadline.", SK(clocks_missed)},
	{"faultline_store_tickets_resumed_total", "resumed",
	 "Open tickets handed back to the engine at start.", SK(resumed)},
	{"faultline_store_windows_ended_total", "windows_ended",
	 "Planned tickets whose maintenance window ended with the fault on.", SK(windows_ended)},
};
#undef SK

static uint64_t field(const void *stats, size_t offset)
{
	uint64_t v;

	memcpy(&v, (const char *)stats + offset, sizeof(v));
	return v;
}

/* ---- gathering ------------------------------------------------------------ */

void fl_run_stats_count(struct fl_run_stats *st, enum fl_input_kind input, bool is_trap,
			int verdict)
{
	st->messages++;
	if (verdict != 0)
		st->undecoded++;
	if (is_trap)
		st->traps_decoded += verdict == 0;
	else if ((unsigned)input < FL_INPUT__COUNT && (unsigned)verdict < FL_SYSLOG__COUNT)
		st->verdicts[input][verdict]++;
}

void fl_run_stats_gather(struct fl_run_stats *st, const struct fl_inputs *in,
			 const struct fl_runner *r)
{
	struct timespec ts;

	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		st->has_input[k] = fl_inputs_enabled(in, (enum fl_input_kind)k);
		if (st->has_input[k])
			fl_inputs_stats(in, (enum fl_input_kind)k, &st->input[k]);
	}
	if (r) /* NULL: a standby, whose engine starts at takeover */
		fl_runner_stats(r, st);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	st->taken_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the JSON stats line -------------------------------------------------- */

static void json_uint(struct fl_json *j, const char *key, uint64_t v)
{
	fl_json_key(j, key);
	fl_json_uint(j, v);
}

static void json_input(struct fl_json *j, const struct fl_run_stats *st, int k)
{
	fl_json_key(j, fl_input_name((enum fl_input_kind)k));
	fl_json_obj_begin(j);
	for (size_t i = 0; i < FL_ARRAY_LEN(input_rows); i++) {
		const struct input_row *r = &input_rows[i];

		if (r->mask & ONLY(k))
			json_uint(j, r->json, field(&st->input[k], r->offset));
	}
	if (k == FL_INPUT_TRAP) {
		json_uint(j, "decoded", st->traps_decoded);
	} else {
		json_uint(j, "decoded", st->verdicts[k][FL_SYSLOG_OK]);
		fl_json_key(j, "errors");
		fl_json_obj_begin(j);
		for (int v = 1; v < FL_SYSLOG__COUNT; v++)
			if (st->verdicts[k][v] > 0)
				json_uint(j, fl_syslog_verdict_name((enum fl_syslog_verdict)v),
					  st->verdicts[k][v]);
		fl_json_obj_end(j);
	}
	fl_json_obj_end(j);
}

static void json_rows(struct fl_json *j, const struct stat_row *rows, size_t n, const void *stats)
{
	for (size_t i = 0; i < n; i++)
		json_uint(j, rows[i].json, field(stats, rows[i].offset));
}

/* --pair: the role, as /metrics and `faultline status` say it. */
static void json_pair(struct fl_json *j, const struct fl_pair_role *p)
{
	fl_json_key(j, "pair");
	fl_json_obj_begin(j);
	fl_json_key(j, "name");
	fl_json_str(j, p->name, strlen(p->name));
	fl_json_key(j, "leader");
	fl_json_bool(j, p->is_leader);
	fl_json_key(j, "fencing_number");
	fl_json_int(j, p->epoch);
	json_uint(j, "takeovers", p->takeovers);
	fl_json_obj_end(j);
}

int fl_run_stats_json(struct fl_buf *out, const struct fl_run_stats *st)
{
	struct fl_json j;

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "stats");
	fl_json_obj_begin(&j);
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (st->has_input[k])
			json_input(&j, st, k);
	fl_json_key(&j, "engine");
	fl_json_obj_begin(&j);
	json_uint(&j, "messages", st->messages);
	json_uint(&j, "undecoded", st->undecoded);
	json_uint(&j, "reloads_ok", st->reloads_ok);
	json_uint(&j, "reloads_failed", st->reloads_failed);
	json_rows(&j, engine_rows, FL_ARRAY_LEN(engine_rows), &st->engine);
	json_uint(&j, "keys_live", st->engine.live_keys);
	json_uint(&j, "incidents_open", st->engine.open_incidents);
	fl_json_obj_end(&j);
	if (st->has_store) {
		fl_json_key(&j, "store");
		fl_json_obj_begin(&j);
		json_rows(&j, sink_rows, FL_ARRAY_LEN(sink_rows), &st->sink);
		json_uint(&j, "not_resumed", st->sink.resume_refused + st->sink.resume_over_cap);
		json_uint(&j, "window_lookups_failed", st->window_errors);
		json_uint(&j, "queue_depth", st->sink.queue_depth);
		json_uint(&j, "commits_failing", st->sink.commits_failing);
		fl_json_obj_end(&j);
	}
	if (st->pair.name)
		json_pair(&j, &st->pair);
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	if (out->overflowed)
		return -EMSGSIZE;
	return fl_json_failed(&j) ? -ENOMEM : 0;
}

/* ---- the Prometheus text exposition --------------------------------------- */

static void family(struct fl_buf *b, const char *name, const char *type, const char *help)
{
	(void)fl_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct fl_buf *b, const char *name, const char *type, const char *help,
		uint64_t v)
{
	family(b, name, type, help);
	(void)fl_buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

/* A label value as the text format wants it: backslash, double quote and
 * line feed escaped. Plan names are the plan author's text. */
static void label_value(struct fl_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			(void)fl_buf_addc(b, '\\');
		if (*s == '\n')
			(void)fl_buf_adds(b, "\\n");
		else
			(void)fl_buf_addc(b, *s);
	}
}

/* ns as seconds with nine decimals, exact (a double would round). */
static void seconds(struct fl_buf *b, const char *name, int64_t ns)
{
	uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	(void)fl_buf_printf(b, "%s %s%" PRIu64 ".%09" PRIu64 "\n", name, ns < 0 ? "-" : "",
			    mag / 1000000000u, mag % 1000000000u);
}

static unsigned enabled_mask(const struct fl_run_stats *st)
{
	unsigned mask = 0;

	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (st->has_input[k])
			mask |= ONLY(k);
	return mask;
}

/* The input families: each row's samples for the inputs it applies to that
 * run; a family none of the run's inputs has is left out. */
static void render_inputs(struct fl_buf *b, const struct fl_run_stats *st)
{
	unsigned on = enabled_mask(st);

	for (size_t i = 0; i < FL_ARRAY_LEN(input_rows); i++) {
		const struct input_row *r = &input_rows[i];
		unsigned family_mask = 0;

		if (i == 0 || strcmp(r->metric, input_rows[i - 1].metric) != 0) {
			/* the first row of its family: it has the help text */
			for (size_t n = i; n < FL_ARRAY_LEN(input_rows) &&
					   strcmp(input_rows[n].metric, r->metric) == 0;
			     n++)
				family_mask |= input_rows[n].mask;
			if (family_mask & on)
				family(b, r->metric, "counter", r->help);
		}
		for (int k = 0; k < FL_INPUT__COUNT; k++) {
			if (!(r->mask & on & ONLY(k)))
				continue;
			(void)fl_buf_printf(b, "%s{input=\"%s\"", r->metric,
					    fl_input_name((enum fl_input_kind)k));
			if (r->cause)
				(void)fl_buf_printf(b, ",cause=\"%s\"", r->cause);
			(void)fl_buf_printf(b, "} %" PRIu64 "\n", field(&st->input[k], r->offset));
		}
	}
}

static void render_decode(struct fl_buf *b, const struct fl_run_stats *st)
{
	static const char *const decoded = "faultline_syslog_decoded_total";
	static const char *const errors = "faultline_syslog_decode_errors_total";
	unsigned syslog = enabled_mask(st) & ~ONLY(FL_INPUT_TRAP);

	if (syslog) {
		family(b, decoded, "counter", "Syslog messages decoded, by input.");
		for (int k = 0; k < FL_INPUT__COUNT; k++)
			if (syslog & ONLY(k))
				(void)fl_buf_printf(b, "%s{input=\"%s\"} %" PRIu64 "\n", decoded,
						    fl_input_name((enum fl_input_kind)k),
						    st->verdicts[k][FL_SYSLOG_OK]);
		family(b, errors, "counter",
		       "Syslog messages that did not decode, by input and verdict.");
		for (int k = 0; k < FL_INPUT__COUNT; k++)
			for (int v = 1; syslog & ONLY(k) && v < FL_SYSLOG__COUNT; v++)
				(void)fl_buf_printf(
					b, "%s{input=\"%s\",verdict=\"%s\"} %" PRIu64 "\n", errors,
					fl_input_name((enum fl_input_kind)k),
					fl_syslog_verdict_name((enum fl_syslog_verdict)v),
					st->verdicts[k][v]);
	}
	if (st->has_input[FL_INPUT_TRAP])
		one(b, "faultline_traps_decoded_total", "counter", "SNMP traps decoded.",
		    st->traps_decoded);
	one(b, "faultline_messages_total", "counter", "Messages the engine's thread took.",
	    st->messages);
	one(b, "faultline_messages_undecoded_total", "counter",
	    "Messages that did not decode (syslog lines still run as events).", st->undecoded);
	one(b, "faultline_reloads_total", "counter", "Plan reloads swapped in.", st->reloads_ok);
	one(b, "faultline_reloads_failed_total", "counter",
	    "Plan reloads refused; the old plan ran on.", st->reloads_failed);
}

static void render_rows(struct fl_buf *b, const struct stat_row *rows, size_t n,
			const void *stats)
{
	for (size_t i = 0; i < n; i++)
		one(b, rows[i].metric, "counter", rows[i].help, field(stats, rows[i].offset));
}

/* Per rule or correlation: one family per counter, a sample per source. */
static void render_sources(struct fl_buf *b, const struct fl_run_stats *st)
{
	static const struct {
		const char *metric, *help;
		size_t offset;
	} rows[] = {
		{"faultline_rule_incidents_opened_total",
		 "Incidents opened, by the rule or correlation that raised them.",
		 offsetof(struct fl_metrics_source, opened)},
		{"faultline_rule_incidents_cleared_total", "Incidents cleared, by rule.",
		 offsetof(struct fl_metrics_source, cleared)},
		{"faultline_rule_alarms_absorbed_total",
		 "Alarms absorbed, by the rule or correlation of the incident.",
		 offsetof(struct fl_metrics_source, absorbed)},
		{"faultline_rule_notifications_total", "Notify actions, by rule.",
		 offsetof(struct fl_metrics_source, notified)},
	};

	if (st->n_sources == 0)
		return;
	for (size_t i = 0; i < FL_ARRAY_LEN(rows); i++) {
		family(b, rows[i].metric, "counter", rows[i].help);
		for (size_t s = 0; s < st->n_sources; s++) {
			(void)fl_buf_printf(b, "%s{rule=\"", rows[i].metric);
			label_value(b, st->sources[s].name);
			(void)fl_buf_printf(b, "\",kind=\"%s\"} %" PRIu64 "\n",
					    st->sources[s].is_correlation ? "correlation" : "rule",
					    field(&st->sources[s], rows[i].offset));
		}
	}
}

static void render_store(struct fl_buf *b, const struct fl_run_stats *st)
{
	const struct fl_sink_stats *s = &st->sink;

	render_rows(b, sink_rows, FL_ARRAY_LEN(sink_rows), s);
	one(b, "faultline_store_tickets_not_resumed_total", "counter",
	    "Open tickets not handed back at start (refused, or over FL_SINK_RESUME_MAX).",
	    s->resume_refused + s->resume_over_cap);
	one(b, "faultline_store_window_lookups_failed_total", "counter",
	    "Maintenance-window lookups in the store that failed (the fault pages).",
	    st->window_errors);
	one(b, "faultline_store_queue_depth", "gauge",
	    "Actions waiting for the store thread.", s->queue_depth);
	one(b, "faultline_store_commits_failing", "gauge",
	    "Store commits failed in a row (0: the last one succeeded).", s->commits_failing);
	family(b, "faultline_store_commit_seconds", "summary",
	       "Time spent committing to the store.");
	seconds(b, "faultline_store_commit_seconds_sum", (int64_t)s->commit_ns_sum);
	(void)fl_buf_printf(b, "faultline_store_commit_seconds_count %" PRIu64 "\n", s->commits);
	family(b, "faultline_store_commit_max_seconds", "gauge", "The longest store commit.");
	seconds(b, "faultline_store_commit_max_seconds", (int64_t)s->commit_ns_max);
}

static void render_outbox(struct fl_buf *b, const struct fl_metrics_view *v)
{
	const struct fl_metrics_outbox *o = v->outbox;
	int64_t age_ns = 0;

	one(b, "faultline_outbox_read_errors_total", "counter",
	    "Times the outbox could not be read for these metrics.", o->read_errors);
	if (!o->is_read)
		return;
	family(b, "faultline_outbox_notifications", "gauge", "Outbox rows, by state.");
	for (int s = 0; s < FL_METRICS_OUTBOX_STATES; s++)
		(void)fl_buf_printf(b, "faultline_outbox_notifications{state=\"%s\"} %" PRIu64 "\n",
				    fl_outbox_state_name((enum fl_outbox_state)s), o->rows[s]);
	if (o->oldest_due_ns != INT64_MAX && o->oldest_due_ns < v->wall_ns)
		age_ns = v->wall_ns - o->oldest_due_ns;
	family(b, "faultline_outbox_oldest_due_age_seconds", "gauge",
	       "How long the earliest pending notification has been due (0: none due).");
	seconds(b, "faultline_outbox_oldest_due_age_seconds", age_ns);
}

/* One sample of a family labelled with the pair's name. */
static void pair_sample(struct fl_buf *b, const char *name, const char *pair)
{
	(void)fl_buf_printf(b, "%s{pair=\"", name);
	label_value(b, pair);
	(void)fl_buf_adds(b, "\"}");
}

static void render_pair(struct fl_buf *b, const struct fl_run_stats *st, int64_t mono_ns)
{
	const struct fl_pair_role *p = &st->pair;

	family(b, "faultline_pair_leader", "gauge",
	       "1: this engine leads its pair and writes the store; 0: the standby.");
	pair_sample(b, "faultline_pair_leader", p->name);
	(void)fl_buf_printf(b, " %d\n", p->is_leader ? 1 : 0);
	family(b, "faultline_pair_fencing_number", "gauge",
	       "The fencing number of this engine's writes; 0 while the standby.");
	pair_sample(b, "faultline_pair_fencing_number", p->name);
	(void)fl_buf_printf(b, " %" PRId64 "\n", p->epoch);
	family(b, "faultline_pair_takeovers_total", "counter",
	       "Leads this engine took after standing by behind the other.");
	pair_sample(b, "faultline_pair_takeovers_total", p->name);
	(void)fl_buf_printf(b, " %" PRIu64 "\n", p->takeovers);
	family(b, "faultline_pair_role_seconds", "gauge",
	       "Time since this engine became the standby or the leader.");
	pair_sample(b, "faultline_pair_role_seconds", p->name);
	seconds(b, "", mono_ns - p->changed_ns); /* " S.NNNNNNNNN" */
}

int fl_metrics_render(struct fl_buf *out, const struct fl_metrics_view *v)
{
	const struct fl_run_stats *st = v->run;

	if (st) {
		render_inputs(out, st);
		render_decode(out, st);
		render_rows(out, engine_rows, FL_ARRAY_LEN(engine_rows), &st->engine);
		one(out, "faultline_keys_live", "gauge", "Rule keys held.", st->engine.live_keys);
		one(out, "faultline_incidents_open", "gauge", "Incidents open.",
		    st->engine.open_incidents);
		if (st->has_timer) {
			family(out, "faultline_timer_next_due_seconds", "gauge",
			       "When the engine's next timer (window, hold, ladder step) is due.");
			seconds(out, "faultline_timer_next_due_seconds", st->timer_in_ns);
		}
		render_sources(out, st);
		if (st->pair.name)
			render_pair(out, st, v->mono_ns);
		if (st->has_store)
			render_store(out, st);
		family(out, "faultline_stats_age_seconds", "gauge",
		       "Time since the engine's thread published these numbers.");
		seconds(out, "faultline_stats_age_seconds", v->mono_ns - st->taken_ns);
	}
	if (v->outbox)
		render_outbox(out, v);
	one(out, "faultline_metrics_connections_refused_total", "counter",
	    "Scrapes refused: FL_METRICS_MAX_CONNS open at once.", v->http.connections_refused);
	one(out, "faultline_metrics_render_failed_total", "counter",
	    "Scrapes answered 500: the page outgrew FL_METRICS_BODY_MAX.", v->http.render_failed);
	return out->overflowed ? -EMSGSIZE : 0;
}

/* ---- health ------------------------------------------------------------- */

bool fl_metrics_health(const struct fl_metrics_view *v, char *why, size_t why_len)
{
	const struct fl_run_stats *st = v->run;
	const struct fl_metrics_outbox *o = v->outbox;

	if (!st) {
		snprintf(why, why_len, "no numbers from the engine yet");
		return false;
	}
	if (v->mono_ns - st->taken_ns > v->stale_ns) {
		snprintf(why, why_len,
			 "engine thread silent for %" PRId64 " s (bound %" PRId64 " s)",
			 (v->mono_ns - st->taken_ns) / 1000000000, v->stale_ns / 1000000000);
		return false;
	}
	if (st->has_store && st->sink.commits_failing > 0) {
		snprintf(why, why_len, "store writes failing: the last %" PRIu64 " commits failed",
			 st->sink.commits_failing);
		return false;
	}
	if (o && !o->is_read) {
		snprintf(why, why_len, "outbox unreadable: %s",
			 o->why[0] ? o->why : "not read yet");
		return false;
	}
	if (o && o->oldest_due_ns != INT64_MAX &&
	    v->wall_ns - o->oldest_due_ns > v->outbox_stuck_ns) {
		snprintf(why, why_len,
			 "outbox stuck: a notification due %" PRId64 " s ago is not delivered "
			 "(bound %" PRId64 " s)",
			 (v->wall_ns - o->oldest_due_ns) / 1000000000,
			 v->outbox_stuck_ns / 1000000000);
		return false;
	}
	return true;
}
