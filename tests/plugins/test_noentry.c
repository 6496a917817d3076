/* test_noentry.c - a shared object that is not a plugin: no fl_plugin_entry. */
#include "plugins/fl_plugin.h"

FL_PLUGIN_EXPORT int fl_not_a_plugin(void);

int fl_not_a_plugin(void)
{
	return 42;
}
