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

/* Largest syslog message accepted over TCP or RELP, and a UDP datagram's maximum.
 * setting: --max-msg-size; counter: tcp.too_long */
#define FL_SYSLOG_MAX_MSG_DEFAULT (64 * 1024)
#define FL_UDP_MAX_DATAGRAM 65535

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

#endif /* FL_LIMITS_H */
