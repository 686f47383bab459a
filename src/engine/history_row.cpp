#include "engine/history_row.hpp"

#include <ostream>

namespace sg {

const char* operation_name(Operation op) {
    switch (op) {
        case Operation::upgrade:
            return "upgrade";
        case Operation::downgrade:
            return "downgrade";
        case Operation::stamp:
            return "stamp";
        case Operation::repair:
            return "repair";
    }
    return "?";
}

HistoryOperation::HistoryOperation(std::string_view text)
    : m_op(Operation::upgrade), m_known(false) {
    for (Operation op :
         {Operation::upgrade, Operation::downgrade, Operation::stamp, Operation::repair}) {
        if (text == operation_name(op)) {
            m_op = op;
            m_known = true;
            return;
        }
    }
    m_other = std::string(text);
}

std::ostream& operator<<(std::ostream& out, const HistoryOperation& op) { return out << op.text(); }

}  // namespace sg
