// libFuzzer: one migration file through the parser (every dialect, and each
// one alone), then checksums and statements of what parsed.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "script/migration.hpp"

namespace {

void use(const sg::Migration& m) {
    for (sg::Dialect d : {sg::Dialect::postgresql, sg::Dialect::mysql, sg::Dialect::sqlite}) {
        try {
            if (m.checksum(d).size() != 64) std::abort();
            m.upgrade_statements(d);
            if (m.downgrade_for(d)) m.downgrade_statements(d);
        } catch (const sg::ScriptError&) {
            // a section missing for d, or one that only splits for another dialect
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    for (std::optional<sg::Dialect> only :
         {std::optional<sg::Dialect>{}, std::optional{sg::Dialect::postgresql},
          std::optional{sg::Dialect::mysql}, std::optional{sg::Dialect::sqlite}}) {
        try {
            use(sg::parse_migration(text, "fuzz.sql", only));
        } catch (const sg::ScriptError& e) {
            if (e.problems().empty()) std::abort();
        }
    }
    return 0;
}
