#pragma once
// Migration files (docs/reference.md §1): parsing, statement splitting, checksums,
// directory loading and the revision writer.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dialect.hpp"
#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/revision.hpp"

namespace sg {

/// One SQL statement and the 1-based line of the file it starts on.
struct Statement {
    std::string sql;
    int line = 0;
};

/// The text of one `-- +upgrade` / `-- +downgrade` section.
struct Section {
    std::string text;    // the lines after the marker, up to the next marker
    int first_line = 0;  // file line of the first line of `text`
};

/// A problem found while reading a file: file:line and what is wrong.
struct FileProblem {
    std::string file;
    int line = 0;  // 0 when the problem is not on one line
    std::string message;
    std::string where() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
};

/// Thrown when a file or directory is invalid (exit 3); lists every problem.
class ScriptError : public Error {
  public:
    explicit ScriptError(const std::string& summary, std::vector<FileProblem> problems)
        : Error(ExitCode::invalid, summary), m_problems(std::move(problems)) {}
    const std::vector<FileProblem>& problems() const { return m_problems; }

  private:
    std::vector<FileProblem> m_problems;
};

struct Migration {
    Revision rev;                                 // header; rev.file is the path
    std::optional<Section> upgrade;               // generic `-- +upgrade`
    std::optional<Section> downgrade;             // generic `-- +downgrade`
    std::optional<Section> upgrade_dialect[3];    // indexed by Dialect
    std::optional<Section> downgrade_dialect[3];  // indexed by Dialect
    std::vector<std::string> lint_allow;          // header `lint_allow`: rules accepted (lint.hpp)

    /// The section that runs for `d`: the dialect one, else the generic one.
    const Section* upgrade_for(Dialect d) const;
    const Section* downgrade_for(Dialect d) const;  // nullptr: no downgrade
    /// SHA-256 (lower-case hex) of the upgrade text for `d`, line endings
    /// normalised to \n and trailing white space of the section trimmed.
    std::string checksum(Dialect d) const;
    /// Split statements; throw ScriptError (file:line) on e.g. unterminated quotes,
    /// and ScriptError (exit 3) when there is no such section for `d` (checksum too).
    std::vector<Statement> upgrade_statements(Dialect d) const;
    std::vector<Statement> downgrade_statements(Dialect d) const;  // throws if no downgrade
};

/// Parses one file's text. Throws ScriptError listing every problem, including
/// sections that do not split for a dialect they run on and, in a
/// transactional revision, transaction-control statements (tx_control.cpp).
/// Statements are not built here (docs/reference.md §1, "When files are
/// split"): each section is lexed (check_sql), and split only when it holds
/// a word that can start transaction control.
/// `only` narrows the dialects checked to the one the files will run on:
/// a generic section is then split for that dialect alone, and sections of
/// other dialects are not checked. nullopt checks every dialect.
Migration parse_migration(std::string_view text, const std::string& path,
                          std::optional<Dialect> only = std::nullopt);

/// The transaction-control statement `sql` is, as the words to name in an
/// error (`COMMIT`, `START TRANSACTION`); empty when it is none. SAVEPOINT,
/// RELEASE and ROLLBACK TO are not (they do not end a transaction).
std::string transaction_control(std::string_view sql, Dialect d);

/// The words BEGIN minus the words END in `sql` (crudely: quotes and comments
/// included): above 0, a statement that opened a body the split cut.
int body_balance(std::string_view sql);

/// Splits SQL into statements for a dialect. `first_line` is the file line
/// of text's first line; `path` only names the file in errors. Statement text
/// has no delimiter and no leading/trailing comments, but may contain `;`
/// (PostgreSQL BEGIN ATOMIC, SQLite triggers, MySQL bodies under DELIMITER).
std::vector<Statement> split_sql(std::string_view text, Dialect dialect, int first_line,
                                 const std::string& path = "");

/// The errors split_sql would throw for `text`, without building the
/// statements: the lexer pass alone (quotes, comments, bodies, DELIMITER).
void check_sql(std::string_view text, Dialect dialect, int first_line,
               const std::string& path = "");

/// One token of a statement as the splitter lexes it (a view into the text
/// lexed): a word, a quoted string or identifier, a dollar-quoted string, a
/// MySQL executable comment, or one other character. Comments are no tokens.
struct Token {
    std::string_view text;
    int line = 0;
};

/// A statement's tokens; `line` is the line of its first token.
struct LexedStatement {
    std::vector<Token> tokens;
    int line = 0;
};

/// The statements of `text` as the splitter's own lexer sees them (the same
/// statements split_sql builds, and the same errors), as tokens: for lint,
/// so words inside strings and comments never count.
std::vector<LexedStatement> lex_sql(std::string_view text, Dialect dialect, int first_line,
                                    const std::string& path = "");

/// A loaded, validated migrations directory.
struct ScriptDirectory {
    std::string path;
    std::vector<Migration> migrations;  // in graph order (graph.revisions())
    RevisionGraph graph;
    const Migration& get(const std::string& id) const;  // exact id; throws GraphError
};

/// Finds `.sql` files recursively (sorted by path; names starting with '.'
/// skipped, as in a ConfigMap volume), parses them all, builds the graph.
/// Throws ScriptError (exit 3) listing every problem of every file (what() is
/// a one-line summary: print problems()); only when all files are fine,
/// GraphError for graph problems. A missing or unreadable directory is a
/// ScriptError too. `only`: as parse_migration (the dialect the files will
/// run on; nullopt checks every dialect).
ScriptDirectory load_directory(const std::string& dir, std::optional<Dialect> only = std::nullopt);

/// Options of `revision` / `merge`.
struct NewRevision {
    std::string message;
    std::vector<std::string> down_revisions;  // empty: a new root
    std::vector<std::string> branch_labels;
    std::vector<std::string> depends_on;
    std::string rev_id;         // empty: a fresh 12-hex id
    std::string created;        // "YYYY-MM-DD HH:MM:SS"; empty: now (UTC)
    bool transactional = true;  // false: a `transaction: false` header line
    std::string file_name;      // empty: YYYYMMDD_HHMM_<rev>_<slug>.sql
    std::string body;           // the sections; empty: empty upgrade and downgrade sections
};

/// Writes `YYYYMMDD_HHMM_<rev>_<slug>.sql` (or r.file_name) into dir (created
/// if missing); returns the path. Never overwrites. Throws Error(usage) on bad ids,
/// labels or dates, an existing file, or a write failure.
std::string write_revision(const std::string& dir, const NewRevision& r);

/// 12 lower-case hex characters from a random source.
std::string generate_rev_id();

/// SHA-256 of data, lower-case hex.
std::string sha256_hex(std::string_view data);

}  // namespace sg
