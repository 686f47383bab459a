// SQLite introspection (docs/schema.md). The PRAGMAs are used as table-valued
// functions joined to sqlite_master, so each catalogue is one query whatever
// the number of tables. What no PRAGMA reports (CHECK constraints, index
// expressions and predicates, view bodies, AUTOINCREMENT) is read from the
// CREATE statement SQLite keeps, with a lexer that skips quotes and comments.
#include "db/sqlite/sqlite_schema.hpp"

#include <cctype>
#include <map>

namespace sg {
namespace {

using schema::Schema;
using schema::Table;

struct Token {
    std::string text;  // a word, a quoted identifier (unquoted), or one punctuation char
    size_t begin, end;
    bool word = false;  // an unquoted word
    bool quoted = false;
};

std::vector<Token> lex(const std::string& sql) {
    std::vector<Token> out;
    size_t i = 0, n = sql.size();
    while (i < n) {
        char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            size_t e = sql.find("*/", i + 2);
            i = e == std::string::npos ? n : e + 2;
        } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            size_t b = i++;
            std::string text;
            while (i < n) {
                if (sql[i] == close) {
                    if (close != ']' && i + 1 < n && sql[i + 1] == close) {
                        text += close;
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                text += sql[i++];
            }
            Token t{text, b, i};
            t.quoted = c != '\'';
            out.push_back(t);
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
            size_t b = i;
            while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                             sql[i] == '$'))
                ++i;
            Token t{sql.substr(b, i - b), b, i};
            t.word = true;
            out.push_back(t);
        } else {
            out.push_back(Token{std::string(1, c), i, i + 1});
            ++i;
        }
    }
    return out;
}

bool is_word(const Token& t, const char* w) {
    if (!t.word || t.text.size() != std::char_traits<char>::length(w)) return false;
    for (size_t i = 0; i < t.text.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(t.text[i])) != w[i]) return false;
    }
    return true;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n;");
    return s.substr(b, e - b + 1);
}

/// Index of the token closing the parenthesis opened at `open`.
size_t closing(const std::vector<Token>& t, size_t open) {
    int depth = 0;
    for (size_t i = open; i < t.size(); ++i) {
        if (!t[i].word && !t[i].quoted && t[i].text == "(") ++depth;
        if (!t[i].word && !t[i].quoted && t[i].text == ")" && --depth == 0) return i;
    }
    return t.size() - 1;
}

bool punct(const Token& t, const char* p) { return !t.word && !t.quoted && t.text == p; }

/// CHECK constraints of a CREATE TABLE, named when CONSTRAINT precedes them.
std::vector<schema::CheckConstraint> checks_of(const std::string& sql) {
    auto t = lex(sql);
    std::vector<schema::CheckConstraint> out;
    for (size_t i = 0; i + 1 < t.size(); ++i) {
        if (!is_word(t[i], "CHECK") || !punct(t[i + 1], "(")) continue;
        size_t close = closing(t, i + 1);
        schema::CheckConstraint c;
        c.expr = trim(sql.substr(t[i + 1].end, t[close].begin - t[i + 1].end));
        if (i >= 2 && is_word(t[i - 2], "CONSTRAINT")) c.name = t[i - 1].text;
        out.push_back(c);
        i = close;
    }
    return out;
}

bool has_autoincrement(const std::string& sql) {
    for (const auto& t : lex(sql)) {
        if (is_word(t, "AUTOINCREMENT")) return true;
    }
    return false;
}

/// The entries and predicate of a CREATE INDEX.
void parse_index(const std::string& sql, schema::Index& ix) {
    auto t = lex(sql);
    size_t open = 0;
    while (open < t.size() && !punct(t[open], "(")) ++open;
    if (open >= t.size()) return;
    size_t close = closing(t, open);
    size_t start = open + 1;
    int depth = 0;
    auto entry = [&](size_t from, size_t to) {  // tokens [from, to)
        if (from >= to) return;
        if (to - from == 1 && (t[from].word || t[from].quoted)) {
            ix.columns.push_back(t[from].text);
        } else {
            ix.columns.push_back(trim(sql.substr(t[from].begin, t[to - 1].end - t[from].begin)));
        }
    };
    for (size_t i = open + 1; i < close; ++i) {
        if (punct(t[i], "(")) ++depth;
        if (punct(t[i], ")")) --depth;
        if (depth == 0 && punct(t[i], ",")) {
            entry(start, i);
            start = i + 1;
        }
    }
    entry(start, close);
    if (close + 1 < t.size() && is_word(t[close + 1], "WHERE"))
        ix.where = trim(sql.substr(t[close + 1].end));
}

/// The SELECT of a CREATE VIEW: what follows its first AS.
std::string view_body(const std::string& sql) {
    auto t = lex(sql);
    int depth = 0;
    for (const auto& tok : t) {
        if (punct(tok, "(")) ++depth;
        if (punct(tok, ")")) --depth;
        if (depth == 0 && is_word(tok, "AS")) return trim(sql.substr(tok.end));
    }
    return trim(sql);
}

std::string text(const Value& v) { return v ? *v : std::string(); }

}  // namespace

Schema inspect_sqlite(Connection& conn, const std::set<std::string>& exclude) {
    Schema s;
    s.dialect = Dialect::sqlite;
    std::map<std::string, Table> tables;
    std::map<std::string, std::string> table_sql;
    const std::string user_tables =
        " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND m.sql NOT LIKE 'CREATE VIRTUAL%'";
    for (const auto& r : conn.query("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                    "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
        const std::string type = text(r[0]), name = text(r[1]), tbl = text(r[2]), sql = text(r[3]);
        if (exclude.count(tbl)) continue;
        if (type == "table") {
            if (sql.rfind("CREATE VIRTUAL", 0) == 0) {
                s.not_covered.push_back({"virtual table", name, ""});
                continue;
            }
            tables[name].name = name;
            table_sql[name] = sql;
            tables[name].checks = checks_of(sql);
        } else if (type == "view") {
            s.views.push_back({name, view_body(sql)});
        } else if (type == "trigger") {
            s.not_covered.push_back({"trigger", name, tbl});
        } else if (type == "index" && !sql.empty()) {
            schema::Index ix;
            ix.name = name;
            ix.unique = false;  // set from pragma_index_list below
            parse_index(sql, ix);
            tables[tbl].indexes.push_back(ix);
        }
    }
    auto excluded = [&](const std::string& t) { return exclude.count(t) || !tables.count(t); };
    std::map<std::string, std::map<int, std::string>> pk;
    for (const auto& r :
         conn.query("SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk "
                    "FROM sqlite_master m JOIN pragma_table_info(m.name) p " +
                    user_tables + " ORDER BY m.name, p.cid")) {
        const std::string tn = text(r[0]);
        if (excluded(tn)) continue;
        schema::Column c;
        c.name = text(r[1]);
        c.type = text(r[2]);
        c.nullable = text(r[3]) == "0";
        c.default_expr = r[4];
        int pos = std::stoi(text(r[5]));
        if (pos > 0) pk[tn][pos] = c.name;
        tables[tn].columns.push_back(c);
    }
    for (auto& [tn, cols] : pk) {
        schema::PrimaryKey p;
        for (const auto& [pos, name] : cols) p.columns.push_back(name);
        Table& t = tables[tn];
        if (p.columns.size() == 1 && has_autoincrement(table_sql[tn])) {
            for (auto& c : t.columns) {
                if (c.name == p.columns[0]) c.identity = "autoincrement";
            }
        }
        t.primary_key = p;
    }
    // Foreign keys: one row per column; "to" is NULL for a reference to the
    // parent's primary key, resolved below.
    std::map<std::string, std::map<int, schema::ForeignKey>> fks;
    for (const auto& r :
         conn.query("SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, "
                    "f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f " +
                    user_tables + " ORDER BY m.name, f.id, f.seq")) {
        const std::string tn = text(r[0]);
        if (excluded(tn)) continue;
        auto& fk = fks[tn][std::stoi(text(r[1]))];
        fk.ref_table = text(r[2]);
        fk.columns.push_back(text(r[3]));
        if (r[4]) fk.ref_columns.push_back(*r[4]);
        fk.on_update = text(r[5]);
        fk.on_delete = text(r[6]);
    }
    for (auto& [tn, list] : fks) {
        for (auto& [id, fk] : list) {
            if (fk.ref_columns.empty()) {
                auto it = tables.find(fk.ref_table);
                if (it != tables.end() && it->second.primary_key)
                    fk.ref_columns = it->second.primary_key->columns;
            }
            tables[tn].foreign_keys.push_back(fk);
        }
    }
    // Unique flags of the indexes, and the unique constraints (SQLite's
    // automatic indexes, origin 'u').
    std::map<std::string, schema::UniqueConstraint> uniques;  // by index name
    std::map<std::string, std::string> unique_table;
    std::map<std::string, bool> unique_flag;
    for (const auto& r : conn.query("SELECT m.name, l.name, l.\"unique\", l.origin, i.name "
                                    "FROM sqlite_master m JOIN pragma_index_list(m.name) l "
                                    "JOIN pragma_index_info(l.name) i " +
                                    user_tables + " ORDER BY m.name, l.name, i.seqno")) {
        const std::string tn = text(r[0]), ix = text(r[1]), origin = text(r[3]);
        if (excluded(tn)) continue;
        unique_flag[ix] = text(r[2]) == "1";
        if (origin == "u") {
            unique_table[ix] = tn;
            uniques[ix].columns.push_back(text(r[4]));
        }
    }
    for (auto& [ix, u] : uniques) tables[unique_table[ix]].uniques.push_back(u);
    for (auto& [tn, t] : tables) {
        for (auto& ix : t.indexes) ix.unique = unique_flag[ix.name];
        if (!exclude.count(tn)) s.tables.push_back(std::move(t));
    }
    s.normalize();
    return s;
}

}  // namespace sg
