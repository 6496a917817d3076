/* test_badabi.c - a plugin built for a future ABI the host does not speak. */
#include "plugins/fl_plugin.h"

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR + 1,
    .size = sizeof(struct fl_plugin_api),
    .name = "test_badabi",
    .version = "1",
};
