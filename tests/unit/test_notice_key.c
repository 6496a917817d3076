/* The idempotency key's alphabet and length (engine/lib/notice_key.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/lib/notice_key.h"

Test(notice_key, takes_the_keys_the_outbox_builds)
{
	cr_expect(fl_notice_key_valid("INC-20261125-1:s0:sms:0:138-0000-3214"));
	cr_expect(fl_notice_key_valid("mw:MW-2026-1128-01:20261127T1630Z:email:0:a.b@example.net"));
	cr_expect(fl_notice_key_valid("x"));
}

Test(notice_key, refuses_empty_long_and_foreign_characters)
{
	char longest[FL_NOTICE_KEY_MAX + 2];

	cr_expect_not(fl_notice_key_valid(NULL));
	cr_expect_not(fl_notice_key_valid(""));
	cr_expect_not(fl_notice_key_valid("a b"));
	cr_expect_not(fl_notice_key_valid("a/b"));
	cr_expect_not(fl_notice_key_valid("王工"));
	cr_expect_not(fl_notice_key_valid("a\nb"));
	memset(longest, 'k', sizeof(longest));
	longest[FL_NOTICE_KEY_MAX] = '\0';
	cr_expect(fl_notice_key_valid(longest), "exactly the longest");
	longest[FL_NOTICE_KEY_MAX] = 'k';
	longest[FL_NOTICE_KEY_MAX + 1] = '\0';
	cr_expect_not(fl_notice_key_valid(longest), "one byte too long");
}
