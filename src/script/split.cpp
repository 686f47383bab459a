// The statement splitter (docs/reference.md §1, "Statement splitting"): one linear
// pass over a section that knows each dialect's quotes, comments and the
// constructs in which a semicolon does not end the statement.
//
// Decisions written down here:
// - A statement's text runs from its first to its last token: leading and
//   trailing comments and the delimiter are not part of it, comments inside
//   are. Its line is the line of its first token. Statements of comments
//   only are dropped; MySQL `/*! ... */` and `/*M! ... */` executable
//   comments are tokens (kept, and a statement of their own is kept).
// - PostgreSQL `BEGIN ATOMIC ... END`: psql's own rule. Inside a statement
//   that starts `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, at parenthesis depth
//   0, BEGIN opens a block, CASE inside a block opens one too, END closes one;
//   semicolons inside a block do not split.
// - SQLite `CREATE [TEMP] TRIGGER`: sqlite3_complete()'s rule. The statement
//   ends only at a semicolon that follows `; END` (so CASE ... END inside the
//   body does not end it).
// - MySQL has no such rule, exactly like the mysql client: a procedure,
//   function or trigger with a BEGIN ... END body needs `DELIMITER //`.
//   `DELIMITER x` is recognised as the first word of a line when no
//   statement is open (or, while a custom delimiter is active, also ending an
//   open statement, as the client does, so a forgotten `//` before
//   `DELIMITER ;` does not swallow the rest of the file). A column named
//   `delimiter` at the start of a line inside a statement is thus left alone.
// - An unterminated quote, dollar quote, comment, BEGIN ATOMIC block or
//   trigger body is an error naming the line where it started. (SQLite would
//   accept an unterminated `/*` to the end of input; in a migration that is
//   a mistake.)
#include <algorithm>
#include <string>
#include <vector>

#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg {
namespace {

using text::iequals;

bool word_start(char c) {
    return text::is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool word_char(char c) { return word_start(c) || text::is_digit(c) || c == '$'; }

// sqlite3_complete()'s states for CREATE TRIGGER detection.
enum class Trig { start, explain, create, normal, body, semi, end };

class Splitter {
  public:
    Splitter(std::string_view text, Dialect d, int first_line, const std::string& path,
             bool build = true, std::vector<LexedStatement>* lexed = nullptr)
        : m_text(text), m_d(d), m_path(path), m_line(first_line), m_build(build), m_lexed(lexed) {}

    std::vector<Statement> run() {
        while (m_pos < m_text.size()) step();
        check_open_block();
        finish();
        return std::move(m_out);
    }

  private:
    std::string_view m_text;
    Dialect m_d;
    const std::string& m_path;
    size_t m_pos = 0;
    int m_line;
    size_t m_line_start = 0;               // offset of the current line's first character
    bool m_build;                          // false: only check (check_sql), no statement is copied
    std::vector<LexedStatement>* m_lexed;  // lex_sql: every token of every statement

    // The open statement.
    bool m_open = false;
    size_t m_start = 0, m_end = 0;
    int m_start_line = 0;

    // PostgreSQL: psql's BEGIN ... END tracking.
    int m_parens = 0, m_blocks = 0, m_words = 0;
    char m_first_words[4] = {};
    // SQLite: CREATE TRIGGER tracking.
    Trig m_trig = Trig::start;
    int m_block_line = 0;  // where the open BEGIN block / trigger body started
    // MySQL: the client's current delimiter.
    std::string m_delim = ";";

    std::vector<Statement> m_out;

    char at(size_t i) const { return i < m_text.size() ? m_text[i] : '\0'; }
    bool pg() const { return m_d == Dialect::postgresql; }
    bool my() const { return m_d == Dialect::mysql; }
    bool lite() const { return m_d == Dialect::sqlite; }
    // The MySQL delimiter is the default ";" (tested per character: no
    // string comparison).
    bool semicolon() const { return m_delim.size() == 1 && m_delim[0] == ';'; }

    [[noreturn]] void fail(int line, const std::string& message) const {
        text::throw_problems({FileProblem{m_path, line, message}});
    }

    // Moves to `end`, counting lines (\n, \r\n and a lone \r end a line).
    void advance_to(size_t end) {
        for (; m_pos < end; ++m_pos) {
            char c = m_text[m_pos];
            if (c == '\n' || (c == '\r' && at(m_pos + 1) != '\n')) {
                ++m_line;
                m_line_start = m_pos + 1;
            }
        }
    }

    // A token [start, m_pos) that started on `line` belongs to the statement.
    void token(size_t start, int line) {
        if (m_lexed) {
            if (!m_open) m_lexed->push_back({{}, line});
            m_lexed->back().tokens.push_back({m_text.substr(start, m_pos - start), line});
        }
        if (!m_open) {
            m_open = true;
            m_start = start;
            m_start_line = line;
        }
        m_end = m_pos;
    }

    void finish() {
        if (m_open)
            if (m_build)
                m_out.push_back(
                    {std::string(m_text.substr(m_start, m_end - m_start)), m_start_line});
        m_open = false;
        m_parens = m_blocks = m_words = 0;
        std::fill(std::begin(m_first_words), std::end(m_first_words), '\0');
        m_trig = Trig::start;
    }

    void step() {
        char c = m_text[m_pos];
        if (text::is_space(c)) return advance_to(m_pos + 1);
        if (at_delimiter()) {
            advance_to(m_pos + (my() ? m_delim.size() : 1));
            return finish();
        }
        if (c == '-' && at(m_pos + 1) == '-' && (!my() || mysql_dash_comment()))
            return skip_line_comment();
        if (c == '#' && my()) return skip_line_comment();
        if (c == '/' && at(m_pos + 1) == '*') {
            bool executable =
                my() && (at(m_pos + 2) == '!' || (at(m_pos + 2) == 'M' && at(m_pos + 3) == '!'));
            if (!executable) return skip_block_comment();
        }
        size_t start = m_pos;
        int line = m_line;
        if (word_start(c)) {
            if (word(start, line)) token(start, line);
            return;
        }
        other_token(c);
        token(start, line);
        if (lite()) sqlite_token(c);
    }

    // Whether the character at m_pos ends the open statement.
    bool at_delimiter() {
        if (my() && !semicolon()) return m_text.compare(m_pos, m_delim.size(), m_delim) == 0;
        if (m_text[m_pos] != ';') return false;
        if (my()) return true;
        if (pg()) return m_blocks == 0;
        return m_trig != Trig::body && m_trig != Trig::semi;  // SQLite
    }

    // MySQL: `--` starts a comment only when followed by white space or a
    // control character (`5--1` is arithmetic).
    bool mysql_dash_comment() const {
        return m_pos + 2 >= m_text.size() || static_cast<unsigned char>(m_text[m_pos + 2]) <= ' ';
    }

    void skip_line_comment() {
        size_t end = m_text.find_first_of("\r\n", m_pos);
        advance_to(end == std::string_view::npos ? m_text.size() : end);
    }

    void skip_block_comment() {
        int line = m_line;
        size_t i = m_pos + 2;
        int depth = 1;
        while (depth > 0) {
            if (i + 1 >= m_text.size()) fail(line, "unterminated /* comment");
            if (m_text[i] == '*' && m_text[i + 1] == '/') {
                --depth;
                i += 2;
            } else if (pg() && m_text[i] == '/' && m_text[i + 1] == '*') {
                ++depth;  // PostgreSQL nests block comments
                i += 2;
            } else {
                ++i;
            }
        }
        advance_to(i);
    }

    // A quoted string or identifier opened at m_pos and closed by `close`;
    // the closing quote doubled stands for itself.
    void skip_quoted(char close, bool backslash, const char* what) {
        int line = m_line;
        size_t i = m_pos + 1;
        for (;;) {
            if (i >= m_text.size()) fail(line, std::string("unterminated ") + what);
            char c = m_text[i];
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == close) {
                if (at(i + 1) != close || close == ']') break;  // SQLite's [x] has no escape
                i += 2;
            } else {
                ++i;
            }
        }
        advance_to(i + 1);
    }

    // PostgreSQL `$tag$`: returns the opening delimiter length, 0 if none.
    size_t dollar_tag() const {
        size_t i = m_pos + 1;
        if (word_start(at(i)))
            while (i < m_text.size() && (word_start(m_text[i]) || text::is_digit(m_text[i]))) ++i;
        return at(i) == '$' ? i + 1 - m_pos : 0;
    }

    void skip_dollar(size_t tag_len) {
        int line = m_line;
        std::string_view tag = m_text.substr(m_pos, tag_len);
        size_t end = m_text.find(tag, m_pos + tag_len);
        if (end == std::string_view::npos)
            fail(line, "unterminated dollar-quoted string " + std::string(tag));
        advance_to(end + tag_len);
    }

    // A token that is not a word: quotes, executable comments, punctuation.
    void other_token(char c) {
        if (c == '\'') return skip_quoted('\'', my(), "string literal");
        if (c == '"') return skip_quoted('"', my(), my() ? "string literal" : "quoted identifier");
        if (c == '`' && !pg()) return skip_quoted('`', false, "backtick-quoted identifier");
        if (c == '[' && lite()) return skip_quoted(']', false, "[bracketed] identifier");
        if (c == '/' && at(m_pos + 1) == '*') return skip_block_comment();  // MySQL /*! */
        if (c == '$' && pg()) {
            if (size_t len = dollar_tag()) return skip_dollar(len);
        }
        if (pg() && c == '(') ++m_parens;
        if (pg() && c == ')' && m_parens > 0) --m_parens;
        advance_to(m_pos + 1);
    }

    // A token other than a word (starting with c) in SQLite's trigger
    // detection: inside a trigger body a semicolon may be the one before END.
    void sqlite_token(char c) {
        bool in_body = m_trig == Trig::body || m_trig == Trig::semi || m_trig == Trig::end;
        if (!in_body)
            m_trig = Trig::normal;
        else
            m_trig = c == ';' ? Trig::semi : Trig::body;  // `;` in state end split already
    }

    // Reads a word at m_pos. Returns false when it was a directive, not a token.
    bool word(size_t start, int line) {
        size_t i = m_pos;
        while (i < m_text.size() && word_char(m_text[i]) && !(my() && mysql_delim_at(i))) ++i;
        std::string_view w = m_text.substr(m_pos, i - m_pos);
        if (my() && iequals(w, "delimiter") && directive_position(start)) {
            delimiter_directive(i, line);
            return false;
        }
        advance_to(i);
        if (pg() && w.size() == 1 && (w[0] == 'E' || w[0] == 'e') && at(m_pos) == '\'') {
            skip_quoted('\'', true, "string literal");  // E'...' takes backslash escapes
            return true;
        }
        if (pg()) pg_word(w);
        if (lite()) sqlite_word(w);
        return true;
    }

    bool mysql_delim_at(size_t i) const {
        return !semicolon() && m_text.compare(i, m_delim.size(), m_delim) == 0;
    }

    // DELIMITER counts when it is the first word of its line and no statement
    // is open; while a custom delimiter is active, also inside one.
    bool directive_position(size_t start) const {
        for (size_t i = m_line_start; i < start; ++i)
            if (m_text[i] != ' ' && m_text[i] != '\t') return false;
        return !m_open || !semicolon();
    }

    // `DELIMITER x` up to the end of the line; x may be quoted.
    void delimiter_directive(size_t after_word, int line) {
        finish();
        size_t eol = m_text.find_first_of("\r\n", after_word);
        if (eol == std::string_view::npos) eol = m_text.size();
        std::string_view arg = text::trim(m_text.substr(after_word, eol - after_word));
        std::string delim;
        if (!arg.empty() && (arg[0] == '\'' || arg[0] == '"' || arg[0] == '`')) {
            size_t close = arg.find(arg[0], 1);
            delim = std::string(arg.substr(1, close == std::string_view::npos ? close : close - 1));
        } else {
            size_t ws = arg.find_first_of(" \t");
            delim = std::string(arg.substr(0, ws));
        }
        if (delim.empty()) fail(line, "DELIMITER needs a delimiter, e.g. DELIMITER //");
        if (delim.find('\\') != std::string::npos)
            fail(line, "DELIMITER must not contain a backslash");
        m_delim = delim;
        advance_to(eol);
    }

    void pg_word(std::string_view w) {
        if (m_words < 4) {  // only the first words can make a routine
            static constexpr std::string_view k_words[] = {"create", "function", "procedure", "or",
                                                           "replace"};
            char tag = 0;
            for (std::string_view k : k_words)
                if (iequals(w, k)) tag = k[0];
            m_first_words[m_words] = tag;
        }
        ++m_words;
        const char* f = m_first_words;
        bool routine =
            f[0] == 'c' && (f[1] == 'f' || f[1] == 'p' ||
                            (f[1] == 'o' && f[2] == 'r' && (f[3] == 'f' || f[3] == 'p')));
        if (!routine || m_parens != 0) return;
        if (iequals(w, "begin")) {
            if (m_blocks == 0) m_block_line = m_line;
            ++m_blocks;
        } else if (iequals(w, "case")) {
            if (m_blocks > 0) ++m_blocks;
        } else if (iequals(w, "end")) {
            if (m_blocks > 0) --m_blocks;
        }
    }

    void sqlite_word(std::string_view w) {
        switch (m_trig) {
            case Trig::start:
                m_trig = iequals(w, "explain")  ? Trig::explain
                         : iequals(w, "create") ? Trig::create
                                                : Trig::normal;
                break;
            case Trig::explain:
                m_trig = iequals(w, "create") ? Trig::create : Trig::normal;
                break;
            case Trig::create:
                if (iequals(w, "trigger")) {
                    m_trig = Trig::body;
                    m_block_line = m_start_line;
                } else if (!iequals(w, "temp") && !iequals(w, "temporary")) {
                    m_trig = Trig::normal;
                }
                break;
            case Trig::semi:
                m_trig = iequals(w, "end") ? Trig::end : Trig::body;
                break;
            case Trig::end:
                m_trig = Trig::body;
                break;
            default:
                break;
        }
    }

    void check_open_block() const {
        if (pg() && m_open && m_blocks > 0)
            fail(m_block_line, "BEGIN block of the function at line " +
                                   std::to_string(m_start_line) + " is not closed by END");
        if (lite() && m_open && (m_trig == Trig::body || m_trig == Trig::semi))
            fail(m_start_line, "CREATE TRIGGER body is not closed by END;");
    }
};

}  // namespace

std::vector<Statement> split_sql(std::string_view text, Dialect dialect, int first_line,
                                 const std::string& path) {
    text::refuse_nul(text, first_line, path);
    return Splitter(text, dialect, first_line, path).run();
}

void check_sql(std::string_view text, Dialect dialect, int first_line, const std::string& path) {
    text::refuse_nul(text, first_line, path);
    Splitter(text, dialect, first_line, path, false).run();
}

std::vector<LexedStatement> lex_sql(std::string_view text, Dialect dialect, int first_line,
                                    const std::string& path) {
    std::vector<LexedStatement> out;
    Splitter(text, dialect, first_line, path, false, &out).run();
    return out;
}

}  // namespace sg
