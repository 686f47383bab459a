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
        std::vector<size_t> start;
        for (size_t h : heads)
            if (m_todo[h] && !m_in_current[h]) {
                start.push_back(h);
                m_in_current[h] = 1;
            }
        std::stable_sort(start.begin(), start.end(),
                         [&](size_t a, size_t b) { return m_l.input_pos[a] < m_l.input_pos[b]; });
        for (size_t h : start) add_head(h);
        size_t idx = m_first;
        while (m_first != kEnd) step(idx);
        return std::move(m_output);
    }

  private:
    static constexpr size_t kEnd = static_cast<size_t>(-1);

    // The heads of the walk are a list in Alembic's order (slots linked by
    // m_next / m_prev): removing one is O(1), not a shift of all the others
    // (a root with 10,000 heads removes 10,000 times).
    struct Slot {
        size_t rev, scan, prev, next;
    };

    void add_head(size_t h) {
        m_in_current[h] = 1;
        size_t slot = m_slots.size();
        m_slots.push_back({h, new_scan(h), m_last, kEnd});
        if (m_last != kEnd) m_slots[m_last].next = slot;
        if (m_first == kEnd) m_first = slot;
        m_last = slot;
    }

    // Unlinks a slot; returns the one before it, else the new first.
    size_t unlink(size_t slot) {
        Slot& s = m_slots[slot];
        if (s.prev != kEnd) m_slots[s.prev].next = s.next;
        if (s.next != kEnd) m_slots[s.next].prev = s.prev;
        if (m_first == slot) m_first = s.next;
        if (m_last == slot) m_last = s.prev;
        return s.prev != kEnd ? s.prev : m_first;
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
        size_t candidate = m_slots[idx].rev;
        explore_down_to(candidate);
        // Another branch that still has to pass through the candidate goes
        // first (its own scan holds it once).
        if (m_covered[candidate] > 1) {
            for (size_t k = m_first; k != kEnd; k = m_slots[k].next) {
                if (k != idx && m_scans[m_slots[k].scan].contains(candidate)) {
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
        Slot& slot = m_slots[idx];
        if (add.empty()) {
            release(slot.scan);
            idx = unlink(idx);
        } else if (m_l.norm_deps[candidate].empty() && m_l.down[candidate].size() == 1) {
            // A plain step down a line: the head's ancestors minus the head.
            m_scans[slot.scan].drop_top();
            slot.rev = add[0];
            m_in_current[add[0]] = 1;
        } else {
            release(slot.scan);
            slot.rev = add[0];
            m_in_current[add[0]] = 1;
            slot.scan = new_scan(add[0]);
            for (size_t k = 1; k < add.size(); ++k) add_head(add[k]);  // moves m_slots
        }
    }

    const GraphLinks& m_l;
    std::vector<char> m_todo;
    std::vector<char> m_in_current;
    std::vector<int> m_covered;  // per revision: the live scans holding it
    std::vector<Slot> m_slots;   // the heads of the walk, linked; unlinked ones stay
    size_t m_first = kEnd, m_last = kEnd;
    std::vector<AncestorScan> m_scans;  // every scan made; released ones are empty
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
