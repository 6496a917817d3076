/* record.h - the capture format: one line of `faultline listen` back to an event.
 *
 * `faultline listen` writes every message it receives as one JSON object per
 * line: its transport, peer, received time, the decoded fields, and "raw",
 * the message exactly as it came (a syslog line as a JSON string, or
 * {"hex": ...} when it is not UTF-8; a trap datagram always as hex). Reading
 * a record decodes "raw" again with the recorded envelope, through
 * fl_message_decode(), so a capture replays as the live run saw it: the same
 * decoder, the same received time (RFC 3164 years, events without a time of
 * their own), the same peer (trap rules match on it). The decoded fields in
 * the record are for people; they are not read back.
 *
 * The reader takes the flat object listen writes and skips members it does
 * not know, so later fields do not break older readers. The unescaped raw
 * bytes go to a buffer the caller owns; the event points into it. Nothing
 * here keeps state: any thread may read its own records. */
#ifndef FL_RECORD_H
#define FL_RECORD_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"

struct fl_buf;
struct fl_event;
struct fl_message_opts;

struct fl_json;
struct fl_received;

/* Writes the record's envelope for m into j, an object already begun:
 * "transport", "peer", "received" and "raw" (as record.h's reader takes
 * them); the caller may add members and ends the object. The one writer of
 * the format: `listen` adds the decoded fields, the run's journal nothing. */
void fl_record_write_envelope(struct fl_json *j, const struct fl_received *m);

/* Is this line a listen record (it opens with {"transport":)? A syslog line
 * never starts with '{"', so auto-detection per line is safe. */
bool fl_record_is(const char *p, size_t len);

/* Decodes one record into ev; the raw bytes are written to scratch (reset
 * first; its max must hold the message). Returns the message's verdict as
 * fl_message_decode() does (0: decoded), or -EINVAL when the line is not a
 * record this reader understands (why says what, static text), or -EMSGSIZE
 * when the message does not fit scratch. */
FL_MUST_CHECK int fl_record_decode(struct fl_event *ev, const char *p, size_t len,
				   struct fl_buf *scratch, const struct fl_message_opts *opts,
				   const char **why);

#endif /* FL_RECORD_H */
