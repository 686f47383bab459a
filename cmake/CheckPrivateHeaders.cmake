# ctest layering_private_headers: a private header included from outside its
# module fails to compile (cmake/Modules.cmake, "Private headers"), and
# compiles inside it. Run with -DCXX=<compiler> -DSRC=<repo>/src -DOUT=<dir>.
file(MAKE_DIRECTORY ${OUT})
set(cases
  "engine/sql_names.hpp|SG_ENGINE_INTERNAL"
  "engine/runner.hpp|SG_ENGINE_INTERNAL"
  "engine/ddl_lock.hpp|SG_ENGINE_INTERNAL"
  "db/postgres/pg_connection.hpp|SG_DRIVERS_INTERNAL"
  "db/postgres/pg_dump.hpp|SG_DB_POSTGRES_INTERNAL"
  "db/mysql/mysql_connection.hpp|SG_DB_MYSQL_INTERNAL"
  "db/mysql/mysqldump.hpp|SG_DB_MYSQL_INTERNAL"
  "db/mysql/mysql_errors.hpp|SG_DB_MYSQL_INTERNAL"
  "db/postgres/pg_errors.hpp|SG_DB_POSTGRES_INTERNAL"
  "db/sqlite/sqlite_connection.hpp|SG_DRIVERS_INTERNAL"
  "db/sqlite/backup.hpp|SG_DB_SQLITE_INTERNAL")
set(failures "")
foreach(case ${cases})
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 header)
  list(GET parts 1 inside)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  set(file ${OUT}/${stem}.cpp)
  file(WRITE ${file} "#include \"${header}\"\n")
  execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${SRC} ${file}
                  RESULT_VARIABLE outside ERROR_VARIABLE outside_err OUTPUT_QUIET)
  if(outside EQUAL 0 OR NOT outside_err MATCHES "is private to")
    string(APPEND failures "${header}: compiled from outside its module\n")
  endif()
  execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -D${inside} -I${SRC} ${file}
                  RESULT_VARIABLE inside_rc ERROR_VARIABLE inside_err OUTPUT_QUIET)
  if(NOT inside_rc EQUAL 0)
    string(APPEND failures "${header}: does not compile with ${inside}: ${inside_err}\n")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
list(LENGTH cases n)
message(STATUS "${n} private headers refused outside their module")
