// Log lines: one event is one line; JSON lines are valid UTF-8 JSON.
#include "log/log.hpp"

#include <catch2/catch.hpp>

using namespace sg;

namespace {

bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        }
        i += n;
    }
    return true;
}

}  // namespace

TEST_CASE("invalid UTF-8 becomes U+FFFD in JSON lines", "[log]") {
    CHECK(log::json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(log::json_escape("bad \xff\xfe end") == "bad \\ufffd\\ufffd end");
    CHECK(log::json_escape("cut \xe2\x82") == "cut \\ufffd\\ufffd");
    CHECK(log::json_escape("\xed\xa0\x80") == "\\ufffd\\ufffd\\ufffd");  // a surrogate
    std::string line = log::render_line(log::Level::error, "file \xc0\xaf.sql",
                                        {{"file", "x\xff.sql"}, {"n", 3}}, log::Format::json);
    CHECK(valid_utf8(line));
    CHECK(line.find("\"file\":\"x\\ufffd.sql\"") != std::string::npos);
    CHECK(line.find("\"n\":3") != std::string::npos);
}

TEST_CASE("text lines escape newlines and control characters in messages and fields", "[log]") {
    std::string forged = "a.sql\n2026-01-01T00:00:00.000Z info all revisions applied";
    std::string line =
        log::render_line(log::Level::error, "cannot read " + forged,
                         {{"file", forged}, {"q", "say \"hi\"\x1b[31m"}}, log::Format::text);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find("cannot read a.sql\\n2026") != std::string::npos);
    CHECK(line.find("q=\"say \\\"hi\\\"\\x1b[31m\"") != std::string::npos);
    CHECK(valid_utf8(log::render_line(log::Level::info, "\xff", {}, log::Format::text)));
    CHECK(log::render_line(log::Level::info, "Zoë 東京", {}, log::Format::text).find("Zoë 東京") !=
          std::string::npos);
}
