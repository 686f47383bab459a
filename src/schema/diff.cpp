// The comparison of two schemas and the SQL of each difference (docs/schema.md).
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "schema/render_detail.hpp"
#include "schema/schema.hpp"

namespace sg::schema {

bool operator==(const Column& a, const Column& b) {
    return a.name == b.name && a.type == b.type && a.nullable == b.nullable &&
           a.default_expr == b.default_expr && a.identity == b.identity;
}
bool operator==(const PrimaryKey& a, const PrimaryKey& b) {
    return a.name == b.name && a.columns == b.columns;
}
bool operator==(const Index& a, const Index& b) {
    return a.name == b.name && a.columns == b.columns && a.unique == b.unique &&
           a.where == b.where && a.method == b.method;
}
bool operator==(const UniqueConstraint& a, const UniqueConstraint& b) {
    return a.name == b.name && a.columns == b.columns;
}
bool operator==(const ForeignKey& a, const ForeignKey& b) {
    return a.name == b.name && a.columns == b.columns && a.ref_table == b.ref_table &&
           a.ref_columns == b.ref_columns && a.on_delete == b.on_delete &&
           a.on_update == b.on_update;
}
bool operator==(const CheckConstraint& a, const CheckConstraint& b) {
    return a.name == b.name && a.expr == b.expr;
}

bool operator==(const View& a, const View& b) {
    return a.name == b.name && a.definition == b.definition;
}
bool operator==(const EnumType& a, const EnumType& b) {
    return a.name == b.name && a.values == b.values;
}

namespace {

using Kind = Difference::Kind;

std::string list(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
}

// The key a constraint is matched by: its name, else its content.
std::string key(const UniqueConstraint& u) {
    return u.name.empty() ? "(" + list(u.columns) + ")" : u.name;
}
std::string key(const ForeignKey& f) {
    return f.name.empty()
               ? "(" + list(f.columns) + ") -> " + f.ref_table + "(" + list(f.ref_columns) + ")"
               : f.name;
}
std::string key(const CheckConstraint& c) { return c.name.empty() ? "(" + c.expr + ")" : c.name; }
std::string key(const Index& i) { return i.name; }
std::string key(const Column& c) { return c.name; }
std::string key(const View& v) { return v.name; }
std::string key(const EnumType& e) { return e.name; }

std::string describe_column(const Column& c) {
    std::string out = c.type + (c.nullable ? "" : " NOT NULL");
    if (c.default_expr) out += " DEFAULT " + *c.default_expr;
    if (!c.identity.empty()) out += " (" + c.identity + ")";
    return out;
}

/// Calls added/removed/changed for the elements of `from` and `to` matched by key.
template <typename T>
void match(const std::vector<T>& from, const std::vector<T>& to,
           const std::function<void(const T&)>& added, const std::function<void(const T&)>& removed,
           const std::function<void(const T&, const T&)>& changed) {
    std::map<std::string, const T*> f, t;
    for (const auto& x : from) f[key(x)] = &x;
    for (const auto& x : to) t[key(x)] = &x;
    for (const auto& [k, x] : f) {
        auto it = t.find(k);
        if (it == t.end())
            removed(*x);
        else if (!(*x == *it->second))
            changed(*x, *it->second);
    }
    for (const auto& [k, x] : t) {
        if (!f.count(k)) added(*x);
    }
}

class Differ {
  public:
    Differ(const Schema& from, const Schema& to) : m_from(from), m_to(to), d(to.dialect) {}

    SchemaDiff run() {
        // The script's order: types, then views that change or go (and the
        // unchanged ones that name a changed table), the tables, then views
        // made or remade, then dropped types. Each difference also keeps its
        // own statements for display.
        auto take_sql = [&](size_t from_index) {
            for (size_t i = from_index; i < m_out.differences.size(); ++i) {
                for (const auto& st : m_out.differences[i].sql) m_out.script.push_back(st);
            }
        };
        enums();
        take_sql(0);
        std::vector<Difference> view_diffs;
        std::vector<std::string> view_drops, view_creates;
        match<View>(
            m_from.views, m_to.views,
            [&](const View& v) {
                view_diffs.push_back({Kind::added, "view", v.name, "", {create_view_sql(d, v)}});
                view_creates.push_back(create_view_sql(d, v));
            },
            [&](const View& v) {
                view_diffs.push_back(
                    {Kind::removed, "view", v.name, "", {"DROP VIEW " + q(v.name)}});
                view_drops.push_back("DROP VIEW " + q(v.name));
            },
            [&](const View& a, const View& b) {
                view_diffs.push_back({Kind::changed,
                                      "view",
                                      b.name,
                                      "definition differs",
                                      {"DROP VIEW " + q(a.name), create_view_sql(d, b)}});
                view_drops.push_back("DROP VIEW " + q(a.name));
                view_creates.push_back(create_view_sql(d, b));
            });
        const size_t tables_start = m_out.differences.size();
        tables();
        // Unchanged views that name a changed table are remade around the
        // change (SQLite's rebuild and PostgreSQL's column changes refuse
        // dependent views).
        std::set<std::string> changed_tables;
        for (size_t i = tables_start; i < m_out.differences.size(); ++i) {
            const std::string& n = m_out.differences[i].name;
            changed_tables.insert(n.substr(0, n.find('.')));
        }
        for (const auto& v : m_to.views) {
            const View* old = nullptr;
            for (const auto& f : m_from.views) {
                if (f.name == v.name) old = &f;
            }
            if (!old || !(*old == v)) continue;
            bool depends =
                std::any_of(changed_tables.begin(), changed_tables.end(),
                            [&](const std::string& t) { return mentions(v.definition, t); });
            if (!depends) continue;
            view_drops.push_back("DROP VIEW " + q(v.name));
            view_creates.push_back(create_view_sql(d, v));
        }
        m_out.script.insert(m_out.script.end(), view_drops.begin(), view_drops.end());
        take_sql(tables_start);
        m_out.script.insert(m_out.script.end(), view_creates.begin(), view_creates.end());
        for (auto& v : view_diffs) m_out.differences.push_back(std::move(v));
        for (const auto& e : m_enum_drops) {
            add(Kind::removed, "enum", e, "", {"DROP TYPE " + q(e)});
            m_out.script.push_back("DROP TYPE " + q(e));
        }
        for (const Schema* s : {&m_from, &m_to}) {
            for (const auto& o : s->not_covered) {
                bool seen = std::any_of(m_out.not_compared.begin(), m_out.not_compared.end(),
                                        [&](const OtherObject& x) {
                                            return x.kind == o.kind && x.name == o.name &&
                                                   x.table == o.table;
                                        });
                if (!seen) m_out.not_compared.push_back(o);
            }
        }
        return std::move(m_out);
    }

  private:
    std::string q(const std::string& n) const { return quote(d, n); }
    std::string alter(const Table& t) const { return "ALTER TABLE " + q(t.name) + " "; }
    void add(Kind k, const std::string& object, const std::string& name, const std::string& detail,
             std::vector<std::string> sql) {
        m_out.differences.push_back({k, object, name, detail, std::move(sql)});
    }

    void enums() {
        match<EnumType>(
            m_from.enums, m_to.enums,
            [&](const EnumType& e) {
                std::string values;
                for (size_t i = 0; i < e.values.size(); ++i)
                    values += (i ? ", " : "") + render_literal(e.values[i]);
                add(Kind::added, "enum", e.name, "",
                    {"CREATE TYPE " + q(e.name) + " AS ENUM (" + values + ")"});
            },
            [&](const EnumType& e) { m_enum_drops.push_back(e.name); },
            [&](const EnumType& a, const EnumType& b) {
                std::vector<std::string> sql;
                bool only_added = std::all_of(a.values.begin(), a.values.end(), [&](const auto& v) {
                    return std::find(b.values.begin(), b.values.end(), v) != b.values.end();
                });
                if (only_added) {
                    for (size_t i = 0; i < b.values.size(); ++i) {
                        if (std::find(a.values.begin(), a.values.end(), b.values[i]) !=
                            a.values.end())
                            continue;
                        std::string s =
                            "ALTER TYPE " + q(b.name) + " ADD VALUE " + render_literal(b.values[i]);
                        if (i > 0) s += " AFTER " + render_literal(b.values[i - 1]);
                        sql.push_back(s);
                    }
                } else {
                    sql.push_back(
                        "-- PostgreSQL cannot remove or reorder enum values in place: "
                        "recreate the type and convert its columns by hand");
                }
                add(Kind::changed, "enum", b.name,
                    "values (" + list(a.values) + ") -> (" + list(b.values) + ")", sql);
            });
    }

    void tables() {
        // New tables in foreign-key order among themselves.
        Schema added;
        added.dialect = d;
        std::vector<const Table*> removed;
        for (const auto& t : m_to.tables) {
            if (!m_from.table(t.name)) added.tables.push_back(t);
        }
        for (const auto& t : m_from.tables) {
            if (!m_to.table(t.name)) removed.push_back(&t);
        }
        auto creates = create_statements(added);
        // Group the statements of each new table under its difference.
        for (const auto& st : creates) {
            std::string name;
            for (const auto& t : added.tables) {
                if (st.rfind("CREATE TABLE " + q(t.name) + " (", 0) == 0) name = t.name;
            }
            if (!name.empty() || m_out.differences.empty() ||
                m_out.differences.back().object != "table" ||
                m_out.differences.back().kind != Kind::added) {
                add(Kind::added, "table", name, "", {st});
            } else {
                m_out.differences.back().sql.push_back(st);
            }
        }
        for (const auto& t : m_to.tables) {
            if (const Table* f = m_from.table(t.name)) table(*f, t);
        }
        Schema gone;
        gone.dialect = d;
        for (const Table* t : removed) gone.tables.push_back(*t);
        for (const auto& st : drop_statements(gone)) {
            std::string name;
            for (const auto& t : gone.tables) {
                if (st == "DROP TABLE " + q(t.name)) name = t.name;
            }
            add(Kind::removed, "table", name, "", {st});
        }
    }

    void table(const Table& a, const Table& b) {
        if (d == Dialect::sqlite) return sqlite_table(a, b);
        const std::string tn = b.name;
        match<Column>(
            a.columns, b.columns,
            [&](const Column& c) {
                add(Kind::added, "column", tn + "." + c.name, describe_column(c),
                    {alter(b) + "ADD COLUMN " + column_sql(d, c)});
            },
            [&](const Column& c) {
                add(Kind::removed, "column", tn + "." + c.name, describe_column(c),
                    {alter(b) + "DROP COLUMN " + q(c.name)});
            },
            [&](const Column& x, const Column& y) {
                add(Kind::changed, "column", tn + "." + y.name,
                    describe_column(x) + " -> " + describe_column(y), column_change(b, x, y));
            });
        if (!(a.primary_key == b.primary_key)) {
            std::vector<std::string> sql;
            if (a.primary_key)
                sql.push_back(alter(b) + (d == Dialect::mysql
                                              ? "DROP PRIMARY KEY"
                                              : "DROP CONSTRAINT " + q(a.primary_key->name)));
            if (b.primary_key)
                sql.push_back(alter(b) + "ADD " +
                              (d == Dialect::mysql || b.primary_key->name.empty()
                                   ? std::string()
                                   : "CONSTRAINT " + q(b.primary_key->name) + " ") +
                              "PRIMARY KEY (" + quoted_list(b.primary_key->columns) + ")");
            std::string from = a.primary_key ? "(" + list(a.primary_key->columns) + ")" : "none";
            std::string to = b.primary_key ? "(" + list(b.primary_key->columns) + ")" : "none";
            add(!a.primary_key   ? Kind::added
                : !b.primary_key ? Kind::removed
                                 : Kind::changed,
                "primary key", tn, from + " -> " + to, sql);
        }
        match<Index>(
            a.indexes, b.indexes,
            [&](const Index& i) {
                add(Kind::added, "index", tn + "." + i.name, index_detail(i), {create_index(b, i)});
            },
            [&](const Index& i) {
                add(Kind::removed, "index", tn + "." + i.name, index_detail(i), {drop_index(b, i)});
            },
            [&](const Index& x, const Index& y) {
                add(Kind::changed, "index", tn + "." + y.name,
                    index_detail(x) + " -> " + index_detail(y),
                    {drop_index(b, x), create_index(b, y)});
            });
        constraint<UniqueConstraint>(
            a.uniques, b.uniques, b, "unique constraint",
            [&](const UniqueConstraint& u) { return "UNIQUE (" + quoted_list(u.columns) + ")"; },
            "INDEX");
        constraint<CheckConstraint>(
            a.checks, b.checks, b, "check constraint",
            [&](const CheckConstraint& c) { return "CHECK (" + c.expr + ")"; }, "CONSTRAINT");
        match<ForeignKey>(
            a.foreign_keys, b.foreign_keys,
            [&](const ForeignKey& f) {
                add(Kind::added, "foreign key", tn + "." + key(f), fk_detail(f),
                    {alter(b) + "ADD " + render_fk_clause(d, f)});
            },
            [&](const ForeignKey& f) {
                add(Kind::removed, "foreign key", tn + "." + key(f), fk_detail(f), {drop_fk(b, f)});
            },
            [&](const ForeignKey& x, const ForeignKey& y) {
                add(Kind::changed, "foreign key", tn + "." + key(y),
                    fk_detail(x) + " -> " + fk_detail(y),
                    {drop_fk(b, x), alter(b) + "ADD " + render_fk_clause(d, y)});
            });
    }

    template <typename C>
    void constraint(const std::vector<C>& from, const std::vector<C>& to, const Table& t,
                    const std::string& object, const std::function<std::string(const C&)>& body,
                    const std::string& mysql_drop) {
        auto drop = [&](const C& c) {
            if (d == Dialect::mysql) return alter(t) + "DROP " + mysql_drop + " " + q(c.name);
            return alter(t) + "DROP CONSTRAINT " + q(c.name);
        };
        auto create = [&](const C& c) {
            return alter(t) + "ADD " + (c.name.empty() ? "" : "CONSTRAINT " + q(c.name) + " ") +
                   body(c);
        };
        match<C>(
            from, to,
            [&](const C& c) {
                add(Kind::added, object, t.name + "." + key(c), body(c), {create(c)});
            },
            [&](const C& c) {
                add(Kind::removed, object, t.name + "." + key(c), body(c), {drop(c)});
            },
            [&](const C& x, const C& y) {
                add(Kind::changed, object, t.name + "." + key(y), body(x) + " -> " + body(y),
                    {drop(x), create(y)});
            });
    }

    std::string quoted_list(const std::vector<std::string>& v) const {
        std::string out;
        for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + q(v[i]);
        return out;
    }
    static std::string index_detail(const Index& i) {
        std::string out = std::string(i.unique ? "unique " : "") + "(" + list(i.columns) + ")";
        if (!i.method.empty()) out += " using " + i.method;
        if (!i.where.empty()) out += " where " + i.where;
        return out;
    }
    static std::string fk_detail(const ForeignKey& f) {
        return "(" + list(f.columns) + ") -> " + f.ref_table + "(" + list(f.ref_columns) +
               ") on delete " + f.on_delete + " on update " + f.on_update;
    }
    std::string create_index(const Table& t, const Index& i) const {
        if (d == Dialect::mysql) return alter(t) + "ADD " + render_mysql_inline_index(t, i);
        return render_index(d, t, i);
    }
    std::string drop_index(const Table& t, const Index& i) const {
        if (d == Dialect::mysql) return "DROP INDEX " + q(i.name) + " ON " + q(t.name);
        return "DROP INDEX " + q(i.name);
    }
    std::string drop_fk(const Table& t, const ForeignKey& f) const {
        if (d == Dialect::mysql) return alter(t) + "DROP FOREIGN KEY " + q(f.name);
        return alter(t) + "DROP CONSTRAINT " + q(f.name);
    }

    std::vector<std::string> column_change(const Table& t, const Column& x, const Column& y) const {
        if (d == Dialect::mysql) return {alter(t) + "MODIFY COLUMN " + column_sql(d, y)};
        std::vector<std::string> sql;
        const std::string col = alter(t) + "ALTER COLUMN " + q(y.name) + " ";
        if (x.identity != y.identity && (x.identity == "always" || x.identity == "by default"))
            sql.push_back(col + "DROP IDENTITY");
        if (x.type != y.type) sql.push_back(col + "TYPE " + y.type);
        if (x.default_expr != y.default_expr && y.identity != "serial") {
            sql.push_back(y.default_expr ? col + "SET DEFAULT " + *y.default_expr
                                         : col + "DROP DEFAULT");
        }
        if (x.nullable != y.nullable)
            sql.push_back(col + (y.nullable ? "DROP NOT NULL" : "SET NOT NULL"));
        if (x.identity != y.identity && (y.identity == "always" || y.identity == "by default"))
            sql.push_back(col + "ADD GENERATED " +
                          (y.identity == "always" ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY");
        return sql;
    }

    // SQLite: columns are added and dropped with ALTER TABLE; anything else
    // is SQLite's documented table rebuild.
    void sqlite_table(const Table& a, const Table& b) {
        const std::string tn = b.name;
        std::vector<Difference> diffs;
        bool rebuild = false;
        match<Column>(
            a.columns, b.columns,
            [&](const Column& c) {
                diffs.push_back({Kind::added,
                                 "column",
                                 tn + "." + c.name,
                                 describe_column(c),
                                 {alter(b) + "ADD COLUMN " + column_sql(d, c)}});
                // ADD COLUMN cannot add a key or a NOT NULL column without a default.
                bool keyed = b.primary_key && std::count(b.primary_key->columns.begin(),
                                                         b.primary_key->columns.end(), c.name);
                if (keyed || (!c.nullable && !c.default_expr)) rebuild = true;
            },
            [&](const Column& c) {
                diffs.push_back({Kind::removed,
                                 "column",
                                 tn + "." + c.name,
                                 describe_column(c),
                                 {alter(b) + "DROP COLUMN " + q(c.name)}});
                rebuild = true;  // DROP COLUMN refuses indexed, keyed or constrained columns
            },
            [&](const Column& x, const Column& y) {
                diffs.push_back({Kind::changed,
                                 "column",
                                 tn + "." + y.name,
                                 describe_column(x) + " -> " + describe_column(y),
                                 {}});
                rebuild = true;
            });
        // Added columns alone do not reorder: keep them as ALTER TABLE when
        // they come last in TO, in FROM's order.
        if (!rebuild) {
            for (size_t i = 0; i < a.columns.size(); ++i) {
                if (i >= b.columns.size() || b.columns[i].name != a.columns[i].name) rebuild = true;
            }
        }
        auto note = [&](Kind k, const std::string& obj, const std::string& name,
                        const std::string& detail) {
            diffs.push_back({k, obj, tn + (name.empty() ? "" : "." + name), detail, {}});
            rebuild = true;
        };
        if (!(a.primary_key == b.primary_key)) {
            note(Kind::changed, "primary key", "",
                 (a.primary_key ? "(" + list(a.primary_key->columns) + ")" : std::string("none")) +
                     " -> " +
                     (b.primary_key ? "(" + list(b.primary_key->columns) + ")"
                                    : std::string("none")));
        }
        match<UniqueConstraint>(
            a.uniques, b.uniques,
            [&](const auto& u) { note(Kind::added, "unique constraint", key(u), ""); },
            [&](const auto& u) { note(Kind::removed, "unique constraint", key(u), ""); },
            [&](const auto&, const auto& u) {
                note(Kind::changed, "unique constraint", key(u), "");
            });
        match<CheckConstraint>(
            a.checks, b.checks,
            [&](const auto& c) { note(Kind::added, "check constraint", key(c), ""); },
            [&](const auto& c) { note(Kind::removed, "check constraint", key(c), ""); },
            [&](const auto&, const auto& c) {
                note(Kind::changed, "check constraint", key(c), "");
            });
        match<ForeignKey>(
            a.foreign_keys, b.foreign_keys,
            [&](const auto& f) { note(Kind::added, "foreign key", key(f), fk_detail(f)); },
            [&](const auto& f) { note(Kind::removed, "foreign key", key(f), fk_detail(f)); },
            [&](const auto& x, const auto& f) {
                note(Kind::changed, "foreign key", key(f), fk_detail(x) + " -> " + fk_detail(f));
            });
        std::vector<Difference> index_diffs;
        match<Index>(
            a.indexes, b.indexes,
            [&](const Index& i) {
                index_diffs.push_back({Kind::added,
                                       "index",
                                       tn + "." + i.name,
                                       index_detail(i),
                                       {create_index(b, i)}});
            },
            [&](const Index& i) {
                index_diffs.push_back({Kind::removed,
                                       "index",
                                       tn + "." + i.name,
                                       index_detail(i),
                                       {drop_index(b, i)}});
            },
            [&](const Index& x, const Index& y) {
                index_diffs.push_back({Kind::changed,
                                       "index",
                                       tn + "." + y.name,
                                       index_detail(x) + " -> " + index_detail(y),
                                       {drop_index(b, x), create_index(b, y)}});
            });
        if (!rebuild) {
            for (auto& x : diffs) m_out.differences.push_back(std::move(x));
            for (auto& x : index_diffs) m_out.differences.push_back(std::move(x));
            return;
        }
        // The rebuild (https://www.sqlite.org/lang_altertable.html, "other
        // kinds of table schema changes"); the SQL goes with the first
        // difference, the others refer to it.
        std::vector<std::string> sql{"PRAGMA defer_foreign_keys = ON"};
        Table tmp = b;
        tmp.name = "_sg_new_" + b.name;
        sql.push_back(create_table_sql(d, tmp));
        std::vector<std::string> common;
        for (const auto& c : b.columns) {
            if (a.column(c.name)) common.push_back(c.name);
        }
        sql.push_back("INSERT INTO " + q(tmp.name) + " (" + quoted_list(common) + ") SELECT " +
                      quoted_list(common) + " FROM " + q(b.name));
        sql.push_back("DROP TABLE " + q(b.name));
        sql.push_back("ALTER TABLE " + q(tmp.name) + " RENAME TO " + q(b.name));
        for (const auto& i : b.indexes) sql.push_back(create_index(b, i));
        for (size_t i = 0; i < diffs.size(); ++i) {
            diffs[i].sql = i == 0 ? sql : std::vector<std::string>{};
            m_out.differences.push_back(std::move(diffs[i]));
        }
        for (auto& x : index_diffs) {
            x.sql.clear();  // the rebuild makes TO's indexes
            m_out.differences.push_back(std::move(x));
        }
    }

    const Schema& m_from;
    const Schema& m_to;
    Dialect d;
    SchemaDiff m_out;
    std::vector<std::string> m_enum_drops;
};

}  // namespace

SchemaDiff diff(const Schema& from, const Schema& to) { return Differ(from, to).run(); }

std::string describe(const SchemaDiff& d) {
    std::string out;
    for (const auto& x : d.differences) {
        char sign = x.kind == Kind::added ? '+' : x.kind == Kind::removed ? '-' : '~';
        out += std::string(1, sign) + " " + x.object + " " + x.name;
        if (!x.detail.empty()) out += ": " + x.detail;
        out += "\n";
        for (const auto& s : x.sql) {
            std::string indented = s;
            for (size_t p = indented.find('\n'); p != std::string::npos;
                 p = indented.find('\n', p + 1))
                indented.insert(p + 1, "      ");
            out += "      " + indented + ";\n";
        }
    }
    if (!d.not_compared.empty()) {
        out += "not compared (not covered by the schema model):\n";
        for (const auto& o : d.not_compared)
            out += "  " + o.kind + " " + (o.table.empty() ? "" : o.table + ".") + o.name + "\n";
    }
    return out;
}

std::string diff_sql(const SchemaDiff& d) {
    std::string out;
    for (const auto& s : d.script) out += s + ";\n";
    return out;
}

}  // namespace sg::schema
