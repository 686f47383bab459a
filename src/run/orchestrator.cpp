// The one orchestrator behind every command that touches a database.
//
// Every command that writes (run, upgrade, downgrade, stamp, repair) goes
// through Orchestrator::migrate: resolve targets without a database, read
// the state without creating anything, take the fast path when there is
// nothing to do, else take the migration lock, read again, enforce the checks
// (dirty, unknown, inconsistent rows, drift), back up (run), and apply the
// work through the engine's Migrator. The read-only commands (check, current,
// history, wait, backup) share the same Session: the same connection, error
// mapping, signal handling, termination log and --report.
#include <map>

#include "engine/migrator.hpp"
#include "log/log.hpp"
#include "run/checks.hpp"
#include "run/commands.hpp"
#include "run/directory.hpp"
#include "run/lock.hpp"
#include "run/session.hpp"
#include "script/lint.hpp"

namespace sg {
namespace {

/// The refusals a command makes before changing a database.
struct Checks {
    bool dirty = true;    // a recorded dirty step (exit 9)
    bool unknown = true;  // rows the directory does not know (10, --allow-unknown)
    bool drift = true;    // applied files changed (10, --allow-drift)
};

/// What a writing command changes, planned from the rows it read.
struct Work {
    std::vector<Step> steps;                             // upgrade / downgrade
    std::optional<std::vector<std::string>> stamp_rows;  // stamp
    RepairAction repair = RepairAction::none;            // repair
    bool empty() const { return steps.empty() && !stamp_rows && repair == RepairAction::none; }
};

/// A writing command, as the one migration path sees it.
struct Change {
    Checks checks;
    bool backup = false;  // `run`: take a backup before applying (§6)
    std::function<Work(const DbSnapshot&)> plan;
    std::string idle;  // logged when there is nothing to do
};

struct Assessment {
    DbSnapshot snap;
    std::vector<std::string> unknown;
    std::vector<RowOverlap> overlaps;
    std::vector<ChecksumMismatch> mismatches;
    Work work;
};

// Relative targets (+N, -N, rev-1, label@+2) need the rows to resolve.
bool is_relative(const std::string& target) {
    return target.find_first_of("+-") != std::string::npos;
}

class Orchestrator {
  public:
    Orchestrator(Session& session, const Request& request, Outcome& out)
        : m_s(session), m_settings(session.settings()), m_req(request), m_out(out) {}

    ExitCode execute() {
        switch (m_req.command) {
            case Command::wait:
                m_s.connect();
                log::info("the database accepts connections");
                return ExitCode::ok;
            case Command::backup:
                return backup();
            case Command::current:
            case Command::history:
                return read_current();
            case Command::check:
                return check();
            default:
                break;
        }
        load();
        return migrate(change());
    }

  private:
    // --- the one migration path ------------------------------------------

    ExitCode migrate(const Change& c) {
        resolve_targets_offline();
        refuse_offline();        // what needs no database, before connecting
        m_s.connect_existing();  // reading must not create a SQLite file
        Assessment a = m_s.phase("read", [&] { return assess(c); });
        m_s.report().from_heads = a.snap.rows;
        if (nothing_to_do(c, a)) {
            warn_allowed(a);
            return finish(a, c.idle);
        }
        if (m_req.command == Command::run) lint_pending(a.work.steps);
        m_s.throw_if_interrupted("before taking the lock");
        Connection& conn = m_s.connect();  // a new SQLite file only now
        MigrationLock lock(conn, m_s.lock_name());
        acquire(lock);
        m_s.state().forget_tables();  // another runner may have created them meanwhile
        // Another runner may have done the work while we waited.
        a = m_s.phase("check", [&] { return assess(c); });
        m_s.report().from_heads = a.snap.rows;
        enforce(c, a);
        if (!a.unknown.empty()) {
            return finish(a, "the database is ahead of this image (--allow-unknown)");
        }
        if (a.work.empty()) {
            return finish(a, c.idle + " (another runner applied the revisions)");
        }
        for (const auto& step : a.work.steps) m_s.report().pending.push_back(step.revision);
        if (!a.work.steps.empty()) {
            log::info("revisions pending", {{"count", static_cast<int>(a.work.steps.size())},
                                            {"from", backup_from_label(a.snap.rows)},
                                            {"target", target_text()}});
        }
        // Every refusal that needs the database, before the backup: a crash
        // loop must not add a backup per retry (docs/run.md step 6).
        Migrator migrator(*m_scripts, m_s.conn(), m_s.state(), migrate_options());
        m_s.phase("check", [&] {
            m_s.state().check_schema();
            if (!a.work.steps.empty()) migrator.check(a.work.steps);
            return 0;
        });
        m_s.throw_if_interrupted("before the backup");
        if (c.backup && m_settings.backup != BackupMode::never) m_s.backup(a.snap.rows);
        m_s.throw_if_interrupted("before applying");
        apply(a.work, migrator);
        lock.release();
        return ExitCode::ok;
    }

    Change change() const {
        const RevisionGraph& g = m_scripts->graph;
        Change c;
        c.idle = "the database is at the target";
        switch (m_req.command) {
            case Command::run:
            case Command::upgrade:
                c.backup = m_req.command == Command::run;
                c.plan = [&g, this](const DbSnapshot& s) {
                    return Work{g.plan_upgrade(s.rows, m_settings.target), {}, {}};
                };
                break;
            case Command::downgrade:
                c.checks.drift = false;  // going back needs only the downgrade sections
                c.plan = [&g, this](const DbSnapshot& s) {
                    return Work{g.plan_downgrade(s.rows, m_req.targets.at(0)), {}, {}};
                };
                break;
            case Command::stamp:
                c.checks = {false, false, false};  // stamp is how such tables are set right
                c.plan = [&g, this](const DbSnapshot& s) {
                    auto rows = s.rows;
                    bool purge = m_req.purge;
                    for (const auto& t : m_req.targets) {
                        rows = g.plan_stamp(rows, t, purge);
                        purge = false;
                    }
                    return Work{{}, rows, {}};
                };
                break;
            case Command::repair:
                c.checks = {false, false, false};
                c.idle = "nothing to repair: no dirty step is recorded";
                c.plan = [this](const DbSnapshot& s) {
                    return Work{{}, {}, s.dirty ? m_req.repair : RepairAction::none};
                };
                break;
            default:
                throw Error(ExitCode::internal, "not a writing command");
        }
        return c;
    }

    Assessment assess(const Change& c) {
        Assessment a;
        if (m_s.connected()) a.snap = read_snapshot(m_s.state());
        a.unknown = unknown_revisions(*m_scripts, a.snap.rows);
        if (!a.unknown.empty() && c.checks.unknown) return a;  // cannot plan from them
        if (c.checks.unknown) {
            a.overlaps = overlapping_rows(*m_scripts, a.snap.rows);
            if (!a.overlaps.empty()) return a;
        }
        if (c.checks.drift) a.mismatches = checksum_mismatches(*m_scripts, dialect(), a.snap);
        a.work = c.plan(a.snap);
        return a;
    }

    // At the target with nothing dirty, unknown or drifted: no lock, no
    // backup, no writes (the common case of every replica and pod restart).
    bool nothing_to_do(const Change& c, const Assessment& a) const {
        return a.unknown.empty() && a.overlaps.empty() && !(c.checks.dirty && a.snap.dirty) &&
               a.work.empty() && (a.mismatches.empty() || m_settings.allow_drift);
    }

    void enforce(const Change& c, const Assessment& a) {
        if (!a.unknown.empty() && c.checks.unknown && !m_settings.allow_unknown) {
            m_s.report().details = a.unknown;
            throw Error(ExitCode::drift, unknown_message(a.unknown),
                        "deploy an image with these migrations, or accept with --allow-unknown");
        }
        if (!a.overlaps.empty()) {
            throw Error(ExitCode::invalid, overlap_message(a.overlaps),
                        "the version table is inconsistent, not the migration files: look at "
                        "it, then set it right with `schemagate stamp --purge REVISION`");
        }
        if (!a.mismatches.empty() && !m_settings.allow_drift) {
            for (const auto& m : a.mismatches) {
                m_s.report().details.push_back(m.revision + " " + m.file + ": recorded " +
                                               m.recorded.substr(0, 12) + ", file " +
                                               m.current.substr(0, 12));
            }
            throw Error(ExitCode::drift, drift_message(a.mismatches),
                        "restore the files as they were applied (add a new revision for new "
                        "changes), or accept with --allow-drift");
        }
        if (c.checks.dirty && a.snap.dirty) {
            const HistoryRow& row = *a.snap.dirty;
            m_s.report().revision = row.revision;
            m_s.report().db_error = row.error;
            throw Error(ExitCode::dirty, dirty_message(*m_scripts, row),
                        repair_hint(m_s.newest_backup()));
        }
        warn_allowed(a);
    }

    void warn_allowed(const Assessment& a) {
        if (!a.unknown.empty() && m_settings.allow_unknown) {
            m_s.warn(unknown_message(a.unknown) + "; nothing applied (--allow-unknown)");
        }
        if (!a.mismatches.empty()) {
            m_s.warn(drift_message(a.mismatches) + " (accepted: --allow-drift)");
        }
    }

    MigrateOptions migrate_options() const {
        MigrateOptions mo;
        mo.atomic = m_settings.atomic;
        mo.applied_by = m_s.applied_by();
        mo.tool_version = m_settings.tool_version;
        mo.interrupted = m_s.interrupted();
        mo.ddl_lock_timeout = m_settings.ddl_lock_timeout;
        mo.ddl_lock_retries = m_settings.ddl_lock_retries;
        mo.ddl_lock_budget = m_settings.lock_timeout;  // the migration lock's wait is not counted
        mo.reconnect = [this] { return m_s.open_another(); };
        return mo;
    }

    // Refusals decidable from the settings alone: before connecting, so a
    // crash loop neither waits for the database nor takes a backup.
    void refuse_offline() const {
        bool applies = m_req.command == Command::run || m_req.command == Command::upgrade ||
                       m_req.command == Command::downgrade;
        if (applies && m_settings.atomic && !database(m_settings.db.dialect).transactional_ddl())
            throw Error(ExitCode::usage,
                        "--atomic is not possible on MySQL/MariaDB: DDL statements commit "
                        "implicitly",
                        "run without --atomic; a failure then leaves a dirty step to repair");
    }

    void apply(const Work& w, Migrator& migrator) {
        try {
            m_s.phase("apply", [&] {
                if (!w.steps.empty()) m_s.report().applied = migrator.run(w.steps);
                if (w.stamp_rows) migrator.stamp(*w.stamp_rows);
                repair(migrator, w.repair);
                return 0;
            });
        } catch (const MigrationFailure& f) {
            if (f.code() != ExitCode::dirty) throw;
            // Exit 9 names the backup taken before this run and the repair choices.
            throw MigrationFailure(f.code(), f.what(),
                                   f.hint() + "; " + backup_note(m_s.newest_backup()), f.done(),
                                   f.revision(), f.location(), f.db_error());
        }
        m_out.rows = m_s.state().versions();
        m_s.report().to_heads = m_out.rows;
        log::info(m_req.name + " done", {{"current", heads_text(m_out.rows)}});
    }

    static void repair(Migrator& m, RepairAction action) {
        switch (action) {
            case RepairAction::mark_applied:
                return m.repair_mark_applied();
            case RepairAction::mark_reverted:
                return m.repair_mark_reverted();
            case RepairAction::resume:
                return m.repair_resume();
            case RepairAction::none:
                return;
        }
    }

    ExitCode finish(const Assessment& a, const std::string& why) {
        RunReport& r = m_s.report();
        r.fast_path = !r.lock_taken;
        r.to_heads = a.snap.rows;
        m_out.rows = a.snap.rows;
        log::info(why, {{"heads", backup_from_label(a.snap.rows)}});
        if (m_req.command == Command::run && m_settings.backup == BackupMode::always) {
            m_s.connect();
            m_s.backup(a.snap.rows);
        }
        return ExitCode::ok;
    }

    void acquire(MigrationLock& lock) {
        LockOptions lo;
        lo.timeout = m_settings.lock_timeout;
        lo.interrupted = m_s.interrupted();
        m_s.phase("lock", [&] {
            lock.acquire(lo);
            return 0;
        });
        m_s.report().lock_taken = true;
        m_s.report().lock_wait_ms = lock.waited_ms();
    }

    // `run --lint` (docs/zero-downtime.md): the pending revisions only, before
    // the lock, the backup and any change. warn logs each finding; error
    // refuses the run with exit 13 when one is not accepted by lint_allow.
    void lint_pending(const std::vector<Step>& steps) {
        if (m_settings.lint == LintMode::off) return;
        bool error = m_settings.lint == LintMode::error;
        std::vector<std::string> refused;
        for (const auto& step : steps) {
            if (step.direction != Direction::upgrade) continue;
            for (const auto& f : lint_migration(m_scripts->get(step.revision), {dialect()})) {
                if (f.allowed) continue;
                log::Fields fields{{"rule", f.rule},
                                   {"location", f.where()},
                                   {"revision", f.revision},
                                   {"advice", f.advice}};
                std::string msg = "lint: " + f.rule + ": " + f.message;
                if (error) {
                    log::error(msg, fields);
                    refused.push_back(format_finding(f));
                } else {
                    log::warn(msg, fields);
                }
            }
        }
        if (refused.empty()) return;
        m_s.report().details = refused;
        throw Error(ExitCode::lint,
                    std::to_string(refused.size()) +
                        " lint finding(s) in the pending revisions (--lint error); nothing "
                        "was changed",
                    "change the revisions as the findings say, accept a rule for one revision "
                    "with `-- lint_allow: RULE`, or run with --lint warn");
    }

    // --- the commands that only read --------------------------------------

    ExitCode check() {
        load();
        resolve_targets_offline();
        m_s.connect_existing();
        Change c;
        c.plan = [this](const DbSnapshot& s) {
            return Work{m_scripts->graph.plan_upgrade(s.rows, m_settings.target), {}, {}};
        };
        Assessment a = m_s.phase("read", [&] { return assess(c); });
        m_s.report().from_heads = m_out.rows = m_s.report().to_heads = a.snap.rows;
        enforce(c, a);
        m_out.pending = a.work.steps;
        for (const auto& step : a.work.steps) m_s.report().pending.push_back(step.revision);
        if (a.work.steps.empty()) {
            log::info("the database is at the target",
                      {{"target", m_settings.target}, {"current", heads_text(a.snap.rows)}});
            return ExitCode::ok;
        }
        log::info(std::to_string(a.work.steps.size()) + " revision(s) pending",
                  {{"target", m_settings.target}, {"current", heads_text(a.snap.rows)}});
        return ExitCode::pending;
    }

    ExitCode read_current() {
        if (m_req.command == Command::current) load();
        if (m_s.connect_existing()) {
            m_out.rows = m_s.state().versions();
            if (m_req.read_history) m_out.history = m_s.state().history();
        }
        m_s.report().from_heads = m_s.report().to_heads = m_out.rows;
        return ExitCode::ok;
    }

    ExitCode backup() {
        m_s.connect();
        std::vector<std::string> heads = m_s.state().versions();
        m_s.report().from_heads = m_s.report().to_heads = m_out.rows = heads;
        m_s.backup(heads);
        return ExitCode::ok;
    }

    // --- helpers ------------------------------------------------------------

    void load() {
        m_scripts = m_s.phase("load", [&] {
            return std::make_shared<const ScriptDirectory>(
                load_directory(m_settings.migrations, script_dialect(m_settings, false)));
        });
        m_out.scripts = m_scripts;
        log::info("migrations loaded",
                  {{"dir", m_settings.migrations},
                   {"revisions", static_cast<int>(m_scripts->migrations.size())}});
        bool applies = m_req.command == Command::run || m_req.command == Command::upgrade ||
                       m_req.command == Command::check;
        if (applies && m_scripts->migrations.empty() && !m_settings.allow_empty) {
            throw Error(ExitCode::invalid,
                        "the migrations directory " + m_settings.migrations + " holds no revisions",
                        "check that it is mounted (an empty ConfigMap or volume looks like "
                        "this), or pass --allow-empty (SCHEMAGATE_ALLOW_EMPTY=true) when no "
                        "revisions is intended");
        }
    }

    // Targets that need no rows are resolved before connecting: a typo is
    // exit 3 even with the database down, and creates no SQLite file.
    void resolve_targets_offline() const {
        if (m_scripts->migrations.empty()) return;
        std::vector<std::string> targets = m_req.targets;
        if (targets.empty()) targets.push_back(m_settings.target);
        for (const auto& t : targets) {
            if (!t.empty() && !is_relative(t)) m_scripts->graph.resolve(t);
        }
    }

    std::string target_text() const {
        return m_req.targets.empty() ? m_settings.target : join(m_req.targets);
    }

    Dialect dialect() const {
        return m_s.connected() ? m_s.conn().dialect() : m_settings.db.dialect;
    }

    Session& m_s;
    const Settings& m_settings;
    const Request& m_req;
    Outcome& m_out;
    std::shared_ptr<const ScriptDirectory> m_scripts;
};

bool waits(Command c) { return c == Command::run || c == Command::wait || c == Command::backup; }

}  // namespace

Outcome execute(const Settings& settings, const Request& request, const Connector& connector) {
    if (request.sql_out) return write_sql(settings, request);
    if (is_schema_command(request.command)) return run_schema(settings, request);
    if (!uses_database(request.command)) return run_directory(settings, request);
    if (request.command == Command::run && !request.baseline_rev.empty())
        return run_with_baseline(settings, request, connector);
    Outcome out;
    Session session(settings, request.name, connector, waits(request.command));
    out.code = session.run([&](Session& s) { return Orchestrator(s, request, out).execute(); });
    return out;
}

}  // namespace sg
