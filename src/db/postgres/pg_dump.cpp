// PostgreSQL: pg_dump --format=custom, verified with pg_restore --list.
// Credentials go to the child through PG* environment variables (libpq reads
// them), never through argv where `ps` would show them.
#include "db/postgres/pg_dump.hpp"

#include <map>
#include <regex>

#include "core/error.hpp"
#include "log/log.hpp"
#include "process/process.hpp"

namespace sg {
namespace {

// URL query options libpq also reads from the environment.
const std::map<std::string, std::string>& query_env_names() {
    static const std::map<std::string, std::string> names = {
        {"sslmode", "PGSSLMODE"},
        {"sslrootcert", "PGSSLROOTCERT"},
        {"sslcert", "PGSSLCERT"},
        {"sslkey", "PGSSLKEY"},
        {"sslcrl", "PGSSLCRL"},
        {"sslcompression", "PGSSLCOMPRESSION"},
        {"sslnegotiation", "PGSSLNEGOTIATION"},
        {"requiressl", "PGREQUIRESSL"},
        {"ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"},
        {"gssencmode", "PGGSSENCMODE"},
        {"connect_timeout", "PGCONNECT_TIMEOUT"},
        {"application_name", "PGAPPNAME"},
        {"options", "PGOPTIONS"},
        {"target_session_attrs", "PGTARGETSESSIONATTRS"},
        {"channel_binding", "PGCHANNELBINDING"},
        {"service", "PGSERVICE"},
        {"passfile", "PGPASSFILE"},
        {"host", "PGHOST"},
        {"hostaddr", "PGHOSTADDR"},
        {"port", "PGPORT"},
        {"user", "PGUSER"},
        {"password", "PGPASSWORD"},
        {"dbname", "PGDATABASE"},
    };
    return names;
}

// pg_dump refuses servers of a newer major version ("aborting because of
// server version mismatch"): name both versions and the way out. A full or
// read-only backup directory gets its own hint.
std::string pg_dump_hint(const std::string& stderr_text) {
    static const std::regex versions(
        R"(server version: ([0-9][^;\s]*)[^;]*; pg_dump version: ([0-9][^\s]*))");
    std::smatch m;
    if (stderr_text.find("server version mismatch") != std::string::npos &&
        std::regex_search(stderr_text, m, versions)) {
        return "the server is PostgreSQL " + m[1].str() + " but pg_dump is " + m[2].str() +
               ": pg_dump must be at least the server's major version; use a pg_dump of that "
               "major (the image's build argument PG_MAJOR, or --pg-dump), or --backup=never";
    }
    // A full disk or quota is the backup directory's problem, not pg_dump's.
    for (const char* full : {"No space left on device", "Disk quota exceeded"}) {
        if (stderr_text.find(full) != std::string::npos) {
            return "the file system of --backup-dir is full (" + std::string(full) +
                   "): free space there (or remove old backups, --backup-keep N), or use "
                   "--backup=never";
        }
    }
    if (stderr_text.find("Read-only file system") != std::string::npos) {
        return "--backup-dir is on a read-only file system: mount a writable volume there, or "
               "use --backup=never";
    }
    return "check pg_dump's error above: it must reach the database with the same "
           "credentials, and be at least the server's major version; or use --backup=never";
}

}  // namespace

std::map<std::string, std::string> postgres_child_env(const DbUrl& url) {
    std::map<std::string, std::string> env;
    if (!url.host.empty()) env["PGHOST"] = url.host;
    if (url.port != 0) env["PGPORT"] = std::to_string(url.port);
    if (!url.user.empty()) env["PGUSER"] = url.user;
    if (!url.password.empty()) env["PGPASSWORD"] = url.password;
    if (!url.database.empty()) env["PGDATABASE"] = url.database;
    for (const auto& [key, value] : url.query) {
        auto it = query_env_names().find(key);
        if (it != query_env_names().end()) env[it->second] = value;
    }
    if (!env.count("PGAPPNAME")) env["PGAPPNAME"] = "schemagate-backup";
    return env;
}

void dump_postgres(const DbUrl& url, const std::string& temp_path, const DumpOptions& opts) {
    process::ChildSpec dump;
    dump.argv = {opts.pg_dump, "--format=custom", "--no-password", "--file=" + temp_path};
    dump.env = postgres_child_env(url);
    process::ChildResult r = process::run_child(dump, "--pg-dump", opts.interrupted);
    if (!r.ok()) {
        throw Error(ExitCode::backup_failed,
                    tool_failure(opts.pg_dump, r.describe(), r.stderr_text),
                    pg_dump_hint(r.stderr_text));
    }
    process::ChildSpec verify;
    verify.argv = {opts.pg_restore, "--list", temp_path};
    process::ChildResult v = process::run_child(verify, "--pg-restore", opts.interrupted);
    if (!v.ok()) {
        throw Error(ExitCode::backup_failed,
                    "the backup failed verification: " +
                        tool_failure(opts.pg_restore + " --list", v.describe(), v.stderr_text));
    }
}

}  // namespace sg
