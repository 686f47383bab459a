#pragma once
// Factory of the PostgreSQL driver; the implementation alone includes libpqxx.
#include <memory>

#include "db/connection.hpp"

namespace sg {

std::unique_ptr<Connection> connect_postgres(const DbUrl& url, const ConnectOptions& opts);

}  // namespace sg
