// Alembic's own topological walk, so that plans visit revisions in the order
// Alembic does: with merge revisions whose parents are related (a merge of a
// revision and its own ancestor), the rows Alembic writes depend on it.
#include <algorithm>
#include <queue>

#include "core/graph_walk.hpp"

namespace sg::detail {

AncestorScan::AncestorScan(const GraphLinks& links, const std::vector<size_t>& starts,
                           std::vector<int>* covered)
    : m_links(&links), m_covered(covered) {
    for (size_t s : starts) m_heap.push_back(static_cast<uint32_t>(s));
    std::make_heap(m_heap.begin(), m_heap.end());
}

void AncestorScan::explore_down_to(size_t pos) {
    while (!m_heap.empty() && m_heap.front() >= pos) {
        std::pop_heap(m_heap.begin(), m_heap.end());
        uint32_t v = m_heap.back();
        m_heap.pop_back();
        // Positions leave the heap in decreasing order and parents sit lower
        // than their children, so the copies of one revision leave together.
        if (m_marks.size() > m_begin && m_marks.back() == v) continue;
        m_marks.push_back(v);
        ++visit_count();
        if (m_covered) ++(*m_covered)[v];
        for (size_t d : m_links->norm_down[v]) {
            m_heap.push_back(static_cast<uint32_t>(d));
            std::push_heap(m_heap.begin(), m_heap.end());
        }
    }
}

bool AncestorScan::contains(size_t i) {
    explore_down_to(i);
    auto first = m_marks.begin() + static_cast<long>(m_begin);
    auto it = std::lower_bound(first, m_marks.end(), static_cast<uint32_t>(i),
                               [](uint32_t a, uint32_t b) { return a > b; });
    return it != m_marks.end() && *it == i;
}

void AncestorScan::drop_top() {
    if (m_begin >= m_marks.size()) return;
    if (m_covered) --(*m_covered)[m_marks[m_begin]];
    ++m_begin;
}

void AncestorScan::release() {
    if (m_covered)
        for (size_t k = m_begin; k < m_marks.size(); ++k) --(*m_covered)[m_marks[k]];
    std::vector<uint32_t>().swap(m_marks);
    std::vector<uint32_t>().swap(m_heap);
    m_begin = 0;
}

namespace {

// Alembic keeps, for every head of the walk, the set of all its ancestors,
// and recomputes it at every merge: quadratic on long histories with many
// merges. The same questions ("does another head still have to pass through
// this revision?") are answered here by lazy scans that only look as far
// down as the revisions asked about. A scan per head; `queue` holds each
// live scan's frontier so that a question explores just the scans above it.
class Order {
  public:
    Order(const GraphLinks& l, std::vector<char> todo) : m_l(l), m_todo(std::move(todo)) {
        m_in_current.assign(m_todo.size(), 0);
        m_covered.assign(m_todo.size(), 0);
    }

    std::vector<size_t> run(const std::vector<size_t>& heads) {
        for (size_t h : heads)
            if (m_todo[h] && !m_in_current[h]) add_head(h);
        std::vector<size_t> order(m_current.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return m_l.input_pos[m_current[a]] < m_l.input_pos[m_current[b]];
        });
        std::vector<size_t> current, scans;
        for (size_t k : order) {
            current.push_back(m_current[k]);
            scans.push_back(m_scan_of[k]);
        }
        m_current.swap(current);
        m_scan_of.swap(scans);
        size_t idx = 0;
        while (!m_current.empty()) step(idx);
        return std::move(m_output);
    }

  private:
    void add_head(size_t h) {
        m_current.push_back(h);
        m_in_current[h] = 1;
        m_scan_of.push_back(new_scan(h));
    }

    size_t new_scan(size_t h) {
        m_scans.emplace_back(m_l, std::vector<size_t>{h}, &m_covered);
        m_alive.push_back(1);
        m_queue.push({static_cast<long>(h), m_scans.size() - 1});
        return m_scans.size() - 1;
    }

    void release(size_t scan) {
        m_scans[scan].release();
        m_alive[scan] = 0;
    }

    // Every live scan explored down to c: m_covered[c] is then exact.
    void explore_down_to(size_t c) {
        while (!m_queue.empty() && m_queue.top().first >= static_cast<long>(c)) {
            auto [frontier, s] = m_queue.top();
            m_queue.pop();
            if (!m_alive[s] || m_scans[s].frontier() != frontier) continue;  // stale
            m_scans[s].explore_down_to(c);
            if (m_scans[s].frontier() >= 0) m_queue.push({m_scans[s].frontier(), s});
        }
    }

    void step(size_t& idx) {
        size_t candidate = m_current[idx];
        explore_down_to(candidate);
        // Another branch that still has to pass through the candidate goes
        // first (its own scan holds it once).
        if (m_covered[candidate] > 1) {
            for (size_t k = 0; k < m_current.size(); ++k) {
                if (k != idx && m_scans[m_scan_of[k]].contains(candidate)) {
                    idx = k;
                    return;
                }
            }
        }
        if (m_todo[candidate]) {
            m_output.push_back(candidate);
            m_todo[candidate] = 0;
        }
        std::vector<size_t> add;
        for (size_t d : m_l.norm_down[candidate])
            if (m_todo[d] && !m_in_current[d]) add.push_back(d);
        m_in_current[candidate] = 0;
        if (add.empty()) {
            release(m_scan_of[idx]);
            m_current.erase(m_current.begin() + static_cast<long>(idx));
            m_scan_of.erase(m_scan_of.begin() + static_cast<long>(idx));
            idx = idx > 0 ? idx - 1 : 0;
        } else if (m_l.norm_deps[candidate].empty() && m_l.down[candidate].size() == 1) {
            // A plain step down a line: the head's ancestors minus the head.
            m_scans[m_scan_of[idx]].drop_top();
            m_current[idx] = add[0];
            m_in_current[add[0]] = 1;
        } else {
            release(m_scan_of[idx]);
            m_current[idx] = add[0];
            m_in_current[add[0]] = 1;
            m_scan_of[idx] = new_scan(add[0]);
            for (size_t k = 1; k < add.size(); ++k) add_head(add[k]);
        }
    }

    const GraphLinks& m_l;
    std::vector<char> m_todo;
    std::vector<char> m_in_current;
    std::vector<int> m_covered;                // per revision: the live scans holding it
    std::vector<size_t> m_current, m_scan_of;  // the heads of the walk and their scans
    std::vector<AncestorScan> m_scans;         // every scan made; released ones are empty
    std::vector<char> m_alive;
    std::priority_queue<std::pair<long, size_t>> m_queue;  // (frontier, scan)
    std::vector<size_t> m_output;
};

}  // namespace

std::vector<size_t> alembic_order(const GraphLinks& l, std::vector<char> todo,
                                  const std::vector<size_t>& heads) {
    return Order(l, std::move(todo)).run(heads);
}

}  // namespace sg::detail
