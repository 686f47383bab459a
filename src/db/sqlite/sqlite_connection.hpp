#pragma once
// Factory of the SQLite driver; the implementation alone includes SQLiteCpp.
#include <memory>

#include "db/connection.hpp"

namespace sg {

std::unique_ptr<Connection> connect_sqlite(const DbUrl& url, const ConnectOptions& opts);

}  // namespace sg
