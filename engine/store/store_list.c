/* store_list.c - the outbox listed for people (store_list.h). */
#include "engine/store/store_list.h"

#include <errno.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/store/store.h"
#include "engine/store/store_int.h"

static const char *const text_cols[] = {"ticket",  "channel", "role", "person",
					"address", "subject", "state"};

static void row_json(struct fl_json *j, struct store_stmt *st)
{
	fl_json_obj_begin(j);
	fl_json_key(j, "id");
	fl_json_int(j, sst_col_int64(st, 0));
	for (int c = 0; c < 7; c++) {
		fl_json_key(j, text_cols[c]);
		fl_json_cstr(j, store_col_text(st, c + 1));
	}
	fl_json_key(j, "attempts");
	fl_json_int(j, sst_col_int64(st, 8));
	fl_json_key(j, "created");
	store_json_time(j, sst_col_int64(st, 9));
	fl_json_key(j, "due");
	store_json_time(j, sst_col_int64(st, 10));
	fl_json_key(j, "done");
	store_json_time(j, sst_col_int64(st, 11));
	fl_json_key(j, "last_result");
	fl_json_cstr(j, store_col_text(st, 12));
	fl_json_key(j, "last_error");
	fl_json_cstr(j, store_col_text(st, 13));
	fl_json_obj_end(j);
}

int fl_store_outbox_list_json(struct fl_store *s, const char *ticket, const char *state,
			      size_t limit, struct fl_buf *out)
{
	static const char sql[] =
		"SELECT id, ticket, channel, role, person, address, subject, state, attempts,"
		" created_ns, due_ns, done_ns, last_result, last_error FROM outbox"
		" WHERE (?1 IS NULL OR ticket = ?1) AND (?2 IS NULL OR state = ?2)"
		" ORDER BY id DESC LIMIT ?3";
	const char *token = NULL;
	struct fl_json j;
	struct store_stmt *st;
	int rc;

	if (limit < 1 || limit > FL_STORE_OUTBOX_LIST_MAX)
		return -EINVAL;
	for (int i = FL_OUTBOX_PENDING; state && i <= FL_OUTBOX_EXPIRED; i++)
		if (strcmp(state, fl_outbox_state_name((enum fl_outbox_state)i)) == 0)
			token = store_outbox_token((enum fl_outbox_state)i);
	if (state && !token)
		return -EINVAL;
	st = store_stmt(s, sql);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, ticket);
	store_bind_text(st, 2, token);
	sst_bind_int64(st, 3, (int64_t)limit);
	fl_json_init(&j, out);
	fl_json_arr_begin(&j);
	while ((rc = sst_step(st)) == SQLITE_ROW)
		row_json(&j, st);
	fl_json_arr_end(&j);
	sst_reset(st); /* ends the read: the engine's writer is not held back */
	if (rc != SQLITE_DONE)
		return store_rc(s, rc);
	return fl_json_failed(&j) ? -EMSGSIZE : 0;
}
