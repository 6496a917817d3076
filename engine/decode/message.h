/* message.h - one received message to one struct fl_event, for every command.
 *
 * A received message is what an input hands over (a syslog line from a file or a
 * socket, or a trap datagram) with its envelope: transport, peer and the time
 * it was received. fl_message_decode() is the only place that turns one into
 * an event: it clears the event's envelope, copies the message's, and runs
 * the decoder the transport calls for (syslog.h or snmp.h) with the caller's
 * options. Every slice of the event points into the message's bytes, so the
 * event lives as long as they do. Nothing here allocates or keeps state (a
 * time cache in the options is the caller's): any thread may call it on its
 * own event.
 *
 * A trap is decoded once. The trap input decodes it on its own thread (it
 * must, to check the community and answer an inform) and carries the result
 * with the datagram (fl_message_trap_size()/fl_message_trap_copy()); the
 * consumer's message then has trap set and fl_message_decode() takes that
 * trap rather than decoding the datagram again. */
#ifndef FL_MESSAGE_H
#define FL_MESSAGE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/decode/event.h"

struct fl_tz;
struct fl_syslog_time_cache; /* engine/decode/syslog.h */

/* A message as received (named apart from the plugin ABI's struct
 * fl_message, which is an outgoing notification). */
struct fl_received {
	enum fl_transport transport; /* FL_TRANSPORT_SNMP: a trap datagram; else syslog */
	const struct sockaddr *peer; /* NULL: none (a file); copied when it fits */
	socklen_t peer_len;
	int64_t received_ns; /* CLOCK_REALTIME; decides the RFC 3164 year */
	const char *p;	     /* the message, no trailing LF; borrowed */
	size_t len;
	/* SNMP only: the trap the input already decoded from p[0..len) (its
	 * slices point into p), or NULL to decode p here. */
	const struct fl_trap *trap;
	/* SNMP only: p is read back from a record of what the trap input took
	 * (record.h): decoded with fl_snmp_decode_recorded(). */
	bool is_recorded;
};

/* The syslog decoder's options (syslog.h struct fl_syslog_opts less the
 * received time, which is the message's). */
struct fl_message_opts {
	const struct fl_tz *tz; /* zone of RFC 3164 times without an offset; NULL = UTC */
	int year;		/* 0: infer from received_ns; else this year (replay --year) */
	/* NULL: none; else the caller's, passed to the syslog decoder (syslog.h) */
	struct fl_syslog_time_cache *time_cache;
};

/* Operations. */

/* Fills ev from m. opts NULL: UTC, year inferred. Returns 0 when the message
 * decoded, otherwise the decoder's verdict, also in ev->error: an enum
 * fl_syslog_verdict when ev->kind is SYSLOG, an enum fl_snmp_verdict when it
 * is TRAP. A syslog line that does not decode is still a usable event (see
 * syslog.h); a trap that does not decode is not, and the caller drops it. */
int fl_message_decode(struct fl_event *ev, const struct fl_received *m,
		      const struct fl_message_opts *opts);

/* Carrying a decoded trap to another thread with its datagram. size: the
 * bytes of t worth copying (its header and the varbinds in use), a multiple
 * of 8. copy: writes those bytes to dst (8-aligned, room for size bytes),
 * moving every slice that points into from[0..len) to the same offset in to,
 * where the datagram's copy will be; dst is then read as a struct fl_trap
 * whose varbinds past n_varbinds do not exist. */
size_t fl_message_trap_size(const struct fl_trap *t);
void fl_message_trap_copy(void *dst, const struct fl_trap *t, const char *from, size_t len,
			  const char *to);

#endif /* FL_MESSAGE_H */
