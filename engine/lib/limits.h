/* limits.h - every cap faultline enforces, in one place.
 *
 * Each cap has its default here, the setting that changes it (where one exists)
 * and the counter that is bumped when it is hit. Hitting a cap never fails
 * silently: the message, key or row that did not fit is counted under that name
 * and shows in the stats output. Modules add their caps here, not in their .c. */
#ifndef FL_LIMITS_H
#define FL_LIMITS_H

/* Raw bytes an event keeps for the audit trail; longer messages keep the first
 * FL_EVENT_RAW_MAX bytes and set raw_truncated. counter: event.raw_truncated */
#define FL_EVENT_RAW_MAX 8192

/* RFC 5424 structured data kept per event: elements and params in total.
 * counter: syslog.sd_dropped (elements or params beyond the cap are skipped, the
 * message is still decoded). */
#define FL_EVENT_MAX_SD_ELEMENTS 16
#define FL_EVENT_MAX_SD_PARAMS 64

/* SNMP varbinds kept per trap. A trap with more is rejected whole
 * (verdict TOO_MANY_VARBINDS): half a trap would mislead a rule. */
#define FL_EVENT_MAX_VARBINDS 64

/* BER nesting a decoder follows (an SNMP trap needs 4: message, PDU, varbind
 * list, varbind). Deeper input is rejected (verdict TOO_DEEP); it bounds the
 * work per datagram should a reader ever recurse. counter: snmp.too_deep */
#define FL_BER_MAX_DEPTH 8

/* Sub-identifiers in one OBJECT IDENTIFIER (RFC 2578 §3.5: at most 128).
 * Longer OIDs reject the trap (verdict OID_TOO_LONG). counter: snmp.oid_too_long */
#define FL_SNMP_MAX_OID_ARCS 128

/* Largest syslog message accepted over TCP or RELP, and a UDP datagram's maximum.
 * setting: --max-msg-size; counter: tcp.too_long */
#define FL_SYSLOG_MAX_MSG_DEFAULT (64 * 1024)
#define FL_UDP_MAX_DATAGRAM 65535

/* Longest line the line reader (faultline parse, replay) hands on; the rest of
 * a longer line is skipped up to its LF and the line is delivered cut.
 * setting: --max-line; counters: lines.cut, lines.bytes_skipped */
#define FL_LINE_MAX_DEFAULT FL_SYSLOG_MAX_MSG_DEFAULT

/* CSV reader (engine/lib/csv.h), used for the inventory tables. A field longer than
 * FL_CSV_MAX_FIELD_BYTES, a row with more than FL_CSV_MAX_FIELDS fields or a
 * table past FL_CSV_MAX_ROWS rows is an error at its line and column.
 * counters: struct fl_csv_stats.verdicts[] under FIELD_TOO_LONG, TOO_MANY_FIELDS,
 * TOO_MANY_ROWS (one per row refused). */
#define FL_CSV_MAX_FIELD_BYTES 4096
#define FL_CSV_MAX_FIELDS 64
#define FL_CSV_MAX_ROWS (1u << 22)

/* Inventory tables (engine/inventory/inventory.h). A CSV file larger than this is refused
 * (-EFBIG) before it is read; a `;`-separated list field holds at most
 * FL_INVENTORY_MAX_LIST items; a load reports at most FL_INVENTORY_MAX_ERRORS
 * errors, then one line counting the rest. The inventory is loaded whole or
 * not at all, so a cap hit is not counted but reported as a load error at its
 * file:line:col, and the load fails. */
#define FL_INVENTORY_MAX_FILE_BYTES (256u << 20)
#define FL_INVENTORY_MAX_LIST 256
#define FL_INVENTORY_MAX_ERRORS 200

/* Devices on one ring (rings.nodes); a larger value is a load error at the
 * nodes cell. */
#define FL_INVENTORY_MAX_RING_NODES 1024
/* A chain may hang off a device of another chain (a spur off a spur), to
 * this depth below its ring: what hangs behind a device is then at most
 * this many chains deep, and walking it stays linear. */
#define FL_INVENTORY_MAX_CHAIN_DEPTH 16
/* A device's vendor or role of a name devices.csv brings (not one of the
 * known ones) is at most this long. */
#define FL_INVENTORY_MAX_NAME_BYTES 64

/* Notification plugins (engine/notify/plugin.c). A delivery attempt runs in a forked
 * worker; one that outlives its time limit is killed with its process group and
 * reported as retryable. setting: notify timeout_ms; counter: plugin.timed_out */
#define FL_PLUGIN_TIMEOUT_MS_DEFAULT 30000
#define FL_PLUGIN_TIMEOUT_MS_MAX 600000
/* Bytes of log and result a worker may send back per attempt; the rest is read
 * and discarded. counter: plugin.log_dropped */
#define FL_PLUGIN_WORKER_OUT_MAX (64 * 1024)
/* Log lines kept per attempt, and the length of a reason text.
 * counter: plugin.log_dropped */
#define FL_PLUGIN_MAX_LOG_LINES 32
#define FL_PLUGIN_ERR_MAX 256
/* Settings per plugin instance, and a plugin name's length. */
#define FL_PLUGIN_MAX_SETTINGS 64
#define FL_PLUGIN_NAME_MAX 64

/* The metrics endpoint of `faultline run --metrics` (engine/pipeline/metrics.h).
 * Scrapes open at once beyond FL_METRICS_MAX_CONNS are closed unanswered
 * (counter: faultline_metrics_connections_refused_total); a connection idle
 * FL_METRICS_TIMEOUT_S is closed; a page that would outgrow
 * FL_METRICS_BODY_MAX is answered 500 (counter:
 * faultline_metrics_render_failed_total). */
#define FL_METRICS_MAX_CONNS 16
#define FL_METRICS_TIMEOUT_S 10
#define FL_METRICS_BODY_MAX (4u << 20)

/* The HTTP API and board of `faultline serve` / `run --http` (engine/api/api.h).
 * Connections beyond FL_API_MAX_CONNS (FL_API_MAX_CONNS_PER_IP from one
 * address) are closed unanswered (counter: connections_refused in
 * GET /api/status); one idle FL_API_TIMEOUT_S is closed, so a client that
 * sends its headers a byte at a time holds one slot, never the thread. A
 * request body over FL_API_BODY_MAX is answered 413 when its length is
 * declared, else the connection is closed (counter: bodies_refused); a JSON
 * body needs at most FL_API_JSON_TOKENS values. A users file: at most
 * FL_API_USERS_MAX users, lines of FL_API_USERS_LINE_MAX bytes. A ticket
 * list answers at most FL_API_LIST_MAX tickets, a page FL_API_PAGE_MAX bytes
 * (over it: 500, counter: pages_too_big). GET /api/changes looks at the
 * store at most once per FL_API_CHANGES_MIN_MS, however many boards poll.
 * GET /api/map reads the cut spans of at most FL_API_MAP_CUTS_MAX places of
 * open incidents (more: cuts_truncated in the answer, counter:
 * map_cuts_dropped); GET /api/inventory/targets answers at most
 * FL_API_TARGETS_MAX names. */
#define FL_API_MAX_CONNS 64
#define FL_API_MAX_CONNS_PER_IP 32
#define FL_API_TIMEOUT_S 10
#define FL_API_BODY_MAX (16u * 1024)
#define FL_API_JSON_TOKENS 128
#define FL_API_USERS_MAX 1024
#define FL_API_USERS_LINE_MAX 512
#define FL_API_LIST_MAX 2000
#define FL_API_PAGE_MAX (8u << 20)
#define FL_API_CHANGES_MIN_MS 500
#define FL_API_MAP_CUTS_MAX 256
#define FL_API_TARGETS_MAX 50
#define FL_API_CONTACTS_MAX 2000 /* GET /api/contacts: more, truncated */

/* Plan compiler (grammar/). Each cap is an error diagnostic, never a crash;
 * counter: plan.limit_hit (the diagnostic names the cap).
 * FL_PLAN_MAX_BYTES: one plan file, includes counted separately.
 * FL_PLAN_MAX_DEPTH: nesting of { } blocks and [ ] sets.
 * FL_PLAN_MAX_INCLUDE_DEPTH: include chains; FL_PLAN_MAX_FILES: files per plan.
 * FL_PLAN_MAX_RULES: rules and correlations together.
 * FL_PLAN_DURATION_MAX_MS: one duration (ten years): the engine adds them to
 * nanosecond times, which a longer one would carry past int64.
 * FL_MAX_DIAGS: diagnostics kept per run; later ones are counted, then dropped. */
#define FL_PLAN_MAX_BYTES (8u * 1024 * 1024)
#define FL_PLAN_DURATION_MAX_MS (3650LL * 24 * 3600 * 1000)
#define FL_PLAN_MAX_DEPTH 8
#define FL_PLAN_MAX_INCLUDE_DEPTH 8
#define FL_PLAN_MAX_FILES 64
#define FL_PLAN_MAX_RULES 100000
#define FL_PLAN_MAX_ITEMS 256 /* words in one statement */
#define FL_MAX_DIAGS 50

/* PCRE2 limits compiled into every plan regex: a bad pattern must not stall a
 * shard. counter: match.regex_limit (the event is treated as not matching). */
#define FL_REGEX_MATCH_LIMIT 100000
#define FL_REGEX_DEPTH_LIMIT 10000
#define FL_REGEX_MAX_PATTERN 4096
/* A regex's groups a rule may name by number (${1}, as SEC's $1): the first
 * 99; a group past them is named or not at all. */
#define FL_CAPTURE_NUMBERED_MAX 99
/* JIT: a matcher JIT-compiles its own copy of a regex once the regex has run
 * FL_MATCH_JIT_AFTER times (counts halve every FL_MATCH_JIT_DECAY runs of
 * interpreted regexes, so it must run that often lately), for at most
 * FL_MATCH_JIT_MAX regexes. Machine code for every regex of a plan of thousands evicts itself
 * from the instruction cache when events spread over the rules: PCRE2's
 * interpreter runs a cold regex faster than its cold JIT code, and the JIT
 * pays off for the regexes that run most. counter: match.regex_jit */
#define FL_MATCH_JIT_AFTER 256u
#define FL_MATCH_JIT_DECAY (1u << 20)
#define FL_MATCH_JIT_MAX 128u
/* The heap on transparent huge pages (heap.h): it grows this much at a time
 * (address space; memory is taken as it is touched), and blocks up to the
 * threshold stay in it rather than in mappings of their own. */
#define FL_HEAP_STEP (64 << 20)
#define FL_HEAP_MMAP_THRESHOLD (32 << 20)
/* What it grows by during a start (heap.h, fl_heap_started()) */
#define FL_HEAP_START_STEP (256 << 20)
/* Timers armed at once in one timer wheel (windows, clocks, escalation
 * deadlines of one shard). An add past the cap is refused with -ENOBUFS.
 * setting: engine.max_timers; counter: timers.refused_full */
#define FL_TIMERWHEEL_MAX_TIMERS_DEFAULT 1000000u
#define FL_TIMERWHEEL_MAX_TIMERS (1u << 28)

/* Live keys in one keyed state table. Inserting a new key into a full table
 * evicts the least recently used key, reported to the owner's callback.
 * setting: window.max_keys; counter: keytab.evicted */
#define FL_KEYTAB_MAX_KEYS_DEFAULT 100000u
#define FL_KEYTAB_MAX_KEYS (1u << 30)
/* Longest key a table accepts, and the largest state slot. A longer key is
 * refused with -EMSGSIZE. counter: keytab.key_too_long */
#define FL_KEYTAB_KEY_MAX 1024u
#define FL_KEYTAB_VAL_MAX 65536u

/* Bytes an Aho-Corasick prefilter may use while it is built (trie, transition
 * table, outputs); a literal set that needs more is refused with -E2BIG and
 * the plan is rejected. setting: plan.max_prefilter_bytes; counter:
 * plan.prefilter_too_big */
#define FL_AC_MAX_BYTES_DEFAULT (256u * 1024 * 1024)
/* Largest pattern id a prefilter reports (ids index a caller's bitset). */
#define FL_AC_MAX_PATTERN_ID ((1u << 24) - 1)

/* Correlation engine (engine/correlate/correlate.h). All counters show in the replay
 * summary and struct fl_engine_stats.
 * FL_CORR_KEYS_PER_RULE_DEFAULT: live keys one rule keeps (dedup, threshold,
 *   flap, absent, clear state); the least recently used is evicted.
 *   setting: --max-keys-per-rule; counter: engine.evicted
 * FL_CORR_KEY_BYTES_PER_RULE: the state one rule's keys may hold (each key's
 *   slot: its state, window times and pair window texts); a rule whose slot
 *   is large keeps fewer keys than FL_CORR_KEYS_PER_RULE_DEFAULT (a
 *   `threshold 4096` about 16,000), so keys an attacker makes up cannot take
 *   gigabytes. counter: engine.evicted
 * FL_CORR_KEYS_TOTAL_DEFAULT: live keys of all rules together; a new key past
 *   it evicts the least recently used key of the rule that wants it (refused
 *   when that rule holds none). setting: --max-keys; counters:
 *   engine.evicted, engine.keys_refused
 * FL_CORR_KEY_MAX: bytes of one key (rule fields joined); longer keys are
 *   refused and counted. counter: engine.key_too_long
 * FL_CORR_MAX_OPEN_INCIDENTS: open incidents at once; a raise past it is
 *   refused and counted. counter: engine.incidents_refused
 * FL_CORR_HISTORY_MAX: history entries an incident keeps; later ones are
 *   counted in its history_dropped.
 * FL_CORR_LATE_MS_DEFAULT: how far an event may be behind the newest one
 *   seen and still count; older ones are dropped. setting: --late;
 *   counter: engine.late
 * FL_CORR_GRACE_MAX_MS: longest a raise waits for a correlation that may
 *   absorb it.
 * FL_CORR_EMIT_DEPTH_MAX: generations of derived events (`emit`): an event
 *   the input gave is depth 0, what it emits depth 1, ...; an emit past this
 *   depth is refused. counter: engine.emit_too_deep
 * FL_CORR_EMIT_QUEUE_MAX: derived events waiting to be fed after the event
 *   that emitted them; more are dropped. counter: engine.emit_dropped
 * FL_CORR_EMIT_TEXT_MAX: bytes of a derived event's text (and of a `run`
 *   action's text); longer renderings are cut at this size.
 * FL_CORR_WINDOW_N_MAX: largest N of `threshold N within D` and `flap N
 *   within D`: each key keeps the times of its last N events (8 bytes each)
 *   for an exact sliding window; the compiler refuses a larger N. */
#define FL_CORR_WINDOW_N_MAX 4096u
#define FL_CORR_EMIT_DEPTH_MAX 2
#define FL_CORR_EMIT_QUEUE_MAX 32
#define FL_CORR_EMIT_TEXT_MAX 512
#define FL_CORR_KEYS_PER_RULE_DEFAULT 1000000u
#define FL_CORR_KEY_BYTES_PER_RULE (512u << 20)
#define FL_CORR_KEYS_TOTAL_DEFAULT 4000000u
#define FL_CORR_KEY_MAX 192
#define FL_CORR_MAX_OPEN_INCIDENTS 100000u
#define FL_CORR_HISTORY_MAX 64
#define FL_CORR_LATE_MS_DEFAULT 5000
#define FL_CORR_GRACE_MAX_MS (10 * 60 * 1000)
/* Ladders and scopes of incidents (engine/correlate/).
 * FL_LADDER_STEPS_MAX: ladder steps one incident schedules. The plan
 *   compiler refuses a ladder with more timed steps, at the first step past
 *   the cap; a program built otherwise has the steps past it left out, never
 *   firing. counter:
 *   engine.ladder_steps_dropped (one per step left out, each time the ladder
 *   is scheduled: when the incident opens, when an update changes its level
 *   or ladder, when its maintenance window ends). A ticket handed back after
 *   a restart (fl_engine_resume) keeps at most this many steps taken; the
 *   others are forgotten, so they may fire again. counter:
 *   engine.resume_steps_dropped
 * FL_SCOPE_SITES_MAX: sites in the scope of one correlation incident (for a
 *   span: its ring, what hangs behind it, the far ends of its circuits; for a
 *   site: its rings and chains), the sites whose alarms it absorbs. A site
 *   past it is left out: its alarms are not absorbed and may open incidents
 *   of their own. counter: engine.scope_sites_dropped (one per site left
 *   out, each time the scope grows) */
#define FL_LADDER_STEPS_MAX 32
#define FL_SCOPE_SITES_MAX 256

/* --- network inputs (engine/input/inputs.h) ------------------------------------ */

/* Source prefixes per input allowlist (--allow). counter: <input>.dropped_allowlist
 * for every datagram or connection from outside the list. */
#define FL_CIDR_LIST_MAX 64

/* Concurrent TCP syslog connections. setting: --max-conns; counter:
 * tcp.refused (accepted and closed at once). At the cap, the connection that
 * has been silent longest is closed for the new one if it has been silent for
 * FL_TCP_EVICT_SILENT_MS at least (counter: tcp.evicted): idle sockets cannot
 * shut real senders out. The cap is lowered at start to what the descriptor
 * limit (RLIMIT_NOFILE) leaves after FL_FD_HEADROOM_* (said on stderr). */
#define FL_TCP_MAX_CONNS_DEFAULT 1024
#define FL_TCP_EVICT_SILENT_MS 1000
/* Connections from one address, TCP and RELP each. setting:
 * --max-conns-per-source; counter: <input>.refused_per_source */
#define FL_CONNS_PER_SOURCE_DEFAULT 64
/* A TCP or RELP connection that completes no frame for this long is closed,
 * idle or stalled inside a frame. setting: --idle-timeout-ms; counters:
 * <input>.idle_closed, tcp.stalled_closed (closed inside a frame) */
#define FL_CONN_IDLE_MS_DEFAULT (5 * 60 * 1000)
/* A TLS connection still in its handshake this long is closed, so a client
 * that connects and never finishes (or never starts) holds no slot.
 * setting: --tls-handshake-timeout-ms; counter: tls.handshake_timeout */
#define FL_TLS_HANDSHAKE_MS_DEFAULT (10 * 1000)
/* Log lines a second about TLS handshakes (refused, failed, set up): a flood
 * of bad clients must not flood the log. counter: tls.log_suppressed */
#define FL_TLS_LOG_PER_SEC 20
/* How often the RELP sessions (which librelp owns) are looked over for the
 * idle timeout and the per-source cap. */
#define FL_RELP_SCAN_MS 1000
/* Descriptors kept free of connections, out of RLIMIT_NOFILE: BASE for the
 * process (stdio, the event loop, the listening and trap sockets, plan and
 * zone files), STORE for the ticket store (database, WAL, shared memory,
 * journal, temporary files), DELIVERY for the delivery worker and PER_ROUTE
 * for each channel's lane (its store connection, its plugin worker's pipes;
 * a forked worker also needs room for its own sockets and files). */
#define FL_FD_HEADROOM_BASE 24
#define FL_FD_HEADROOM_STORE 16
#define FL_FD_HEADROOM_DELIVERY 16
#define FL_FD_HEADROOM_PER_ROUTE 16
/* An octet-counted frame longer than the message cap is skipped byte by byte,
 * but only up to this declared length; a larger MSG-LEN closes the connection
 * (counter: tcp.bad_framing). */
#define FL_TCP_SKIP_MAX (1024u * 1024 * 1024)
/* Bytes read from one connection per readiness event, so one busy peer cannot
 * starve the others on the loop. */
#define FL_TCP_READ_CHUNK (64 * 1024)

/* Datagrams taken by one recvmmsg() call (UDP syslog and traps). */
#define FL_UDP_BATCH 32
/* Socket receive buffer asked for UDP inputs; the kernel may grant less. */
#define FL_UDP_RCVBUF_BYTES (16 * 1024 * 1024)

/* Bytes of messages waiting between the inputs and the writer. A full queue
 * drops UDP and trap messages (counter: <input>.queue_full); RELP waits for room
 * instead, so rsyslog keeps the message until it is acknowledged, and TCP
 * stops reading (below). */
#define FL_QUEUE_BYTES (64u * 1024 * 1024)
/* Queue room under which TCP connections stop being read until the writer
 * catches up: the peers' own buffers fill and TCP flow control slows them.
 * One read (FL_TCP_READ_CHUNK) of 3-byte frames needs < 4 MiB of queue.
 * counter: tcp.paused (times connections were paused) */
#define FL_TCP_PAUSE_ROOM (8u * 1024 * 1024)

/* Sources remembered by the "undecodable trap" log limiter (one line per
 * source per minute); the oldest is forgotten first. counter:
 * trap.log_suppressed */
#define FL_TRAP_LOG_SOURCES 64
#define FL_TRAP_LOG_INTERVAL_NS (60LL * 1000000000)

/* SNMP communities accepted (--community). */
#define FL_SNMP_MAX_COMMUNITIES 16
/* Ticket store (engine/store/store.h). A writer waits this long for a database
 * another process holds, then gets -EBUSY (counted by the caller:
 * store.busy). Ticket ids are at most FL_STORE_ID_MAX bytes (-EINVAL beyond).
 * A ticket's JSON document (show, and the incident a notification carries)
 * is capped at FL_STORE_JSON_MAX bytes: -EMSGSIZE beyond. */
#define FL_STORE_BUSY_TIMEOUT_MS 5000
#define FL_STORE_ID_MAX 64
/* A numbered ticket's id (fl_store_incident_open_numbered()) is PREFIX-YYYY-
 * and at least six digits: the prefix is capped so the id fits. An id found
 * taken is refused and the next number tried, at most FL_STORE_ID_TRIES
 * times (-EEXIST beyond). counter: the sink's ids_taken */
#define FL_STORE_ID_PREFIX_MAX 32
#define FL_STORE_ID_TRIES 8
#define FL_STORE_JSON_MAX (1024 * 1024)

/* Outbox worker (engine/notify/outbox.h). Retries back off exponentially from
 * FL_OUTBOX_BACKOFF_MS_DEFAULT to at most FL_OUTBOX_BACKOFF_MAX_MS_DEFAULT,
 * with jitter; a message is given up (state expired) at its ttl.
 * settings: outbox --backoff-ms, --backoff-max-ms; counters: outbox.retried,
 * outbox.expired, outbox.failed. One pass delivers at most
 * FL_OUTBOX_BATCH_MAX messages before it returns to its caller.
 * counter: outbox.batch_full */
#define FL_OUTBOX_BACKOFF_MS_DEFAULT 1000
#define FL_OUTBOX_BACKOFF_MAX_MS_DEFAULT (10 * 60 * 1000)
#define FL_OUTBOX_BATCH_MAX 256
#define FL_OUTBOX_MAX_ROUTES 32

/* Store sink (engine/pipeline/sink_store.h). Actions are written in transactions of
 * at most FL_SINK_BATCH_MAX actions. The sink remembers at most
 * FL_SINK_INCIDENTS_MAX incidents (their ticket id, absorbed count and steps
 * taken), twice the open incidents an engine may hold: when full it forgets
 * the one that has gone longest without an action, a cleared one in practice.
 * counters: sink.incidents_forgotten_open (one still open: its later actions
 * find no ticket, sink.unknown_incident), sink.incidents_refused (no memory).
 * At most FL_SINK_STEPS_MAX ladder steps are remembered per incident (the
 * store still refuses a second page). In `run` the engine hands actions to
 * the store thread through a queue of FL_SINK_QUEUE_DEFAULT actions; a full
 * queue drops the action. counter: sink.queue_full. A restart hands at most
 * FL_SINK_RESUME_MAX open tickets back to the engine, each with at most
 * FL_SINK_RESUME_STEPS_MAX steps taken (the store still refuses a second
 * page). counter: sink.resume_over_cap */
#define FL_SINK_BATCH_MAX 512
#define FL_SINK_INCIDENTS_MAX (2 * FL_CORR_MAX_OPEN_INCIDENTS)
#define FL_SINK_RESUME_MAX FL_CORR_MAX_OPEN_INCIDENTS
#define FL_SINK_STEPS_MAX 16
#define FL_SINK_RESUME_STEPS_MAX 64 /* steps taken a resumed ticket carries */
#define FL_SINK_QUEUE_DEFAULT 65536
/* A commit that fails (the disk full, another process holding the write lock
 * past the busy timeout) loses no action: the sink holds the batch's actions
 * and every later one, in order, at most FL_SINK_HELD_MAX (beyond: the newest
 * is given up, logged; counter: sink.given_up), tries the store again after
 * FL_SINK_RETRY_FIRST_MS, doubling to FL_SINK_RETRY_MAX_MS (counter:
 * sink.retries), and writes them all once it can. At its end it waits at
 * most FL_SINK_DRAIN_MS_DEFAULT for a failing store before it gives up what
 * is held. Its log says each failure as it happens, at most
 * FL_SINK_LOG_PER_MIN lines a minute (the rest counted and said). */
#define FL_SINK_HELD_MAX 65536
#define FL_SINK_RETRY_FIRST_MS 200
#define FL_SINK_RETRY_MAX_MS 5000
#define FL_SINK_DRAIN_MS_DEFAULT 30000
/* How often `run` looks for dispatch directives late to be acknowledged:
 * the relay block's times are minutes, so a few seconds late is nothing. */
#define FL_DIRECTIVE_TICK_MS 5000
/* How often the running engine looks for duties that fell due: a duty's
 * time is a minute of the day, and each look reads the store once per
 * duty and branch. */
#define FL_DUTY_TICK_MS 60000
#define FL_SINK_LOG_PER_MIN 30

/* Maintenance announcements (engine/pipeline/announce.h). An announcer holds at most
 * FL_ANNOUNCE_WINDOWS_MAX windows (counter: announce.windows_dropped) and
 * gathers at most FL_ANNOUNCE_CIRCUITS_MAX circuits per window (counter:
 * announce.circuits_dropped). `run` checks for announcements due every
 * FL_ANNOUNCE_CHECK_MS; a replay at most FL_ANNOUNCE_REPLAY_CHECKS times over
 * its span of event time (a longer step for longer spans). */
#define FL_ANNOUNCE_WINDOWS_MAX 4096
#define FL_ANNOUNCE_CIRCUITS_MAX 512
#define FL_ANNOUNCE_CHECK_MS (60 * 1000)
/* The longest lead time a plan may ask (`before`); more is a plan error. */
#define FL_ANNOUNCE_BEFORE_MAX_MS (366LL * 24 * 3600 * 1000)
#define FL_ANNOUNCE_REPLAY_CHECKS 100000

#endif /* FL_LIMITS_H */
