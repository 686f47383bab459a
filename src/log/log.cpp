#include "log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <regex>

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

std::string render(Level level, const std::string& msg, const Fields& fields, Format format) {
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
    line = timestamp() + " " + level_name(level) + " " + msg;
    for (const auto& f : fields) {
        line += " " + f.key + "=";
        line += needs_quotes(f.value) && !f.number ? "\"" + f.value + "\"" : f.value;
    }
    return line;
}

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
    logger()->info(render(level, redact(msg), clean, s.format));
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
    if (secret.empty()) return;
    State& s = state();
    // Not under s.mutex: add_secret is called at start-up, before threads log.
    s.secrets.push_back(secret);
}

std::string redact(const std::string& text) {
    std::string out = text;
    for (const auto& secret : state().secrets) {
        for (size_t pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + 4)) {
            out.replace(pos, secret.size(), "****");
        }
    }
    // scheme://user:password@ -> scheme://user:****@
    static const std::regex url_password(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):([^@\s]*)@)");
    return std::regex_replace(out, url_password, "$1:****@");
}

void debug(const std::string& msg, const Fields& fields) { emit(Level::debug, msg, fields); }
void info(const std::string& msg, const Fields& fields) { emit(Level::info, msg, fields); }
void warn(const std::string& msg, const Fields& fields) { emit(Level::warn, msg, fields); }
void error(const std::string& msg, const Fields& fields) { emit(Level::error, msg, fields); }

std::string json_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

}  // namespace sg::log
