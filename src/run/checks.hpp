#pragma once
// The checks before applying (docs/run.md step 5): pure functions of the
// scripts and the state read from the database.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/state.hpp"
#include "script/migration.hpp"

namespace sg {

/// What the run flow reads from the database, with or without the lock.
struct DbSnapshot {
    std::vector<std::string> rows;                 // version-table rows
    std::optional<HistoryRow> dirty;               // a recorded dirty step
    std::map<std::string, std::string> checksums;  // revision -> applied checksum
};

/// Reads the snapshot (rows, dirty step, checksums) on an open session.
DbSnapshot read_snapshot(StateStore& state);

/// Two version-table rows of which one is an ancestor of the other: the
/// table is inconsistent (a hand edit, a bad stamp).
struct RowOverlap {
    std::string ancestor;
    std::string descendant;
};
std::vector<RowOverlap> overlapping_rows(const ScriptDirectory& scripts,
                                         const std::vector<std::string>& rows);
std::string overlap_message(const std::vector<RowOverlap>& overlaps);

struct ChecksumMismatch {
    std::string revision;
    std::string file;
    std::string recorded;
    std::string current;
};

/// Version-table rows naming revisions the files do not know.
std::vector<std::string> unknown_revisions(const ScriptDirectory& scripts,
                                           const std::vector<std::string>& rows);

/// Applied revisions (the closure of `rows`) whose recorded checksum differs
/// from the file's. Revisions without a recorded checksum are not drift.
/// Call only when unknown_revisions() is empty.
std::vector<ChecksumMismatch> checksum_mismatches(const ScriptDirectory& scripts, Dialect d,
                                                  const DbSnapshot& snap);

/// Exit-10 messages (one line each; the detail lists every revision/file).
std::string unknown_message(const std::vector<std::string>& unknown);
std::string drift_message(const std::vector<ChecksumMismatch>& mismatches);

/// The exit-9 message for a dirty step: revision, statement n of m, file:line,
/// the database error, and `backup` (a path, or "" when none is known).
std::string dirty_message(const ScriptDirectory& scripts, const HistoryRow& row);
/// What to do next about a dirty step: the three `schemagate repair` choices.
std::string repair_hint(const std::string& backup);
/// "backup from before the run: PATH", or that none was found.
std::string backup_note(const std::string& backup);

}  // namespace sg
