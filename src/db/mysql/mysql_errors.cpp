// MySQL/MariaDB's error classification (mysql_errors.hpp).
#include "db/mysql/mysql_errors.hpp"

namespace sg::driver {

ConnectFailure classify_mysql_failure(int code) {
    switch (code) {
        case 1044:  // access denied to database
        case 1045:  // access denied for user (password)
        case 1049:  // unknown database
        case 1129:  // host blocked
        case 1130:  // host not allowed to connect
        case 1251:  // client does not support the authentication protocol
        case 1698:  // access denied (auth plugin)
        case 2026:  // TLS connection error
        case 2059:  // authentication plugin cannot be loaded
            return ConnectFailure::auth;
        default:
            // Refused 2002/2003, unknown host 2005, lost 2013, too many
            // connections 1040, shutting down 1053, ...: waiting may help.
            return ConnectFailure::unreachable;
    }
}

}  // namespace sg::driver
