#include "engine/runner.hpp"

#include <algorithm>
#include <csignal>

namespace sg::engine_detail {

int pending_signal(const MigrateOptions& opts) {
    return opts.interrupted ? opts.interrupted->load() : 0;
}

const char* signal_name(int signal) {
    if (signal == SIGINT) return "SIGINT";
    if (signal == SIGTERM) return "SIGTERM";
    return "a signal";
}

std::string location(const Prepared& p, int index) {
    const std::string& file = p.migration->rev.file;
    if (index < 0 || index >= static_cast<int>(p.statements.size())) return file;
    return file + ":" + std::to_string(p.statements[index].line);
}

std::string describe_error(const std::exception& e) {
    std::string msg = e.what();
    auto* db = dynamic_cast<const DbError*>(&e);
    if (!db) return msg;
    std::string codes;
    if (db->native_code() != 0) codes = "errno " + std::to_string(db->native_code());
    if (!db->sqlstate().empty() && msg.find(db->sqlstate()) == std::string::npos)
        codes += (codes.empty() ? "SQLSTATE " : ", SQLSTATE ") + db->sqlstate();
    if (!codes.empty() && msg.find(codes) == std::string::npos) msg += " (" + codes + ")";
    return msg;
}

void run_statements(Connection& conn, const MigrateOptions& opts, const Prepared& p, int start,
                    const std::function<void(int)>& progress) {
    int n = static_cast<int>(p.statements.size());
    for (int i = start; i < n; ++i) {
        if (int sig = pending_signal(opts))
            throw StatementFailure{i, location(p, i),
                                   std::string("interrupted by ") + signal_name(sig), sig};
        try {
            conn.execute(p.statements[i].sql);
        } catch (const DbError& e) {
            // A statement the server cancelled because we were told to stop is an
            // interruption; a cancel for another reason (statement_timeout) is a failure.
            int sig = pending_signal(opts);
            if (e.kind() == DbErrorKind::cancelled && sig)
                throw StatementFailure{i, location(p, i),
                                       std::string("interrupted by ") + signal_name(sig), sig};
            bool lost = e.kind() == DbErrorKind::lost || e.kind() == DbErrorKind::unreachable;
            throw StatementFailure{i, location(p, i), describe_error(e),
                                   0, lost,           !lost && is_lock_wait(e)};
        } catch (const std::exception& e) {
            throw StatementFailure{i, location(p, i), describe_error(e), 0};
        }
        if (progress) progress(i + 1);
    }
    // A signal during the last statement (MySQL's KILL QUERY lets SLEEP()
    // return normally) must still stop the step before it is committed.
    if (int sig = pending_signal(opts))
        throw StatementFailure{n, location(p, n - 1),
                               std::string("interrupted by ") + signal_name(sig), sig};
}

bool is_lock_wait(const DbError& e) {
    // busy (SQLite), or a lock wait's SQLSTATE 55P03 / MySQL 1205 (exit 6).
    return e.kind() == DbErrorKind::busy || e.code() == ExitCode::lock_timeout;
}

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

std::vector<std::string> split_heads(const std::string& heads) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= heads.size()) {
        auto comma = heads.find(',', start);
        if (comma == std::string::npos) comma = heads.size();
        auto item = heads.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
        start = comma + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace sg::engine_detail
