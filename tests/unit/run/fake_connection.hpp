#pragma once
// A Connection that answers the run flow's lock and connect questions
// without a database. SQL is not supported (tests that need state use SQLite).
#include <atomic>
#include <string>

#include "db/connection.hpp"

namespace sg::test {

class FakeConnection : public Connection {
  public:
    int lock_refusals = 0;  // try_lock returns false this many times
    int try_lock_calls = 0;
    int unlock_calls = 0;
    std::atomic<int> cancels{0};
    std::string holder = "pid 42 (user app)";

    Dialect dialect() const override { return Dialect::postgresql; }
    void execute(const std::string&) override {}
    Rows query(const std::string&, const std::vector<Value>&) override { return {}; }
    void begin() override {}
    void commit() override {}
    void rollback() override {}
    bool try_lock(const std::string&) override {
        ++try_lock_calls;
        return try_lock_calls > lock_refusals;
    }
    void unlock(const std::string&) override { ++unlock_calls; }
    std::string lock_holder(const std::string&) override { return holder; }
    void cancel() override { ++cancels; }
    std::string database_name() const override { return "app"; }
    std::string current_schema() override { return "public"; }
};

}  // namespace sg::test
