// The audiopool module: `import audiopool;`
//
// A thin wrapper. AUDIOPOOL_MODULE is the one switch (config.hpp): the
// standard and system headers the library uses are included here, in the
// global module fragment (module_fragment.hpp), and the library's own
// headers in the module purview, where AUDIOPOOL_EXPORT is `export`, so their
// entities belong to this module. Nothing is written twice between module
// mode and header mode.
module;
#define AUDIOPOOL_MODULE 1
#include "audiopool/config.hpp"
#include "audiopool/module_fragment.hpp"

export module audiopool;

#include "audiopool/audiopool.hpp"

// The operators of the standard types the interface hands out. channel(c) is
// a std::span, and `for (float& s : tmp.channel(0))` compares two span
// iterators with `!=`. Those operators are namespace-scope templates of the
// standard library, declared above in the global module fragment, and such a
// declaration is not visible in a file that imports this module (argument-
// dependent lookup there finds visible declarations only). So a file whose
// first line is `import audiopool;` failed with "invalid operands to binary
// expression ('iterator' and 'iterator')", while one that included a standard
// header first compiled. Re-exporting them, as the standard library's own
// `std` module does, makes them visible. C++20 rewrites !=, <, >, <= and >=
// in terms of == and <=>, so these four are all that is needed:
//  - std: libc++'s span iterator (__wrap_iter), and with either library
//    std::reverse_iterator (rbegin/rend) and std::string_view (version);
//  - __gnu_cxx: libstdc++'s span iterator (__normal_iterator), whose C++20
//    operators there are these four (there is no operator!=, and a using-
//    declaration must name something); were they ever made hidden friends,
//    ADL would find them unexported and this block would have to go.
// tests/module_only/ compiles programs with nothing before the import.
export namespace std {
using std::operator==;
using std::operator<=>;
using std::operator-;  // iterator - iterator
using std::operator+;  // n + iterator
} // namespace std
#if defined(__GLIBCXX__)
export namespace __gnu_cxx {
using __gnu_cxx::operator==;
using __gnu_cxx::operator<=>;
using __gnu_cxx::operator-;
using __gnu_cxx::operator+;
} // namespace __gnu_cxx
#endif
