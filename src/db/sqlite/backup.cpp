// The SQLite online backup API (sqlite3_backup_*) through SQLiteCpp.
#include "db/sqlite/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "db/connection.hpp"
#include "db/driver_support.hpp"

namespace sg {
namespace {

// Pages copied per step: small enough to notice a signal quickly, large
// enough that a 1 GB file takes a few thousand steps.
constexpr int kPagesPerStep = 1024;

[[noreturn]] void throw_interrupted(int sig) {
    throw Error(sig == SIGINT ? ExitCode::sigint : ExitCode::sigterm,
                "interrupted during the SQLite backup");
}

}  // namespace

void sqlite_online_backup(const std::string& source, const std::string& dest,
                          const std::atomic<int>* interrupted) {
    try {
        SQLite::Database src(source, SQLite::OPEN_READONLY, 5000);
        SQLite::Database dst(dest, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        SQLite::Backup backup(dst, src);
        for (;;) {
            if (interrupted && interrupted->load() != 0) throw_interrupted(interrupted->load());
            int rc = backup.executeStep(kPagesPerStep);
            if (rc == SQLITE_DONE) break;
            // BUSY/LOCKED: a writer holds the source; SQLiteCpp throws on
            // real errors, so anything else here is "try again shortly".
            if (rc != SQLITE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    } catch (const SQLite::Exception& e) {
        throw DbError(DbErrorKind::other, "SQLite backup of '" + source +
                                              "' failed: " + driver::clean_message(e.what()));
    }
    std::string check = sqlite_integrity_check(dest);
    if (check != "ok") {
        throw DbError(DbErrorKind::other,
                      "the SQLite backup failed PRAGMA integrity_check: " + check);
    }
}

std::string sqlite_integrity_check(const std::string& path) {
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        SQLite::Statement stmt(db, "PRAGMA integrity_check");
        std::string out;
        while (stmt.executeStep()) {
            if (!out.empty()) out += "; ";
            out += stmt.getColumn(0).getString();
        }
        return out.empty() ? "no result" : out;
    } catch (const SQLite::Exception& e) {
        return driver::clean_message(e.what());
    }
}

}  // namespace sg
