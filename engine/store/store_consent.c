/* store_consent.c - customers' consent before a maintenance window (consent.h). */
#include "engine/store/consent.h"

#include <errno.h>
#include <string.h>

#include "engine/store/store.h"
#include "engine/store/store_int.h"

static const char *const state_names[] = {
#define X(name, text) text,
	FL_CONSENT_STATES(X)
#undef X
};

const char *fl_consent_state_name(enum fl_consent_state st)
{
	return (unsigned)st < FL_CONSENT__COUNT ? state_names[st] : NULL;
}

int fl_consent_state_parse(const char *name, enum fl_consent_state *out)
{
	for (unsigned i = 0; name && i < FL_CONSENT__COUNT; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum fl_consent_state)i;
			return 0;
		}
	return -EINVAL;
}

static int window_exists(struct fl_store *s, int64_t window)
{
	struct store_stmt *st = store_stmt(s, "SELECT 1 FROM maintenance WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, window);
	rc = sst_step(st);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_consent_customers_add(struct fl_store *s, int64_t window, const char *const *customers,
                             size_t n)
{
	struct store_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (!customers[i] || !customers[i][0])
			return -EINVAL;
	if ((rc = store_txn_enter(s)) < 0)
		return rc;
	if ((rc = window_exists(s, window)) < 0)
		return store_txn_leave(s, rc);
	st = store_stmt(s, "INSERT INTO consent(maint, customer, state) VALUES (?1, ?2, 'missing')"
	                   " ON CONFLICT DO NOTHING");
	if (!st)
		return store_txn_leave(s, -EIO);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sst_bind_int64(st, 1, window);
		store_bind_text(st, 2, customers[i]);
		rc = store_step_done(s, st);
	}
	return store_txn_leave(s, rc);
}

int fl_consent_record(struct fl_store *s, int64_t window, const char *customer,
                      enum fl_consent_state state, const char *by, const char *note,
                      int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	if (!customer || !customer[0] || !by || !by[0] || state == FL_CONSENT_MISSING ||
	    (unsigned)state >= FL_CONSENT__COUNT)
		return -EINVAL;
	if ((rc = store_txn_enter(s)) < 0)
		return rc;
	st = store_stmt(s, "UPDATE consent SET state = ?3, by = ?4, at_ns = ?5, note = ?6"
	                   " WHERE maint = ?1 AND customer = ?2");
	if (!st)
		return store_txn_leave(s, -EIO);
	sst_bind_int64(st, 1, window);
	store_bind_text(st, 2, customer);
	store_bind_text(st, 3, state_names[state]);
	store_bind_text(st, 4, by);
	sst_bind_int64(st, 5, now_ns);
	store_bind_text(st, 6, note && note[0] ? note : NULL);
	rc = store_update_one(s, st);
	return store_txn_leave(s, rc);
}

int fl_consent_each(struct fl_store *s, int64_t window, fl_consent_fn *fn, void *ctx)
{
	struct store_stmt *st;
	int rc;

	rc = store_prepare(s, "SELECT customer, state, by, at_ns, note FROM consent"
	                      " WHERE maint = ?1 ORDER BY customer", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	sst_bind_int64(st, 1, window);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_consent_row r = {.customer = store_col_text(st, 0),
		                           .by = store_col_text(st, 2),
		                           .at_ns = sst_col_is_null(st, 3) ? 0 : sst_col_int64(st, 3),
		                           .note = store_col_text(st, 4)};

		if (fl_consent_state_parse(store_col_text(st, 1), &r.state) < 0)
			r.state = FL_CONSENT_MISSING;
		if ((rc = fn(ctx, &r)) != 0) {
			sst_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

static int count_row(void *ctx, const struct fl_consent_row *r)
{
	struct fl_consent_counts *c = ctx;

	c->customers++;
	c->asked += r->state == FL_CONSENT_ASKED;
	c->given += r->state == FL_CONSENT_GIVEN;
	c->refused += r->state == FL_CONSENT_REFUSED;
	c->missing += r->state == FL_CONSENT_MISSING;
	return 0;
}

int fl_consent_counts(struct fl_store *s, int64_t window, struct fl_consent_counts *out)
{
	struct fl_consent_counts c = {0};
	int rc = fl_consent_each(s, window, count_row, &c);

	if (rc == 0)
		*out = c;
	return rc;
}

bool fl_consent_warning(const struct fl_consent_counts *c, bool is_active, int64_t next_from_ns,
                        int64_t now_ns, int64_t notice_ms)
{
	int64_t notice_ns = (notice_ms < 0 ? FL_CONSENT_NOTICE_MS_DEFAULT : notice_ms) * NS_PER_MS;

	if (c->customers == 0 || c->given == c->customers)
		return false;
	return is_active || next_from_ns - now_ns <= notice_ns;
}
