// bench/report.hpp — the tables the benchmark programs print (with fmt) and
// the CSV files they write, so every program reads the same way.
//
// A Table is a title, a header row and rows of cells; print() sizes each
// column to its widest cell (numbers right-aligned, text left-aligned).
// A Target is one of the stated goals: a ratio of two measurements
// and the limit it must stay within; printTargets() says met or missed (or,
// for a median of repetitions given with their range, inconclusive).
#pragma once
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace bench {

struct Table {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    void print(std::FILE* out = stdout) const {
        std::vector<std::size_t> width(header.size(), 0);
        for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
        for (const auto& row : rows)
            for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
                width[c] = std::max(width[c], row[c].size());
        fmt::print(out, "\n{}\n", title);
        const auto line = [&](const std::vector<std::string>& cells) {
            std::string text;
            for (std::size_t c = 0; c < cells.size() && c < width.size(); ++c) {
                if (c == 0) text += fmt::format("  {:<{}}", cells[c], width[c]);
                else text += fmt::format("  {:>{}}", cells[c], width[c]);
            }
            fmt::print(out, "{}\n", text);
        };
        line(header);
        std::size_t total = 0;
        for (auto w : width) total += w + 2;
        fmt::print(out, "  {}\n", std::string(total - 2, '-'));
        for (const auto& row : rows) line(row);
    }

    /// Writes header and rows as CSV (cells must not contain commas).
    void writeCsv(const std::string& path) const {
        std::FILE* f = std::fopen(path.c_str(), "w");
        if (!f) {
            fmt::print(stderr, "cannot write {}\n", path);
            return;
        }
        const auto line = [&](const std::vector<std::string>& cells) {
            std::string text;
            for (std::size_t c = 0; c < cells.size(); ++c) text += (c ? "," : "") + cells[c];
            fmt::print(f, "{}\n", text);
        };
        line(header);
        for (const auto& row : rows) line(row);
        std::fclose(f);
    }
};

/// "1.23" for ratios, "12.3" / "1234" for times, "-12.3" for a negative
/// difference: three significant digits.
inline std::string number(double v) {
    if (v != v) return "-";
    const double size = v < 0 ? -v : v;
    if (size >= 100) return fmt::format("{:.0f}", v);
    if (size >= 10) return fmt::format("{:.1f}", v);
    return fmt::format("{:.2f}", v);
}

/// Values from repetitions of one measurement: their median (the mean of
/// the middle two for an even count) and their range.
struct Spread {
    double median, low, high;
};

inline Spread spread(std::vector<double> values) {
    if (values.empty())
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN(),
                std::numeric_limits<double>::quiet_NaN()};
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return {(values[(n - 1) / 2] + values[n / 2]) / 2, values.front(), values.back()};
}

/// "1.01 [0.99..1.04]": the median and the range.
inline std::string number(const Spread& s) {
    return fmt::format("{} [{}..{}]", number(s.median), number(s.low), number(s.high));
}

/// A goal: `value` (a ratio) must be <= limit, or >= limit when atLeast.
/// A value that is the median of repetitions may carry their range (low,
/// high): the goal is then met when the value and the whole range are
/// within the limit, MISSED when the whole range is beyond it, and
/// inconclusive otherwise (the repetitions disagree: the run was too short,
/// or the machine too noisy, to tell).
struct Target {
    std::string goal;
    double value;
    double limit;
    bool atLeast = false;
    double low = std::numeric_limits<double>::quiet_NaN();  // the range, when value is a median
    double high = std::numeric_limits<double>::quiet_NaN();
    bool met() const { return within(value); }
    bool hasRange() const { return low == low && high == high; }
    /// "met", "MISSED", "inconclusive" (only with a range) or "not measured".
    std::string result() const {
        if (value != value) return "not measured";
        if (!hasRange()) return met() ? "met" : "MISSED";
        if (met() && within(atLeast ? low : high)) return "met";
        if (!within(atLeast ? high : low)) return "MISSED";
        return "inconclusive";
    }
    /// "1.01", or "1.01 [0.99..1.04]" with a range.
    std::string measured() const { return hasRange() ? number(Spread{value, low, high}) : number(value); }

private:
    bool within(double v) const { return atLeast ? v >= limit : v <= limit; }
};

inline void printTargets(const std::string& title, const std::vector<Target>& targets) {
    Table t{title, {"target", "measured", "limit", "result"}, {}};
    for (const auto& g : targets)
        t.rows.push_back(
            {g.goal, g.measured(), fmt::format("{}{}", g.atLeast ? ">= " : "<= ", number(g.limit)), g.result()});
    t.print();
}

/// Strips `--name=value` from argv (before another parser sees it); returns
/// the value, or `fallback` when absent.
inline std::string takeOption(int& argc, char** argv, const std::string& name, std::string fallback = "") {
    const std::string prefix = "--" + name + "=";
    const std::string flag = "--" + name;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind(prefix, 0) == 0 || arg == flag) {
            std::string value = arg == flag ? "1" : arg.substr(prefix.size());
            for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
            --argc;
            return value;
        }
    }
    return fallback;
}

} // namespace bench
