#pragma once
// Synthetic revision graphs and migration files shared by the benchmarks.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/revision.hpp"

namespace bench {

/// A 12-hex id from a bijective mix of n, so ids look random (prefix
/// resolution sees realistic collisions) but never repeat.
inline std::string rev_id(uint64_t n) {
    uint64_t x = (n + 1) * 0x9E3779B97F4Bull & 0xFFFFFFFFFFFFull;  // odd multiplier: bijective
    char buf[16];
    std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(x));
    return buf;
}

/// `n` revisions (a multiple of 50) in blocks of 50: an 8-revision side
/// branch forked off the main chain, 38 chain revisions, a merge of the two
/// that depends_on the "audit" branch, and 3 revisions on that second,
/// labelled root branch. Ends with two real heads: the chain and audit.
inline std::vector<sg::Revision> synthetic_graph(int n) {
    std::vector<sg::Revision> out;
    out.reserve(static_cast<size_t>(n));
    auto add = [&](std::vector<std::string> down) -> std::string {
        sg::Revision r;
        r.id = rev_id(out.size());
        r.down_revisions = std::move(down);
        r.message = "revision " + std::to_string(out.size());
        out.push_back(std::move(r));
        return out.back().id;
    };
    std::string main_tip, audit_tip;
    auto down_of = [](const std::string& tip) {
        return tip.empty() ? std::vector<std::string>{} : std::vector<std::string>{tip};
    };
    while (static_cast<int>(out.size()) + 50 <= n) {
        std::string side = main_tip;
        for (int i = 0; i < 8; ++i) side = add(down_of(side));
        for (int i = 0; i < 38; ++i) main_tip = add(down_of(main_tip));
        main_tip = add({main_tip, side});
        if (!audit_tip.empty()) out.back().depends_on = {audit_tip};
        for (int i = 0; i < 3; ++i) {
            bool first = audit_tip.empty();
            audit_tip = add(down_of(audit_tip));
            if (first) out.back().branch_labels = {"audit"};
        }
    }
    return out;
}

inline std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

/// The text of a migration file for `r` with a small upgrade and downgrade.
inline std::string migration_text(const sg::Revision& r) {
    std::string t = "t_" + r.id;
    std::string s = "-- revision: " + r.id + "\n-- down_revision: " + join(r.down_revisions) +
                    "\n-- message: " + r.message + "\n-- create_date: 2026-01-01 00:00:00\n";
    if (!r.branch_labels.empty()) s += "-- branch_labels: " + join(r.branch_labels) + "\n";
    if (!r.depends_on.empty()) s += "-- depends_on: " + join(r.depends_on) + "\n";
    s += "\n-- +upgrade\nCREATE TABLE " + t + " (id INTEGER PRIMARY KEY, note VARCHAR(40));\n";
    s += "INSERT INTO " + t + " (id, note) VALUES (1, 'it''s; fine'); -- seed\n";
    s += "\n-- +downgrade\nDROP TABLE " + t + ";\n";
    return s;
}

/// Writes one file per revision into dir (10 subdirectories, as a large
/// project might organise them).
inline void write_migrations(const std::filesystem::path& dir,
                             const std::vector<sg::Revision>& revs) {
    for (size_t i = 0; i < revs.size(); ++i) {
        auto sub = dir / ("v" + std::to_string(i % 10));
        std::filesystem::create_directories(sub);
        std::ofstream out(sub / (std::to_string(i) + "_" + revs[i].id + ".sql"));
        out << migration_text(revs[i]);
        if (!out) throw std::runtime_error("cannot write " + sub.string());
    }
}

}  // namespace bench
