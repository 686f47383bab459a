// The JSON document of a schema (docs/schema.md, "JSON format").
#include <cstdio>

#include "schema/schema.hpp"

namespace sg::schema {

std::string json_string(const std::string& s) {
    std::string out = "\"";
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
    return out + "\"";
}

namespace {

std::string strings(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_string(v[i]);
    return out + "]";
}

std::string opt(const std::string& s) { return s.empty() ? "null" : json_string(s); }

template <typename T, typename F>
std::string array(const std::vector<T>& v, F item, const std::string& indent) {
    if (v.empty()) return "[]";
    std::string out = "[\n";
    for (size_t i = 0; i < v.size(); ++i)
        out += indent + "  " + item(v[i]) + (i + 1 < v.size() ? ",\n" : "\n");
    return out + indent + "]";
}

std::string column(const Column& c) {
    return "{\"name\": " + json_string(c.name) + ", \"type\": " + json_string(c.type) +
           ", \"nullable\": " + (c.nullable ? "true" : "false") +
           ", \"default\": " + (c.default_expr ? json_string(*c.default_expr) : "null") +
           ", \"identity\": " + opt(c.identity) + "}";
}

std::string table(const Table& t) {
    const std::string in = "      ";  // the table's fields, inside the tables array
    std::string out = "{\n" + in + "\"name\": " + json_string(t.name) + ",\n";
    out += in + "\"columns\": " + array(t.columns, column, in) + ",\n";
    out += in + "\"primary_key\": " +
           (t.primary_key ? "{\"name\": " + opt(t.primary_key->name) +
                                ", \"columns\": " + strings(t.primary_key->columns) + "}"
                          : std::string("null")) +
           ",\n";
    out += in + "\"indexes\": " +
           array(
               t.indexes,
               [](const Index& i) {
                   return "{\"name\": " + json_string(i.name) +
                          ", \"columns\": " + strings(i.columns) +
                          ", \"unique\": " + (i.unique ? "true" : "false") +
                          ", \"where\": " + opt(i.where) + ", \"method\": " + opt(i.method) + "}";
               },
               in) +
           ",\n";
    out +=
        in + "\"unique_constraints\": " +
        array(
            t.uniques,
            [](const UniqueConstraint& u) {
                return "{\"name\": " + opt(u.name) + ", \"columns\": " + strings(u.columns) + "}";
            },
            in) +
        ",\n";
    out += in + "\"foreign_keys\": " +
           array(
               t.foreign_keys,
               [](const ForeignKey& f) {
                   return "{\"name\": " + opt(f.name) + ", \"columns\": " + strings(f.columns) +
                          ", \"references\": {\"table\": " + json_string(f.ref_table) +
                          ", \"columns\": " + strings(f.ref_columns) +
                          "}, \"on_delete\": " + json_string(f.on_delete) +
                          ", \"on_update\": " + json_string(f.on_update) + "}";
               },
               in) +
           ",\n";
    out += in + "\"check_constraints\": " +
           array(
               t.checks,
               [](const CheckConstraint& c) {
                   return "{\"name\": " + opt(c.name) + ", \"expression\": " + json_string(c.expr) +
                          "}";
               },
               in) +
           "\n";
    return out + "    }";
}

}  // namespace

std::string to_json(const Schema& s) {
    std::string out =
        "{\n  \"format_version\": 1,\n  \"dialect\": " + json_string(dialect_name(s.dialect)) +
        ",\n";
    out += "  \"tables\": " + array(s.tables, table, "  ") + ",\n";
    out += "  \"views\": " +
           array(
               s.views,
               [](const View& v) {
                   return "{\"name\": " + json_string(v.name) +
                          ", \"definition\": " + json_string(v.definition) + "}";
               },
               "  ") +
           ",\n";
    out += "  \"enums\": " +
           array(
               s.enums,
               [](const EnumType& e) {
                   return "{\"name\": " + json_string(e.name) +
                          ", \"values\": " + strings(e.values) + "}";
               },
               "  ") +
           ",\n";
    out += "  \"not_covered\": " +
           array(
               s.not_covered,
               [](const OtherObject& o) {
                   return "{\"kind\": " + json_string(o.kind) +
                          ", \"name\": " + json_string(o.name) + ", \"table\": " + opt(o.table) +
                          "}";
               },
               "  ") +
           "\n";
    return out + "}\n";
}

}  // namespace sg::schema
