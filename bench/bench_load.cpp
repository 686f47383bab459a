// sg::load_directory on 2,000 generated files: find, read, parse (each
// section is split for every dialect while validating), graph; then the
// SHA-256 checksums `run` computes for drift detection.
#include <string>

#include "bench.hpp"
#include "script/migration.hpp"
#include "synth.hpp"

namespace {

constexpr int kFiles = 2000;

bench::Result load() {
    bench::TempDir dir("load");
    bench::write_migrations(dir.path(), bench::synthetic_graph(kFiles));
    const int reps = 3;
    size_t n = 0;
    bench::Timer t;
    for (int i = 0; i < reps; ++i) n = sg::load_directory(dir.path().string()).migrations.size();
    return {std::to_string(n) + " files x" + std::to_string(reps), t.ms(),
            static_cast<double>(n) * reps};
}

bench::Result load_and_checksum() {
    bench::TempDir dir("load-sum");
    bench::write_migrations(dir.path(), bench::synthetic_graph(kFiles));
    size_t n = 0;
    bench::Timer t;
    auto scripts = sg::load_directory(dir.path().string());
    for (const auto& m : scripts.migrations) n += m.checksum(sg::Dialect::postgresql).size() > 0;
    return {std::to_string(n) + " files", t.ms(), static_cast<double>(n)};
}

}  // namespace

int main(int argc, char** argv) {
    return bench::main(argc, argv, {{"load_dir", load}, {"load_dir_checksums", load_and_checksum}});
}
