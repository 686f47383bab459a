#include "db/drivers/inspect.hpp"

#include "db/mysql/mysql_schema.hpp"
#include "db/postgres/pg_schema.hpp"
#include "db/sqlite/sqlite_schema.hpp"

namespace sg {

schema::Schema inspect_schema(Connection& conn, const std::set<std::string>& exclude) {
    switch (conn.dialect()) {
        case Dialect::postgresql:
            return inspect_postgres(conn, exclude);
        case Dialect::mysql:
            return inspect_mysql(conn, exclude);
        case Dialect::sqlite:
            return inspect_sqlite(conn, exclude);
    }
    throw Error(ExitCode::internal, "no schema reader for this database");
}

}  // namespace sg
