// Parsing one migration file (docs/reference.md §1): the header, the sections, and
// the check that every section splits for every dialect it runs on.
//
// Decisions written down here:
// - Everything before the first section marker is the header. Blank lines
//   and free comment lines (`-- Adds the email column.`) are allowed there;
//   a comment shaped `-- word: value` is a header key, so a misspelt key
//   (`-- down_revison: x`) is an error instead of being silently ignored.
//   Any other text before the first marker is an error (reported once).
// - A section marker is a whole line `-- +upgrade [dialect]` or
//   `-- +downgrade [dialect]`. A line `-- +word` with another word is an error
//   (it is almost always a typo or another tool's marker, e.g. goose's).
//   Markers are found line by line before any SQL is lexed (as goose and
//   dbmate do), so such a line inside a multi-line string starts a section.
// - A file with neither header keys nor markers gets one problem ("not a
//   migration file"), not one for each thing it lacks.
// - Problems without a line of their own (missing revision, missing upgrade
//   section) are reported at line 1.
#include <algorithm>
#include <map>
#include <set>

#include "script/import_marker.hpp"
#include "script/lint.hpp"
#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg {
namespace {

using text::trim;

struct Line {
    std::string_view text;  // without the line ending
    size_t begin = 0;       // offset of the first character
    size_t next = 0;        // offset after the line ending
    int number = 0;
};

std::vector<Line> split_lines(std::string_view s) {
    std::vector<Line> out;
    size_t pos = 0;
    int number = 1;
    while (pos < s.size()) {
        // A plain scan: string_view::find_first_of calls memchr per byte.
        size_t end = pos;
        while (end < s.size() && s[end] != '\n' && s[end] != '\r') ++end;
        size_t next = end == s.size() ? end : end + 1;
        if (end < s.size() && s[end] == '\r' && next < s.size() && s[next] == '\n') ++next;
        out.push_back({s.substr(pos, end - pos), pos, next, number++});
        pos = next;
    }
    return out;
}

struct Marker {
    bool upgrade = true;
    std::optional<Dialect> dialect;
    std::string error;  // set when the line is marker-shaped but wrong
};

// `-- +name [arg]`: nullopt when the line is not marker-shaped at all.
std::optional<Marker> parse_marker(std::string_view line) {
    std::string_view t = trim(line);
    if (t.substr(0, 2) != "--") return std::nullopt;
    t = trim(t.substr(2));
    if (t.empty() || t[0] != '+') return std::nullopt;
    size_t n = 1;
    while (n < t.size() && (text::is_alpha(t[n]) || t[n] == '_')) ++n;
    std::string_view name = t.substr(1, n - 1);
    std::string_view arg = t.substr(n);
    if (name.empty() || (!arg.empty() && !text::is_space(arg[0]))) return std::nullopt;
    arg = trim(arg);
    Marker m;
    if (name != "upgrade" && name != "downgrade") {
        m.error = "unknown section marker '-- +" + std::string(name) +
                  "' (expected -- +upgrade or -- +downgrade)";
        return m;
    }
    m.upgrade = name == "upgrade";
    if (arg.empty()) return m;
    m.dialect = parse_dialect(arg);
    if (!m.dialect)
        m.error = "unknown dialect '" + std::string(arg) + "' after -- +" + std::string(name) +
                  " (expected postgresql, mysql or sqlite)";
    return m;
}

bool is_known_key(const std::string& word) {
    static const char* const keys[] = {"revision",    "down_revision", "message",
                                       "create_date", "branch_labels", "depends_on",
                                       "transaction", "lint_allow"};
    for (const char* k : keys)
        if (word == k) return true;
    return false;
}

const char* const k_keys =
    "revision, down_revision, message, create_date, branch_labels, "
    "depends_on, transaction, lint_allow";

// True when `sql` holds a word that starts a transaction-control statement
// (tx_control.cpp): without one, a section cannot hold such a statement and
// need not be split to find out. A plain scan, no allocation.
bool may_control_transactions(std::string_view sql) {
    return text::any_word(sql, [](std::string_view w) {
        switch (text::to_lower(w[0])) {  // one comparison for most words
            case 'b':
                return text::iequals(w, "begin");
            case 's':
                return text::iequals(w, "start");
            case 'c':
                return text::iequals(w, "commit");
            case 'r':
                return text::iequals(w, "rollback");
            case 'e':
                return text::iequals(w, "end");
            case 'a':
                return text::iequals(w, "abort");
            case 'p':
                return text::iequals(w, "prepare");
            default:
                return false;
        }
    });
}

// True when `sql` lexes the same for every dialect (split.cpp): none of the
// characters or words whose meaning differs between them. Backslashes
// (MySQL string escapes), backticks, `[` (SQLite identifiers), `#` (MySQL
// comments), `$` (PostgreSQL dollar quotes), block comments (nested in
// PostgreSQL, executable in MySQL), `--` not followed by white space (no
// comment in MySQL), and the words that open a PostgreSQL routine body
// (BEGIN), an SQLite trigger body (TRIGGER) or a MySQL DELIMITER directive.
// A generic section that lexes cleanly for one dialect and is neutral is
// then clean for all of them: `verify` without --dialect lexes it once
// instead of three times.
bool dialect_neutral(std::string_view sql) {
    for (size_t i = 0; i < sql.size(); ++i) {
        switch (sql[i]) {
            case '\\':
            case '`':
            case '[':
            case '#':
            case '$':
                return false;
            case '/':
                if (i + 1 < sql.size() && sql[i + 1] == '*') return false;
                break;
            case '-':
                if (i + 1 < sql.size() && sql[i + 1] == '-') {
                    if (i + 2 < sql.size() && static_cast<unsigned char>(sql[i + 2]) > ' ')
                        return false;
                    ++i;
                }
                break;
            default:
                break;
        }
    }
    return !text::any_word(sql, [](std::string_view w) {
        return text::iequals(w, "begin") || text::iequals(w, "trigger") ||
               text::iequals(w, "delimiter");
    });
}

// The split checks of one migration's sections, for the dialects checked.
class SectionChecker {
  public:
    SectionChecker(const Migration& m, std::optional<Dialect> only)
        : m_m(m), m_path(m.rev.file), m_only(only) {}

    // Splits every section for every dialect it runs on (of those checked),
    // so `verify` finds unterminated quotes and comments, and transaction
    // control in a transactional revision, without a database.
    std::vector<FileProblem> run() {
        check_direction(m_m.upgrade, m_m.upgrade_dialect);
        check_direction(m_m.downgrade, m_m.downgrade_dialect);
        return std::move(m_problems);
    }

  private:
    const Migration& m_m;
    const std::string& m_path;
    std::optional<Dialect> m_only;
    std::vector<FileProblem> m_problems;

    void add(int line, std::string message) {
        m_problems.push_back({m_path, line, std::move(message)});
    }

    // Statements are built only where transaction control may hide: in a
    // transactional revision, a section holding one of its words. Every
    // other section is lexed alone, which finds the same errors (it is the
    // splitter's own pass) without copying each statement: the load of
    // every `run`, at every pod start, builds no statement in the common
    // case.
    bool wanted(const Section& s) const {
        return m_m.rev.transactional && may_control_transactions(s.text);
    }

    void check_direction(const std::optional<Section>& generic,
                         const std::optional<Section> (&specific)[3]) {
        std::vector<Dialect> generic_for;
        generic_for.reserve(3);
        for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite}) {
            if (m_only && d != *m_only) continue;
            const auto& s = specific[static_cast<int>(d)];
            if (s) {
                for (const auto& p : section_problems(*s, d, wanted(*s))) add(p.line, p.message);
            } else if (generic) {
                generic_for.push_back(d);
            }
        }
        if (!generic) return;
        bool want = wanted(*generic);  // its words are scanned once, not once per dialect
        // Lexed once when that settles it for every dialect (dialect_neutral).
        if (generic_for.size() > 1 && !want && dialect_neutral(generic->text) &&
            section_problems(*generic, generic_for.front(), want).empty())
            return;
        // The same problem for several dialects is reported once, naming the
        // dialects when not all of them are affected.
        std::map<std::pair<int, std::string>, std::vector<Dialect>> found;
        for (Dialect d : generic_for)
            for (const auto& p : section_problems(*generic, d, want))
                found[{p.line, p.message}].push_back(d);
        for (const auto& [key, dialects] : found) {
            std::string message = key.second;
            if (dialects.size() != generic_for.size()) {
                message += " (when split as";
                for (size_t i = 0; i < dialects.size(); ++i)
                    message += std::string(i ? ", " : " ") + dialect_name(dialects[i]);
                message += ")";
            }
            add(key.first, message);
        }
    }

    // `want`: wanted(s), computed once by the caller for every dialect.
    std::vector<FileProblem> section_problems(const Section& s, Dialect d, bool want) {
        std::vector<Statement> statements;
        try {
            if (!want) {
                check_sql(s.text, d, s.first_line, m_path);
                return {};
            }
            statements = split_sql(s.text, d, s.first_line, m_path);
        } catch (const ScriptError& e) {
            return e.problems();
        }
        std::vector<FileProblem> out;
        if (!m_m.rev.transactional) return out;
        int open_bodies = 0;  // BEGIN words not yet ended (see tx_control.cpp)
        for (const Statement& st : statements) {
            std::string what = transaction_control(st.sql, d);
            if (what.empty() || (what == "END" && open_bodies > 0)) {
                open_bodies = std::max(0, open_bodies + body_balance(st.sql));
                continue;
            }
            out.push_back({m_path, st.line,
                           "transaction control (" + what +
                               ") in a transactional revision: schemagate runs the "
                               "revision in one transaction and commits it itself; remove "
                               "the statement, or put `-- transaction: false` in the "
                               "header to run the revision outside a transaction"});
        }
        return out;
    }
};

class Parser {
  public:
    Parser(std::string_view text, const std::string& path, std::optional<Dialect> only)
        : m_text(text), m_path(path), m_only(only) {
        m_m.rev.file = path;
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF") m_text.remove_prefix(3);  // UTF-8 BOM
    }

    Migration run() {
        text::refuse_nul(m_text, 1, m_path);
        for (const Line& line : split_lines(m_text)) {
            if (auto marker = parse_marker(line.text)) {
                close_section(line.begin);
                open_section(*marker, line);
            } else if (!m_any_marker) {
                header_line(line);
            }
        }
        close_section(m_text.size());
        check_complete();
        for (auto& p : SectionChecker(m_m, m_only).run()) m_problems.push_back(std::move(p));
        for (auto& p : import_marker_problems(m_text, m_path)) m_problems.push_back(std::move(p));
        m_m.rev.lines = m_keys;
        if (!m_problems.empty()) {
            std::stable_sort(m_problems.begin(), m_problems.end(),
                             [](const auto& a, const auto& b) { return a.line < b.line; });
            text::throw_problems(std::move(m_problems));
        }
        return std::move(m_m);
    }

  private:
    std::string_view m_text;
    const std::string& m_path;
    std::optional<Dialect> m_only;  // the dialect the file will run on; nullopt: all
    Migration m_m;
    std::vector<FileProblem> m_problems;
    std::map<std::string, int> m_keys;      // header key -> line
    std::map<std::string, int> m_sections;  // "upgrade postgresql" -> marker line
    bool m_any_marker = false, m_sql_reported = false;
    std::optional<Section>* m_open = nullptr;  // the section being read
    Section m_current;
    size_t m_current_begin = 0;

    void add(int line, std::string message) {
        m_problems.push_back({m_path, line, std::move(message)});
    }

    void open_section(const Marker& marker, const Line& line) {
        m_any_marker = true;
        if (!marker.error.empty()) return add(line.number, marker.error);
        std::string name = marker.upgrade ? "upgrade" : "downgrade";
        if (marker.dialect) name += std::string(" ") + dialect_name(*marker.dialect);
        auto [it, fresh] = m_sections.emplace(name, line.number);
        if (!fresh)
            return add(line.number, "duplicate section '-- +" + name + "' (first at line " +
                                        std::to_string(it->second) + ")");
        if (marker.dialect) {
            int d = static_cast<int>(*marker.dialect);
            m_open = marker.upgrade ? &m_m.upgrade_dialect[d] : &m_m.downgrade_dialect[d];
        } else {
            m_open = marker.upgrade ? &m_m.upgrade : &m_m.downgrade;
        }
        m_current_begin = line.next;
        m_current.first_line = line.number + 1;
    }

    void close_section(size_t end) {
        if (m_open) {
            m_current.text = std::string(m_text.substr(m_current_begin, end - m_current_begin));
            *m_open = std::move(m_current);
        }
        m_open = nullptr;
        m_current = Section{};
    }

    void header_line(const Line& line) {
        std::string_view t = trim(line.text);
        if (t.empty()) return;
        if (t.substr(0, 2) != "--") {
            if (!m_sql_reported)
                add(line.number,
                    "SQL before the first section marker (statements belong under "
                    "-- +upgrade or -- +downgrade)");
            m_sql_reported = true;
            return;
        }
        t = trim(t.substr(2));
        size_t n = 0;
        while (n < t.size() &&
               (text::is_alpha(t[n]) || t[n] == '_' || (n > 0 && text::is_digit(t[n]))))
            ++n;
        if (n == 0) return;  // a free comment
        if (n >= t.size() || t[n] != ':') {
            // `-- down_revision abc` (a key and one word) is a key with its
            // colon missing, not a comment: ignoring it would silently make a
            // second root. `-- message of the day` stays a comment.
            std::string word(t.substr(0, n));
            std::string_view rest = trim(t.substr(n));
            bool one_word = !rest.empty() && rest.find_first_of(" \t") == std::string_view::npos;
            if (is_known_key(word) && n < t.size() && text::is_space(t[n]) && one_word)
                add(line.number,
                    "header key '" + word + "' needs a colon: `-- " + word + ": value`");
            return;
        }
        header_key(std::string(t.substr(0, n)), trim(t.substr(n + 1)), line.number);
    }

    void header_key(const std::string& key, std::string_view value, int line) {
        auto [it, fresh] = m_keys.emplace(key, line);
        if (!fresh)
            return add(line, "duplicate header key '" + key + "' (first at line " +
                                 std::to_string(it->second) + ")");
        Revision& r = m_m.rev;
        if (key == "revision") {
            r.id = std::string(value);
            if (!valid_revision_id(value))
                add(line, "bad revision id '" + r.id + "': use 1-32 characters of [0-9A-Za-z_]");
        } else if (key == "down_revision") {
            r.down_revisions = list(key, value, line, true);
        } else if (key == "depends_on") {
            r.depends_on = list(key, value, line, false);
        } else if (key == "branch_labels") {
            r.branch_labels = list(key, value, line, false);
        } else if (key == "message") {
            r.message = std::string(value);
        } else if (key == "create_date") {
            r.create_date = std::string(value);
        } else if (key == "transaction") {
            if (text::iequals(value, "true") || text::iequals(value, "false"))
                r.transactional = text::iequals(value, "true");
            else
                add(line, "transaction must be true or false, not '" + std::string(value) + "'");
        } else if (key == "lint_allow") {
            for (auto& rule : list(key, value, line, false)) {
                if (!is_lint_rule(rule))
                    add(line, "unknown lint rule '" + rule +
                                  "' in lint_allow (rules: " + join_lint_rules() + ")");
                else
                    m_m.lint_allow.push_back(std::move(rule));
            }
        } else {
            add(line, "unknown header key '" + key + "' (known keys: " + k_keys + ")");
        }
    }

    // A comma-separated list; empty means none (a root, for down_revision).
    std::vector<std::string> list(const std::string& key, std::string_view value, int line,
                                  bool ids) {
        std::vector<std::string> out;
        if (value.empty()) return out;
        size_t pos = 0;
        for (;;) {
            size_t comma = value.find(',', pos);
            std::string item(trim(value.substr(
                pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
            if (item.empty())
                add(line, "empty item in " + key);
            else if (ids ? !valid_revision_id(item) : !text::valid_label(item))
                add(line, std::string(ids ? "bad revision id '" : "bad name '") + item + "' in " +
                              key +
                              (ids ? ": use 1-32 characters of [0-9A-Za-z_]"
                                   : ": use letters, digits, _ - and ."));
            else if (std::find(out.begin(), out.end(), item) != out.end())
                add(line, "'" + item + "' is listed twice in " + key);
            else
                out.push_back(item);
            if (comma == std::string_view::npos) break;
            pos = comma + 1;
        }
        return out;
    }

    void check_complete() {
        if (m_keys.empty() && !m_any_marker) {
            m_problems = {{m_path, 1,
                           "not a migration file: no header (`-- revision: <id>` ...) and no "
                           "`-- +upgrade` section"}};
            return;
        }
        if (m_keys.empty())
            add(1,
                "no header: a migration starts with `-- revision: <id>` lines before "
                "`-- +upgrade`");
        else if (!m_keys.count("revision"))
            add(1, "missing `revision` in the header");
        bool any_upgrade = m_m.upgrade.has_value();
        for (const auto& s : m_m.upgrade_dialect) any_upgrade = any_upgrade || s.has_value();
        if (!any_upgrade) add(1, "missing `-- +upgrade` section");
    }
};

std::string normalise_section(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r') {
            out += s[i];
        } else {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        }
    }
    while (!out.empty() && text::is_space(out.back())) out.pop_back();
    return out;
}

[[noreturn]] void no_section(const Migration& m, const char* what, Dialect d) {
    text::throw_problems(
        {{m.rev.file, 0,
          "revision " + m.rev.id + " has no " + what + " section for " + dialect_name(d)}});
}

}  // namespace

Migration parse_migration(std::string_view text, const std::string& path,
                          std::optional<Dialect> only) {
    return Parser(text, path, only).run();
}

const Section* Migration::upgrade_for(Dialect d) const {
    const auto& s = upgrade_dialect[static_cast<int>(d)];
    return s ? &*s : upgrade ? &*upgrade : nullptr;
}

const Section* Migration::downgrade_for(Dialect d) const {
    const auto& s = downgrade_dialect[static_cast<int>(d)];
    return s ? &*s : downgrade ? &*downgrade : nullptr;
}

std::string Migration::checksum(Dialect d) const {
    const Section* s = upgrade_for(d);
    if (!s) no_section(*this, "-- +upgrade", d);
    return sha256_hex(normalise_section(s->text));
}

std::vector<Statement> Migration::upgrade_statements(Dialect d) const {
    const Section* s = upgrade_for(d);
    if (!s) no_section(*this, "-- +upgrade", d);
    return split_sql(s->text, d, s->first_line, rev.file);
}

std::vector<Statement> Migration::downgrade_statements(Dialect d) const {
    const Section* s = downgrade_for(d);
    if (!s) no_section(*this, "-- +downgrade", d);
    return split_sql(s->text, d, s->first_line, rev.file);
}

}  // namespace sg
