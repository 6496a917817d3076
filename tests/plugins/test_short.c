/* test_short.c - a plugin whose table is shorter than ABI 1 requires. */
#include "plugins/fl_plugin.h"

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = 8,
    .name = "test_short",
    .version = "1",
};
