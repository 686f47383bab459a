#include "run/problems.hpp"

#include "log/log.hpp"

namespace sg {
namespace {

log::Fields code_field(const Error& e) {
    log::Fields fields{{"exit_code", to_int(e.code())}};
    if (!e.hint().empty()) fields.emplace_back("hint", e.hint());
    return fields;
}

}  // namespace

void log_problems(const ScriptError& e) {
    const auto& problems = e.problems();
    if (problems.size() > 1) {
        // what() names the first problem; the list below names them all.
        log::error("invalid migrations: " + std::to_string(problems.size()) + " problems",
                   code_field(e));
    } else if (problems.empty()) {
        log::error(e.what(), code_field(e));
    }
    for (const auto& p : problems) {
        log::Fields fields{{"file", p.file}, {"line", p.line}};
        if (problems.size() == 1) {
            for (auto& f : code_field(e)) fields.push_back(f);
        }
        log::error(p.where() + ": " + p.message, fields);
    }
}

void log_problems(const GraphError& e) {
    // The revisions the summary names already (the heads of "multiple
    // heads", the matches of an ambiguous prefix) are not repeated.
    std::vector<GraphProblem> problems;
    for (const auto& p : e.problems()) {
        if (p.kind != GraphProblemKind::named_revision) problems.push_back(p);
    }
    if (problems.size() != 1) log::error(e.what(), code_field(e));
    for (const auto& p : problems) {
        log::Fields fields{{"file", p.file}};
        if (p.line > 0) fields.emplace_back("line", p.line);
        if (problems.size() == 1) {
            for (auto& f : code_field(e)) fields.push_back(f);
        }
        log::error(p.file.empty() ? p.message : p.where() + ": " + p.message, fields);
    }
}

}  // namespace sg
