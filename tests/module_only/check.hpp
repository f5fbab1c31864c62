// The checks of the module-only programs: a failed check prints its file and
// line and is counted. Includes nothing (so it may follow `import audiopool;`)
// and prints with __builtin_printf (no <cstdio> needed).
#pragma once

inline int failures = 0;
inline void check(bool ok, const char* file, int line) {
    if (!ok) {
        __builtin_printf("%s:%d: check failed\n", file, line);
        ++failures;
    }
}
#define CHECK(x) check((x), __FILE__, __LINE__)
