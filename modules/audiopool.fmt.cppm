// The audiopool.fmt module: `import audiopool.fmt;` — {fmt} formatters for
// audiopool's statistics and pool descriptions (see audiopool/fmt.hpp).
// It re-exports audiopool. The core module stays free of {fmt}.
//
// The same switch as the core module (AUDIOPOOL_MODULE, config.hpp): {fmt}
// and the standard library are included in the global module fragment;
// audiopool's declarations come from the imported module; only the
// formatters themselves (written once, in fmt.hpp) are in this purview.
module;
#define AUDIOPOOL_MODULE 1
#include <fmt/format.h>

#include "audiopool/config.hpp"
#include "audiopool/module_fragment.hpp"

export module audiopool.fmt;
export import audiopool;

#include "audiopool/fmt.hpp"
