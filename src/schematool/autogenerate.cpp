// revision --autogenerate: see autogenerate.hpp and docs/schema.md.
#include "schematool/autogenerate.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "log/log.hpp"
#include "schematool/dev_database.hpp"
#include "schematool/models.hpp"
#include "schematool/scratch.hpp"
#include "script/migration.hpp"

namespace fs = std::filesystem;

namespace sg {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool contains(const std::string& text, const char* word) {
    return text.find(word) != std::string::npos;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ExitCode::usage, path + ": cannot read the schema file");
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

ScriptDirectory load_scripts(const std::string& dir, Dialect d) {
    if (dir.empty() || !fs::exists(dir)) return {};
    return load_directory(dir, d);
}

// ---- the generated row ----------------------------------------------------

/// A literal of `type`, or nullopt when schemagate cannot make one.
std::optional<std::string> value_of(Dialect d, const schema::Schema& s, const std::string& type) {
    const std::string t = lower(type);
    for (const auto& e : s.enums) {
        if (lower(e.name) == t && !e.values.empty()) return "'" + e.values.front() + "'";
    }
    if (t.rfind("enum(", 0) == 0 || t.rfind("set(", 0) == 0) {
        size_t a = t.find('\''), b = a == std::string::npos ? a : t.find('\'', a + 1);
        if (b != std::string::npos) return type.substr(a, b - a + 1);
        return std::nullopt;
    }
    if (t.empty()) return std::string("1");  // SQLite: any affinity
    if (contains(t, "bool")) return std::string(d == Dialect::postgresql ? "true" : "1");
    if (contains(t, "int") || contains(t, "serial") || contains(t, "numeric") ||
        contains(t, "decimal") || contains(t, "real") || contains(t, "double") ||
        contains(t, "float") || contains(t, "money") || t == "bit" || t == "bit(1)")
        return std::string("1");
    if (contains(t, "uuid")) return std::string("'00000000-0000-0000-0000-000000000001'");
    if (contains(t, "json")) return std::string("'{}'");
    if (contains(t, "timestamp") || contains(t, "datetime"))
        return std::string("'2000-01-01 00:00:00'");
    if (contains(t, "date")) return std::string("'2000-01-01'");
    if (contains(t, "time")) return std::string("'00:00:00'");
    if (t == "year" || t.rfind("year(", 0) == 0) return std::string("2000");
    if (contains(t, "char") || contains(t, "text") || contains(t, "clob") || contains(t, "string"))
        return std::string("'a'");
    if (t == "bytea") return std::string("'\\x00'");
    if (contains(t, "blob") || contains(t, "binary")) return std::string("x'00'");
    return std::nullopt;
}

/// Tables parents first; a table in a foreign-key cycle comes when nothing
/// else is ready.
std::vector<const schema::Table*> parents_first(const schema::Schema& s) {
    std::vector<const schema::Table*> order, left;
    for (const auto& t : s.tables) left.push_back(&t);
    std::set<std::string> done;
    while (!left.empty()) {
        size_t pick = 0;
        for (size_t i = 0; i < left.size(); ++i) {
            bool ready = std::all_of(left[i]->foreign_keys.begin(), left[i]->foreign_keys.end(),
                                     [&](const schema::ForeignKey& fk) {
                                         return fk.ref_table == left[i]->name ||
                                                done.count(fk.ref_table) || !s.table(fk.ref_table);
                                     });
            if (ready) {
                pick = i;
                break;
            }
        }
        done.insert(left[pick]->name);
        order.push_back(left[pick]);
        left.erase(left.begin() + static_cast<long>(pick));
    }
    return order;
}

/// Inserts one generated row into every table of `s`; returns the tables
/// that have one. Tables where no row can be made are logged. The row is
/// NULL wherever the column allows it and the default wherever there is one
/// (what production rows hold most often, and what a column made NOT NULL
/// fails on); the other columns get a literal of their type, foreign keys
/// the parent's row.
std::set<std::string> insert_rows(Connection& conn, const schema::Schema& s) {
    const Dialect d = s.dialect;
    auto q = [&](const std::string& n) { return schema::quote(d, n); };
    std::set<std::string> filled;
    for (const schema::Table* t : parents_first(s)) {
        std::vector<std::string> cols, vals;
        std::string why_not;
        for (const auto& c : t->columns) {
            if (!c.identity.empty()) continue;  // the database makes it
            if (c.nullable || c.default_expr) continue;
            const schema::ForeignKey* fk = nullptr;
            size_t pos = 0;
            for (const auto& f : t->foreign_keys) {
                auto it = std::find(f.columns.begin(), f.columns.end(), c.name);
                if (it != f.columns.end()) {
                    fk = &f;
                    pos = static_cast<size_t>(it - f.columns.begin());
                }
            }
            if (fk) {
                if (filled.count(fk->ref_table) && fk->ref_table != t->name) {
                    cols.push_back(q(c.name));
                    vals.push_back("(SELECT " + q(fk->ref_columns.at(pos)) + " FROM " +
                                   q(fk->ref_table) + " LIMIT 1)");
                } else {
                    why_not = "column " + c.name + " references " + fk->ref_table +
                              (fk->ref_table == t->name ? " (itself)" : "") +
                              ", which has no row (a foreign-key cycle)";
                }
                continue;
            }
            auto v = value_of(d, s, c.type);
            if (v) {
                cols.push_back(q(c.name));
                vals.push_back(*v);
            } else {
                why_not = "no value can be generated for column " + c.name + " of type " + c.type;
            }
        }
        if (!why_not.empty()) {
            log::warn("proof: no generated row in table " + t->name + ": " + why_not);
            continue;
        }
        std::string sql = "INSERT INTO " + q(t->name);
        if (cols.empty()) {
            sql += d == Dialect::mysql ? " () VALUES ()" : " DEFAULT VALUES";
        } else {
            std::string c, v;
            for (size_t i = 0; i < cols.size(); ++i) {
                c += (i ? ", " : "") + cols[i];
                v += (i ? ", " : "") + vals[i];
            }
            sql += " (" + c + ") VALUES (" + v + ")";
        }
        try {
            conn.execute(sql);
            filled.insert(t->name);
        } catch (const DbError& e) {
            log::warn("proof: no generated row in table " + t->name +
                      ": the database refused it: " + e.what());
        }
    }
    return filled;
}

// ---- the file ----------------------------------------------------------------

std::string section_text(const std::vector<std::string>& statements) {
    std::string out;
    for (const auto& st : statements) out += st + ";\n\n";
    return out;
}

struct PerDialect {
    Dialect dialect;
    schema::Schema current, desired;
    schema::SchemaDiff up, down;
};

/// SQLite: the CREATE TRIGGER statements by trigger name (triggers are not in
/// the schema model; a table rebuild drops them, the script makes them again).
std::map<std::string, std::string> sqlite_triggers(Connection& conn) {
    std::map<std::string, std::string> out;
    if (conn.dialect() != Dialect::sqlite) return out;
    for (const auto& row :
         conn.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")) {
        if (row.size() == 2 && row[0] && row[1]) out[*row[0]] = *row[1];
    }
    return out;
}

/// Replaces the rebuild's "-- trigger NAME on T ..." notes by the trigger's
/// own CREATE statement where the side the script starts from has it.
void recreate_triggers(std::vector<std::string>& script,
                       const std::map<std::string, std::string>& triggers) {
    for (auto& st : script) {
        if (st.rfind("-- trigger ", 0) != 0) continue;
        std::string name = st.substr(11, st.find(" on ") - 11);
        auto it = triggers.find(name);
        if (it != triggers.end()) st = it->second;
    }
}

/// The desired schema as the downgrade finds it: triggers are not in the
/// schema model and the upgrade keeps head's (a rebuild makes them again), so
/// head's triggers on tables the desired schema keeps are still there, and a
/// rebuild in the downgrade must make them again as well.
schema::Schema with_head_triggers(const schema::Schema& desired, const schema::Schema& head) {
    schema::Schema out = desired;
    for (const auto& o : head.not_covered) {
        if (o.kind != "trigger" || !desired.table(o.table)) continue;
        bool listed = std::any_of(
            out.not_covered.begin(), out.not_covered.end(),
            [&](const schema::OtherObject& x) { return x.kind == o.kind && x.name == o.name; });
        if (!listed) out.not_covered.push_back(o);
    }
    return out;
}

std::string body_of(const std::vector<PerDialect>& all, const std::string& source) {
    std::string dialects;
    for (size_t i = 0; i < all.size(); ++i)
        dialects += std::string(i ? ", " : "") + dialect_name(all[i].dialect);
    std::string body;
    for (int dir = 0; dir < 2; ++dir) {
        const char* marker = dir == 0 ? "-- +upgrade" : "-- +downgrade";
        auto text = [&](const PerDialect& p) {
            const auto& st = dir == 0 ? p.up.script : p.down.script;
            if (st.empty())
                return std::string("-- no changes for ") + dialect_name(p.dialect) + "\n\n";
            return section_text(st);
        };
        bool same = std::all_of(all.begin(), all.end(),
                                [&](const PerDialect& p) { return text(p) == text(all.front()); });
        std::string intro;
        if (dir == 0)
            intro = "-- Generated by `schemagate revision --autogenerate` from " + source +
                    " for " + dialects + "; proven by replay before it was written.\n\n";
        if (same) {
            body += std::string(marker) + "\n" + intro + text(all.front());
        } else {
            for (const auto& p : all)
                body +=
                    std::string(marker) + " " + dialect_name(p.dialect) + "\n" + intro + text(p);
        }
    }
    while (body.size() > 1 && body[body.size() - 1] == '\n' && body[body.size() - 2] == '\n')
        body.pop_back();
    return body;
}

std::string summary(const PerDialect& p) {
    std::string out;
    for (const auto& x : p.up.differences) {
        char sign = x.kind == schema::Difference::Kind::added     ? '+'
                    : x.kind == schema::Difference::Kind::removed ? '-'
                                                                  : '~';
        out += "  " + std::string(1, sign) + " " + x.object + " " + x.name;
        if (!x.detail.empty()) out += ": " + x.detail;
        out += "\n";
    }
    return out;
}

/// A new NOT NULL column without a default on a table that has rows: MySQL
/// fills it with an implicit value silently, PostgreSQL and SQLite refuse.
std::string not_null_without_default(const PerDialect& p, const std::set<std::string>& filled) {
    for (const auto& x : p.up.differences) {
        if (x.object != "column" || x.kind != schema::Difference::Kind::added) continue;
        size_t dot = x.name.find('.');
        const schema::Table* t = p.desired.table(x.name.substr(0, dot));
        if (!t || !filled.count(t->name)) continue;
        const schema::Column* c = t->column(x.name.substr(dot + 1));
        if (c && !c->nullable && !c->default_expr && c->identity.empty()) return x.name;
    }
    return "";
}

std::string describe_failure(const std::string& dialect, const std::string& step,
                             const std::string& detail) {
    return "The generated revision failed its proof on " + dialect + " (" + step +
           "); no file written.\n" + detail + (detail.empty() || detail.back() == '\n' ? "" : "\n");
}

}  // namespace

std::vector<SqlSource> load_desired(const AutogenRequest& req, Dialect /*d*/) {
    // A second source (SQLAlchemy models rendered per dialect) plugs in here.
    const std::string& path = req.schema_path;
    if (path.empty())
        throw Error(ExitCode::usage,
                    "revision --autogenerate needs the desired schema: --schema PATH or "
                    "--sqlalchemy MODULE:ATTR",
                    "a .sql file, or a directory of them (env SCHEMAGATE_SCHEMA); or your "
                    "SQLAlchemy models (env SCHEMAGATE_SQLALCHEMY)");
    if (!fs::exists(path))
        throw Error(ExitCode::usage, "--schema " + path + ": no such file or directory");
    std::vector<SqlSource> out;
    if (fs::is_directory(path)) {
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(path)) {
            if (e.is_regular_file() && e.path().extension() == ".sql")
                files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());
        if (files.empty())
            throw Error(ExitCode::usage, "--schema " + path + ": no .sql file in the directory");
        for (const auto& f : files) out.push_back({f, read_text(f)});
    } else {
        out.push_back({path, read_text(path)});
    }
    return out;
}

schema::Renames parse_renames(const std::vector<std::string>& values) {
    schema::Renames r;
    for (const auto& v : values) {
        size_t eq = v.find('=');
        std::string left = v.substr(0, eq), to = eq == std::string::npos ? "" : v.substr(eq + 1);
        size_t dot = left.find('.');
        bool bad = eq == std::string::npos || left.empty() || to.empty() ||
                   to.find('.') != std::string::npos ||
                   (dot != std::string::npos && (dot == 0 || dot + 1 == left.size()));
        if (bad)
            throw Error(ExitCode::usage,
                        "--rename " + v + ": use TABLE.OLD=NEW (a column) or OLD=NEW (a table)");
        if (dot == std::string::npos)
            r.tables[left] = to;
        else
            r.columns[{left.substr(0, dot), left.substr(dot + 1)}] = to;
    }
    // A column named with its table's old name is keyed by the new one.
    schema::Renames out;
    out.tables = r.tables;
    for (const auto& [k, v] : r.columns) {
        auto it = r.tables.find(k.first);
        out.columns[{it == r.tables.end() ? k.first : it->second, k.second}] = v;
    }
    return out;
}

AutogenResult autogenerate(const AutogenRequest& req) {
    if (req.dialects.empty()) throw Error(ExitCode::usage, "no dialect to generate for");
    const schema::Renames renames = parse_renames(req.renames);
    std::string source = req.schema_path;

    // The new revision's place in the graph.
    ScriptDirectory first = load_scripts(req.migrations, req.dialects.front());
    const auto& g = first.graph;
    std::vector<std::string> parents;
    if (req.head == "base") {
    } else if (req.head.empty()) {
        parents = g.heads();
        if (parents.size() > 1) {
            std::string list;
            for (size_t i = 0; i < parents.size(); ++i) list += (i ? ", " : "") + parents[i];
            throw Error(ExitCode::invalid, "the migrations directory has several heads: " + list,
                        "name one with --head, or merge them: schemagate merge heads -m MSG");
        }
    } else {
        parents = g.resolve(req.head);
        if (parents.size() != 1)
            throw Error(ExitCode::usage, "--head must name one revision, not '" + req.head + "'");
        if (!g.children(parents.front()).empty())
            throw Error(ExitCode::invalid, "revision " + parents.front() + " is not a head",
                        "autogenerate writes on top of a head; see 'schemagate heads'");
    }
    const std::string parent = parents.empty() ? "" : parents.front();
    NewRevision r;
    r.message = req.message;
    r.down_revisions = parents;
    r.rev_id = req.rev_id.empty() ? generate_rev_id() : req.rev_id;
    if (g.find(r.rev_id))
        throw Error(ExitCode::usage, "revision id '" + r.rev_id + "' already exists");

    // SQLAlchemy models render (one Python for every dialect) while the
    // migrations replay.
    std::unique_ptr<ModelsRender> models;
    std::map<Dialect, std::string> rendered;
    if (!req.sqlalchemy.empty()) {
        if (!req.schema_path.empty())
            throw Error(ExitCode::usage, "--schema and --sqlalchemy: give one desired schema");
        source = "sqlalchemy:" + req.sqlalchemy;
        models = std::make_unique<ModelsRender>(
            ModelsSource{req.sqlalchemy, req.python, ".", req.models_timeout}, req.dialects);
    }

    // Current and desired schemas, and the SQL both ways, per dialect.
    std::vector<PerDialect> all;
    for (Dialect d : req.dialects) {
        PerDialect p;
        p.dialect = d;
        ScriptDirectory scripts = load_scripts(req.migrations, d);
        std::map<std::string, std::string> current_triggers, desired_triggers;
        {
            DevDatabase dev(d, req.dev_urls, req.connect);
            if (!parent.empty()) dev.replay(scripts, {parent});
            p.current = dev.inspect();
            current_triggers = sqlite_triggers(dev.conn());
        }
        {
            DevDatabase dev(d, req.dev_urls, req.connect);
            if (models) {
                if (rendered.empty()) rendered = models->get();
                apply_rendered(dev, d, rendered[d], source);
            } else {
                for (const auto& src : load_desired(req, d)) dev.apply_sql(src.text, src.origin);
            }
            p.desired = dev.inspect();
            desired_triggers = sqlite_triggers(dev.conn());
        }
        try {
            p.up = schema::diff(p.current, p.desired, renames);
            p.down = schema::diff(with_head_triggers(p.desired, p.current), p.current,
                                  renames.inverse());
        } catch (const std::invalid_argument& e) {
            throw Error(ExitCode::usage, std::string("--") + e.what());
        }
        for (const auto& o : p.desired.not_covered) {
            bool at_head = std::any_of(
                p.current.not_covered.begin(), p.current.not_covered.end(),
                [&](const schema::OtherObject& x) { return x.kind == o.kind && x.name == o.name; });
            if (!at_head)
                log::warn("not generated: " + o.kind + " " + o.name +
                              " is not covered by the schema model; add it to the revision by hand",
                          {{"dialect", dialect_name(d)}});
        }
        recreate_triggers(p.up.script, current_triggers);
        // The downgrade starts where the upgrade ends: head's triggers are
        // still there, so a rebuild in it makes them again too.
        std::map<std::string, std::string> down_triggers = current_triggers;
        for (const auto& [name, sql] : desired_triggers) down_triggers[name] = sql;
        recreate_triggers(p.down.script, down_triggers);
        all.push_back(std::move(p));
    }
    AutogenResult result;
    result.rev_id = r.rev_id;
    if (std::all_of(all.begin(), all.end(), [](const PerDialect& p) { return p.up.equal(); })) {
        result.no_changes = true;
        result.output = "no changes: the migrations at " + (parent.empty() ? "base" : parent) +
                        " equal " + source + "\n";
        return result;
    }
    for (const auto& p : all) {
        result.output += std::string(dialect_name(p.dialect)) + ":\n" +
                         (p.up.equal() ? std::string("  no changes\n") : summary(p));
    }
    r.body = body_of(all, source);

    // The proof, with the very file: written into a copy of the directory,
    // replayed, upgraded with a generated row in every table, downgraded.
    TempDir tmp("schemagate-autogen");
    copy_sql_files(req.migrations, tmp.path.string());
    std::string tmp_file = write_revision(tmp.path.string(), r);
    r.file_name = fs::path(tmp_file).filename().string();
    for (const auto& p : all) {
        const std::string dn = dialect_name(p.dialect);
        auto proof = load_directory(tmp.path.string(), p.dialect);
        r.created = proof.get(r.rev_id).rev.create_date;
        DevDatabase dev(p.dialect, req.dev_urls, req.connect);
        if (!parent.empty()) dev.replay(proof, {parent});
        auto filled = insert_rows(dev.conn(), p.current);
        log::info("proof: one generated row in " + std::to_string(filled.size()) + " of " +
                      std::to_string(p.current.tables.size()) + " table(s)",
                  {{"dialect", dn}});
        auto fail = [&](const std::string& step, const std::string& detail,
                        const std::string& hint) {
            result.code = ExitCode::schema_diff;
            result.output += describe_failure(dn, step, detail);
            result.hint = hint;
            return result;
        };
        const std::string nn_hint =
            "rows hold no value for a column that is NOT NULL now: give a new column a DEFAULT in "
            "the schema; for a column made NOT NULL, fill its NULLs (UPDATE) in the revision "
            "before the change";
        if (p.dialect == Dialect::mysql) {
            std::string col = not_null_without_default(p, filled);
            if (!col.empty())
                return fail("upgrade",
                            "column " + col +
                                " is NOT NULL without a default, and its table has rows: MySQL "
                                "would fill them with an implicit value",
                            nn_hint);
        }
        try {
            dev.replay(proof, {r.rev_id});
        } catch (const Error& e) {
            std::string msg = e.what();
            bool nn = contains(lower(msg), "null");
            return fail("upgrade with a generated row in each table", msg,
                        nn ? nn_hint : "review the schema change; the database refused it");
        }
        auto up = schema::diff(dev.inspect(), p.desired);
        if (!up.equal())
            return fail("the upgraded schema differs from the desired one",
                        "--- head + upgrade\n+++ " + source + "\n" + schema::describe(up),
                        "report this: the generated SQL does not reach the desired schema");
        try {
            dev.downgrade(proof, parent.empty() ? "base" : parent);
        } catch (const Error& e) {
            return fail("downgrade", e.what(),
                        "the downgrade cannot undo this change as generated");
        }
        auto down = schema::diff(dev.inspect(), p.current);
        if (!down.equal())
            return fail("the downgraded schema differs from head",
                        "--- head + upgrade + downgrade\n+++ head\n" + schema::describe(down),
                        "report this: the generated downgrade does not restore head");
        log::info("proof passed", {{"dialect", dn}, {"revision", r.rev_id}});
    }
    result.path = write_revision(req.migrations, r);
    return result;
}

}  // namespace sg
