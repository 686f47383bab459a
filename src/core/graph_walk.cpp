// Traversals and target parsing, ported from Alembic 1.8's RevisionMap.
#include "core/graph_walk.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <string>

#include "core/util.hpp"

namespace sg::detail {
namespace {

using K = GraphProblemKind;

std::vector<char> reach(const Adjacency& adj, const std::vector<size_t>& starts) {
    std::vector<char> seen(adj.size(), 0);
    std::vector<size_t> todo(starts.begin(), starts.end());
    while (!todo.empty()) {
        size_t i = todo.back();
        todo.pop_back();
        if (seen[i]) continue;
        seen[i] = 1;
        ++visit_count();
        for (size_t j : adj[i])
            if (!seen[j]) todo.push_back(j);
    }
    return seen;
}

template <typename Range>
bool contains(const Range& v, size_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

size_t& visit_count() {
    static size_t count = 0;
    return count;
}

[[noreturn]] void fail(GraphProblem problem) { throw GraphError(std::move(problem)); }

std::vector<char> ancestor_mask(const GraphLinks& l, const std::vector<size_t>& starts, bool deps) {
    return reach(deps ? l.norm_down : l.down, starts);
}

std::vector<char> descendant_mask(const GraphLinks& l, const std::vector<size_t>& starts,
                                  bool deps) {
    return reach(deps ? l.all_next : l.next, starts);
}

namespace {

// Sorted sets that many revisions share (set 0 is empty): a line of
// revisions holds one set, not a copy each.
template <typename T>
struct SharedSets {
    std::vector<std::vector<T>>& sets;

    // The id of sets[a] plus `more`: `a` itself when nothing is added.
    uint32_t unite(uint32_t a, const std::vector<T>& more) {
        if (more.empty()) return a;
        std::vector<T> u = sets[a];
        u.insert(u.end(), more.begin(), more.end());
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        if (u == sets[a]) return a;
        sets.push_back(std::move(u));
        return static_cast<uint32_t>(sets.size() - 1);
    }
    // The union of of[p] over the down_revisions p of i.
    uint32_t over_parents(const GraphLinks& l, size_t i, const std::vector<uint32_t>& of) {
        uint32_t set = 0;
        for (size_t p : l.down[i])
            if (of[p] != set) set = set == 0 ? of[p] : unite(set, sets[of[p]]);
        return set;
    }
};

}  // namespace

// Alembic drops from a revision's depends_on what an ancestor (through
// down_revision) already depends on; the rest joins down_revision as the
// revision's "normalized down revisions", which drive the version-table rows.
// One pass in topological order carries, for each revision, the set of
// shared dependencies (declared more than once) its proper ancestors
// declare; revisions along a line share one set.
void normalize_depends_on(GraphLinks& l) {
    size_t n = l.down.size();
    std::vector<size_t> declarers(n, 0);
    for (size_t i = 0; i < n; ++i)
        for (size_t d : l.deps[i]) ++declarers[d];
    std::vector<std::vector<uint32_t>> table(1);
    SharedSets<uint32_t> sets{table};
    std::vector<uint32_t> inherited(n, 0), passed(n, 0);
    for (size_t i = 0; i < n; ++i) {
        inherited[i] = sets.over_parents(l, i, passed);
        std::vector<uint32_t> own;
        for (size_t d : l.deps[i])
            if (declarers[d] > 1) own.push_back(static_cast<uint32_t>(d));
        passed[i] = sets.unite(inherited[i], own);
    }
    for (size_t i = 0; i < n; ++i) {
        const auto& drop = table[inherited[i]];
        for (size_t d : l.deps[i])
            if (!std::binary_search(drop.begin(), drop.end(), static_cast<uint32_t>(d)))
                l.norm_deps.push(d);
        l.norm_deps.end_row();
        for (size_t d : l.down[i]) l.norm_down.push(d);
        for (size_t d : l.norm_deps[i])
            if (!contains(l.down[i], d)) l.norm_down.push(d);
        l.norm_down.end_row();
    }
    l.norm_deps.shrink();
    l.norm_down.shrink();
}

// RevisionMap._add_branches: a label covers the labelled revision, all its
// descendants, and its ancestors down to the nearest branch or merge point
// (walking down from the last descendant found, as Alembic does). The
// descendants' part is one pass in topological order over shared label sets.
void propagate_branch_labels(GraphLinks& l, const std::vector<Revision>& revs) {
    size_t n = revs.size();
    l.label_sets.assign(1, {});
    l.label_set.assign(n, 0);
    SharedSets<std::string> sets{l.label_sets};
    for (size_t j = 0; j < n; ++j)
        l.label_set[j] = sets.unite(sets.over_parents(l, j, l.label_set), revs[j].branch_labels);
    std::vector<uint32_t> seen(n, 0);  // the labelled revision (+1) whose walk saw it
    for (size_t i = 0; i < n; ++i) {
        if (revs[i].branch_labels.empty()) continue;
        const auto& labels = revs[i].branch_labels;
        size_t last = i;
        std::vector<size_t> todo{i};
        while (!todo.empty()) {
            size_t j = todo.back();
            todo.pop_back();
            if (seen[j] == i + 1) continue;
            seen[j] = static_cast<uint32_t>(i + 1);
            ++visit_count();
            last = j;
            for (size_t c : l.next[j]) todo.push_back(c);
        }
        std::map<uint32_t, uint32_t> moved;  // along one line most sets are one
        size_t p = last;
        while (l.all_next[p].size() <= 1 && l.down[p].size() <= 1) {
            auto it = moved.find(l.label_set[p]);
            if (it == moved.end())
                it = moved.emplace(l.label_set[p], sets.unite(l.label_set[p], labels)).first;
            l.label_set[p] = it->second;
            if (l.down[p].empty()) break;
            p = l.down[p][0];
        }
    }
}

namespace {

bool is_word(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `(\w+)?((?:\+|-)\d+)` at `p`: the symbol (may be empty) and the signed
// number. A word run swallows digits, so the sign can only follow the whole
// run: there is nothing to backtrack.
std::optional<Relative> relative_tail(const std::string& s, size_t p) {
    size_t sign = p;
    while (sign < s.size() && is_word(s[sign])) ++sign;
    if (sign >= s.size() || (s[sign] != '+' && s[sign] != '-')) return std::nullopt;
    size_t end = sign + 1;
    while (end < s.size() && is_digit(s[end])) ++end;
    if (end == sign + 1) return std::nullopt;
    Relative r;
    if (sign > p) r.symbol = s.substr(p, sign - p);
    r.text = s.substr(sign, end - sign);
    return r;
}

}  // namespace

// The number of a relative revision ("+2", "-9"). Beyond what a long holds,
// or LONG_MIN (whose magnitude a long cannot hold), it is a usage error
// (exit 2): no graph is that deep, and the walk needs |steps|.
long relative_steps(const std::string& text) {
    long steps = 0;
    try {
        steps = std::stol(text);
    } catch (const std::exception&) {
        steps = LONG_MIN;
    }
    if (steps == LONG_MIN) {
        throw TargetError({K::relative_out_of_range, {}, text});
    }
    return steps;
}

// Alembic's `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)` matched at the start of the target
// (the rest of the target is ignored, as re.match does), by hand: a regex
// engine takes quadratic time on a long target. The lazy label is tried at
// each '@' from the left (it cannot span a newline), then no label at all.
std::optional<Relative> parse_relative(const std::string& target) {
    std::optional<Relative> r;
    for (size_t at = 1; at < target.size() && target[at - 1] != '\n' && !r; ++at)
        if (target[at] == '@') {
            r = relative_tail(target, at + 1);
            if (r) r->label = target.substr(0, at);
        }
    if (!r) r = relative_tail(target, 0);
    if (!r) return r;
    r->steps = relative_steps(r->text);
    return r;
}

// Alembic's `check=True` traversal: no requested revision may be an ancestor
// of another one.
void check_overlap(const Walker& w, const GraphLinks& l, const std::vector<size_t>& revs) {
    std::vector<size_t> parents;
    for (size_t r : revs)
        parents.insert(parents.end(), l.norm_down[r].begin(), l.norm_down[r].end());
    auto below = ancestor_mask(l, parents, true);
    for (size_t r : revs)
        if (below[r]) fail({K::overlapping_revisions, {w.id(r)}});
}

std::optional<size_t> Walker::index(const std::string& key) const {
    if (const Revision* r = m_g.find(key)) return m_g.index_of(r->id);
    auto it = m_l.labels.find(key);
    if (it != m_l.labels.end()) return it->second;
    return std::nullopt;
}

Walker::Number Walker::resolve_number(const std::string& text) const {
    Number num;
    std::string id = text;
    if (auto at = text.find('@'); at != std::string::npos) {
        num.label = text.substr(0, at);
        id = text.substr(at + 1);
    }
    if (id == "heads") {
        auto heads = num.label ? filter_for_lineage(m_l.heads, *num.label) : m_l.real_heads;
        for (size_t h : heads) num.ids.push_back(this->id(h));
    } else if (id == "head") {
        if (auto h = current_head(num.label)) num.ids.push_back(this->id(*h));
    } else if (id != "base") {
        num.ids.push_back(id);
    }
    return num;
}

Node Walker::revision_for_ident(const std::string& id,
                                const std::optional<std::string>& branch) const {
    std::optional<size_t> branch_rev;
    if (branch) branch_rev = resolve_branch(*branch);
    std::optional<size_t> found = id.empty() ? std::nullopt : index(id);
    if (!found) {
        std::vector<std::pair<std::string, size_t>> matches;
        // docs/reference.md §2 asks for at least four characters; Alembic 1.8 itself
        // accepts any unique prefix of an id longer than three.
        if (id.size() >= 4) {
            for (const auto& r : m_g.revisions())
                if (r.id.size() > 3 && r.id.compare(0, id.size(), id) == 0)
                    matches.push_back({r.id, m_g.index_of(r.id)});
            for (const auto& [label, i] : m_l.labels)
                if (label.size() > 3 && label.compare(0, id.size(), id) == 0)
                    matches.push_back({label, i});
        }
        if (branch) {
            std::vector<size_t> idx;
            for (auto& m : matches) idx.push_back(m.second);
            auto keep = filter_for_lineage(idx, *branch);
            matches.erase(std::remove_if(matches.begin(), matches.end(),
                                         [&](auto& m) { return !contains(keep, m.second); }),
                          matches.end());
        }
        if (matches.empty()) fail({K::cannot_locate, {}, id});
        if (matches.size() > 1) {
            std::vector<std::string> names;
            for (auto& m : matches) names.push_back(m.first);
            fail({K::ambiguous_prefix, std::move(names), id});
        }
        found = matches.front().second;
    }
    if (branch_rev && !shares_lineage(*found, {*branch_rev}, false))
        fail({K::not_on_branch, {this->id(*found)}, *branch});
    return static_cast<Node>(*found);
}

size_t Walker::resolve_branch(const std::string& label) const {
    if (auto i = index(label)) return *i;
    try {
        return static_cast<size_t>(revision_for_ident(label, std::nullopt));
    } catch (const GraphError&) {
        fail({K::no_such_branch, {}, label});
    }
}

std::optional<size_t> Walker::current_head(const std::optional<std::string>& label) const {
    auto heads = label ? filter_for_lineage(m_l.heads, *label) : m_l.heads;
    if (heads.size() > 1) {
        std::vector<std::string> names;
        for (size_t h : heads) names.push_back(id(h));
        fail({K::multiple_heads, std::move(names), label ? *label + "@head" : "head"});
    }
    if (heads.empty()) return std::nullopt;
    return heads.front();
}

std::vector<Node> Walker::walk_down_from_heads(long steps,
                                               const std::optional<std::string>& label) const {
    std::vector<Node> out;
    for (size_t h : m_l.real_heads) {
        if (label && !m_l.has_label(h, *label)) continue;
        out.push_back(walk(static_cast<Node>(h), steps, std::nullopt, true));
    }
    return out;
}

std::vector<Node> Walker::get_revisions(const std::string& text) const {
    Number num = resolve_number(text);
    if (num.ids.size() == 1) {
        const std::string& s = num.ids[0];
        if (s.size() > 1 && s[0] == '-' &&
            std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return walk_down_from_heads(relative_steps(s), num.label);
        }
    }
    std::vector<Node> out;
    for (const auto& id : num.ids) out.push_back(revision_for_ident(id, num.label));
    return out;
}

std::vector<Node> Walker::get_revisions(const std::vector<std::string>& ids) const {
    std::vector<Node> out;
    for (const auto& id : ids)
        for (Node n : get_revisions(id)) out.push_back(n);
    return out;
}

Node Walker::get_revision(const std::string& text) const {
    Number num = resolve_number(text);
    if (num.ids.size() > 1) fail({K::multiple_revisions, num.ids, text});
    if (num.ids.empty()) {
        if (num.label) resolve_branch(*num.label);
        return kNone;
    }
    return revision_for_ident(num.ids[0], num.label);
}

bool Walker::shares_lineage(size_t target, const std::vector<size_t>& against, bool deps) const {
    if (against.empty()) return true;
    auto down = ancestor_mask(m_l, {target}, deps);
    auto up = descendant_mask(m_l, {target}, deps);
    return std::any_of(against.begin(), against.end(), [&](size_t a) { return down[a] || up[a]; });
}

// Being related (ancestor or descendant) is symmetric, so one pass from the
// revisions checked against covers every target.
std::vector<size_t> Walker::filter_for_lineage(const std::vector<size_t>& targets,
                                               const std::string& check_against, bool deps) const {
    if (targets.empty()) return targets;
    Number num = resolve_number(check_against);
    std::vector<std::string> shares;
    if (num.label) shares.push_back(*num.label);
    shares.insert(shares.end(), num.ids.begin(), num.ids.end());
    if (shares.empty()) return targets;
    std::vector<size_t> against;
    for (const auto& s : shares) against.push_back(static_cast<size_t>(revision_for_ident(s, {})));
    auto down = ancestor_mask(m_l, against, deps);
    auto up = descendant_mask(m_l, against, deps);
    std::vector<size_t> out;
    for (size_t t : targets)
        if (down[t] || up[t]) out.push_back(t);
    return out;
}

Node Walker::walk(Node start, long steps, const std::optional<std::string>& label,
                  bool no_overwalk) const {
    Node current = start;
    for (long k = 0; k < std::labs(steps); ++k) {
        std::vector<Node> children;
        if (steps > 0) {
            if (current == kBase) fail({K::walk_up_from_base, {}});
            std::vector<size_t> candidates =
                current == kNone ? m_l.bases : m_l.next[static_cast<size_t>(current)];
            if (label) candidates = filter_for_lineage(candidates, *label);
            children.assign(candidates.begin(), candidates.end());
        } else if (current != kBase) {
            std::vector<size_t> down =
                current == kNone ? m_l.heads : m_l.down[static_cast<size_t>(current)];
            children.assign(down.begin(), down.end());
            if (children.empty()) children.push_back(kBase);
        }
        if (children.empty()) return no_overwalk ? kNone : current;
        if (children.size() > 1) fail({K::ambiguous_walk, {}});
        current = children.front();
    }
    return current;
}

std::vector<Node> Walker::parse_upgrade_target(const std::vector<std::string>& current,
                                               const std::string& target,
                                               bool assert_length) const {
    auto rel = parse_relative(target);
    if (!rel) return get_revisions(target);
    const GraphProblem didnt{K::relative_too_short, {}, rel->text, rel->steps};
    if (rel->steps > 0 && rel->symbol)
        return {walk(get_revision(*rel->symbol), rel->steps, rel->label, assert_length)};
    if (rel->steps > 0) {
        std::vector<Node> starts;
        if (current.size() > 1 && !rel->label) fail({K::ambiguous_upgrade, {}});
        starts.push_back(current.empty() ? kNone : get_revision(current.front()));
        if (rel->label) {
            auto now = get_revisions(current);
            std::vector<size_t> revs(now.begin(), now.end());
            auto on_branch = filter_for_lineage(revs, *rel->label);
            starts.assign(on_branch.begin(), on_branch.end());
            if (starts.empty()) {
                // The branch is not at a head: start from the tips of the
                // applied revisions on it (Alembic's backtracking).
                auto mask = ancestor_mask(m_l, revs, true);
                std::vector<size_t> active;
                for (size_t i = 0; i < mask.size(); ++i)
                    if (mask[i]) active.push_back(i);
                active = filter_for_lineage(active, *rel->label);
                std::vector<char> below(mask.size(), 0);
                for (size_t a : active)
                    for (size_t d : m_l.norm_down[a]) below[d] = 1;
                for (size_t a : active)
                    if (!below[a]) starts.push_back(static_cast<Node>(a));
                if (starts.empty()) starts.push_back(kNone);
            }
        }
        if (starts.size() > 1) fail({K::ambiguous_upgrade, {}});
        Node rev = walk(starts.front(), rel->steps, rel->label, assert_length);
        if (rev == kNone) fail(didnt);
        return {rev};
    }
    if (!rel->symbol) fail(didnt);
    Node start = get_revision(rel->label ? *rel->label + "@" + *rel->symbol : *rel->symbol);
    return {walk(start, rel->steps, std::nullopt, assert_length)};
}

std::pair<std::optional<std::string>, Node> Walker::parse_downgrade_target(
    const std::vector<std::string>& current, const std::string& target, bool assert_length) const {
    auto rel = parse_relative(target);
    if (!rel) {
        auto at = target.rfind('@');
        std::optional<std::string> label;
        if (at != std::string::npos && at > 0) label = target.substr(0, at);
        std::string symbol = at == std::string::npos ? target : target.substr(at + 1);
        return {label, get_revision(symbol)};
    }
    const GraphProblem didnt{K::relative_too_short, {}, rel->text, rel->steps};
    auto label = rel->label;
    if (rel->steps >= 0) {
        if (!rel->symbol) fail(didnt);
        Node rev = walk(get_revision(*rel->symbol), rel->steps, label, assert_length);
        if (rev == kNone) fail({K::walked_too_far, {}});
        return {label, rev};
    }
    bool relative_to_current = !rel->symbol;
    std::string symbol = rel->symbol.value_or("");
    if (relative_to_current && label) {
        auto now = get_revisions(current);
        std::vector<size_t> revs(now.begin(), now.end());
        auto on_branch = filter_for_lineage(revs, *label);
        if (on_branch.empty()) {
            // Alembic's _get_all_current: the tips of everything applied. The
            // set is closed under ancestors, so a revision is covered exactly
            // when one of its children is in it.
            auto mask = ancestor_mask(m_l, revs, true);
            std::vector<size_t> tips;
            for (size_t a = 0; a < mask.size(); ++a) {
                if (!mask[a]) continue;
                const auto& kids = m_l.next[a];
                if (std::none_of(kids.begin(), kids.end(), [&](size_t k) { return mask[k]; }))
                    tips.push_back(a);
            }
            on_branch = filter_for_lineage(tips, *label);
        }
        if (on_branch.size() != 1) fail({K::ambiguous_branch_start, {}, *label});
        symbol = id(on_branch.front());
    } else if (relative_to_current) {
        if (current.empty()) fail(didnt);
        symbol = current.front();
        label = symbol;  // keeps the walk and the roots on this row's branch
    }
    Node start = get_revision(label ? *label + "@" + symbol : symbol);
    Node rev = walk(start, rel->steps, std::nullopt, assert_length);
    if (rev == kNone) fail(relative_to_current ? didnt : GraphProblem{K::walked_too_far, {}});
    return {label, rev};
}

}  // namespace sg::detail
