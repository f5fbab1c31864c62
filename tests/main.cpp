// The doctest runner's main, kept apart from the tests (which import the module).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
