// The audiopool module: `import audiopool;`
//
// A thin wrapper: the standard library (and the system headers the library
// uses) are included in the global module fragment, then the library's own
// headers are included in the module purview with AUDIOPOOL_EXPORT defined as
// `export`, so their entities belong to this module. Nothing is written twice
// between module mode and header mode.
module;
#define AUDIOPOOL_EXPORT export
#include "audiopool/config.hpp"

export module audiopool;

#include "audiopool/audiopool.hpp"
