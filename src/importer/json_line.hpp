#pragma once
// One line of JSON as Python's json.dumps(ensure_ascii=True) writes it: the
// protocol of the embedded Python helpers (src/importer/alembic_import.py,
// src/schematool/models_render.py). Header-only; the importer and the models
// renderer both read their child's output with it.
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sg::importer::json {

/// A value of the script's output, as Python's json.dumps writes it.
struct Json {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::string text;  // a string, or a number's digits
    std::vector<Json> items;
    std::map<std::string, Json> members;

    const Json* get(const std::string& key) const {
        auto it = members.find(key);
        return it == members.end() ? nullptr : &it->second;
    }
    std::string str(const std::string& key) const {
        const Json* v = get(key);
        return v && v->kind == Kind::string ? v->text : std::string();
    }
    std::vector<std::string> strings(const std::string& key) const {
        std::vector<std::string> out;
        if (const Json* v = get(key))
            for (const Json& item : v->items) out.push_back(item.text);
        return out;
    }
    bool flag(const std::string& key, bool otherwise) const {
        const Json* v = get(key);
        return v && v->kind == Kind::boolean ? v->boolean : otherwise;
    }
};

/// One line of JSON; throws std::runtime_error on anything else.
class JsonLine {
  public:
    explicit JsonLine(std::string_view text) : m_t(text) {}

    Json parse() {
        Json v = value(0);
        space();
        if (m_i != m_t.size()) fail("text after the value");
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(what + " at column " + std::to_string(m_i + 1));
    }
    void space() {
        while (m_i < m_t.size() && (m_t[m_i] == ' ' || m_t[m_i] == '\t' || m_t[m_i] == '\r')) ++m_i;
    }
    bool take(std::string_view word) {
        if (m_t.substr(m_i, word.size()) != word) return false;
        m_i += word.size();
        return true;
    }
    Json value(int depth) {
        if (depth > 64) fail("nesting too deep");
        space();
        if (m_i >= m_t.size()) fail("a value missing");
        Json v;
        char c = m_t[m_i];
        if (c == '{') {
            v.kind = Json::Kind::object;
            ++m_i;
            space();
            if (take("}")) return v;
            for (;;) {
                space();
                if (m_i >= m_t.size() || m_t[m_i] != '"') fail("a key missing");
                std::string key = string();
                space();
                if (!take(":")) fail("':' missing");
                v.members[key] = value(depth + 1);
                space();
                if (take("}")) return v;
                if (!take(",")) fail("',' or '}' missing");
            }
        }
        if (c == '[') {
            v.kind = Json::Kind::array;
            ++m_i;
            space();
            if (take("]")) return v;
            for (;;) {
                v.items.push_back(value(depth + 1));
                space();
                if (take("]")) return v;
                if (!take(",")) fail("',' or ']' missing");
            }
        }
        if (c == '"') {
            v.kind = Json::Kind::string;
            v.text = string();
            return v;
        }
        if (take("true") || take("false")) {
            v.kind = Json::Kind::boolean;
            v.boolean = m_t[m_i - 1] == 'e' && m_t[m_i - 4] == 't';  // "true", not "false"
            return v;
        }
        if (take("null")) return v;
        size_t start = m_i;
        while (m_i < m_t.size() && m_t[m_i] != '\0' && std::strchr("+-.eE0123456789", m_t[m_i]))
            ++m_i;
        if (m_i == start) fail("unexpected character");
        v.kind = Json::Kind::number;
        v.text = std::string(m_t.substr(start, m_i - start));
        return v;
    }
    unsigned hex4() {
        if (m_i + 4 > m_t.size()) fail("a short \\u escape");
        unsigned cp = 0;
        for (int k = 0; k < 4; ++k) {
            char h = m_t[m_i++];
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
                cp |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                cp |= static_cast<unsigned>(h - 'A' + 10);
            else
                fail("a bad \\u escape");
        }
        return cp;
    }
    static void utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    std::string string() {
        ++m_i;  // the opening quote
        std::string out;
        for (;;) {
            if (m_i >= m_t.size()) fail("an unterminated string");
            char c = m_t[m_i++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_i >= m_t.size()) fail("an unterminated escape");
            char e = m_t[m_i++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && m_t.substr(m_i, 2) == "\\u") {
                        size_t back = m_i;
                        m_i += 2;
                        unsigned low = hex4();
                        if (low >= 0xDC00 && low < 0xE000)
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        else
                            m_i = back;
                    }
                    // A lone surrogate (a file name Python could not decode).
                    if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
                    utf8(out, cp);
                    break;
                }
                default:
                    fail("a bad escape");
            }
        }
    }

    std::string_view m_t;
    size_t m_i = 0;
};

/// Calls `on_record(type, record)` for each whole line of a child's output
/// before its end marker ({"type": "end"}) and says whether the marker came.
/// A line that is not JSON, a line after the end, and a type `on_record`
/// does not know (it returns false) are Error(internal) naming `who`.
template <class OnRecord>
bool read_records(const std::string& out, const std::string& who, OnRecord&& on_record) {
    bool ended = false;
    size_t pos = 0, line_no = 0;
    // Only whole lines: a child killed mid-line leaves an incomplete last one.
    for (size_t eol; (eol = out.find('\n', pos)) != std::string::npos; pos = eol + 1) {
        ++line_no;
        Json rec;
        try {
            rec = JsonLine(std::string_view(out).substr(pos, eol - pos)).parse();
        } catch (const std::exception& e) {
            throw Error(ExitCode::internal, who + "'s output is not understood: line " +
                                                std::to_string(line_no) + ": " + e.what());
        }
        if (ended)
            throw Error(ExitCode::internal,
                        who + "'s output is not understood: a line after its end");
        const std::string type = rec.str("type");
        if (type == "end") {
            ended = true;
        } else if (!on_record(type, rec)) {
            throw Error(ExitCode::internal,
                        who + "'s output is not understood: a record of type '" + type + "'");
        }
    }
    return ended;
}

}  // namespace sg::importer::json
