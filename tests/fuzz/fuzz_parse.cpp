// libFuzzer: one migration file through the parser (every dialect, and each
// one alone), then checksums and statements of what parsed. A file holding a
// NUL byte never parses: it is a ScriptError naming the NUL.
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
    bool nul = text.find('\0') != std::string::npos;
    for (std::optional<sg::Dialect> only :
         {std::optional<sg::Dialect>{}, std::optional{sg::Dialect::postgresql},
          std::optional{sg::Dialect::mysql}, std::optional{sg::Dialect::sqlite}}) {
        try {
            sg::Migration m = sg::parse_migration(text, "fuzz.sql", only);
            if (nul) std::abort();  // a NUL would have cut a statement
            use(m);
        } catch (const sg::ScriptError& e) {
            if (e.problems().empty()) std::abort();
            if (nul && e.problems().front().message.find("NUL") == std::string::npos) std::abort();
        }
    }
    return 0;
}
