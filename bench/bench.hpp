#pragma once
// A tiny benchmark harness: each program registers named cases; `--list`
// prints them, a name runs one case (so run.sh gives each case its own
// process and its own peak RSS), no argument runs them all in order.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace bench {

/// What one case measured: `ops` operations of the timed part took `ms`.
struct Result {
    std::string size;  // the input, for people ("10000 revs", "1 MiB")
    double ms = 0;
    double ops = 1;
};

struct Case {
    std::string name;
    std::function<Result()> run;
};

class Timer {
  public:
    Timer() : m_start(std::chrono::steady_clock::now()) {}
    double ms() const {
        auto d = std::chrono::steady_clock::now() - m_start;
        return std::chrono::duration<double, std::milli>(d).count();
    }

  private:
    std::chrono::steady_clock::time_point m_start;
};

/// Peak resident set of this process so far, in MiB (Linux: ru_maxrss is KiB).
inline double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// Keeps the optimiser from dropping a computed value.
template <class T>
void keep(const T& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

/// A fresh directory under `base` (default: /tmp), removed with everything in it.
class TempDir {
  public:
    explicit TempDir(const std::string& tag, std::filesystem::path base = {}) {
        if (base.empty()) base = std::filesystem::temp_directory_path();
        m_path = base / ("sg-bench-" + tag + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

inline void print_row(const std::string& name, const Result& r) {
    double per_s = r.ms > 0 ? r.ops * 1000.0 / r.ms : 0;
    std::printf("%-28s %-18s %10.1f %12.0f %8.1f\n", name.c_str(), r.size.c_str(), r.ms, per_s,
                peak_rss_mib());
    std::fflush(stdout);
}

inline void print_header() {
    std::printf("%-28s %-18s %10s %12s %8s\n", "name", "size", "time ms", "ops/s", "RSS MiB");
}

/// The main of every benchmark program.
inline int main(int argc, char** argv, const std::vector<Case>& cases) {
    if (argc > 1 && std::strcmp(argv[1], "--list") == 0) {
        for (const auto& c : cases) std::printf("%s\n", c.name.c_str());
        return 0;
    }
    try {
        if (argc == 1) print_header();
        bool found = false;
        for (const auto& c : cases) {
            if (argc > 1 && c.name != argv[1]) continue;
            found = true;
            print_row(c.name, c.run());
        }
        if (!found) {
            std::fprintf(stderr, "unknown case %s (see --list)\n", argv[1]);
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "benchmark failed: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace bench
