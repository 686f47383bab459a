// Lint rules (docs/zero-downtime.md) on the splitter's own tokens.
//
// Decisions written down here:
// - Words are read from the tokens lex_sql gives, so a rule word inside a
//   string, a dollar-quoted body or a comment never counts, and comments or
//   odd white space between the words of a statement change nothing.
// - A finding names the line of the token where the offending action starts
//   (the DROP of `ALTER TABLE t\n  DROP COLUMN c`), not the statement's.
// - A table created in the same revision (before the statement) is new: the
//   running version cannot use it, so nothing done to it is reported.
// - MySQL `MODIFY`/`CHANGE` restate the whole column: with NOT NULL it is
//   set-not-null, without it change-type; `CHANGE a b` with another name is a
//   rename.
// - index-not-concurrent, constraint-not-valid and concurrently-in-transaction
//   are PostgreSQL rules (InnoDB builds indexes online; MySQL has no NOT
//   VALID; SQLite has neither).
#include "script/lint.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "script/text.hpp"

namespace sg {
namespace {

const char* const k_drop_table = "drop-table";
const char* const k_drop_column = "drop-column";
const char* const k_rename = "rename";
const char* const k_not_null = "not-null-without-default";
const char* const k_set_not_null = "set-not-null";
const char* const k_change_type = "change-type";
const char* const k_index = "index-not-concurrent";
const char* const k_not_valid = "constraint-not-valid";
const char* const k_concurrently = "concurrently-in-transaction";

const std::map<std::string, std::string>& advice() {
    static const std::map<std::string, std::string> a = {
        {k_drop_table,
         "stop reading and writing the table in one release, and drop it in a later release once "
         "no running version uses it"},
        {k_drop_column,
         "stop reading and writing the column in one release (deploy it first), and drop the "
         "column in a later release"},
        {k_rename,
         "expand/contract: add the new table or column, write both and backfill, switch the "
         "readers, and drop the old name in a later release"},
        {k_not_null,
         "add the column nullable (or NOT NULL with a DEFAULT), backfill, then SET NOT NULL in a "
         "later release"},
        {k_set_not_null,
         "backfill and make every running version write the column first; on PostgreSQL add "
         "CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL in a later "
         "release"},
        {k_change_type,
         "add a column of the new type, write both and backfill, switch the readers, and drop "
         "the old column in a later release"},
        {k_index,
         "use CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY in a revision with "
         "`-- transaction: false`"},
        {k_not_valid,
         "add the constraint with NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT (a lock "
         "that lets reads and writes go on)"},
        {k_concurrently,
         "put the statement in a revision of its own with `-- transaction: false`: CONCURRENTLY "
         "cannot run inside a transaction"},
    };
    return a;
}

// A token of the lexer, classified.
struct Tok {
    enum Kind { word, ident, string, punct, other } kind;
    std::string up;    // words: upper case; punctuation: the character
    std::string name;  // words: lower case; quoted identifiers: unquoted
    int line;
};

bool word_char(char c) {
    return text::is_alpha(c) || text::is_digit(c) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

Tok classify(const Token& t, Dialect d) {
    std::string_view s = t.text;
    char c = s[0];
    Tok k{Tok::other, "", "", t.line};
    if (c == '"' && d != Dialect::mysql) k.kind = Tok::ident;
    if (c == '`' || (c == '[' && d == Dialect::sqlite)) k.kind = Tok::ident;
    if (k.kind == Tok::ident) {
        k.name = std::string(s.substr(1, s.size() >= 2 ? s.size() - 2 : 0));
        return k;
    }
    if (c == '\'' || c == '"' || c == '$' || s.find('\'') != std::string_view::npos) {
        k.kind = Tok::string;
        return k;
    }
    if (s.size() == 1 && !word_char(c)) {
        k.kind = Tok::punct;
        k.up = std::string(1, c);
        return k;
    }
    if (std::all_of(s.begin(), s.end(), word_char) && !text::is_digit(c)) {
        k.kind = Tok::word;
        for (char ch : s) {
            k.up += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
            k.name += text::to_lower(ch);
        }
    }
    return k;  // digits, executable comments: other
}

using Toks = std::vector<Tok>;

// A cursor over a statement's (or an action's) tokens.
class Cursor {
  public:
    Cursor(const Toks& t, size_t pos = 0, size_t end = std::string::npos)
        : m_t(t), m_pos(pos), m_end(std::min(end, t.size())) {}
    bool done() const { return m_pos >= m_end; }
    const Tok* peek(size_t ahead = 0) const {
        return m_pos + ahead < m_end ? &m_t[m_pos + ahead] : nullptr;
    }
    bool is(const char* up, size_t ahead = 0) const {
        const Tok* t = peek(ahead);
        return t && (t->kind == Tok::word || t->kind == Tok::punct) && t->up == up;
    }
    bool accept(const char* up) {
        if (!is(up)) return false;
        ++m_pos;
        return true;
    }
    // `IF EXISTS` / `IF NOT EXISTS`.
    void skip_if_exists() {
        if (is("IF") && is("EXISTS", 1)) m_pos += 2;
        if (is("IF") && is("NOT", 1) && is("EXISTS", 2)) m_pos += 3;
    }
    // A possibly qualified name (a.b.c): its last part, lower case unless
    // quoted; "" when there is none.
    std::string name() {
        std::string last;
        for (;;) {
            const Tok* t = peek();
            if (!t || (t->kind != Tok::word && t->kind != Tok::ident)) return last;
            last = t->name;
            ++m_pos;
            if (!is(".")) return last;
            ++m_pos;
        }
    }
    size_t pos() const { return m_pos; }
    size_t end() const { return m_end; }
    int line() const { return peek() ? peek()->line : (m_end ? m_t[m_end - 1].line : 0); }

  private:
    const Toks& m_t;
    size_t m_pos, m_end;
};

// Whether the words `a b` follow each other at parenthesis depth 0 in [from, to).
bool has_pair(const Toks& t, size_t from, size_t to, const char* a, const char* b) {
    int depth = 0;
    for (size_t i = from; i < to; ++i) {
        if (t[i].kind == Tok::punct) depth += t[i].up == "(" ? 1 : t[i].up == ")" ? -1 : 0;
        if (depth == 0 && t[i].kind == Tok::word && t[i].up == a &&
            (!b || (i + 1 < to && t[i + 1].kind == Tok::word && t[i + 1].up == b)))
            return true;
    }
    return false;
}

bool has_word(const Toks& t, size_t from, size_t to, const char* a) {
    return has_pair(t, from, to, a, nullptr);
}

class Linter {
  public:
    Linter(Dialect d, bool transactional) : m_d(d), m_tx(transactional) {}

    void statement(const Toks& t) {
        if (t.empty()) return;
        Cursor c(t);
        if (pg() && m_tx && has_word(t, 0, t.size(), "CONCURRENTLY") && !c.is("REFRESH"))
            add(k_concurrently, t[0].line,
                "CONCURRENTLY in a revision that runs in a transaction: PostgreSQL refuses it");
        if (c.accept("CREATE")) return create(t, c);
        if (c.accept("DROP")) return drop(t, c);
        if (c.accept("ALTER") && c.accept("TABLE")) return alter_table(t, c);
        if (my() && c.accept("RENAME") && c.accept("TABLE"))
            add(k_rename, t[0].line,
                "RENAME TABLE " + c.name() + ": the running version still uses the old name");
    }

    std::vector<LintFinding> take() { return std::move(m_out); }

  private:
    Dialect m_d;
    bool m_tx;
    std::set<std::string> m_tables, m_indexes;  // created by this section so far
    std::vector<LintFinding> m_out;

    bool pg() const { return m_d == Dialect::postgresql; }
    bool my() const { return m_d == Dialect::mysql; }

    void add(const char* rule, int line, std::string message) {
        LintFinding f;
        f.line = line;
        f.rule = rule;
        f.message = std::move(message);
        f.advice = advice().at(rule);
        f.dialects = {m_d};
        m_out.push_back(std::move(f));
    }

    bool is_new(const std::string& table) const { return m_tables.count(table) > 0; }

    void create(const Toks& t, Cursor& c) {
        if (c.accept("OR")) c.accept("REPLACE");
        while (c.accept("GLOBAL") || c.accept("LOCAL") || c.accept("TEMP") ||
               c.accept("TEMPORARY") || c.accept("UNLOGGED")) {
        }
        if (c.accept("TABLE")) {
            c.skip_if_exists();
            m_tables.insert(c.name());
            return;
        }
        c.accept("UNIQUE");
        if (!c.accept("INDEX") || !pg()) return;
        bool concurrently = c.accept("CONCURRENTLY");
        c.skip_if_exists();
        std::string index = c.is("ON") ? "" : c.name();
        if (!c.accept("ON")) return;
        c.accept("ONLY");
        std::string table = c.name();
        if (!index.empty()) m_indexes.insert(index);
        if (!concurrently && !is_new(table))
            add(k_index, t[0].line,
                "CREATE INDEX on " + table +
                    " without CONCURRENTLY: writes to the table wait for the whole build");
    }

    void drop(const Toks& t, Cursor& c) {
        if (c.accept("TABLE")) {
            c.skip_if_exists();
            std::vector<std::string> old;
            do {
                std::string table = c.name();
                if (!table.empty() && !is_new(table)) old.push_back(table);
            } while (c.accept(","));
            if (!old.empty())
                add(k_drop_table, t[0].line,
                    "DROP TABLE " + join(old) +
                        ": the running version fails as soon as it reads the table");
            return;
        }
        if (!pg() || !c.accept("INDEX")) return;
        bool concurrently = c.accept("CONCURRENTLY");
        c.skip_if_exists();
        std::string index = c.name();
        if (!concurrently && !index.empty() && !m_indexes.count(index))
            add(k_index, t[0].line,
                "DROP INDEX " + index +
                    " without CONCURRENTLY: reads and writes of its table wait for it");
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
        return out;
    }

    void alter_table(const Toks& t, Cursor& c) {
        c.skip_if_exists();
        c.accept("ONLY");
        std::string table = c.name();
        c.accept("*");
        if (table.empty() || is_new(table)) return;
        // The actions, separated by commas at parenthesis depth 0.
        size_t start = c.pos();
        int depth = 0;
        for (size_t i = start; i <= t.size(); ++i) {
            if (i == t.size() || (depth == 0 && t[i].kind == Tok::punct && t[i].up == ",")) {
                Cursor a(t, start, i);
                if (!a.done()) action(t, a, table);
                start = i + 1;
                continue;
            }
            if (t[i].kind == Tok::punct) depth += t[i].up == "(" ? 1 : t[i].up == ")" ? -1 : 0;
        }
    }

    void action(const Toks& t, Cursor& a, const std::string& table) {
        int line = a.line();
        if (a.accept("ADD")) return add_action(t, a, table, line);
        if (a.accept("DROP")) {
            static const char* const not_column[] = {
                "CONSTRAINT", "INDEX",    "KEY",     "PRIMARY", "FOREIGN", "CHECK",
                "PARTITION",  "FULLTEXT", "SPATIAL", "UNIQUE",  "DEFAULT", "SYSTEM"};
            for (const char* w : not_column)
                if (a.is(w)) return;
            a.accept("COLUMN");
            a.skip_if_exists();
            return add(k_drop_column, line,
                       "DROP COLUMN " + a.name() + " of " + table +
                           ": the running version fails as soon as it reads or writes it");
        }
        if (a.accept("RENAME")) {
            if (a.is("CONSTRAINT") || a.is("INDEX") || a.is("KEY")) return;
            bool column = a.accept("COLUMN");
            if (!column && (a.is("TO") || a.is("AS") || my()))
                return add(
                    k_rename, line,
                    "RENAME of table " + table + ": the running version still uses the old name");
            return add(k_rename, line,
                       "RENAME COLUMN " + a.name() + " of " + table +
                           ": the running version still uses the old name");
        }
        if (my() && (a.is("CHANGE") || a.is("MODIFY"))) return restate(t, a, table, line);
        if (a.accept("ALTER")) {
            a.accept("COLUMN");
            std::string column = a.name();
            if (a.is("SET") && a.is("NOT", 1) && a.is("NULL", 2))
                return add(k_set_not_null, line,
                           "SET NOT NULL on " + table + "." + column +
                               ": scans the table under an exclusive lock, and running writers "
                               "that leave it out fail");
            if (a.is("TYPE") || (a.is("SET") && a.is("DATA", 1) && a.is("TYPE", 2)))
                return add(k_change_type, line,
                           "type change of " + table + "." + column +
                               ": rewrites the table under an exclusive lock, and the running "
                               "version may not read the new type");
        }
    }

    // MySQL MODIFY [COLUMN] c def / CHANGE [COLUMN] old new def.
    void restate(const Toks& t, Cursor& a, const std::string& table, int line) {
        bool change = a.accept("CHANGE");
        if (!change) a.accept("MODIFY");
        a.accept("COLUMN");
        std::string column = a.name();
        if (change) {
            std::string renamed = a.name();
            if (!renamed.empty() && lower(renamed) != lower(column))
                return add(k_rename, line,
                           "CHANGE COLUMN " + column + " to " + renamed + " of " + table +
                               ": the running version still uses the old name");
        }
        if (has_pair(t, a.pos(), a.end(), "NOT", "NULL"))
            return add(k_set_not_null, line,
                       std::string(change ? "CHANGE" : "MODIFY") + " " + table + "." + column +
                           " NOT NULL: running writers that leave it out fail");
        add(k_change_type, line,
            std::string(change ? "CHANGE" : "MODIFY") + " " + table + "." + column +
                ": restates the column type; the table may be rebuilt under a lock and the "
                "running version may not read the new type");
    }

    static std::string lower(std::string s) {
        for (char& c : s) c = text::to_lower(c);
        return s;
    }

    void add_action(const Toks& t, Cursor& a, const std::string& table, int line) {
        bool column = a.accept("COLUMN");
        if (!column) {
            bool constraint = a.accept("CONSTRAINT");
            if (constraint) a.name();
            bool fk = a.is("FOREIGN"), check = a.is("CHECK");
            if (fk || check) {
                if (pg() && !has_pair(t, a.pos(), a.end(), "NOT", "VALID"))
                    add(k_not_valid, line,
                        std::string(fk ? "FOREIGN KEY" : "CHECK") + " added to " + table +
                            " without NOT VALID: every row is checked under a lock that "
                            "blocks writes");
                return;
            }
            static const char* const not_column[] = {"PRIMARY",  "UNIQUE",  "INDEX",     "KEY",
                                                     "FULLTEXT", "SPATIAL", "PARTITION", "("};
            for (const char* w : not_column)
                if (a.is(w)) return;
            if (constraint) return;  // EXCLUDE, ...
        }
        a.skip_if_exists();
        std::string name = a.name();
        size_t from = a.pos(), to = a.end();
        bool not_null =
            has_pair(t, from, to, "NOT", "NULL") || has_pair(t, from, to, "PRIMARY", "KEY");
        static const char* const fills[] = {"DEFAULT",       "GENERATED", "AUTO_INCREMENT",
                                            "AUTOINCREMENT", "SERIAL",    "BIGSERIAL",
                                            "SMALLSERIAL",   "AS"};
        bool filled = false;
        for (const char* w : fills) filled = filled || has_word(t, from, to, w);
        if (not_null && !filled)
            add(k_not_null, line,
                "ADD COLUMN " + name + " NOT NULL without a DEFAULT to " + table +
                    ": fails on existing rows, and running writers that leave it out fail");
    }
};

Toks classify_all(const LexedStatement& s, Dialect d) {
    Toks out;
    out.reserve(s.tokens.size());
    for (const auto& t : s.tokens) out.push_back(classify(t, d));
    return out;
}

}  // namespace

const std::vector<std::string>& lint_rules() {
    static const std::vector<std::string> rules = {k_drop_table, k_drop_column,  k_rename,
                                                   k_not_null,   k_set_not_null, k_change_type,
                                                   k_index,      k_not_valid,    k_concurrently};
    return rules;
}

bool is_lint_rule(const std::string& rule) {
    const auto& r = lint_rules();
    return std::find(r.begin(), r.end(), rule) != r.end();
}

std::string join_lint_rules() {
    std::string out;
    for (const auto& r : lint_rules()) out += (out.empty() ? "" : ", ") + r;
    return out;
}

std::optional<LintMode> parse_lint_mode(const std::string& text) {
    if (text == "off") return LintMode::off;
    if (text == "warn") return LintMode::warn;
    if (text == "error") return LintMode::error;
    return std::nullopt;
}

std::vector<LintFinding> lint_sql(std::string_view sql, Dialect d, bool transactional,
                                  int first_line, const std::string& path) {
    Linter linter(d, transactional);
    for (const auto& s : lex_sql(sql, d, first_line, path)) linter.statement(classify_all(s, d));
    auto out = linter.take();
    for (auto& f : out) f.file = path;
    return out;
}

std::vector<LintFinding> lint_migration(const Migration& m, const std::vector<Dialect>& dialects) {
    std::vector<LintFinding> out;
    for (Dialect d : dialects) {
        const Section* s = m.upgrade_for(d);
        if (!s) continue;
        for (auto& f : lint_sql(s->text, d, m.rev.transactional, s->first_line, m.rev.file)) {
            auto same = std::find_if(out.begin(), out.end(), [&](const LintFinding& o) {
                return o.line == f.line && o.rule == f.rule;
            });
            if (same != out.end()) {
                same->dialects.push_back(d);
                continue;
            }
            f.file = m.rev.file;
            f.revision = m.rev.id;
            const auto& allow = m.lint_allow;
            f.allowed = std::find(allow.begin(), allow.end(), f.rule) != allow.end();
            out.push_back(std::move(f));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const LintFinding& a, const LintFinding& b) { return a.line < b.line; });
    return out;
}

std::string format_finding(const LintFinding& f) {
    return f.where() + ": " + f.rule + ": " + f.message + "; instead: " + f.advice +
           (f.allowed ? " (accepted by lint_allow)" : "");
}

}  // namespace sg
