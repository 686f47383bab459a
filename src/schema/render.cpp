// SQL rendering of the schema model: CREATE statements per dialect, in an
// order that applies to an empty database (docs/schema.md).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "schema/render_detail.hpp"
#include "schema/schema.hpp"

namespace sg::schema {
namespace {

std::string join_quoted(Dialect d, const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) out += ", ";
        out += quote(d, names[i]);
    }
    return out;
}

std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c;
        if (c == '\'') out += c;
    }
    return out + "'";
}

std::string fk_actions(const ForeignKey& fk) {
    std::string out;
    if (!fk.on_delete.empty() && fk.on_delete != "NO ACTION") out += " ON DELETE " + fk.on_delete;
    if (!fk.on_update.empty() && fk.on_update != "NO ACTION") out += " ON UPDATE " + fk.on_update;
    return out;
}

std::string constraint_prefix(Dialect d, const std::string& name) {
    return name.empty() ? "" : "CONSTRAINT " + quote(d, name) + " ";
}

bool sqlite_inline_autoincrement(Dialect d, const Table& t, const Column& c) {
    return d == Dialect::sqlite && c.identity == "autoincrement" && t.primary_key &&
           t.primary_key->columns.size() == 1 && t.primary_key->columns[0] == c.name;
}

/// The index's entries: a column of the table quoted, an expression as
/// printed (in parentheses on PostgreSQL, which needs them).
std::string index_entries(Dialect d, const Table* t, const Index& ix) {
    std::string out;
    for (size_t i = 0; i < ix.columns.size(); ++i) {
        if (i) out += ", ";
        const std::string& e = ix.columns[i];
        if (!t || t->column(e))
            out += quote(d, e);
        else if (d == Dialect::postgresql)
            out += "(" + e + ")";
        else
            out += e;
    }
    return out;
}

std::string index_sql(Dialect d, const Table* t, const std::string& table, const Index& ix) {
    std::string out = std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " +
                      quote(d, ix.name) + " ON " + quote(d, table);
    if (d == Dialect::postgresql && !ix.method.empty()) out += " USING " + ix.method;
    out += " (" + index_entries(d, t, ix) + ")";
    if (!ix.where.empty()) out += " WHERE " + ix.where;
    return out;
}

std::string mysql_inline_index(const Table& t, const Index& ix) {
    return std::string(ix.unique ? "UNIQUE KEY " : "KEY ") + quote(Dialect::mysql, ix.name) + " (" +
           index_entries(Dialect::mysql, &t, ix) + ")";
}

std::string fk_clause(Dialect d, const ForeignKey& fk) {
    return constraint_prefix(d, fk.name) + "FOREIGN KEY (" + join_quoted(d, fk.columns) +
           ") REFERENCES " + quote(d, fk.ref_table) + " (" + join_quoted(d, fk.ref_columns) + ")" +
           fk_actions(fk);
}

/// Tables in foreign-key order, then name. The foreign keys that point at a
/// table created later (a cycle) are returned in `deferred`.
std::vector<const Table*> fk_order(
    const Schema& s, std::vector<std::pair<const Table*, const ForeignKey*>>* deferred) {
    std::map<std::string, const Table*> remaining;
    for (const auto& t : s.tables) remaining[t.name] = &t;
    std::set<std::string> created;
    std::vector<const Table*> order;
    while (!remaining.empty()) {
        const Table* next = nullptr;
        for (const auto& [name, t] : remaining) {
            bool ready = true;
            for (const auto& fk : t->foreign_keys) {
                if (fk.ref_table != name && remaining.count(fk.ref_table)) ready = false;
            }
            if (ready) {
                next = t;
                break;
            }
        }
        if (!next) next = remaining.begin()->second;  // a cycle: break it at the first name
        for (const auto& fk : next->foreign_keys) {
            if (fk.ref_table != next->name && remaining.count(fk.ref_table) && deferred) {
                deferred->push_back({next, &fk});
            }
        }
        order.push_back(next);
        remaining.erase(next->name);
    }
    return order;
}

bool mentions_word(const std::string& text, const std::string& name) {
    size_t pos = 0;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while ((pos = text.find(name, pos)) != std::string::npos) {
        bool before = pos == 0 || !word(text[pos - 1]);
        bool after = pos + name.size() >= text.size() || !word(text[pos + name.size()]);
        if (before && after) return true;
        pos += name.size();
    }
    return false;
}

/// Views in dependency order (a view mentioning another comes after it), then name.
std::vector<const View*> view_order(const Schema& s) {
    std::vector<const View*> remaining;
    for (const auto& v : s.views) remaining.push_back(&v);
    std::vector<const View*> order;
    while (!remaining.empty()) {
        size_t pick = 0;
        for (size_t i = 0; i < remaining.size(); ++i) {
            bool ready = true;
            for (size_t j = 0; j < remaining.size(); ++j) {
                if (i != j && mentions_word(remaining[i]->definition, remaining[j]->name))
                    ready = false;
            }
            if (ready) {
                pick = i;
                break;
            }
        }
        order.push_back(remaining[pick]);
        remaining.erase(remaining.begin() + static_cast<long>(pick));
    }
    return order;
}

}  // namespace

std::string column_sql(Dialect d, const Column& c, bool inline_pk) {
    std::string type = c.type;
    bool serial = d == Dialect::postgresql && c.identity == "serial";
    if (serial) {
        if (type == "integer")
            type = "serial";
        else if (type == "bigint")
            type = "bigserial";
        else if (type == "smallint")
            type = "smallserial";
    }
    std::string out = quote(d, c.name) + (type.empty() ? "" : " " + type);
    if (inline_pk) out += " PRIMARY KEY AUTOINCREMENT";
    if (!c.nullable && !serial) out += " NOT NULL";
    if (c.identity == "generated") {
        out += " GENERATED ALWAYS AS (" + c.default_expr.value_or("") + ") STORED";
    } else if (c.default_expr && !serial) {
        out += " DEFAULT " + *c.default_expr;
    }
    if (d == Dialect::postgresql && c.identity == "always") out += " GENERATED ALWAYS AS IDENTITY";
    if (d == Dialect::postgresql && c.identity == "by default")
        out += " GENERATED BY DEFAULT AS IDENTITY";
    if (d == Dialect::mysql && c.identity == "autoincrement") out += " AUTO_INCREMENT";
    return out;
}

std::string create_table_sql(Dialect d, const Table& t, bool inline_fks) {
    std::vector<std::string> parts;
    bool pk_inline = false;
    for (const auto& c : t.columns) {
        bool inl = sqlite_inline_autoincrement(d, t, c);
        pk_inline = pk_inline || inl;
        parts.push_back(column_sql(d, c, inl));
    }
    if (t.primary_key && !pk_inline) {
        std::string name = d == Dialect::mysql ? "" : t.primary_key->name;
        parts.push_back(constraint_prefix(d, name) + "PRIMARY KEY (" +
                        join_quoted(d, t.primary_key->columns) + ")");
    }
    for (const auto& u : t.uniques)
        parts.push_back(constraint_prefix(d, u.name) + "UNIQUE (" + join_quoted(d, u.columns) +
                        ")");
    for (const auto& ch : t.checks)
        parts.push_back(constraint_prefix(d, ch.name) + "CHECK (" + ch.expr + ")");
    if (d == Dialect::mysql) {
        for (const auto& ix : t.indexes) parts.push_back(mysql_inline_index(t, ix));
    }
    if (inline_fks) {
        for (const auto& fk : t.foreign_keys) parts.push_back(fk_clause(d, fk));
    }
    std::string out = "CREATE TABLE " + quote(d, t.name) + " (\n";
    for (size_t i = 0; i < parts.size(); ++i) {
        out += "    " + parts[i] + (i + 1 < parts.size() ? ",\n" : "\n");
    }
    return out + ")";
}

std::string create_index_sql(Dialect d, const std::string& table, const Index& ix) {
    return index_sql(d, nullptr, table, ix);
}

std::string create_view_sql(Dialect d, const View& v) {
    return "CREATE VIEW " + quote(d, v.name) + " AS " + v.definition;
}

std::vector<std::string> create_statements(const Schema& s) {
    const Dialect d = s.dialect;
    std::vector<std::string> out;
    for (const auto& e : s.enums) {
        std::string values;
        for (size_t i = 0; i < e.values.size(); ++i)
            values += (i ? ", " : "") + sql_literal(e.values[i]);
        out.push_back("CREATE TYPE " + quote(d, e.name) + " AS ENUM (" + values + ")");
    }
    std::vector<std::pair<const Table*, const ForeignKey*>> deferred;
    auto order = fk_order(s, d == Dialect::sqlite ? nullptr : &deferred);
    for (const Table* t : order) {
        Table copy = *t;
        // Foreign keys to tables made later are added after all tables.
        copy.foreign_keys.clear();
        for (const auto& fk : t->foreign_keys) {
            bool later = std::any_of(deferred.begin(), deferred.end(),
                                     [&](const auto& p) { return p.second == &fk; });
            if (!later) copy.foreign_keys.push_back(fk);
        }
        out.push_back(create_table_sql(d, copy));
        if (d != Dialect::mysql) {
            for (const auto& ix : t->indexes) out.push_back(index_sql(d, t, t->name, ix));
        }
    }
    for (const auto& [t, fk] : deferred) {
        out.push_back("ALTER TABLE " + quote(d, t->name) + " ADD " + fk_clause(d, *fk));
    }
    for (const View* v : view_order(s)) out.push_back(create_view_sql(d, *v));
    return out;
}

std::vector<std::string> drop_statements(const Schema& s) {
    const Dialect d = s.dialect;
    std::vector<std::string> out;
    auto views = view_order(s);
    for (auto it = views.rbegin(); it != views.rend(); ++it)
        out.push_back("DROP VIEW " + quote(d, (*it)->name));
    std::vector<std::pair<const Table*, const ForeignKey*>> deferred;
    auto order = fk_order(s, d == Dialect::sqlite ? nullptr : &deferred);
    for (const auto& [t, fk] : deferred) {
        if (d == Dialect::mysql)
            out.push_back("ALTER TABLE " + quote(d, t->name) + " DROP FOREIGN KEY " +
                          quote(d, fk->name));
        else
            out.push_back("ALTER TABLE " + quote(d, t->name) + " DROP CONSTRAINT " +
                          quote(d, fk->name));
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        out.push_back("DROP TABLE " + quote(d, (*it)->name));
    for (const auto& e : s.enums) out.push_back("DROP TYPE " + quote(d, e.name));
    return out;
}

std::string render_sql(const Schema& s) {
    std::string out;
    for (const auto& st : create_statements(s)) out += st + ";\n\n";
    if (!s.not_covered.empty()) {
        out += "-- Not covered by the schema model (not rendered):\n";
        for (const auto& o : s.not_covered) {
            out += "--   " + o.kind + " " + (o.table.empty() ? "" : o.table + ".") + o.name + "\n";
        }
    }
    return out;
}

// Used by diff.cpp.
std::string render_fk_clause(Dialect d, const ForeignKey& fk) { return fk_clause(d, fk); }
std::string render_index(Dialect d, const Table& t, const Index& ix) {
    return index_sql(d, &t, t.name, ix);
}
std::string render_mysql_inline_index(const Table& t, const Index& ix) {
    return mysql_inline_index(t, ix);
}
std::string render_literal(const std::string& s) { return sql_literal(s); }
bool mentions(const std::string& text, const std::string& name) {
    return mentions_word(text, name);
}

}  // namespace sg::schema
