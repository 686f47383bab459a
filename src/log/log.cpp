#include "log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <mutex>
#include <string_view>

#include "core/util.hpp"

namespace sg::log {
namespace {

struct State {
    std::mutex mutex;
    Format format = Format::text;
    Level level = Level::info;
    std::vector<std::string> secrets;
    std::shared_ptr<spdlog::logger> logger;
};

State& state() {
    static State s;
    return s;
}

std::shared_ptr<spdlog::logger> logger() {
    State& s = state();
    if (!s.logger) {
        s.logger = std::make_shared<spdlog::logger>(
            "schemagate", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        s.logger->set_pattern("%v");
        s.logger->set_level(spdlog::level::trace);
        s.logger->flush_on(spdlog::level::trace);
    }
    return s.logger;
}

std::string timestamp() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::time_t t = system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
        case Level::off:
            return "off";
    }
    return "info";
}

bool needs_quotes(const std::string& v) {
    return v.empty() || v.find_first_of(" \t\"=") != std::string::npos;
}

// The length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_length(const std::string& s, size_t i) {
    auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
    auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return byte(k) >= lo && byte(k) <= hi;
    };
    unsigned c = byte(i);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
    if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
    if (c >= 0xE1 && c <= 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
    if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    return 0;
}

// Text logs: one event is one line, whatever a file name or a database
// message holds. Control characters and bytes that are not UTF-8 become
// visible escapes (\n, \x1b, \xff); in a quoted field value, '"' too.
std::string text_escape(const std::string& s, bool quoted = false) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = utf8_length(s, i);
        if (len > 1) {
            out.append(s, i, len);
            i += len;
            continue;
        }
        ++i;
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (quoted && c == '"') {
            out += "\\\"";
        } else if (len == 0 || c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

std::string render_line(Level level, const std::string& msg, const Fields& fields, Format format) {
    std::string line;
    if (format == Format::json) {
        line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) +
               "\",\"msg\":\"" + json_escape(msg) + "\"";
        for (const auto& f : fields) {
            line += ",\"" + json_escape(f.key) + "\":";
            line += f.number ? f.value : "\"" + json_escape(f.value) + "\"";
        }
        line += "}";
        return line;
    }
    line = timestamp() + " " + level_name(level) + " " + text_escape(msg);
    for (const auto& f : fields) {
        line += " " + text_escape(f.key) + "=";
        line += needs_quotes(f.value) && !f.number ? "\"" + text_escape(f.value, true) + "\""
                                                   : text_escape(f.value);
    }
    return line;
}

namespace {

void emit(Level level, const std::string& msg, const Fields& fields) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (level < s.level || s.level == Level::off) return;
    Fields clean;
    clean.reserve(fields.size());
    for (const auto& f : fields) {
        Field c = f;
        c.value = redact(f.value);
        clean.push_back(std::move(c));
    }
    logger()->info(render_line(level, redact(msg), clean, s.format));
}

}  // namespace

void init(Format format, Level level) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.format = format;
    s.level = level;
}

bool parse_level(const std::string& s, Level& out) {
    if (s == "debug" || s == "trace")
        out = Level::debug;
    else if (s == "info")
        out = Level::info;
    else if (s == "warn" || s == "warning")
        out = Level::warn;
    else if (s == "error")
        out = Level::error;
    else if (s == "off" || s == "quiet")
        out = Level::off;
    else
        return false;
    return true;
}

void add_secret(const std::string& secret) {
    if (secret.size() < kMinSubstringSecret) return;  // masked where it stands only
    State& s = state();
    // Not under s.mutex: add_secret is called at start-up, before threads log.
    s.secrets.push_back(secret);
}

namespace {

bool url_scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '.' || c == '-';
}

bool token_end(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '\'' || c == '"';
}

// scheme://user:password@host -> scheme://user:****@host. The password runs
// to the last '@' of the URL (white space or a quote ends it): over-masking a
// query string is better than leaking a password with a raw '@' or '/'.
std::string mask_url_user_info(const std::string& text) {
    std::string out;
    size_t copied = 0;
    for (size_t sep = text.find("://"); sep != std::string::npos; sep = text.find("://", sep + 3)) {
        size_t scheme = sep;
        while (scheme > 0 && url_scheme_char(text[scheme - 1])) --scheme;
        if (scheme == sep || !std::isalpha(static_cast<unsigned char>(text[scheme]))) continue;
        size_t user_end = sep + 3;
        while (user_end < text.size() && !token_end(text[user_end]) &&
               std::string_view(":/@").find(text[user_end]) == std::string_view::npos) {
            ++user_end;
        }
        if (user_end >= text.size() || text[user_end] != ':') continue;
        size_t end = user_end + 1;
        while (end < text.size() && !token_end(text[end])) ++end;
        size_t at = text.rfind('@', end - 1);
        if (at == std::string::npos || at <= user_end) continue;
        out.append(text, copied, user_end + 1 - copied);
        out += "****";
        copied = at;
        sep = at;
    }
    return out + text.substr(copied);
}

// password=value, password = 'va lue', PGPASSWORD="..." -> password=****.
std::string mask_password_pairs(const std::string& text) {
    static const std::string key = "password";
    std::string out;
    size_t copied = 0, pos = 0;
    auto lower = [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    while (pos + key.size() <= text.size()) {
        size_t k = 0;
        while (k < key.size() && lower(text[pos + k]) == key[k]) ++k;
        if (k < key.size()) {
            ++pos;
            continue;
        }
        size_t v = pos + key.size();
        while (v < text.size() && text[v] == ' ') ++v;
        if (v >= text.size() || text[v] != '=') {
            pos += key.size();
            continue;
        }
        ++v;
        while (v < text.size() && text[v] == ' ') ++v;
        size_t end = v;
        if (end < text.size() && (text[end] == '\'' || text[end] == '"')) {
            char quote = text[end++];
            while (end < text.size() && text[end] != quote) end += text[end] == '\\' ? 2 : 1;
            end = std::min(end + 1, text.size());
        } else {
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
        }
        if (end > v) {
            out.append(text, copied, v - copied);
            out += "****";
            copied = end;
        }
        pos = std::max(end, v);
    }
    return out + text.substr(copied);
}

}  // namespace

std::string mask_passwords(const std::string& text) {
    return mask_password_pairs(mask_url_user_info(text));
}

std::string redact(const std::string& text) {
    std::string out = text;
    for (const auto& secret : state().secrets) {
        for (size_t pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + 4)) {
            out.replace(pos, secret.size(), "****");
        }
    }
    return mask_passwords(out);
}

void debug(const std::string& msg, const Fields& fields) { emit(Level::debug, msg, fields); }
void info(const std::string& msg, const Fields& fields) { emit(Level::info, msg, fields); }
void warn(const std::string& msg, const Fields& fields) { emit(Level::warn, msg, fields); }
void error(const std::string& msg, const Fields& fields) { emit(Level::error, msg, fields); }

std::string json_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // JSON is UTF-8: a byte that starts no valid sequence becomes
            // U+FFFD, so every line stays parseable.
            size_t len = utf8_length(s, i);
            if (len == 0) {
                out += "\\ufffd";
            } else {
                out.append(s, i, len);
                i += len - 1;
            }
            continue;
        }
        const char* esc = backslash_escape(static_cast<char>(c));
        if (*esc) {
            out += esc;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace sg::log
