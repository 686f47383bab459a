#pragma once
// Lint (docs/zero-downtime.md): statements of a revision that break the
// version still serving traffic (dropping or renaming what it reads, a NOT
// NULL column it does not write) or hold a long lock (an index built without
// CONCURRENTLY, a constraint validated under an exclusive lock). Pure: it
// reads the files' text through the splitter's own lexer, never a database.
#include <optional>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "script/migration.hpp"

namespace sg {

/// `run --lint`: off, warn (log each finding and go on), error (exit 13).
enum class LintMode { off, warn, error };

/// One statement a rule objects to.
struct LintFinding {
    std::string file;
    int line = 0;
    std::string rule;               // e.g. "drop-column"
    std::string revision;           // the revision's id
    std::string message;            // what the statement does to the running version
    std::string advice;             // what to do instead
    std::vector<Dialect> dialects;  // the dialects it was found for
    bool allowed = false;           // accepted by the revision's `-- lint_allow`
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// The rule ids, in the order of the docs.
const std::vector<std::string>& lint_rules();
bool is_lint_rule(const std::string& rule);
/// "drop-table, drop-column, ..." for messages.
std::string join_lint_rules();

/// Parses "off", "warn", "error"; nullopt for anything else.
std::optional<LintMode> parse_lint_mode(const std::string& text);

/// The findings of one section's statements for one dialect. `transactional`:
/// the revision runs in a transaction (its header), which matters for
/// concurrently-in-transaction. `file` is `path`; the revision is left empty.
/// Throws ScriptError on what the splitter refuses (unterminated quotes, ...).
std::vector<LintFinding> lint_sql(std::string_view sql, Dialect d, bool transactional,
                                  int first_line = 1, const std::string& path = "");

/// The findings of a revision's upgrade section for each dialect of `dialects`
/// it has one for, the same statement found for several dialects reported
/// once. Findings of rules the header's `lint_allow` names are kept, marked
/// allowed.
std::vector<LintFinding> lint_migration(const Migration& m, const std::vector<Dialect>& dialects);

/// One line for people and logs:
/// "file:line: rule: message; instead: advice".
std::string format_finding(const LintFinding& f);

}  // namespace sg
