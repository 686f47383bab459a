// Construction and validation of the revision graph, and the simple queries.
#include "core/graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>

#include "core/graph_walk.hpp"

namespace sg {
namespace {

// Labels appear in targets (`label@head`, `label@-1`), so they must not hold
// the characters of that syntax, nor be one of the symbolic names.
bool valid_label(const std::string& label) {
    if (label.empty() || label == "head" || label == "heads" || label == "base" ||
        label == "current")
        return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_' || c == '-' || c == '.';
    });
}

std::string join_files(const std::vector<std::string>& files) {
    std::string out;
    for (const auto& f : files) {
        if (f.empty() || out.find(f) != std::string::npos) continue;
        out += (out.empty() ? "" : ", ") + f;
    }
    return out;
}

struct Validator {
    const std::vector<Revision>& revs;
    std::vector<GraphProblem> problems;
    std::map<std::string, size_t> index;   // first occurrence of each id
    std::map<std::string, size_t> labels;  // label -> declaring revision

    void add(const std::vector<std::string>& files, std::string message) {
        problems.push_back({join_files(files), std::move(message), 0});
    }
    // A problem of one header key of one revision: names its file:line.
    void add_at(const Revision& r, const std::string& key, std::string message) {
        auto line = r.lines.find(key);
        problems.push_back({r.file, std::move(message), line == r.lines.end() ? 0 : line->second});
    }

    void check_ids() {
        for (size_t i = 0; i < revs.size(); ++i) {
            const Revision& r = revs[i];
            if (!valid_revision_id(r.id))
                add_at(r, "revision",
                       "bad revision id '" + r.id + "': use 1-32 characters of [0-9A-Za-z_]");
            auto [it, fresh] = index.emplace(r.id, i);
            if (!fresh)
                add({revs[it->second].file, r.file}, "duplicate revision id '" + r.id + "'");
        }
    }

    void check_labels() {
        for (size_t i = 0; i < revs.size(); ++i) {
            for (const auto& label : revs[i].branch_labels) {
                if (!valid_label(label)) {
                    add_at(revs[i], "branch_labels",
                           "bad branch label '" + label + "' in revision " + revs[i].id);
                } else if (auto id = index.find(label); id != index.end()) {
                    add({revs[i].file, revs[id->second].file}, "branch label '" + label +
                                                                   "' of revision " + revs[i].id +
                                                                   " is already a revision id");
                } else if (auto it = labels.find(label); it != labels.end()) {
                    add({revs[it->second].file, revs[i].file},
                        "branch label '" + label + "' in revision " + revs[i].id +
                            " is already used by revision " + revs[it->second].id);
                } else {
                    labels.emplace(label, i);
                }
            }
        }
    }

    void check_references() {
        for (const Revision& r : revs) {
            std::set<std::string> seen;
            for (const auto& d : r.down_revisions) {
                if (!seen.insert(d).second)
                    add_at(r, "down_revision",
                           "revision " + r.id + " names down_revision " + d + " twice");
                else if (!index.count(d))
                    add_at(
                        r, "down_revision",
                        "down_revision " + d + " of revision " + r.id + " is not a known revision");
            }
            for (const auto& d : r.depends_on)
                if (!index.count(d) && !labels.count(d))
                    add_at(r, "depends_on",
                           "depends_on " + d + " of revision " + r.id +
                               " is not a known revision or branch label");
        }
    }

    // Edges to known revisions only: unknown ones are reported already.
    std::vector<std::vector<size_t>> edges() const {
        std::vector<std::vector<size_t>> out(revs.size());
        for (size_t i = 0; i < revs.size(); ++i) {
            if (index.at(revs[i].id) != i) continue;  // a duplicate: ignore
            auto link = [&](const std::string& to) {
                auto it = index.find(to);
                if (it == index.end()) {
                    auto l = labels.find(to);
                    if (l == labels.end()) return;
                    out[i].push_back(l->second);
                } else {
                    out[i].push_back(it->second);
                }
            };
            for (const auto& d : revs[i].down_revisions) link(d);
            for (const auto& d : revs[i].depends_on) link(d);
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
            std::vector<std::string> files;
            std::string ids;
            for (size_t i : comp) {
                files.push_back(revs[i].file);
                ids += (ids.empty() ? "" : ", ") + revs[i].id;
            }
            add(files, "cycle through revisions " + ids + " (down_revision / depends_on)");
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
    if (!v.problems.empty()) {
        std::string summary = "invalid revision graph: " + v.problems.front().message;
        if (v.problems.size() > 1)
            summary += " (and " + std::to_string(v.problems.size() - 1) + " more)";
        throw GraphError(summary, std::move(v.problems));
    }
    // Kahn's algorithm; among the revisions ready, the earliest in the input.
    auto adj = v.edges();
    size_t n = input.size();
    std::vector<size_t> missing(n, 0);
    std::vector<std::vector<size_t>> users(n);
    for (size_t i = 0; i < n; ++i) {
        std::sort(adj[i].begin(), adj[i].end());
        adj[i].erase(std::unique(adj[i].begin(), adj[i].end()), adj[i].end());
        missing[i] = adj[i].size();
        for (size_t p : adj[i]) users[p].push_back(i);
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
    for (size_t i = 0; i < n; ++i)
        if (missing[i] == 0) ready.push(i);
    std::vector<size_t> order;
    while (!ready.empty()) {
        size_t i = ready.top();
        ready.pop();
        order.push_back(i);
        for (size_t u : users[i])
            if (--missing[u] == 0) ready.push(u);
    }
    m_links.input_pos.resize(n);
    for (size_t pos = 0; pos < n; ++pos) {
        m_links.input_pos[pos] = order[pos];
        m_index[input[order[pos]].id] = pos;
        m_revisions.push_back(std::move(input[order[pos]]));
    }
}

void RevisionGraph::build_links() {
    size_t n = m_revisions.size();
    GraphLinks& l = m_links;
    l.down.assign(n, {});
    l.deps.assign(n, {});
    l.next.assign(n, {});
    l.all_next.assign(n, {});
    for (size_t i = 0; i < n; ++i)
        for (const auto& label : m_revisions[i].branch_labels) l.labels[label] = i;
    for (size_t i = 0; i < n; ++i) {
        const Revision& r = m_revisions[i];
        for (const auto& d : r.down_revisions) l.down[i].push_back(m_index.at(d));
        for (const auto& d : r.depends_on) {
            auto it = m_index.find(d);
            size_t dep = it != m_index.end() ? it->second : l.labels.at(d);
            if (std::find(l.deps[i].begin(), l.deps[i].end(), dep) == l.deps[i].end())
                l.deps[i].push_back(dep);
        }
        for (size_t d : l.down[i]) l.next[d].push_back(i);
        for (size_t d : l.down[i]) l.all_next[d].push_back(i);
        for (size_t d : l.deps[i])
            if (std::find(l.down[i].begin(), l.down[i].end(), d) == l.down[i].end())
                l.all_next[d].push_back(i);
    }
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

size_t RevisionGraph::index_of(const std::string& id) const {
    auto it = m_index.find(id);
    if (it == m_index.end())
        throw GraphError("unknown revision '" + id + "'", {{"", "no revision " + id}});
    return it->second;
}

const Revision* RevisionGraph::find(const std::string& id) const {
    auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_revisions[it->second];
}

const Revision& RevisionGraph::get(const std::string& id) const {
    return m_revisions[index_of(id)];
}

namespace {
std::vector<std::string> ids_of(const std::vector<Revision>& revs, const std::vector<size_t>& is) {
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

std::vector<std::string> RevisionGraph::branch_labels(const std::string& id) const {
    const auto& s = m_links.branch_labels[index_of(id)];
    return {s.begin(), s.end()};
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

}  // namespace sg
