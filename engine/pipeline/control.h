/* control.h - the control socket of `faultline run`: reload, stats, status.
 *
 * A unix stream socket, created 0600: who may open the file may reload the
 * plan and read the counters, and nobody else (the file mode is the whole of
 * the permission check). The protocol is one line each way per connection:
 * the client sends a command ("reload", "stats", "status") and a newline;
 * the daemon answers "ok" or "error", a newline, a body, and closes.
 *
 * The socket has a thread of its own, so no client touches the engine's
 * thread: the request line is read with a cap (FL_CONTROL_LINE_MAX) and a
 * time limit (FL_CONTROL_IO_MS); the command is then handed to the engine's
 * thread, which takes it between two batches of events (fl_control_take),
 * does it and answers (fl_control_answer); the answer is written with the
 * same time limit. One connection at a time: a slow or silent client holds
 * only the control thread, for at most the time limit, and others queue in
 * the kernel's backlog. Anything other than a known command is answered
 * "error" and counted. */
#ifndef FL_CONTROL_H
#define FL_CONTROL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_CONTROL_LINE_MAX 64	       /* a request line, newline included */
#define FL_CONTROL_IO_MS 2000	       /* to read a request, to write an answer */
#define FL_CONTROL_ANSWER_MS 120000    /* the engine's thread answering (a reload) */
#define FL_CONTROL_REPLY_MAX (4u << 20) /* an answer's bytes; more are cut */

struct fl_buf;
struct fl_control;

enum fl_control_cmd { FL_CONTROL_RELOAD, FL_CONTROL_STATS, FL_CONTROL_STATUS };

struct fl_control_stats {
	uint64_t requests;  /* commands handed to the engine's thread */
	uint64_t refused;   /* unknown commands, lines too long */
	uint64_t timed_out; /* clients too slow to send or read; answers too late */
};

/* Lifecycle. open: binds path (0600; a stale socket file nobody answers on
 * is replaced, a live one refused: -EADDRINUSE) and starts the thread.
 * Returns 0 or a negative errno, with err one sentence. close: ends the
 * thread and removes the socket file; accepts NULL. */
FL_MUST_CHECK int fl_control_open(struct fl_control **out, const char *path, char *err,
				  size_t err_len);
void fl_control_close(struct fl_control *c);

/* Operations, the engine's thread. take: true with *cmd when a command is
 * waiting (it is then the caller's to answer, once). answer: is_ok and a
 * body (copied; at most FL_CONTROL_REPLY_MAX bytes of it are sent). */
bool fl_control_take(struct fl_control *c, enum fl_control_cmd *cmd);
void fl_control_answer(struct fl_control *c, bool is_ok, const char *body, size_t len);

/* Queries (any thread). */
void fl_control_stats(struct fl_control *c, struct fl_control_stats *out);

/* The client's side: sends cmd to the socket at path and appends the
 * answer's body to reply. Returns 1 for "ok", 0 for "error", or a negative
 * errno (no daemon there, no answer in timeout_ms; err says which). */
FL_MUST_CHECK int fl_control_request(const char *path, const char *cmd, int timeout_ms,
				     struct fl_buf *reply, char *err, size_t err_len);

#endif /* FL_CONTROL_H */
