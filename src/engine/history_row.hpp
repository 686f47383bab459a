#pragma once
// One row of the history table (schemagate_history, docs/reference.md §3).
#include <iosfwd>
#include <string>
#include <string_view>

namespace sg {

/// What a history row records. Stored as its word ("upgrade", ...).
enum class Operation { upgrade, downgrade, stamp, repair };

/// "upgrade", "downgrade", "stamp", "repair".
const char* operation_name(Operation op);

/// The operation column: an Operation, or, in a row another tool wrote,
/// the text found there, kept as it is (shown, stored back unchanged).
class HistoryOperation {
  public:
    HistoryOperation(Operation op = Operation::upgrade) : m_op(op), m_known(true) {}
    /// From the stored text.
    HistoryOperation(std::string_view text);
    HistoryOperation(const char* text) : HistoryOperation(std::string_view(text)) {}
    /// False for text that names no Operation.
    bool known() const { return m_known; }
    bool is(Operation op) const { return known() && m_op == op; }
    /// The stored text.
    std::string text() const { return known() ? operation_name(m_op) : m_other; }

    friend bool operator==(const HistoryOperation& a, Operation b) { return a.is(b); }
    friend bool operator!=(const HistoryOperation& a, Operation b) { return !a.is(b); }
    friend bool operator==(const HistoryOperation& a, std::string_view b) { return a.text() == b; }
    friend bool operator!=(const HistoryOperation& a, std::string_view b) { return a.text() != b; }
    friend bool operator==(const HistoryOperation& a, const char* b) {
        return a.text() == std::string_view(b);
    }
    friend bool operator!=(const HistoryOperation& a, const char* b) { return !(a == b); }
    friend std::string operator+(const std::string& a, const HistoryOperation& b) {
        return a + b.text();
    }
    friend std::string operator+(const HistoryOperation& a, const std::string& b) {
        return a.text() + b;
    }
    friend std::string operator+(const HistoryOperation& a, const char* b) { return a.text() + b; }
    friend std::string operator+(const char* a, const HistoryOperation& b) { return a + b.text(); }
    friend std::ostream& operator<<(std::ostream& out, const HistoryOperation& op);

  private:
    Operation m_op;
    bool m_known;
    std::string m_other;  // the stored text when it names no Operation
};

/// One row of schemagate_history.
struct HistoryRow {
    long long id = 0;
    std::string revision;
    HistoryOperation operation;  // upgrade | downgrade | stamp | repair
    std::string from_heads;      // comma-separated, "" for base
    std::string to_heads;
    std::string checksum;  // upgrade: the applied checksum; else ""
    std::string message;
    std::string started_at;   // UTC "YYYY-MM-DD HH:MM:SS"
    std::string finished_at;  // "" while running
    long long duration_ms = 0;
    bool success = false;
    bool dirty = false;  // failed part-way outside a transaction, not yet repaired
    std::string error;   // failing file:line, server message
    int statements_done = 0;
    int statements_total = 0;
    std::string applied_by;  // host or pod name
    std::string tool_version;
};

}  // namespace sg
