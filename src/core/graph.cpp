// Construction and validation of the revision graph, and the simple queries.
#include "core/graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>

#include "core/graph_walk.hpp"
#include "core/util.hpp"

namespace sg {
namespace {

std::string join_files(const std::vector<std::string>& files) {
    std::string out;
    for (const auto& f : files) {
        if (f.empty() || out.find(f) != std::string::npos) continue;
        out += (out.empty() ? "" : ", ") + f;
    }
    return out;
}

using K = GraphProblemKind;

struct Validator {
    const std::vector<Revision>& revs;
    std::vector<GraphProblem> problems;
    IdIndex index;  // first occurrence of each id
    bool known(std::string_view id) const { return index.find(revs, id) != SIZE_MAX; }
    std::map<std::string, size_t> labels;  // label -> declaring revision

    void add(const std::vector<std::string>& files, GraphProblem p) {
        p.file = join_files(files);
        problems.push_back(std::move(p));
    }
    // A problem of one header key of one revision: names its file:line.
    void add_at(const Revision& r, const std::string& key, GraphProblem p) {
        auto line = r.lines.find(key);
        p.file = r.file;
        p.line = line == r.lines.end() ? 0 : line->second;
        problems.push_back(std::move(p));
    }

    void check_ids() {
        index.reset(revs.size());
        for (size_t i = 0; i < revs.size(); ++i) {
            const Revision& r = revs[i];
            if (!valid_revision_id(r.id)) add_at(r, "revision", {K::bad_revision_id, {r.id}});
            size_t first = index.insert(revs, i);
            if (first != i) add({revs[first].file, r.file}, {K::duplicate_revision_id, {r.id}});
        }
    }

    void check_labels() {
        for (size_t i = 0; i < revs.size(); ++i) {
            for (const auto& label : revs[i].branch_labels) {
                if (!valid_branch_label(label)) {
                    add_at(revs[i], "branch_labels", {K::bad_branch_label, {revs[i].id}, label});
                } else if (size_t id = index.find(revs, label); id != SIZE_MAX) {
                    add({revs[i].file, revs[id].file},
                        {K::label_is_revision_id, {revs[i].id}, label});
                } else if (auto it = labels.find(label); it != labels.end()) {
                    add({revs[it->second].file, revs[i].file},
                        {K::duplicate_branch_label, {revs[i].id, revs[it->second].id}, label});
                } else {
                    labels.emplace(label, i);
                }
            }
        }
    }

    void check_references() {
        for (const Revision& r : revs) {
            const auto& downs = r.down_revisions;
            for (size_t k = 0; k < downs.size(); ++k) {
                const std::string& d = downs[k];
                if (std::find(downs.begin(), downs.begin() + static_cast<long>(k), d) !=
                    downs.begin() + static_cast<long>(k))
                    add_at(r, "down_revision", {K::repeated_down_revision, {r.id, d}});
                else if (!known(d))
                    add_at(r, "down_revision", {K::unknown_down_revision, {r.id, d}});
            }
            for (const auto& d : r.depends_on)
                if (!known(d) && !labels.count(d))
                    add_at(r, "depends_on", {K::unknown_depends_on, {r.id, d}});
        }
    }

    // Edges to known revisions only: unknown ones are reported already. Each
    // row sorted, each edge once.
    Adjacency edges() const {
        Adjacency out;
        std::vector<size_t> row;
        for (size_t i = 0; i < revs.size(); ++i) {
            row.clear();
            auto link = [&](const std::string& to) {
                size_t at = index.find(revs, to);
                if (at == SIZE_MAX) {
                    auto l = labels.find(to);
                    if (l == labels.end()) return;
                    at = l->second;
                }
                row.push_back(at);
            };
            if (index.find(revs, revs[i].id) == i) {  // a duplicate has none
                for (const auto& d : revs[i].down_revisions) link(d);
                for (const auto& d : revs[i].depends_on) link(d);
            }
            std::sort(row.begin(), row.end());
            row.erase(std::unique(row.begin(), row.end()), row.end());
            for (size_t x : row) out.push(x);
            out.end_row();
        }
        return out;
    }

    // Tarjan's strongly connected components: every component of more than
    // one revision, or a revision naming itself, is a cycle.
    void check_cycles() {
        auto adj = edges();
        size_t n = revs.size(), counter = 0;
        std::vector<size_t> order(n, SIZE_MAX), low(n, 0);
        std::vector<char> on_stack(n, 0);
        std::vector<size_t> stack;
        std::vector<std::vector<size_t>> cycles;
        for (size_t root = 0; root < n; ++root) {
            if (order[root] != SIZE_MAX) continue;
            std::vector<std::pair<size_t, size_t>> work{{root, 0}};
            while (!work.empty()) {
                auto& [v, next] = work.back();
                if (next == 0 && order[v] == SIZE_MAX) {
                    order[v] = low[v] = counter++;
                    stack.push_back(v);
                    on_stack[v] = 1;
                }
                if (next < adj[v].size()) {
                    size_t w = adj[v][next++];
                    if (order[w] == SIZE_MAX)
                        work.push_back({w, 0});
                    else if (on_stack[w])
                        low[v] = std::min(low[v], order[w]);
                    continue;
                }
                if (low[v] == order[v]) {
                    std::vector<size_t> comp;
                    size_t w;
                    do {
                        w = stack.back();
                        stack.pop_back();
                        on_stack[w] = 0;
                        comp.push_back(w);
                    } while (w != v);
                    bool self = std::count(adj[v].begin(), adj[v].end(), v) > 0;
                    if (comp.size() > 1 || self) cycles.push_back(comp);
                }
                size_t done = v;
                work.pop_back();
                if (!work.empty())
                    low[work.back().first] = std::min(low[work.back().first], low[done]);
            }
        }
        for (auto& comp : cycles) {
            std::sort(comp.begin(), comp.end());
            std::vector<std::string> files, ids;
            for (size_t i : comp) {
                files.push_back(revs[i].file);
                ids.push_back(revs[i].id);
            }
            add(files, {K::cycle, std::move(ids)});
        }
    }
};

}  // namespace

RevisionGraph::RevisionGraph(std::vector<Revision> revisions) {
    validate_and_order(std::move(revisions));
    build_links();
}

void RevisionGraph::validate_and_order(std::vector<Revision> input) {
    Validator v{input, {}, {}, {}};
    v.check_ids();
    v.check_labels();
    v.check_references();
    v.check_cycles();  // over known edges only, so also when references are broken
    if (!v.problems.empty()) throw GraphError::invalid_graph(std::move(v.problems));
    for (Revision& r : input) r.lines.clear();  // only the messages above need them
    // Kahn's algorithm; among the revisions ready, the earliest in the input.
    Adjacency adj = v.edges();
    v.index = {};
    size_t n = input.size();
    std::vector<uint32_t> missing(n, 0);
    for (size_t i = 0; i < n; ++i) missing[i] = static_cast<uint32_t>(adj[i].size());
    Adjacency users = Adjacency::reversed(adj);
    adj = {};
    std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
    for (size_t i = 0; i < n; ++i)
        if (missing[i] == 0) ready.push(i);
    std::vector<uint32_t> order;
    order.reserve(n);
    while (!ready.empty()) {
        size_t i = ready.top();
        ready.pop();
        order.push_back(static_cast<uint32_t>(i));
        for (size_t u : users[i])
            if (--missing[u] == 0) ready.push(u);
    }
    m_links.input_pos = std::move(order);
    permute_in_place(input, m_links.input_pos);
    m_revisions = std::move(input);
    m_index.build(m_revisions);
}

void RevisionGraph::build_links() {
    size_t n = m_revisions.size();
    GraphLinks& l = m_links;
    for (size_t i = 0; i < n; ++i)
        for (const auto& label : m_revisions[i].branch_labels) l.labels[label] = i;
    for (size_t i = 0; i < n; ++i) {
        const Revision& r = m_revisions[i];
        for (const auto& d : r.down_revisions) l.down.push(index_of(d));
        l.down.end_row();
        std::vector<size_t> deps;
        for (const auto& d : r.depends_on) {
            size_t dep = m_index.find(m_revisions, d);
            if (dep == SIZE_MAX) dep = l.labels.at(d);
            if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
            m_depended_on.push_back(d);
        }
        for (size_t d : deps) l.deps.push(d);
        l.deps.end_row();
    }
    std::sort(m_depended_on.begin(), m_depended_on.end());
    m_depended_on.erase(std::unique(m_depended_on.begin(), m_depended_on.end()),
                        m_depended_on.end());
    l.down.shrink();
    l.deps.shrink();
    l.next = Adjacency::reversed(l.down);
    l.all_next = Adjacency::reversed(l.down, &l.deps);
    std::vector<size_t> by_input(n);
    for (size_t i = 0; i < n; ++i) by_input[l.input_pos[i]] = i;
    for (size_t i : by_input) {
        if (l.next[i].empty()) l.heads.push_back(i);
        if (l.all_next[i].empty()) l.real_heads.push_back(i);
        if (l.down[i].empty()) l.bases.push_back(i);
    }
    detail::normalize_depends_on(l);
    detail::propagate_branch_labels(l, m_revisions);
}

Adjacency Adjacency::reversed(const Adjacency& a, const Adjacency* b) {
    size_t n = a.size();
    // Row i's items of b that are in a's row i already are left out.
    auto extra = [&](size_t i, size_t x) {
        auto row = a[i];
        return std::find(row.begin(), row.end(), x) == row.end();
    };
    std::vector<uint32_t> count(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
        for (size_t x : a[i]) ++count[x + 1];
        if (b)
            for (size_t x : (*b)[i])
                if (extra(i, x)) ++count[x + 1];
    }
    for (size_t j = 0; j < n; ++j) count[j + 1] += count[j];
    Adjacency out;
    out.m_start = count;
    out.m_items.resize(count[n]);
    for (size_t i = 0; i < n; ++i) {  // ascending i: each row comes out sorted
        for (size_t x : a[i]) out.m_items[count[x]++] = static_cast<uint32_t>(i);
        if (b)
            for (size_t x : (*b)[i])
                if (extra(i, x)) out.m_items[count[x]++] = static_cast<uint32_t>(i);
    }
    return out;
}

bool GraphLinks::has_label(size_t i, const std::string& label) const {
    const auto& set = labels_of(i);
    return std::binary_search(set.begin(), set.end(), label);
}

namespace {
size_t hash_id(std::string_view id) { return std::hash<std::string_view>()(id); }
}  // namespace

void IdIndex::reset(size_t n) {
    size_t size = 16;
    while (size < n * 2) size *= 2;
    m_slots.assign(size, 0);
}

size_t IdIndex::insert(const std::vector<Revision>& revs, size_t i) {
    size_t mask = m_slots.size() - 1;
    size_t slot = hash_id(revs[i].id) & mask;
    for (; m_slots[slot] != 0; slot = (slot + 1) & mask)
        if (revs[m_slots[slot] - 1].id == revs[i].id) return m_slots[slot] - 1;
    m_slots[slot] = static_cast<uint32_t>(i + 1);
    return i;
}

void IdIndex::build(const std::vector<Revision>& revs) {
    reset(revs.size());
    for (size_t i = 0; i < revs.size(); ++i) insert(revs, i);
}

size_t IdIndex::find(const std::vector<Revision>& revs, std::string_view id) const {
    if (m_slots.empty()) return SIZE_MAX;
    size_t mask = m_slots.size() - 1;
    for (size_t slot = hash_id(id) & mask; m_slots[slot] != 0; slot = (slot + 1) & mask)
        if (revs[m_slots[slot] - 1].id == id) return m_slots[slot] - 1;
    return SIZE_MAX;
}

size_t RevisionGraph::index_of(const std::string& id) const {
    size_t i = m_index.find(m_revisions, id);
    if (i == SIZE_MAX)
        throw GraphError({GraphProblemKind::unknown_revision, {id}},
                         {{GraphProblemKind::no_revision, {id}}});
    return i;
}

const Revision* RevisionGraph::find(const std::string& id) const {
    size_t i = m_index.find(m_revisions, id);
    return i == SIZE_MAX ? nullptr : &m_revisions[i];
}

const Revision& RevisionGraph::get(const std::string& id) const {
    return m_revisions[index_of(id)];
}

namespace {
template <typename Positions>
std::vector<std::string> ids_of(const std::vector<Revision>& revs, const Positions& is) {
    std::vector<std::string> out;
    for (size_t i : is) out.push_back(revs[i].id);
    return out;
}
}  // namespace

std::vector<std::string> RevisionGraph::heads() const { return ids_of(m_revisions, m_links.heads); }
std::vector<std::string> RevisionGraph::real_heads() const {
    return ids_of(m_revisions, m_links.real_heads);
}
std::vector<std::string> RevisionGraph::bases() const { return ids_of(m_revisions, m_links.bases); }

std::vector<std::string> RevisionGraph::children(const std::string& id) const {
    return ids_of(m_revisions, m_links.next[index_of(id)]);
}

bool RevisionGraph::is_branch_point(const std::string& id) const {
    return m_links.next[index_of(id)].size() > 1;
}

bool RevisionGraph::is_merge_point(const std::string& id) const {
    return m_links.down[index_of(id)].size() > 1;
}

bool RevisionGraph::is_depended_on(const std::string& id) const {
    return std::binary_search(m_depended_on.begin(), m_depended_on.end(), id);
}

std::vector<std::string> RevisionGraph::branch_labels(const std::string& id) const {
    return m_links.labels_of(index_of(id));
}

std::set<std::string> RevisionGraph::ancestors(const std::vector<std::string>& ids) const {
    std::vector<size_t> starts;
    for (const auto& id : ids) starts.push_back(index_of(id));
    auto mask = detail::ancestor_mask(m_links, starts, true);
    std::set<std::string> out;
    for (size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) out.insert(m_revisions[i].id);
    return out;
}

std::vector<std::pair<std::string, std::string>> RevisionGraph::overlapping_rows(
    const std::vector<std::string>& rows) const {
    // Linear in the graph: one mask of everything strictly below the rows;
    // only a row inside it is an ancestor of another row, and only those (an
    // error case) are searched for the rows above them.
    std::vector<size_t> known, parents;
    for (const auto& r : rows)
        if (find(r)) known.push_back(index_of(r));
    for (size_t k : known)
        for (size_t d : m_links.norm_down[k]) parents.push_back(d);
    auto below = detail::ancestor_mask(m_links, parents, true);
    std::vector<std::pair<size_t, size_t>> pairs;  // (descendant, ancestor) as indexes of known
    for (size_t a = 0; a < known.size(); ++a) {
        if (!below[known[a]]) continue;
        auto above = detail::descendant_mask(m_links, {known[a]}, true);
        for (size_t d = 0; d < known.size(); ++d)
            if (d != a && above[known[d]]) pairs.push_back({d, a});
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::pair<std::string, std::string>> out;
    for (auto [d, a] : pairs) out.push_back({m_revisions[known[a]].id, m_revisions[known[d]].id});
    return out;
}

}  // namespace sg
