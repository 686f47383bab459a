// libFuzzer: the statement splitter, for each dialect, and the
// transaction-control check on what it returns. Bad SQL is a ScriptError;
// anything else (a crash, a sanitizer report, another exception, a broken
// invariant) is a finding. Text holding a NUL byte is always refused.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "script/migration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    bool nul = text.find('\0') != std::string::npos;
    for (sg::Dialect d : {sg::Dialect::postgresql, sg::Dialect::mysql, sg::Dialect::sqlite}) {
        try {
            int last = 1;
            for (const auto& st : sg::split_sql(text, d, 1, "fuzz.sql")) {
                // Statements are non-empty, in order, on lines of the input.
                if (st.sql.empty() || st.line < last) std::abort();
                last = st.line;
                sg::transaction_control(st.sql, d);
            }
            if (nul) std::abort();  // a statement cut at the NUL got through
        } catch (const sg::ScriptError& e) {
            if (e.problems().empty()) std::abort();
            if (nul && e.problems().front().message.find("NUL") == std::string::npos) std::abort();
        }
        if (nul) {
            try {
                sg::check_sql(text, d, 1, "fuzz.sql");
                std::abort();
            } catch (const sg::ScriptError&) {
            }
        }
    }
    return 0;
}
