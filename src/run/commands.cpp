// `wait` and `backup`: parts of the run flow on their own.
#include "engine/state.hpp"
#include "log/log.hpp"
#include "run/gate.hpp"
#include "run/run.hpp"
#include "run/session.hpp"

namespace sg {

ExitCode wait_command_with(const Settings& settings, const Connector& connector) {
    Session session(settings, "wait", connector);
    return session.run([](Session& s) {
        s.connect();
        log::info("the database accepts connections");
    });
}

ExitCode backup_command_with(const Settings& settings, const Connector& connector) {
    Session session(settings, "backup", connector);
    return session.run([&](Session& s) {
        Connection& conn = s.connect();
        StateStore state(conn, settings.tables);
        std::vector<std::string> heads = state.versions();
        s.report().from_heads = heads;
        s.report().to_heads = heads;
        s.backup(heads);
    });
}

ExitCode wait_command(const Settings& settings) { return wait_command_with(settings, {}); }
ExitCode backup_command(const Settings& settings) { return backup_command_with(settings, {}); }

}  // namespace sg
