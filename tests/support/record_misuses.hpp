// A misuse handler that records every report, for the tests that check which
// misuse a call reports: RecordMisuses installs it for one test and restores
// the previous handler after; reports() is what it saw since. One thread at a
// time (the handler appends to a vector). Included after the library (after
// `import audiopool;` in module mode).
#pragma once

namespace test {

/// The reports recorded since the last RecordMisuses began.
inline std::vector<audiopool::MisuseReport>& reports() {
    static std::vector<audiopool::MisuseReport> r;
    return r;
}
inline void recordMisuse(const audiopool::MisuseReport& report) noexcept { reports().push_back(report); }

/// Installs the recording handler for one test and restores the previous one after.
struct RecordMisuses {
    RecordMisuses() {
        reports().clear();
        reports().reserve(16);  // a handler may run inside a nonblocking call (the arena's): no growth there
        previous = audiopool::setMisuseHandler(&recordMisuse);  // NOLINT(cppcoreguidelines-prefer-member-initializer)
    }
    ~RecordMisuses() { audiopool::setMisuseHandler(previous); }
    RecordMisuses(const RecordMisuses&) = delete;
    RecordMisuses& operator=(const RecordMisuses&) = delete;
    audiopool::MisuseHandler previous;
};

}  // namespace test
