// HistoryRow.operation: an enum, stored and shown as the same words as before.
#include <catch2/catch.hpp>

#include "engine/history_row.hpp"

using namespace sg;

TEST_CASE("history operations are an enum stored as their word", "[engine][state]") {
    HistoryRow row;
    row.operation = Operation::repair;
    CHECK(row.operation == Operation::repair);
    CHECK(row.operation != Operation::upgrade);
    CHECK(row.operation.text() == "repair");
    CHECK(row.operation == "repair");
    for (Operation op :
         {Operation::upgrade, Operation::downgrade, Operation::stamp, Operation::repair}) {
        HistoryOperation read(std::string(operation_name(op)));
        CHECK(read.known());
        CHECK(read == op);
        CHECK(read.text() == operation_name(op));
    }
}

TEST_CASE("an operation word another tool wrote is kept as it is", "[engine][state]") {
    HistoryOperation odd(std::string("Upgrade "));
    CHECK_FALSE(odd.known());
    CHECK(odd.text() == "Upgrade ");
    CHECK(odd != Operation::upgrade);
    CHECK(std::string("(") + odd + ")" == "(Upgrade )");
    HistoryOperation empty(std::string(""));
    CHECK_FALSE(empty.known());
    CHECK(empty.text().empty());
}
