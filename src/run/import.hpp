#pragma once
// `import alembic` as the run layer runs it: the importer under a signal
// watch, so SIGTERM/SIGINT stop the Python (and what it started) and remove
// its temporary directory before the exit with 143/130.
#include "importer/importer.hpp"

namespace sg {

importer::ImportResult run_import(importer::ImportOptions options);

}  // namespace sg
