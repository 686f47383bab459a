#pragma once
// The run layer as the command line sees it: src/cli includes only run/ and
// log/ headers, and this one brings what it names of the layers below —
// exit codes and errors, dialects and database URLs, the state tables'
// names, lint findings, the revision graph it prints — with the requests,
// their outcomes, the settings, the error boundary and the report.
#include "core/dialect.hpp"
#include "core/error.hpp"
#include "core/exit_code.hpp"
#include "core/graph.hpp"
#include "core/util.hpp"
#include "db/url.hpp"
#include "engine/state.hpp"  // TableNames, validate_table_name
#include "run/boundary.hpp"
#include "run/commands.hpp"
#include "run/report.hpp"
#include "run/settings.hpp"
#include "script/lint.hpp"
#include "script/migration.hpp"
