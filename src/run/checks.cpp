#include "run/checks.hpp"

#include "core/util.hpp"

namespace sg {

DbSnapshot read_snapshot(StateStore& state) {
    StoredState stored = state.read_state();
    DbSnapshot s;
    s.rows = std::move(stored.versions);
    s.dirty = std::move(stored.dirty);
    s.checksums = std::move(stored.checksums);
    return s;
}

std::vector<RowOverlap> overlapping_rows(const ScriptDirectory& scripts,
                                         const std::vector<std::string>& rows) {
    std::vector<RowOverlap> out;
    for (auto& [ancestor, descendant] : scripts.graph.overlapping_rows(rows))
        out.push_back({ancestor, descendant});
    return out;
}

std::string overlap_message(const std::vector<RowOverlap>& overlaps) {
    std::vector<std::string> pairs;
    for (const auto& o : overlaps)
        pairs.push_back(o.ancestor + " is an ancestor of " + o.descendant);
    return "the version table holds revisions that are ancestors of each other (" +
           join(pairs, "; ") + "): it does not describe one state of the database";
}

std::vector<std::string> unknown_revisions(const ScriptDirectory& scripts,
                                           const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
        if (!scripts.graph.find(r)) out.push_back(r);
    }
    return out;
}

std::vector<ChecksumMismatch> checksum_mismatches(const ScriptDirectory& scripts, Dialect d,
                                                  const DbSnapshot& snap) {
    std::vector<ChecksumMismatch> out;
    for (const auto& id : scripts.graph.applied(snap.rows)) {
        auto it = snap.checksums.find(id);
        if (it == snap.checksums.end() || it->second.empty()) continue;
        const Migration& m = scripts.get(id);
        std::string current = m.checksum(d);
        if (current != it->second) out.push_back({id, m.rev.file, it->second, current});
    }
    return out;
}

std::string unknown_message(const std::vector<std::string>& unknown) {
    std::string ids = join(unknown);
    return "the database is ahead of this image: applied revision(s) " + ids +
           " are not in the migrations directory";
}

std::string drift_message(const std::vector<ChecksumMismatch>& mismatches) {
    std::string text =
        "applied migration(s) changed since they were applied (checksum "
        "mismatch):";
    for (const auto& m : mismatches) {
        text += " " + m.revision + " (" + (m.file.empty() ? "?" : m.file) + ")";
    }
    return text;
}

std::string dirty_message(const ScriptDirectory& scripts, const HistoryRow& row) {
    std::string file;
    if (const Revision* r = scripts.graph.find(row.revision)) file = r->file;
    std::string text = "revision " + row.revision;
    if (!file.empty()) text += " (" + file + ")";
    text += " failed part-way and the database is dirty";
    if (row.statements_total > 0) {
        text += ": statement " + std::to_string(row.statements_done + 1) + " of " +
                std::to_string(row.statements_total) + " failed";
    }
    if (!row.error.empty()) text += " at " + row.error;
    if (!row.started_at.empty()) text += " (run started " + row.started_at + " UTC)";
    return text;
}

std::string repair_hint(const std::string& backup) {
    std::string text =
        "look at the database, then run one of: `schemagate repair "
        "--mark-applied` (you finished the revision by hand), `schemagate "
        "repair --mark-reverted` (you undid its partial changes), `schemagate "
        "repair --resume` (run its remaining statements from the failed one)";
    return text + "; " + backup_note(backup);
}

std::string backup_note(const std::string& backup) {
    return backup.empty() ? "no backup from before the run was found"
                          : "backup from before the run: " + backup;
}

}  // namespace sg
