#include "run/report.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>

#include "core/util.hpp"
#include "log/log.hpp"

namespace sg {
namespace {

constexpr size_t kTerminationMax = 4096;
constexpr const char* kDefaultTerminationLog = "/dev/termination-log";

std::string q(const std::string& s) { return "\"" + log::json_escape(log::redact(s)) + "\""; }

std::string str_array(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + q(v[i]);
    return out + "]";
}

std::string steps_json(const std::vector<StepResult>& steps) {
    std::string out = "[";
    for (size_t i = 0; i < steps.size(); ++i) {
        const StepResult& s = steps[i];
        out += std::string(i ? "," : "") + "{\"revision\":" + q(s.revision) + ",\"direction\":" +
               (s.direction == Direction::upgrade ? "\"upgrade\"" : "\"downgrade\"") +
               ",\"duration_ms\":" + std::to_string(s.duration_ms) +
               ",\"statements\":" + std::to_string(s.statements) + "}";
    }
    return out + "]";
}

std::string phases_json(const std::vector<Phase>& phases) {
    std::string out = "[";
    for (size_t i = 0; i < phases.size(); ++i) {
        out += std::string(i ? "," : "") + "{\"name\":" + q(phases[i].name) +
               ",\"duration_ms\":" + std::to_string(phases[i].duration_ms) + "}";
    }
    return out + "]";
}

std::string backup_json(const std::optional<BackupResult>& b) {
    if (!b) return "null";
    return "{\"path\":" + q(b->path) + ",\"bytes\":" + std::to_string(b->bytes) +
           ",\"duration_ms\":" + std::to_string(b->duration_ms) +
           ",\"from\":" + str_array(b->from) + ",\"removed\":" + str_array(b->removed) + "}";
}

bool writable_default() {
    return ::access(kDefaultTerminationLog, F_OK) == 0 &&
           ::access(kDefaultTerminationLog, W_OK) == 0;
}

bool write_in_place(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    return static_cast<bool>(out);
}

// A regular file is written beside itself and renamed over, so a full disk
// or a crash leaves the old file or the new one, never a truncated one.
// Anything else (a FIFO), and a file whose directory takes no new file or
// that cannot be renamed over — Kubernetes bind-mounts /dev/termination-log
// as a single file into a read-only /dev — is written in place.
bool write_file(const std::string& path, const std::string& text) {
    struct stat st {};
    bool regular = ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode);
    if (!regular) return write_in_place(path, text);
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out.is_open()) return write_in_place(path, text);
        out << text;
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return write_in_place(path, text);
    }
    return true;
}

}  // namespace

std::string report_json(const RunReport& r) {
    std::string out = "{";
    out += "\"command\":" + q(r.command);
    out += ",\"exit_code\":" + std::to_string(to_int(r.code));
    out += ",\"meaning\":" + q(exit_meaning(r.code));
    out += ",\"success\":" + std::string(r.code == ExitCode::ok ? "true" : "false");
    out += ",\"tool_version\":" + q(r.tool_version);
    out += ",\"database\":" + q(r.database);
    out += ",\"dialect\":" + q(r.dialect);
    out += ",\"target\":" + q(r.target);
    out += ",\"started_at\":" + q(r.started_at);
    out += ",\"finished_at\":" + q(utc_now());
    out += ",\"duration_ms\":" + std::to_string(r.duration_ms);
    out += ",\"fast_path\":" + std::string(r.fast_path ? "true" : "false");
    out += ",\"wait_attempts\":" + std::to_string(r.wait_attempts);
    out += ",\"lock_taken\":" + std::string(r.lock_taken ? "true" : "false");
    out += ",\"lock_wait_ms\":" + std::to_string(r.lock_wait_ms);
    out += ",\"phases\":" + phases_json(r.phases);
    out += ",\"from\":" + str_array(r.from_heads);
    out += ",\"to\":" + str_array(r.to_heads);
    out += ",\"pending\":" + str_array(r.pending);
    out += ",\"applied\":" + steps_json(r.applied);
    out += ",\"backup\":" + backup_json(r.backup);
    out += ",\"warnings\":" + str_array(r.warnings);
    out += ",\"error\":" + (r.error.empty() ? std::string("null") : q(r.error));
    out += ",\"hint\":" + (r.hint.empty() ? std::string("null") : q(r.hint));
    out += ",\"revision\":" + (r.revision.empty() ? std::string("null") : q(r.revision));
    out += ",\"location\":" + (r.location.empty() ? std::string("null") : q(r.location));
    out += ",\"db_error\":" + (r.db_error.empty() ? std::string("null") : q(r.db_error));
    out += ",\"details\":" + str_array(r.details);
    return out + "}";
}

std::string default_hint(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "";
        case ExitCode::internal:
            return "this is a bug in schemagate; please report it with the log";
        case ExitCode::usage:
            return "fix the command line or the SCHEMAGATE_* / DATABASE_* variables";
        case ExitCode::invalid:
            return "fix the migration files listed above (run `schemagate verify`)";
        case ExitCode::unreachable:
            return "check the host and port of the URL and that the database is running; raise "
                   "--wait-timeout if it starts slowly";
        case ExitCode::auth:
            return "check the user, password and database name, and the user's privileges";
        case ExitCode::lock_timeout:
            return "another runner holds the migration lock; wait for it or raise --lock-timeout";
        case ExitCode::backup_failed:
            return "fix the backup (tool, directory, space) or use --backup=never; the database "
                   "was not changed";
        case ExitCode::rolled_back:
            return "fix the failing migration and deploy again; the database is at the last good "
                   "revision";
        case ExitCode::dirty:
            return "repair the database by hand, then `schemagate repair --mark-applied`, "
                   "`--mark-reverted` or `--resume`";
        case ExitCode::drift:
            return "deploy the image that matches the database, or accept with --allow-unknown / "
                   "--allow-drift";
        case ExitCode::pending:
            return "apply the pending revisions with `schemagate run`";
        case ExitCode::lint:
            return "change the revision as the findings say (`schemagate lint`), accept a rule "
                   "for one revision with `-- lint_allow: RULE`, or run with --lint warn";
        case ExitCode::sigint:
        case ExitCode::sigterm:
            return "the open transaction was rolled back; run again to continue";
    }
    return "";
}

std::string termination_message(const RunReport& r) {
    std::string text = "schemagate " + r.command + ": exit " + std::to_string(to_int(r.code)) +
                       " (" + exit_meaning(r.code) + ")\n";
    if (r.code == ExitCode::ok) {
        text += r.applied.empty() ? "database already at the target"
                                  : "applied " + std::to_string(r.applied.size()) + " revision(s)";
        if (!r.to_heads.empty()) text += "; now at " + join(r.to_heads, ", ");
        text += "\n";
    }
    if (!r.revision.empty()) {
        text += "revision: " + r.revision;
        if (!r.location.empty()) text += " at " + r.location;
        text += "\n";
    }
    if (!r.error.empty()) text += "error: " + r.error + "\n";
    if (!r.db_error.empty() && r.error.find(r.db_error) == std::string::npos) {
        text += "database error: " + r.db_error + "\n";
    }
    for (size_t i = 0; i < r.details.size() && i < 20; ++i) text += "  " + r.details[i] + "\n";
    if (r.backup) text += "backup: " + r.backup->path + "\n";
    if (r.code != ExitCode::ok) {
        text += "next: " + (r.hint.empty() ? default_hint(r.code) : r.hint) + "\n";
    }
    text = log::redact(text);
    if (text.size() > kTerminationMax) text = text.substr(0, kTerminationMax - 4) + "...\n";
    return text;
}

namespace {
std::atomic<bool> g_outputs_written{false};
}  // namespace

bool outputs_written() { return g_outputs_written.load(); }

void write_outputs(const RunReport& r, const std::string& path, const std::string& report_path) {
    g_outputs_written = true;
    std::string target = path;
    if (target.empty() && writable_default()) target = kDefaultTerminationLog;
    if (!target.empty() && !write_file(target, termination_message(r))) {
        log::warn("cannot write the termination message", {{"file", target}});
    }
    if (!report_path.empty() && !write_file(report_path, report_json(r) + "\n")) {
        log::warn("cannot write the report", {{"file", report_path}});
    }
}

}  // namespace sg
