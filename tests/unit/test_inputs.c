#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/input/inputs.h"
#include "engine/input/inputs_int.h"

#define PAYLOAD (1024 * 1024)

static struct fl_inputs *make_inputs(struct fl_inputs_config *cfg, const char *udp)
{
	struct fl_inputs *in = NULL;
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	cfg->addr[FL_INPUT_UDP] = udp;
	cfg->max_msg = 1024;
	cfg->max_conns = 4;
	cfg->communities[cfg->n_communities++] = "public";
	cr_assert_eq(fl_inputs_create(&in, cfg, err, sizeof(err)), 0, "%s", err);
	return in;
}

/* --- the queue -------------------------------------------------------------- */

struct order {
	struct fl_inputs *in;
	uint32_t seen[256];
	size_t n_seen;
	uint32_t pushed[256];
	size_t n_pushed, n_refused;
	bool has_wrapped;
};

static char payload[PAYLOAD];

static void push_range(struct order *o, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		int rc;

		memcpy(payload, &i, sizeof(i));
		rc = fl_inputs_push(o->in, FL_INPUT_UDP, FL_TRANSPORT_UDP, NULL, 0, 0, payload,
				    sizeof(payload), 0);
		if (rc == 0)
			o->pushed[o->n_pushed++] = i;
		else
			o->n_refused += rc == -ENOBUFS;
	}
}

/* While the first batch is read, push enough to fill the end of the buffer
 * (some refused: the reader has not released anything yet), then, once the
 * reader has moved on, enough to wrap around to the start. */
static void on_ordered(void *ctx, const struct fl_msg *m)
{
	struct order *o = ctx;
	uint32_t idx;

	cr_assert_eq(m->msg.len, PAYLOAD);
	memcpy(&idx, m->msg.p, sizeof(idx));
	o->seen[o->n_seen++] = idx;
	if (idx == 0)
		push_range(o, 100, 140);
	if (idx == 100) {
		push_range(o, 200, 210);
		o->has_wrapped = o->in->queue.is_wrapped;
	}
}

Test(inputs, queue_delivers_in_order_across_the_wrap_and_counts_refusals, .timeout = 30)
{
	struct fl_inputs_config cfg;
	struct order o;

	memset(&o, 0, sizeof(o));
	o.in = make_inputs(&cfg, "127.0.0.1:0");
	push_range(&o, 0, 40);
	cr_assert_eq(o.n_pushed, 40);
	while (fl_inputs_drain(o.in, 0, on_ordered, &o) > 0)
		;
	cr_expect(o.has_wrapped, "the second pushes started again at the front");
	cr_expect_gt(o.n_refused, 0, "a full queue refused some pushes");
	cr_assert_eq(o.n_seen, o.n_pushed);
	for (size_t i = 0; i < o.n_seen; i++)
		cr_expect_eq(o.seen[i], o.pushed[i], "message %zu", i);

	struct fl_input_stats s;

	fl_inputs_stats(o.in, FL_INPUT_UDP, &s);
	cr_expect_eq(s.queue_full, o.n_refused);
	cr_expect_eq(s.received, o.n_pushed);
	fl_inputs_destroy(o.in);
}

Test(inputs, refuses_a_message_larger_than_half_the_queue)
{
	struct fl_inputs_config cfg;
	struct fl_inputs *in = make_inputs(&cfg, "127.0.0.1:0");
	static char huge[FL_QUEUE_BYTES / 2 + 1];

	cr_expect_eq(fl_inputs_push(in, FL_INPUT_UDP, FL_TRANSPORT_UDP, NULL, 0, 0, huge,
				    sizeof(huge), FL_PUSH_WAIT),
		     -EMSGSIZE);
	fl_inputs_destroy(in);
}

/* --- live sockets ----------------------------------------------------------- */

struct collected {
	size_t n;
	char last[64];
	int last_port;
};

static void on_collect(void *ctx, const struct fl_msg *m)
{
	struct collected *c = ctx;
	char host[64];

	c->n++;
	snprintf(c->last, sizeof(c->last), "%.*s", (int)m->msg.len, m->msg.p);
	c->last_port = m->msg.peer ? fl_net_host_port(m->msg.peer, m->msg.peer_len, host, sizeof(host)) : -1;
}

static void send_udp(const struct fl_net_addr *to, const char *text)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(sendto(fd, text, strlen(text), 0, (const struct sockaddr *)&to->ss, to->len),
		     (ssize_t)strlen(text));
	close(fd);
}

Test(inputs, delivers_udp_datagrams_with_their_peer_and_trims_the_line_end, .timeout = 30)
{
	struct fl_inputs_config cfg;
	struct fl_inputs *in = make_inputs(&cfg, "127.0.0.1:0");
	struct collected c = {0};
	struct fl_net_addr local;

	cr_assert_eq(fl_inputs_local(in, FL_INPUT_UDP, &local), 0);
	cr_assert_eq(fl_inputs_start(in), 0);
	send_udp(&local, "<13>one\n");
	send_udp(&local, "<13>two\n\0");
	for (int i = 0; i < 100 && c.n < 2; i++)
		fl_inputs_drain(in, 50, on_collect, &c);
	fl_inputs_stop(in);
	cr_expect_eq(c.n, 2);
	cr_expect_str_eq(c.last, "<13>two");
	cr_expect_gt(c.last_port, 0);
	fl_inputs_destroy(in);
}

Test(inputs, drops_and_counts_a_source_outside_the_allowlist, .timeout = 30)
{
	struct fl_inputs_config cfg;
	struct fl_inputs *in;
	struct collected c = {0};
	struct fl_net_addr local;
	struct fl_input_stats s = {0};
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr[FL_INPUT_UDP] = "127.0.0.1:0";
	cfg.max_msg = 1024;
	cfg.max_conns = 4;
	cr_assert_eq(fl_cidr_list_add(&cfg.allow[FL_INPUT_UDP], "10.0.0.0/8"), 0);
	cr_assert_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_inputs_local(in, FL_INPUT_UDP, &local), 0);
	cr_assert_eq(fl_inputs_start(in), 0);
	send_udp(&local, "<13>from loopback");
	for (int i = 0; i < 100 && s.dropped_allowlist == 0; i++) {
		fl_inputs_drain(in, 50, on_collect, &c);
		fl_inputs_stats(in, FL_INPUT_UDP, &s);
	}
	fl_inputs_stop(in);
	cr_expect_eq(s.dropped_allowlist, 1);
	cr_expect_eq(c.n, 0);
	fl_inputs_destroy(in);
}

Test(inputs, names_the_input_and_the_reason_when_a_bind_fails)
{
	struct fl_inputs_config cfg;
	struct fl_inputs *in = NULL;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr[FL_INPUT_TCP] = "192.0.2.1:0"; /* TEST-NET-1: not on this host */
	cfg.max_msg = 1024;
	cfg.max_conns = 4;
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EADDRNOTAVAIL);
	cr_expect_null(in);
	cr_expect_str_eq(err, "tcp 192.0.2.1:0: cannot listen: Cannot assign requested address");
}
