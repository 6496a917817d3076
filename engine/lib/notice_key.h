/* notice_key.h - the idempotency key of a notification: the contract between
 * the outbox that queues it (engine/store) and the plugins that deliver it
 * (plugins/fl_plugin.h), which may use it to drop a message sent twice.
 * A pure function, any thread. */
#ifndef FL_NOTICE_KEY_H
#define FL_NOTICE_KEY_H
#include <stdbool.h>

/* The longest key, in bytes; longer keys are cut there by whoever builds them. */
#define FL_NOTICE_KEY_MAX 128

/* Is key a valid idempotency key ([A-Za-z0-9._:@-], 1..FL_NOTICE_KEY_MAX bytes)? */
bool fl_notice_key_valid(const char *key);

#endif /* FL_NOTICE_KEY_H */
