// The driver table (docs/architecture.md): an explicit switch, not self-registering
// objects, which a static link would drop silently. One line per database.
#include "db/mysql/mysql_connection.hpp"
#include "db/postgres/pg_connection.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace sg {

const Database& database(Dialect d) {
    switch (d) {
        case Dialect::postgresql:
            return postgres_database();
        case Dialect::mysql:
            return mysql_database();
        case Dialect::sqlite:
            return sqlite_database();
    }
    throw DbError(DbErrorKind::other, "no driver for this database");
}

std::unique_ptr<Connection> connect(const DbUrl& url, const ConnectOptions& opts) {
    return database(url.dialect).connect(url, opts);
}

}  // namespace sg
