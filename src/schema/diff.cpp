// The comparison of two schemas and the SQL of each difference (docs/schema.md).
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

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

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// A type split into its name and numeric arguments: "numeric(10,2)" -> numeric, {10, 2}.
struct TypeParts {
    std::string base;
    std::vector<long> args;
    std::string rest;  // anything after the arguments ("unsigned", "[]")
};

TypeParts type_parts(const std::string& type) {
    TypeParts p;
    std::string t = lower(type);
    size_t open = t.find('(');
    p.base = t.substr(0, open);
    while (!p.base.empty() && p.base.back() == ' ') p.base.pop_back();
    if (open != std::string::npos) {
        size_t close = t.find(')', open);
        std::string inner =
            t.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
        size_t pos = 0;
        while (pos <= inner.size()) {
            size_t comma = inner.find(',', pos);
            std::string a = inner.substr(pos, comma == std::string::npos ? comma : comma - pos);
            try {
                p.args.push_back(std::stol(a));
            } catch (...) {
                p.args.push_back(-1);
            }
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        if (close != std::string::npos) p.rest = t.substr(close + 1);
    }
    return p;
}

/// The family of a type name and its rank among the family's widths.
std::pair<std::string, int> family(const std::string& base) {
    static const std::map<std::string, std::pair<std::string, int>> known = {
        {"tinyint", {"int", 1}},
        {"smallint", {"int", 2}},
        {"int2", {"int", 2}},
        {"mediumint", {"int", 3}},
        {"int", {"int", 4}},
        {"integer", {"int", 4}},
        {"int4", {"int", 4}},
        {"bigint", {"int", 5}},
        {"int8", {"int", 5}},
        {"real", {"float", 1}},
        {"float4", {"float", 1}},
        {"float", {"float", 2}},
        {"double", {"float", 2}},
        {"double precision", {"float", 2}},
        {"float8", {"float", 2}},
        {"numeric", {"decimal", 0}},
        {"decimal", {"decimal", 0}},
        {"char", {"text", 1}},
        {"character", {"text", 1}},
        {"varchar", {"text", 1}},
        {"character varying", {"text", 1}},
        {"nvarchar", {"text", 1}},
        {"tinytext", {"text", 2}},
        {"text", {"text", 3}},
        {"clob", {"text", 3}},
        {"mediumtext", {"text", 4}},
        {"longtext", {"text", 5}},
    };
    auto it = known.find(base);
    if (it != known.end()) return it->second;
    return {base, 0};
}

/// The comment a statement that destroys data carries.
std::string data_loss(const std::string& what) { return "-- data loss: " + what + "\n"; }

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
        // Dependency order of the table statements: foreign keys that go,
        // then the changes of existing tables, the new tables, the foreign
        // keys that come, and last the tables that go (nothing refers to
        // them any more).
        std::vector<std::string> fk_drops, early, changes, late, creates, fk_adds, drops;
        for (size_t i = tables_start; i < m_out.differences.size(); ++i) {
            const Difference& x = m_out.differences[i];
            for (const auto& st : x.sql) {
                if (m_fk_drops.count(st))
                    fk_drops.push_back(st);
                else if (m_early.count(st))
                    early.push_back(st);
                else if (m_late.count(st))
                    late.push_back(st);
                else if (m_fk_adds.count(st))
                    fk_adds.push_back(st);
                else if (x.object == "table" && x.kind == Kind::added)
                    creates.push_back(st);
                else if (x.object == "table" && x.kind == Kind::removed)
                    drops.push_back(st);
                else
                    changes.push_back(st);
            }
        }
        for (auto* part : {&fk_drops, &early, &changes, &late, &creates, &fk_adds, &drops})
            m_out.script.insert(m_out.script.end(), part->begin(), part->end());
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
            std::string sql = st;
            for (const auto& t : gone.tables) {
                if (st != "DROP TABLE " + q(t.name)) continue;
                name = t.name;
                std::vector<std::string> cols;
                for (const auto& c : t.columns) cols.push_back(c.name);
                sql = data_loss("drops table " + t.name + " and all its rows (columns " +
                                list(cols) + ")") +
                      st;
            }
            if (name.empty()) m_fk_drops.insert(sql);  // a foreign key of a cycle
            add(Kind::removed, "table", name, "", {sql});
        }
    }

    void table(const Table& a, const Table& b) {
        if (d == Dialect::sqlite) return sqlite_table(a, b);
        const std::string tn = b.name;
        std::vector<const Column*> added;
        match<Column>(
            a.columns, b.columns, [&](const Column& c) { added.push_back(&c); },
            [&](const Column& c) {
                add(Kind::removed, "column", tn + "." + c.name, describe_column(c),
                    {data_loss("drops column " + tn + "." + c.name + " (" + c.type +
                               ") and its values") +
                     alter(b) + "DROP COLUMN " + q(c.name)});
            },
            [&](const Column& x, const Column& y) {
                add(Kind::changed, "column", tn + "." + y.name,
                    describe_column(x) + " -> " + describe_column(y), column_change(b, x, y));
            });
        // Added columns in TO's order; MySQL places them where TO has them
        // (PostgreSQL can only add at the end).
        auto position = [&](const Column* c) {
            for (size_t i = 0; i < b.columns.size(); ++i) {
                if (b.columns[i].name == c->name) return i;
            }
            return b.columns.size();
        };
        std::sort(added.begin(), added.end(),
                  [&](const Column* x, const Column* y) { return position(x) < position(y); });
        for (const Column* c : added) {
            std::string st = alter(b) + "ADD COLUMN " + column_sql(d, *c);
            size_t i = position(c);
            if (d == Dialect::mysql && i + 1 < b.columns.size())
                st += i == 0 ? " FIRST" : " AFTER " + q(b.columns[i - 1].name);
            add(Kind::added, "column", tn + "." + c->name, describe_column(*c), {st});
        }
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
                add(Kind::added, "foreign key", tn + "." + key(f), fk_detail(f), {add_fk(b, f)});
            },
            [&](const ForeignKey& f) {
                add(Kind::removed, "foreign key", tn + "." + key(f), fk_detail(f), {drop_fk(b, f)});
            },
            [&](const ForeignKey& x, const ForeignKey& y) {
                add(Kind::changed, "foreign key", tn + "." + key(y),
                    fk_detail(x) + " -> " + fk_detail(y), {drop_fk(b, x), add_fk(b, y)});
            });
    }

    template <typename C>
    void constraint(const std::vector<C>& from, const std::vector<C>& to, const Table& t,
                    const std::string& object, const std::function<std::string(const C&)>& body,
                    const std::string& mysql_drop) {
        auto drop = [&](const C& c) {
            std::string st = d == Dialect::mysql ? alter(t) + "DROP " + mysql_drop + " " + q(c.name)
                                                 : alter(t) + "DROP CONSTRAINT " + q(c.name);
            m_early.insert(st);
            return st;
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
    /// Index and constraint drops go before the column changes (a dropped
    /// column takes its indexes with it); on MySQL an index that a foreign
    /// key of the table still needs goes after the indexes that are added.
    std::string drop_index(const Table& t, const Index& i) {
        if (d != Dialect::mysql) {
            std::string st = "DROP INDEX " + q(i.name);
            m_early.insert(st);
            return st;
        }
        std::string st = "DROP INDEX " + q(i.name) + " ON " + q(t.name);
        bool backs_fk =
            std::any_of(t.foreign_keys.begin(), t.foreign_keys.end(), [&](const auto& f) {
                return f.columns.size() <= i.columns.size() &&
                       std::equal(f.columns.begin(), f.columns.end(), i.columns.begin());
            });
        (backs_fk ? m_late : m_early).insert(st);
        return st;
    }
    std::string drop_fk(const Table& t, const ForeignKey& f) {
        std::string st = d == Dialect::mysql ? alter(t) + "DROP FOREIGN KEY " + q(f.name)
                                             : alter(t) + "DROP CONSTRAINT " + q(f.name);
        m_fk_drops.insert(st);
        return st;
    }
    std::string add_fk(const Table& t, const ForeignKey& f) {
        std::string st = alter(t) + "ADD " + render_fk_clause(d, f);
        m_fk_adds.insert(st);
        return st;
    }
    /// The comment of a type change that can destroy data, "" when it cannot.
    static std::string type_loss(const std::string& table, const Column& x, const Column& y) {
        std::string why = narrowing(x.type, y.type);
        if (why.empty()) return "";
        return data_loss(table + "." + y.name + " " + x.type + " -> " + y.type + ": " + why);
    }

    std::vector<std::string> column_change(const Table& t, const Column& x, const Column& y) const {
        if (d == Dialect::mysql)
            return {type_loss(t.name, x, y) + alter(t) + "MODIFY COLUMN " + column_sql(d, y)};
        std::vector<std::string> sql;
        const std::string col = alter(t) + "ALTER COLUMN " + q(y.name) + " ";
        if (x.identity != y.identity && (x.identity == "always" || x.identity == "by default"))
            sql.push_back(col + "DROP IDENTITY");
        if (x.type != y.type)
            sql.push_back(type_loss(t.name, x, y) + col + "TYPE " + y.type + " USING " + q(y.name) +
                          "::" + y.type);
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
        std::string loss;
        for (const auto& c : a.columns) {
            const Column* now = b.column(c.name);
            if (!now)
                loss += data_loss("drops column " + tn + "." + c.name + " (" + c.type +
                                  ") and its values");
            else if (now->type != c.type)
                loss += type_loss(tn, c, *now);
        }
        sql.push_back(loss + "INSERT INTO " + q(tmp.name) + " (" + quoted_list(common) +
                      ") SELECT " + quoted_list(common) + " FROM " + q(b.name));
        sql.push_back("DROP TABLE " + q(b.name));
        sql.push_back("ALTER TABLE " + q(tmp.name) + " RENAME TO " + q(b.name));
        for (const auto& i : b.indexes) sql.push_back(create_index(b, i));
        // Step 8 of the rebuild recreates the table's triggers; they are not
        // in the schema model, so the file says so where they would go.
        for (const auto& o : m_from.not_covered) {
            if (o.kind == "trigger" && o.table == a.name)
                sql.push_back("-- trigger " + o.name + " on " + tn +
                              " was dropped with the old table: recreate it here");
        }
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
    std::set<std::string> m_fk_drops, m_fk_adds, m_early, m_late;
};

void rename_in(std::vector<std::string>& names, const std::string& from, const std::string& to) {
    for (auto& n : names) {
        if (n == from) n = to;
    }
}

}  // namespace

SchemaDiff diff(const Schema& from, const Schema& to) { return Differ(from, to).run(); }

Renames Renames::inverse() const {
    Renames back;
    for (const auto& [old_name, new_name] : tables) back.tables[new_name] = old_name;
    for (const auto& [k, new_col] : columns) {
        // The way back names the table as FROM has it.
        std::string table = k.first;
        for (const auto& [old_name, new_name] : tables) {
            if (new_name == k.first) table = old_name;
        }
        back.columns[{table, new_col}] = k.second;
    }
    return back;
}

SchemaDiff diff(const Schema& from, const Schema& to, const Renames& renames) {
    if (renames.empty()) return diff(from, to);
    const Dialect d = to.dialect;
    Schema renamed = from;
    std::vector<Difference> done;
    for (const auto& [old_name, new_name] : renames.tables) {
        Table* t = nullptr;
        for (auto& x : renamed.tables) {
            if (x.name == old_name) t = &x;
        }
        if (!t)
            throw std::invalid_argument("rename " + old_name + "=" + new_name +
                                        ": there is no table " + old_name);
        if (!to.table(new_name))
            throw std::invalid_argument("rename " + old_name + "=" + new_name +
                                        ": the desired schema has no table " + new_name);
        if (renamed.table(new_name))
            throw std::invalid_argument("rename " + old_name + "=" + new_name + ": table " +
                                        new_name + " exists already");
        t->name = new_name;
        for (auto& x : renamed.tables) {
            for (auto& fk : x.foreign_keys) {
                if (fk.ref_table == old_name) fk.ref_table = new_name;
            }
        }
        for (auto& o : renamed.not_covered) {
            if (o.table == old_name) o.table = new_name;
        }
        done.push_back(
            {Kind::changed,
             "table",
             new_name,
             "renamed from " + old_name,
             {"ALTER TABLE " + quote(d, old_name) + " RENAME TO " + quote(d, new_name)}});
    }
    for (const auto& [k, new_col] : renames.columns) {
        const std::string& tn = k.first;
        const std::string& old_col = k.second;
        const std::string what = "rename " + tn + "." + old_col + "=" + new_col;
        Table* t = nullptr;
        for (auto& x : renamed.tables) {
            if (x.name == tn) t = &x;
        }
        if (!t) throw std::invalid_argument(what + ": there is no table " + tn);
        const Table* want = to.table(tn);
        if (!want || !want->column(new_col))
            throw std::invalid_argument(what + ": the desired table " + tn + " has no column " +
                                        new_col);
        bool found = false;
        for (auto& c : t->columns) {
            if (c.name == old_col) c.name = new_col, found = true;
        }
        if (!found)
            throw std::invalid_argument(what + ": table " + tn + " has no column " + old_col);
        if (t->primary_key) rename_in(t->primary_key->columns, old_col, new_col);
        for (auto& i : t->indexes) rename_in(i.columns, old_col, new_col);
        for (auto& u : t->uniques) rename_in(u.columns, old_col, new_col);
        for (auto& fk : t->foreign_keys) rename_in(fk.columns, old_col, new_col);
        for (auto& x : renamed.tables) {
            for (auto& fk : x.foreign_keys) {
                if (fk.ref_table == tn) rename_in(fk.ref_columns, old_col, new_col);
            }
        }
        done.push_back({Kind::changed,
                        "column",
                        tn + "." + new_col,
                        "renamed from " + old_col,
                        {"ALTER TABLE " + quote(d, tn) + " RENAME COLUMN " + quote(d, old_col) +
                         " TO " + quote(d, new_col)}});
    }
    renamed.normalize();
    SchemaDiff rest = diff(renamed, to);
    std::vector<std::string> script;
    for (const auto& x : done) script.insert(script.end(), x.sql.begin(), x.sql.end());
    script.insert(script.end(), rest.script.begin(), rest.script.end());
    rest.script = std::move(script);
    rest.differences.insert(rest.differences.begin(), done.begin(), done.end());
    return rest;
}

std::string narrowing(const std::string& from, const std::string& to) {
    if (lower(from) == lower(to)) return "";
    TypeParts a = type_parts(from), b = type_parts(to);
    auto fa = family(a.base), fb = family(b.base);
    if (fa.first != fb.first) return "values that do not convert to " + to + " are refused or lost";
    if (a.rest != b.rest) return "values outside " + to + " are refused or lost";
    if (fb.second < fa.second) return "values wider than " + to + " are refused or truncated";
    if (fb.second > fa.second) {
        // A wider kind; a length on the new one can still be shorter (text -> varchar(10)).
        if (!b.args.empty() && (a.args.empty() || b.args[0] < a.args[0]))
            return "values longer than " + to + " are refused or truncated";
        return "";
    }
    // The same kind: compare lengths / precision and scale.
    if (a.args.empty() && !b.args.empty() && fa.first != "int")
        return "values longer than " + to + " are refused or truncated";
    for (size_t i = 0; i < b.args.size() && i < a.args.size(); ++i) {
        if (fa.first == "int") break;  // int(11) vs int(10) is a display width
        if (b.args[i] < a.args[i]) return "values wider than " + to + " are refused or truncated";
    }
    return "";
}

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
