// Built by tests/cmake_consumer against audiopool::fmt: the headers the
// package gives are the version CMake was told (audiopool_VERSION), and the
// {fmt} formatters compile and link.
#include <audiopool/audiopool.hpp>
#include <audiopool/fmt.hpp>

#include <cstdio>
#include <string>
#include <string_view>

using Pool = audiopool::Pool<float, 2, 64, 4, audiopool::Treiber>;
constinit Pool pool;

int main() {
    const bool versionOk = audiopool::version == std::string_view(AUDIOPOOL_EXPECTED_VERSION);
    auto buffer = pool.acquire();
    const std::string stats = fmt::format("{}", pool.stats());
    const bool statsOk = stats.find("inUse 1/4") != std::string::npos;
    std::printf("audiopool %.*s (CMake: %s); %s\n", static_cast<int>(audiopool::version.size()),
                audiopool::version.data(), AUDIOPOOL_EXPECTED_VERSION, stats.c_str());
    if (!versionOk) std::printf("FAILED: the headers' version is not the package's\n");
    if (!statsOk) std::printf("FAILED: the formatted statistics do not say inUse 1/4\n");
    return versionOk && statsOk ? 0 : 1;
}
