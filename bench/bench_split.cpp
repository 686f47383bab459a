// sg::split_sql per dialect: one 1 MiB statement, a 10,000-statement file,
// and body-heavy input (PostgreSQL dollar quotes, MySQL DELIMITER blocks,
// SQLite triggers).
#include <stdexcept>
#include <string>

#include "bench.hpp"
#include "script/migration.hpp"

namespace {

using sg::Dialect;

// One INSERT of about 1 MiB: many rows with quoted strings, doubled quotes
// and comments, so the scanner's string states do most of the work.
std::string big_statement() {
    std::string s = "INSERT INTO big (id, note) VALUES\n";
    for (int i = 0; s.size() < (1u << 20); ++i)
        s += "  (" + std::to_string(i) + ", 'it''s row " + std::to_string(i) +
             "; not a delimiter'), /* c */\n";
    s += "  (-1, 'end');\n";
    return s;
}

std::string many_statements(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        std::string t = "t" + std::to_string(i);
        s += i % 2 ? "INSERT INTO " + t + " VALUES (1, 'a;b'); -- note\n"
                   : "CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(20));\n";
    }
    return s;
}

// `n` statements whose bodies contain `;`, in the dialect's own syntax.
std::string bodies(Dialect d, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        std::string k = std::to_string(i);
        if (d == Dialect::postgresql)
            s += "CREATE FUNCTION f" + k + "() RETURNS trigger AS $body$\nBEGIN\n" +
                 "  NEW.note := 'x;y'; -- ;\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n";
        else if (d == Dialect::mysql)
            s += "DELIMITER //\nCREATE PROCEDURE p" + k + "()\nBEGIN\n" +
                 "  UPDATE t SET x = 1; # ;\n  SELECT 'a;b';\nEND //\nDELIMITER ;\n";
        else
            s += "CREATE TRIGGER tr" + k + " AFTER INSERT ON t BEGIN\n" +
                 "  UPDATE t SET x = 1 WHERE id = NEW.id;\n  INSERT INTO log VALUES "
                 "('x;y');\nEND;\n";
    }
    return s;
}

bench::Result split(const std::string& text, Dialect d, size_t expect, int reps,
                    const std::string& size) {
    size_t n = 0;
    bench::Timer t;
    for (int i = 0; i < reps; ++i) n = sg::split_sql(text, d, 1, "bench.sql").size();
    double ms = t.ms();
    if (n != expect)
        throw std::runtime_error("split " + std::to_string(n) + " statements, expected " +
                                 std::to_string(expect));
    return {size, ms, static_cast<double>(n) * reps};
}

bench::Case big_case(Dialect d) {
    return {std::string("split_1mib_stmt_") + sg::dialect_name(d),
            [d] { return split(big_statement(), d, 1, 5, "1 MiB x5"); }};
}

bench::Case many_case(Dialect d) {
    return {std::string("split_10k_stmts_") + sg::dialect_name(d),
            [d] { return split(many_statements(10000), d, 10000, 3, "10000 stmts x3"); }};
}

bench::Case bodies_case(Dialect d) {
    const char* what = d == Dialect::postgresql ? "dollar" : d == Dialect::mysql ? "delim" : "trig";
    return {std::string("split_bodies_") + sg::dialect_name(d), [d, what] {
                return split(bodies(d, 2000), d, 2000, 3, std::string("2000 ") + what + " x3");
            }};
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<bench::Case> cases;
    for (auto make : {big_case, many_case, bodies_case})
        for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite})
            cases.push_back(make(d));
    return bench::main(argc, argv, cases);
}
