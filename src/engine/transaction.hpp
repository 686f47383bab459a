#pragma once
// RAII transaction: begin() in the constructor, rollback() in the destructor
// unless commit() or rollback() ran (SQLiteCpp's Transaction, on any driver).
#include "db/connection.hpp"

namespace sg {

class Transaction {
  public:
    /// Begins; a failure here (busy, lost) throws and leaves nothing open.
    explicit Transaction(Connection& conn) : m_conn(conn) { m_conn.begin(); }
    ~Transaction() {
        if (m_open) m_conn.rollback();  // never throws
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// A failed COMMIT leaves the guard open: the destructor rolls back
    /// (harmless where the server already ended the transaction).
    void commit() {
        m_conn.commit();
        m_open = false;
    }
    void rollback() {
        if (m_open) m_conn.rollback();
        m_open = false;
    }

  private:
    Connection& m_conn;
    bool m_open = true;
};

}  // namespace sg
