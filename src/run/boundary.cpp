#include "run/boundary.hpp"

#include "db/connection.hpp"
#include "run/problems.hpp"
#include "script/migration.hpp"

namespace sg {

std::string hint_for(const DbError& e, ExitCode code) {
    if (!e.hint().empty()) return e.hint();
    if (code == ExitCode::lock_timeout) {
        return "another session holds a lock on the database (an application writing, a "
               "long transaction); stop it or run again when it has finished";
    }
    if (code == ExitCode::unreachable && e.kind() == DbErrorKind::lost) {
        return "the connection was lost; check the database server and run again";
    }
    return "";
}

ExitCode guard(const std::function<ExitCode()>& body, Failure& f) {
    using Kind = Failure::Kind;
    f = Failure{};
    auto take = [&f](Kind kind, const Error& e) {
        f.kind = kind;
        f.code = e.code();
        f.error = e.what();
        f.hint = e.hint();
    };
    try {
        return body();
    } catch (const MigrationFailure& e) {
        take(Kind::migration, e);
        f.revision = e.revision();
        f.location = e.location();
        f.db_error = e.db_error();
        f.applied = e.done();
    } catch (const ScriptError& e) {
        take(Kind::problems, e);
        for (const auto& p : e.problems()) f.details.push_back(p.where() + ": " + p.message);
        log_problems(e);
    } catch (const GraphError& e) {
        take(Kind::problems, e);
        for (const auto& p : e.problems()) {
            f.details.push_back((p.file.empty() ? "" : p.file + ": ") + p.message);
        }
        log_problems(e);
    } catch (const DbError& e) {
        f.kind = Kind::database;
        f.code = e.code();
        f.error = e.describe();
        f.hint = hint_for(e, f.code);
    } catch (const Error& e) {
        take(Kind::error, e);
    } catch (const std::exception& e) {
        f.kind = Kind::internal;
        f.code = ExitCode::internal;
        f.error = std::string("internal error: ") + e.what();
    }
    return f.code;
}

}  // namespace sg
