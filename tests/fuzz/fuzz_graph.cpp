// libFuzzer: the revision graph. The input bytes build a small graph
// (branches, merges, several roots, depends_on, branch labels; sometimes an
// invalid one) and then drive a sequence of target resolutions and upgrade /
// downgrade / stamp / history plans, each starting from the version-table rows
// the previous plan left (or from arbitrary rows). Graph problems and
// unresolvable targets are GraphError (exit 3); anything else is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "core/graph.hpp"

namespace {

class Input {
  public:
    Input(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    size_t pick(size_t n) { return n == 0 ? 0 : byte() % n; }
    bool more() const { return m_pos < m_size; }

  private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

// Ids share 4-character prefixes ("abcd0", "abcd3"), so prefixes can be
// ambiguous; labels L0..L2 can clash.
std::string id_of(size_t i) {
    return std::string("ab") + char('c' + i % 3) + "d" + std::to_string(i);
}
std::string label_of(size_t i) { return "L" + std::to_string(i % 3); }

std::vector<sg::Revision> revisions(Input& in) {
    size_t n = 1 + in.pick(10);
    std::vector<sg::Revision> revs(n);
    for (size_t i = 0; i < n; ++i) {
        sg::Revision& r = revs[i];
        r.id = id_of(i);
        r.file = r.id + ".sql";
        size_t downs = i == 0 ? 0 : in.pick(3);
        for (size_t k = 0; k < downs; ++k) r.down_revisions.push_back(id_of(in.pick(i)));
        if (in.pick(16) == 0) r.down_revisions.push_back(id_of(in.pick(n + 2)));  // maybe a cycle
        if (i > 0 && in.pick(4) == 0)
            r.depends_on.push_back(in.pick(3) ? id_of(in.pick(i)) : label_of(in.byte()));
        if (in.pick(5) == 0) r.branch_labels.push_back(label_of(in.byte()));
    }
    return revs;
}

std::string target(Input& in, size_t n) {
    static const char* const fixed[] = {
        "head",     "heads", "base",  "current", "+1",   "-1",  "+2", "-2", "L0@head", "L1@base",
        "L2@heads", "L0@+1", "L1@-1", "L0",      "abcd", "abd", "",   "-0", "+0"};
    size_t nfixed = sizeof fixed / sizeof *fixed;
    size_t k = in.pick(nfixed + 6);
    if (k < nfixed) return fixed[k];
    std::string id = id_of(in.pick(n + 1));
    switch (k - nfixed) {
        case 0:
            return id;
        case 1:
            return id.substr(0, 4);
        case 2:
            return id + "+" + std::to_string(in.pick(3));
        case 3:
            return id + "-" + std::to_string(in.pick(3));
        case 4:
            return label_of(in.byte()) + "@" + id;
        default: {
            std::string raw;
            for (size_t len = in.pick(8); len > 0; --len) raw += static_cast<char>(in.byte());
            return raw;
        }
    }
}

std::vector<std::string> arbitrary_rows(Input& in, size_t n) {
    std::vector<std::string> rows;
    for (size_t k = in.pick(4); k > 0; --k) {
        std::string id = id_of(in.pick(n + 1));  // may be unknown or overlapping, not repeated:
        if (std::find(rows.begin(), rows.end(), id) == rows.end())  // the primary key
            rows.push_back(id);
    }
    return rows;
}

void check_rows(const std::vector<std::string>& rows) {
    if (std::set<std::string>(rows.begin(), rows.end()).size() != rows.size()) std::abort();
}

void operate(const sg::RevisionGraph& g, Input& in, std::vector<std::string>& rows, size_t n) {
    switch (in.pick(8)) {
        case 0:
            g.resolve(target(in, n), rows);
            break;
        case 1: {
            auto steps = g.plan_upgrade(rows, target(in, n));
            if (!steps.empty()) rows = steps.back().heads_after;
            break;
        }
        case 2: {
            auto steps = g.plan_downgrade(rows, target(in, n));
            if (!steps.empty()) rows = steps.back().heads_after;
            break;
        }
        case 3:
            rows = g.plan_stamp(rows, target(in, n), in.pick(2) == 0);
            break;
        case 4:
            g.history_range(target(in, n) + ":" + target(in, n), rows);
            break;
        case 5:
            g.history_range(target(in, n), rows);
            break;
        case 6:
            rows = arbitrary_rows(in, n);
            return;
        default:
            for (const auto& r : g.revisions()) {
                g.branch_labels(r.id);
                g.children(r.id);
            }
            g.applied(rows);
            break;
    }
    check_rows(rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    auto revs = revisions(in);
    size_t n = revs.size();
    sg::RevisionGraph g;
    try {
        g = sg::RevisionGraph(std::move(revs));
    } catch (const sg::GraphError& e) {
        if (e.problems().empty()) std::abort();
        return 0;
    }
    std::vector<std::string> rows;
    for (int ops = 0; ops < 12 && in.more(); ++ops) {
        try {
            operate(g, in, rows, n);
        } catch (const sg::GraphError&) {
            // an unresolvable target or an impossible plan: exit 3
        }
    }
    return 0;
}
