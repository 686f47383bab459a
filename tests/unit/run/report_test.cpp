#include <catch2/catch.hpp>

#include "run/checks.hpp"
#include "run/report.hpp"

using namespace sg;

TEST_CASE("the termination message names the failure and what to do next") {
    RunReport r;
    r.code = ExitCode::rolled_back;
    r.error = "revision 3f5a failed";
    r.revision = "3f5aacf09e0d";
    r.location = "migrations/002_email.sql:12";
    r.db_error = "ERROR 42P01: relation \"x\" does not exist";
    std::string t = termination_message(r);
    CHECK(t.find("exit 8 (revision failed and was rolled back)") != std::string::npos);
    CHECK(t.find("3f5aacf09e0d at migrations/002_email.sql:12") != std::string::npos);
    CHECK(t.find("42P01") != std::string::npos);
    CHECK(t.find("next: ") != std::string::npos);
}

TEST_CASE("the termination message is redacted and at most 4 KiB") {
    RunReport r;
    r.code = ExitCode::auth;
    r.error = "cannot connect to postgresql://u:hunter22@h/db";
    r.details.assign(200, std::string(100, 'x'));
    std::string t = termination_message(r);
    CHECK(t.find("hunter22") == std::string::npos);
    CHECK(t.size() <= 4096);
}

TEST_CASE("the report is one JSON object with the run's facts") {
    RunReport r;
    r.code = ExitCode::ok;
    r.applied.push_back({"a1", Direction::upgrade, 12, 3});
    r.phases.push_back({"wait", 5});
    BackupResult b;
    b.path = "backups/app-base-20250101T000000Z.dump";
    r.backup = b;
    std::string j = report_json(r);
    CHECK(j.front() == '{');
    CHECK(j.back() == '}');
    CHECK(j.find("\"exit_code\":0") != std::string::npos);
    CHECK(j.find("\"applied\":[{\"revision\":\"a1\"") != std::string::npos);
    CHECK(j.find("\"backup\":{\"path\":\"backups/app-base") != std::string::npos);
    CHECK(j.find('\n') == std::string::npos);
}

TEST_CASE("every exit code has a hint except success") {
    for (int c : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 130, 143}) {
        CHECK_FALSE(default_hint(static_cast<ExitCode>(c)).empty());
    }
    CHECK(default_hint(ExitCode::ok).empty());
}

TEST_CASE("the dirty message names revision, statement and repair choices") {
    ScriptDirectory scripts;
    HistoryRow row;
    row.revision = "abc123";
    row.statements_done = 2;
    row.statements_total = 5;
    row.error = "m/1.sql:7: Duplicate column";
    std::string m = dirty_message(scripts, row);
    CHECK(m.find("abc123") != std::string::npos);
    CHECK(m.find("statement 3 of 5") != std::string::npos);
    CHECK(m.find("m/1.sql:7") != std::string::npos);
    std::string h = repair_hint("backups/x.sql.gz");
    CHECK(h.find("--mark-applied") != std::string::npos);
    CHECK(h.find("--mark-reverted") != std::string::npos);
    CHECK(h.find("--resume") != std::string::npos);
    CHECK(h.find("backups/x.sql.gz") != std::string::npos);
}
