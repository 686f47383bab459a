#include "run/import.hpp"

#include "run/signals.hpp"

namespace sg {

importer::ImportResult run_import(importer::ImportOptions options) {
    SignalWatch signals;
    options.interrupted = signals.flag();
    return importer::import_alembic(options);
}

}  // namespace sg
