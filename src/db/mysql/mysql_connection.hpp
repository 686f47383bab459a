#pragma once
// Factory of the MySQL/MariaDB driver; the implementation alone includes
// mysql-connector-cpp.
#include <memory>

#include "db/connection.hpp"

namespace sg {

std::unique_ptr<Connection> connect_mysql(const DbUrl& url, const ConnectOptions& opts);

}  // namespace sg
