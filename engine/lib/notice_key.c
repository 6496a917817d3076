/* notice_key.c - see notice_key.h. */
#include "engine/lib/notice_key.h"

#include <string.h>

bool fl_notice_key_valid(const char *key)
{
	size_t n;

	if (!key)
		return false;
	n = strlen(key);
	if (n == 0 || n > FL_NOTICE_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '@' || c == '-'))
			return false;
	}
	return true;
}
