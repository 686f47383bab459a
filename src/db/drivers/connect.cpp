// The driver table (docs/architecture.md): an explicit switch, not self-registering
// objects, which a static link would drop silently.
#include "db/mysql/mysql_connection.hpp"
#include "db/postgres/pg_connection.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace sg {

std::unique_ptr<Connection> connect(const DbUrl& url, const ConnectOptions& opts) {
    switch (url.dialect) {
        case Dialect::postgresql:
            return connect_postgres(url, opts);
        case Dialect::mysql:
            return connect_mysql(url, opts);
        case Dialect::sqlite:
            return connect_sqlite(url, opts);
    }
    throw DbError(DbErrorKind::other, "no driver for this database URL");
}

}  // namespace sg
