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

/* Notification plugins (engine/plugin.c). A delivery attempt runs in a forked
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

#endif /* FL_LIMITS_H */
