// `run`: the init-container gate of DESIGN.md §5.
#include "run/gate.hpp"

#include <map>

#include "engine/migrator.hpp"
#include "log/log.hpp"
#include "run/checks.hpp"
#include "run/lock.hpp"
#include "run/run.hpp"
#include "run/session.hpp"

namespace sg {
namespace {

// The snapshot and what it means for this directory and target.
struct Assessment {
    DbSnapshot snap;
    std::vector<std::string> unknown;
    std::vector<ChecksumMismatch> mismatches;
    std::vector<Step> plan;  // empty when `unknown` is not
};

DbSnapshot read_snapshot(StateStore& state) {
    DbSnapshot s;
    s.rows = state.versions();
    s.dirty = state.dirty_step();
    s.checksums = state.applied_checksums();
    return s;
}

Assessment assess(const ScriptDirectory& scripts, Dialect d, StateStore& state,
                  const std::string& target) {
    Assessment a;
    a.snap = read_snapshot(state);
    a.unknown = unknown_revisions(scripts, a.snap.rows);
    if (!a.unknown.empty()) return a;  // cannot plan from revisions we do not know
    a.mismatches = checksum_mismatches(scripts, d, a.snap);
    a.plan = scripts.graph.plan_upgrade(a.snap.rows, target);
    return a;
}

class Gate {
  public:
    explicit Gate(Session& session) : m_s(session), m_settings(session.settings()) {}

    void run() {
        m_scripts = m_s.phase(
            "load", [&] { return load_directory(m_settings.migrations, m_s.url().dialect); });
        log::info("migrations loaded",
                  {{"dir", m_settings.migrations},
                   {"revisions", static_cast<int>(m_scripts.migrations.size())}});
        Connection& conn = m_s.connect();
        StateStore state(conn, m_settings.tables);
        Assessment a = m_s.phase("read", [&] { return assess_now(conn, state); });
        m_s.report().from_heads = a.snap.rows;
        if (fast_path_ok(a)) return finish_without_changes(a, "the database is at the target");

        m_s.throw_if_interrupted("before taking the lock");
        MigrationLock lock(
            conn, lock_name(conn.database_name(), schema(conn), m_settings.tables.version));
        acquire(lock);
        migrate_under_lock(conn, state);
        lock.release();
    }

  private:
    Assessment assess_now(Connection& conn, StateStore& state) {
        return assess(m_scripts, conn.dialect(), state, m_settings.target);
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

    void migrate_under_lock(Connection& conn, StateStore& state) {
        // Another runner may have done the work while we waited.
        Assessment a = m_s.phase("check", [&] { return assess_now(conn, state); });
        m_s.report().from_heads = a.snap.rows;
        enforce_checks(a);
        if (!a.unknown.empty()) {
            return finish_without_changes(a,
                                          "the database is ahead of this image (--allow-unknown)");
        }
        if (a.plan.empty()) {
            return finish_without_changes(
                a, "the database is at the target (another runner applied the revisions)");
        }
        for (const auto& step : a.plan) m_s.report().pending.push_back(step.revision);
        log::info("revisions pending", {{"count", static_cast<int>(a.plan.size())},
                                        {"from", backup_from_label(a.snap.rows)},
                                        {"target", m_settings.target}});
        m_s.throw_if_interrupted("before the backup");
        if (m_settings.backup != BackupMode::never) m_s.backup(a.snap.rows);
        m_s.throw_if_interrupted("before applying");
        apply(conn, state, a.plan);
    }

    // At the target with nothing dirty or drifted: no lock, no backup, no
    // writes (the common case of every replica and pod restart).
    bool fast_path_ok(const Assessment& a) const {
        return a.unknown.empty() && !a.snap.dirty && a.plan.empty() &&
               (a.mismatches.empty() || m_settings.allow_drift);
    }

    void finish_without_changes(const Assessment& a, const std::string& why) {
        RunReport& r = m_s.report();
        r.fast_path = !r.lock_taken;
        r.to_heads = a.snap.rows;
        warn_allowed(a);
        log::info(why, {{"heads", backup_from_label(a.snap.rows)}});
        if (m_settings.backup == BackupMode::always) m_s.backup(a.snap.rows);
    }

    void warn_allowed(const Assessment& a) {
        if (!a.unknown.empty()) {
            std::string msg = unknown_message(a.unknown) + "; nothing applied (--allow-unknown)";
            log::warn(msg);
            m_s.report().warnings.push_back(msg);
        }
        if (!a.mismatches.empty()) {
            std::string msg = drift_message(a.mismatches) + " (accepted: --allow-drift)";
            log::warn(msg);
            m_s.report().warnings.push_back(msg);
        }
    }

    void enforce_checks(const Assessment& a) {
        if (!a.unknown.empty() && !m_settings.allow_unknown) {
            m_s.report().details = a.unknown;
            throw Error(ExitCode::drift, unknown_message(a.unknown),
                        "deploy an image with these migrations, or accept with --allow-unknown");
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
        if (a.snap.dirty) {
            const HistoryRow& row = *a.snap.dirty;
            m_s.report().revision = row.revision;
            m_s.report().db_error = row.error;
            throw Error(ExitCode::dirty, dirty_message(m_scripts, row),
                        repair_hint(m_s.newest_backup()));
        }
    }

    void apply(Connection& conn, StateStore& state, const std::vector<Step>& plan) {
        MigrateOptions mo;
        mo.atomic = m_settings.atomic;
        mo.applied_by = m_s.applied_by();
        mo.tool_version = m_settings.tool_version;
        mo.interrupted = m_s.interrupted();
        Migrator migrator(m_scripts, conn, state, mo);
        try {
            m_s.report().applied = m_s.phase("apply", [&] { return migrator.run(plan); });
        } catch (const MigrationFailure& f) {
            if (f.code() != ExitCode::dirty) throw;
            // Exit 9 names the backup taken before this run and the repair choices.
            throw MigrationFailure(f.code(), f.what(), repair_hint(m_s.newest_backup()), f.done(),
                                   f.revision(), f.location(), f.db_error());
        }
        m_s.report().to_heads = state.versions();
    }

    std::string schema(Connection& conn) {
        const std::string& v = m_settings.tables.version;
        auto dot = v.find('.');
        if (dot != std::string::npos) return v.substr(0, dot);
        return conn.current_schema();
    }

    Session& m_s;
    const Settings& m_settings;
    ScriptDirectory m_scripts;
};

}  // namespace

ExitCode run_gate_with(const Settings& settings, const Connector& connector) {
    Session session(settings, "run", connector);
    return session.run([](Session& s) { Gate(s).run(); });
}

ExitCode run_gate(const Settings& settings) { return run_gate_with(settings, {}); }

}  // namespace sg
