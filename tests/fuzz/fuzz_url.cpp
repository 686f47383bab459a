// libFuzzer: database URL parsing, and masking with random passwords. A bad
// URL is an Error (exit 2). The input is also a password put into URLs of
// several shapes: whether the URL parses or not, no 3-character fragment of
// the password may survive in what is shown (masked() or the error message),
// unless that fragment is part of the URL's known text anyway.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "db/url.hpp"

namespace {

// `host`: what a URL of this shape that does not parse shows after "scheme://".
void check_masked(const std::string& prefix, const std::string& password, const std::string& suffix,
                  const std::string& host) {
    std::string url = prefix + password + suffix, shown;
    try {
        shown = sg::parse_url(url).masked();
    } catch (const sg::Error& e) {
        shown = e.what();
        shown = shown.substr(0, shown.rfind("': "));  // the URL as shown, not the reason
    }
    const std::string context = prefix + "****" + suffix + "invalid database URL '" +
                                prefix.substr(0, prefix.find("://") + 3) + host;
    for (size_t k = 0; k + 3 <= password.size(); ++k) {
        std::string fragment = password.substr(k, 3);
        if (context.find(fragment) == std::string::npos &&
            shown.find(fragment) != std::string::npos) {
            std::abort();  // a finding: part of the password is shown
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        sg::parse_url(text);
    } catch (const sg::Error&) {
    }
    check_masked("postgresql://app:", text, "@db.example:5432/clinic?sslmode=require",
                 "db.example");
    check_masked("mysql+pymysql://app:", text, "@db/app", "db");
    // "user:password" with the '@' and host left out. By the URL's grammar
    // a '@' there ends the user info, '/' or '?' starts the path or query,
    // ',' a host list, and up to five digits are a port: only other
    // passwords are secrets.
    bool port = !text.empty() && text.size() <= 5 &&
                text.find_first_not_of("0123456789") == std::string::npos;
    if (text.find_first_of("@/?,") == std::string::npos && !port) {
        check_masked("postgresql://app:", text, "", "app");
    }
    // A query option's value ends at '&' (the next option), so not there.
    if (text.find('&') == std::string::npos) {
        check_masked("postgresql://db/app?sslmode=require&password=", text, "", "db");
    }
    return 0;
}
