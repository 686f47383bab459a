// Transaction control inside a transactional revision (docs/run.md step 7).
//
// Decisions written down here:
// - Refused, as the first words of a statement: BEGIN (any form; `BEGIN
//   TRANSACTION`, `BEGIN WORK`, SQLite's `BEGIN IMMEDIATE`...), START
//   TRANSACTION, COMMIT (also `COMMIT AND CHAIN`, `COMMIT PREPARED`), ROLLBACK
//   (also `ROLLBACK AND CHAIN`, `ROLLBACK PREPARED`), and on PostgreSQL and
//   SQLite END (a synonym of COMMIT there); on PostgreSQL also ABORT and
//   PREPARE TRANSACTION. Each ends or replaces the transaction schemagate
//   opened for the revision, so half a revision would be committed.
// - Allowed: SAVEPOINT, RELEASE [SAVEPOINT] and ROLLBACK [WORK|TRANSACTION]
//   TO [SAVEPOINT]: they nest inside the revision's transaction and do not
//   end it. MariaDB's `BEGIN NOT ATOMIC ... END` is a compound statement,
//   not a transaction. Bodies are never looked into: PostgreSQL `BEGIN
//   ATOMIC ... END`, plpgsql in dollar quotes and SQLite trigger bodies are
//   part of a statement that starts with CREATE or DO.
// - On MySQL/MariaDB the same words are refused in a transactional revision
//   although DDL commits implicitly there: `transaction: true` (the default)
//   means schemagate owns the transaction on every database, so a generic
//   section behaves alike everywhere. A revision that manages transactions
//   itself says `-- transaction: false`.
// - A section split for a dialect it was not written for (a generic section
//   holding an SQLite trigger, split as PostgreSQL) cuts a BEGIN ... END
//   body into pieces, the last one starting with END. An END statement is
//   therefore refused only when the statements before it in the section have
//   no BEGIN left open (body_balance): the END of a body is not a COMMIT.
// - Not detected: statements that commit implicitly (MySQL `SET autocommit
//   = 1`, `LOCK TABLES`) and COMMIT issued inside a procedure called from
//   the revision.
#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg {
namespace {

// Up to `n` leading words of a statement, lower-cased; comments between
// words are skipped. Stops at the first token that is not a word.
std::vector<std::string> leading_words(std::string_view sql, size_t n) {
    std::vector<std::string> out;
    size_t i = 0;
    while (out.size() < n && i < sql.size()) {
        char c = sql[i];
        if (text::is_space(c)) {
            ++i;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            i = sql.find('\n', i);
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*' &&
                   (i + 2 >= sql.size() || sql[i + 2] != '!')) {
            size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? end : end + 2;
        } else if (text::is_alpha(c) || c == '_') {
            std::string w;
            while (i < sql.size() && (text::is_alpha(sql[i]) || text::is_digit(sql[i]) ||
                                      sql[i] == '_' || sql[i] == '$'))
                w += text::to_lower(sql[i++]);
            out.push_back(std::move(w));
        } else {
            break;
        }
    }
    return out;
}

}  // namespace

int body_balance(std::string_view sql) {
    int balance = 0;
    text::any_word(sql, [&](std::string_view w) {
        if (text::iequals(w, "begin")) ++balance;
        if (text::iequals(w, "end")) --balance;
        return false;
    });
    return balance;
}

std::string transaction_control(std::string_view sql, Dialect d) {
    auto w = leading_words(sql, 3);
    auto at = [&](size_t k) { return k < w.size() ? w[k] : std::string(); };
    const std::string first = at(0);
    if (first == "begin") return d == Dialect::mysql && at(1) == "not" ? "" : "BEGIN";
    if (first == "start" && at(1) == "transaction") return "START TRANSACTION";
    if (first == "commit") return "COMMIT";
    if (first == "end") return d == Dialect::mysql ? "" : "END";
    if (first == "rollback") {
        bool work = at(1) == "work" || at(1) == "transaction";
        return at(work ? 2 : 1) == "to" ? "" : "ROLLBACK";
    }
    if (d == Dialect::postgresql && first == "abort") return "ABORT";
    if (d == Dialect::postgresql && first == "prepare" && at(1) == "transaction")
        return "PREPARE TRANSACTION";
    return "";
}

}  // namespace sg
