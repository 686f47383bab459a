#include "schema/schema.hpp"

#include <algorithm>
#include <tuple>

namespace sg::schema {

const Column* Table::column(const std::string& n) const {
    for (const auto& c : columns) {
        if (c.name == n) return &c;
    }
    return nullptr;
}

const Table* Schema::table(const std::string& n) const {
    for (const auto& t : tables) {
        if (t.name == n) return &t;
    }
    return nullptr;
}

namespace {

template <typename T, typename Key>
void sort_by(std::vector<T>& v, Key key) {
    std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}

}  // namespace

void Schema::normalize() {
    for (auto& t : tables) {
        sort_by(t.indexes, [](const Index& i) { return std::tie(i.name, i.columns, i.where); });
        sort_by(t.uniques, [](const UniqueConstraint& u) { return std::tie(u.name, u.columns); });
        sort_by(t.foreign_keys, [](const ForeignKey& f) {
            return std::tie(f.name, f.ref_table, f.columns, f.ref_columns);
        });
        sort_by(t.checks, [](const CheckConstraint& c) { return std::tie(c.name, c.expr); });
    }
    sort_by(tables, [](const Table& t) { return t.name; });
    sort_by(views, [](const View& v) { return v.name; });
    sort_by(enums, [](const EnumType& e) { return e.name; });
    sort_by(not_covered, [](const OtherObject& o) { return std::tie(o.kind, o.table, o.name); });
}

std::string quote(Dialect d, const std::string& name) {
    const char q = d == Dialect::mysql ? '`' : '"';
    std::string out(1, q);
    for (char c : name) {
        out += c;
        if (c == q) out += c;
    }
    out += q;
    return out;
}

const char* kind_name(Difference::Kind k) {
    switch (k) {
        case Difference::Kind::added:
            return "added";
        case Difference::Kind::removed:
            return "removed";
        case Difference::Kind::changed:
            return "changed";
    }
    return "?";
}

}  // namespace sg::schema
