// The schema model: rendering, comparison and JSON, without a database.
#include "schema/schema.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>

using namespace sg;
using namespace sg::schema;

namespace {

Column col(std::string name, std::string type, bool nullable = true,
           std::optional<std::string> def = std::nullopt, std::string identity = "") {
    return Column{std::move(name), std::move(type), nullable, std::move(def), std::move(identity)};
}

Schema shop(Dialect d) {
    Schema s;
    s.dialect = d;
    Table customers;
    customers.name = "customers";
    customers.columns = {col("id", "integer", false, std::nullopt,
                             d == Dialect::postgresql ? "always" : "autoincrement"),
                         col("email", "text", false)};
    customers.primary_key = PrimaryKey{d == Dialect::postgresql ? "customers_pkey" : "", {"id"}};
    customers.uniques = {{d == Dialect::sqlite ? "" : "customers_email_key", {"email"}}};
    Table orders;
    orders.name = "orders";
    orders.columns = {col("customer_id", "integer", false), col("n", "integer", false),
                      col("total", "numeric(10,2)", true, std::string("0"))};
    orders.primary_key = PrimaryKey{"", {"customer_id", "n"}};
    orders.foreign_keys = {
        {"orders_customer_fk", {"customer_id"}, "customers", {"id"}, "CASCADE", "NO ACTION"}};
    orders.checks = {{"orders_total_check", "total >= 0"}};
    orders.indexes = {{"orders_open", {"n"}, false, "total > 0", ""}};
    // Listed out of order: normalize() sorts.
    s.tables = {orders, customers};
    s.views = {{"big_orders", "SELECT * FROM orders WHERE total > 100"}};
    if (d == Dialect::postgresql) s.enums = {{"mood", {"sad", "ok"}}};
    s.normalize();
    return s;
}

}  // namespace

TEST_CASE("tables are created in foreign-key order, views after them", "[schema][render]") {
    auto st = create_statements(shop(Dialect::postgresql));
    REQUIRE(st.size() == 5);
    CHECK(st[0] == "CREATE TYPE \"mood\" AS ENUM ('sad', 'ok')");
    CHECK(st[1].rfind("CREATE TABLE \"customers\" (", 0) == 0);
    CHECK(st[1].find("\"id\" integer NOT NULL GENERATED ALWAYS AS IDENTITY") != std::string::npos);
    CHECK(st[1].find("CONSTRAINT \"customers_email_key\" UNIQUE (\"email\")") != std::string::npos);
    CHECK(st[2].rfind("CREATE TABLE \"orders\" (", 0) == 0);
    CHECK(st[2].find("CONSTRAINT \"orders_customer_fk\" FOREIGN KEY (\"customer_id\") REFERENCES "
                     "\"customers\" (\"id\") ON DELETE CASCADE") != std::string::npos);
    CHECK(st[2].find("PRIMARY KEY (\"customer_id\", \"n\")") != std::string::npos);
    CHECK(st[2].find("CONSTRAINT \"orders_total_check\" CHECK (total >= 0)") != std::string::npos);
    CHECK(st[3] == "CREATE INDEX \"orders_open\" ON \"orders\" (\"n\") WHERE total > 0");
    CHECK(st[4] == "CREATE VIEW \"big_orders\" AS SELECT * FROM orders WHERE total > 100");
}

TEST_CASE("a foreign-key cycle is closed with ALTER TABLE, except on SQLite", "[schema][render]") {
    Schema s;
    s.dialect = Dialect::postgresql;
    Table a{"a",
            {col("id", "integer", false), col("b_id", "integer")},
            PrimaryKey{"a_pkey", {"id"}},
            {},
            {},
            {{"a_b_fk", {"b_id"}, "b", {"id"}, "NO ACTION", "NO ACTION"}},
            {}};
    Table b{"b",
            {col("id", "integer", false), col("a_id", "integer")},
            PrimaryKey{"b_pkey", {"id"}},
            {},
            {},
            {{"b_a_fk", {"a_id"}, "a", {"id"}, "NO ACTION", "NO ACTION"}},
            {}};
    s.tables = {a, b};
    auto st = create_statements(s);
    REQUIRE(st.size() == 3);
    CHECK(st[0].find("FOREIGN KEY") == std::string::npos);
    CHECK(st[1].find("\"b_a_fk\" FOREIGN KEY") != std::string::npos);
    CHECK(st[2] ==
          "ALTER TABLE \"a\" ADD CONSTRAINT \"a_b_fk\" FOREIGN KEY (\"b_id\") REFERENCES \"b\" "
          "(\"id\")");
    auto drops = drop_statements(s);
    CHECK(drops.front() == "ALTER TABLE \"a\" DROP CONSTRAINT \"a_b_fk\"");
    CHECK(drops.back() == "DROP TABLE \"a\"");
    s.dialect = Dialect::sqlite;
    CHECK(create_statements(s).size() == 2);
}

TEST_CASE("dialect details of columns", "[schema][render]") {
    CHECK(column_sql(Dialect::mysql, col("id", "int(11)", false, std::nullopt, "autoincrement")) ==
          "`id` int(11) NOT NULL AUTO_INCREMENT");
    CHECK(column_sql(Dialect::postgresql,
                     col("id", "bigint", false, std::string("nextval('t_id_seq'::regclass)"),
                         "serial")) == "\"id\" bigserial");
    auto s = shop(Dialect::sqlite);
    auto st = create_statements(s);
    CHECK(st[0].find("\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL") != std::string::npos);
    CHECK(st[0].find("PRIMARY KEY (\"id\")") == std::string::npos);
    auto my = create_statements(shop(Dialect::mysql));
    // MySQL: indexes inline (an index MySQL made for a foreign key keeps its name).
    CHECK(my[1].find("KEY `orders_open` (`n`)") != std::string::npos);
    CHECK(quote(Dialect::postgresql, "we\"ird") == "\"we\"\"ird\"");
}

TEST_CASE("equal schemas have no differences whatever the catalogue order", "[schema][diff]") {
    auto a = shop(Dialect::postgresql);
    auto b = shop(Dialect::postgresql);
    std::reverse(b.tables.begin(), b.tables.end());
    b.normalize();
    CHECK(diff(a, b).equal());
}

TEST_CASE("each kind of difference with its SQL (PostgreSQL)", "[schema][diff]") {
    auto from = shop(Dialect::postgresql);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns.push_back(col("note", "text"));
    orders.columns[2].nullable = false;   // total NOT NULL
    orders.indexes.clear();               // index dropped
    orders.checks[0].expr = "total > 0";  // check changed
    to.views.clear();
    to.enums[0].values.push_back("happy");
    Table extra{
        "extra", {col("id", "integer", false)}, PrimaryKey{"extra_pkey", {"id"}}, {}, {}, {}, {}};
    to.tables.push_back(extra);
    to.normalize();
    auto d = diff(from, to);
    REQUIRE_FALSE(d.equal());
    auto text = describe(d);
    CHECK(text.find("~ enum mood") != std::string::npos);
    CHECK(text.find("ALTER TYPE \"mood\" ADD VALUE 'happy' AFTER 'ok'") != std::string::npos);
    CHECK(text.find("- view big_orders") != std::string::npos);
    CHECK(text.find("+ table extra") != std::string::npos);
    CHECK(text.find("+ column orders.note: text") != std::string::npos);
    CHECK(text.find("ALTER TABLE \"orders\" ADD COLUMN \"note\" text") != std::string::npos);
    CHECK(text.find("ALTER TABLE \"orders\" ALTER COLUMN \"total\" SET NOT NULL") !=
          std::string::npos);
    CHECK(text.find("- index orders.orders_open") != std::string::npos);
    CHECK(text.find("DROP INDEX \"orders_open\"") != std::string::npos);
    CHECK(text.find("ALTER TABLE \"orders\" DROP CONSTRAINT \"orders_total_check\"") !=
          std::string::npos);
    CHECK(text.find("ADD CONSTRAINT \"orders_total_check\" CHECK (total > 0)") !=
          std::string::npos);
    // The reverse direction undoes it.
    auto back = describe(diff(to, from));
    CHECK(back.find("DROP TABLE \"extra\"") != std::string::npos);
    CHECK(back.find("CREATE VIEW \"big_orders\"") != std::string::npos);
    CHECK(back.find("ALTER TABLE \"orders\" DROP COLUMN \"note\"") != std::string::npos);
}

TEST_CASE("MySQL differences use its own ALTER forms", "[schema][diff]") {
    auto from = shop(Dialect::mysql);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns[2].type = "decimal(12,2)";
    orders.indexes[0].name = "orders_n";
    orders.foreign_keys.clear();
    to.normalize();
    auto text = describe(diff(from, to));
    CHECK(text.find("ALTER TABLE `orders` MODIFY COLUMN `total` decimal(12,2) DEFAULT 0") !=
          std::string::npos);
    CHECK(text.find("DROP INDEX `orders_open` ON `orders`") != std::string::npos);
    CHECK(text.find("ALTER TABLE `orders` ADD KEY `orders_n` (`n`)") != std::string::npos);
    CHECK(text.find("ALTER TABLE `orders` DROP FOREIGN KEY `orders_customer_fk`") !=
          std::string::npos);
}

TEST_CASE("SQLite: an added column is ALTER TABLE, a changed one a table rebuild",
          "[schema][diff]") {
    auto from = shop(Dialect::sqlite);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns.push_back(col("note", "text"));
    auto d = diff(from, to);
    REQUIRE(d.differences.size() == 1);
    CHECK(d.differences[0].sql ==
          std::vector<std::string>{"ALTER TABLE \"orders\" ADD COLUMN \"note\" text"});
    orders.columns[1].type = "bigint";
    d = diff(from, to);
    REQUIRE(d.differences.size() == 2);
    const auto& sql = d.differences[0].sql;
    REQUIRE(sql.size() >= 5);
    CHECK(sql[0] == "PRAGMA defer_foreign_keys = ON");
    CHECK(sql[1].rfind("CREATE TABLE \"_sg_new_orders\" (", 0) == 0);
    CHECK(sql[2] ==
          "INSERT INTO \"_sg_new_orders\" (\"customer_id\", \"n\", \"total\") SELECT "
          "\"customer_id\", "
          "\"n\", \"total\" FROM \"orders\"");
    CHECK(sql[3] == "DROP TABLE \"orders\"");
    CHECK(sql[4] == "ALTER TABLE \"_sg_new_orders\" RENAME TO \"orders\"");
    CHECK(sql[5] == "CREATE INDEX \"orders_open\" ON \"orders\" (\"n\") WHERE total > 0");
}

TEST_CASE("objects the model does not cover are listed as not compared", "[schema][diff]") {
    auto a = shop(Dialect::postgresql);
    auto b = a;
    b.not_covered = {{"trigger", "audit", "orders"}, {"function", "f", ""}};
    auto d = diff(a, b);
    CHECK(d.equal());
    REQUIRE(d.not_compared.size() == 2);
    CHECK(describe(d).find("not compared") != std::string::npos);
    CHECK(describe(d).find("trigger orders.audit") != std::string::npos);
}

TEST_CASE("the JSON document", "[schema][json]") {
    auto s = shop(Dialect::postgresql);
    s.not_covered = {{"sequence", "loose_seq", ""}};
    auto j = to_json(s);
    CHECK(j.find("\"format_version\": 1") != std::string::npos);
    CHECK(j.find("\"dialect\": \"postgresql\"") != std::string::npos);
    CHECK(
        j.find("{\"name\": \"id\", \"type\": \"integer\", \"nullable\": false, \"default\": null, "
               "\"identity\": \"always\"}") != std::string::npos);
    CHECK(
        j.find("\"references\": {\"table\": \"customers\", \"columns\": [\"id\"]}, \"on_delete\": "
               "\"CASCADE\"") != std::string::npos);
    CHECK(j.find("{\"kind\": \"sequence\", \"name\": \"loose_seq\", \"table\": null}") !=
          std::string::npos);
    CHECK(json_string("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST_CASE("the script remakes views around the table changes they depend on", "[schema][diff]") {
    auto from = shop(Dialect::postgresql);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns[2].type = "numeric(12,2)";  // the view big_orders names orders: unchanged
    auto d = diff(from, to);
    REQUIRE(d.differences.size() == 1);
    const auto& s = d.script;
    auto at = [&](const std::string& prefix) {
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i].rfind(prefix, 0) == 0) return static_cast<long>(i);
        }
        return -1L;
    };
    REQUIRE(at("DROP VIEW \"big_orders\"") >= 0);
    CHECK(at("DROP VIEW \"big_orders\"") <
          at("ALTER TABLE \"orders\" ALTER COLUMN \"total\" TYPE numeric(12,2)"));
    CHECK(at("ALTER TABLE \"orders\" ALTER COLUMN") < at("CREATE VIEW \"big_orders\""));
    // A changed view is dropped before the tables and made after them.
    to.views[0].definition = "SELECT 1";
    auto d2 = diff(from, to);
    CHECK(d2.script.front().rfind("DROP VIEW", 0) == 0);
    CHECK(d2.script.back().rfind("CREATE VIEW", 0) == 0);
    CHECK(diff_sql(d2).find("DROP VIEW \"big_orders\";\n") == 0);
}

TEST_CASE("renames are written as renames, and undone by the inverse", "[schema][diff][rename]") {
    for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite}) {
        auto from = shop(d);
        auto to = from;
        Table& customers = const_cast<Table&>(*to.table("customers"));
        customers.name = "clients";
        customers.columns[1].name = "mail";
        customers.uniques[0].columns = {"mail"};
        Table& orders = const_cast<Table&>(*to.table("orders"));
        orders.foreign_keys[0].ref_table = "clients";
        to.normalize();
        Renames r;
        r.tables["customers"] = "clients";
        r.columns[{"clients", "email"}] = "mail";
        auto up = diff(from, to, r);
        const std::string q1 = d == Dialect::mysql ? "`" : "\"";
        auto quoted = [&](const std::string& n) { return q1 + n + q1; };
        REQUIRE(up.script.size() >= 2);
        CHECK(up.script[0] ==
              "ALTER TABLE " + quoted("customers") + " RENAME TO " + quoted("clients"));
        CHECK(up.script[1] == "ALTER TABLE " + quoted("clients") + " RENAME COLUMN " +
                                  quoted("email") + " TO " + quoted("mail"));
        for (const auto& st : up.script) {
            CHECK(st.find("DROP TABLE") == std::string::npos);
            CHECK(st.find("DROP COLUMN") == std::string::npos);
        }
        auto down = diff(to, from, r.inverse());
        REQUIRE(down.script.size() >= 2);
        CHECK(down.script[0] ==
              "ALTER TABLE " + quoted("clients") + " RENAME TO " + quoted("customers"));
        CHECK(down.script[1] == "ALTER TABLE " + quoted("customers") + " RENAME COLUMN " +
                                    quoted("mail") + " TO " + quoted("email"));
    }
    auto s = shop(Dialect::postgresql);
    Renames bad;
    bad.tables["nope"] = "customers";
    CHECK_THROWS_AS(diff(s, s, bad), std::invalid_argument);
    Renames bad_col;
    bad_col.columns[{"customers", "nope"}] = "email";
    CHECK_THROWS_AS(diff(s, s, bad_col), std::invalid_argument);
}

TEST_CASE("narrowing type changes are named, widening ones are not", "[schema][diff]") {
    CHECK(narrowing("varchar(50)", "varchar(100)").empty());
    CHECK(narrowing("character varying(50)", "text").empty());
    CHECK(narrowing("integer", "bigint").empty());
    CHECK(narrowing("numeric(10,2)", "numeric(12,2)").empty());
    CHECK(narrowing("int(11)", "int(10)").empty());
    CHECK_FALSE(narrowing("varchar(100)", "varchar(50)").empty());
    CHECK_FALSE(narrowing("text", "varchar(10)").empty());
    CHECK_FALSE(narrowing("bigint", "integer").empty());
    CHECK_FALSE(narrowing("numeric(12,2)", "numeric(12,1)").empty());
    CHECK_FALSE(narrowing("text", "integer").empty());
}

TEST_CASE("drops and narrowing carry a data-loss comment naming the data", "[schema][diff]") {
    auto from = shop(Dialect::postgresql);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns[2].type = "numeric(6,2)";
    Table& customers = const_cast<Table&>(*to.table("customers"));
    customers.columns.pop_back();  // email
    customers.uniques.clear();
    auto text = diff_sql(diff(from, to));
    CHECK(text.find("-- data loss: orders.total numeric(10,2) -> numeric(6,2)") !=
          std::string::npos);
    CHECK(text.find("-- data loss: drops column customers.email (text) and its values\n"
                    "ALTER TABLE \"customers\" DROP COLUMN \"email\"") != std::string::npos);
    auto back = diff_sql(diff(to, from));
    CHECK(back.find("-- data loss") == std::string::npos);  // widening and adding lose nothing
    Schema empty;
    empty.dialect = Dialect::postgresql;
    auto gone = diff_sql(diff(from, empty));
    CHECK(gone.find("-- data loss: drops table orders and all its rows (columns customer_id, n, "
                    "total)\nDROP TABLE \"orders\"") != std::string::npos);
    // SQLite's rebuild names the columns it does not copy.
    auto lite_from = shop(Dialect::sqlite);
    auto lite_to = lite_from;
    const_cast<Table&>(*lite_to.table("orders"))
        .columns.erase(const_cast<Table&>(*lite_to.table("orders")).columns.begin() + 2);
    const_cast<Table&>(*lite_to.table("orders")).checks.clear();
    const_cast<Table&>(*lite_to.table("orders")).indexes.clear();
    auto lite = diff_sql(diff(lite_from, lite_to));
    CHECK(lite.find("-- data loss: drops column orders.total (numeric(10,2)) and its values\n"
                    "INSERT INTO \"_sg_new_orders\"") != std::string::npos);
}

TEST_CASE("the script drops foreign keys first and adds them last", "[schema][diff]") {
    for (Dialect d : {Dialect::postgresql, Dialect::mysql}) {
        auto from = shop(d);
        auto to = from;
        Table& orders = const_cast<Table&>(*to.table("orders"));
        // The foreign key now points at a new table, and an index is replaced.
        orders.foreign_keys[0] = {"orders_account_fk", {"customer_id"}, "accounts", {"id"},
                                  "NO ACTION",         "NO ACTION"};
        Table accounts{
            "accounts", {col("id", "integer", false)}, PrimaryKey{"", {"id"}}, {}, {}, {}, {}};
        to.tables.push_back(accounts);
        // The customers table goes (nothing refers to it any more).
        to.tables.erase(std::remove_if(to.tables.begin(), to.tables.end(),
                                       [](const Table& t) { return t.name == "customers"; }),
                        to.tables.end());
        to.normalize();
        auto s = diff(from, to).script;
        auto at = [&](const std::string& needle) {
            for (size_t i = 0; i < s.size(); ++i) {
                if (s[i].find(needle) != std::string::npos) return static_cast<long>(i);
            }
            return -1L;
        };
        REQUIRE(at("orders_customer_fk") >= 0);
        REQUIRE(at("orders_account_fk") >= 0);
        CHECK(at("orders_customer_fk") < at("CREATE TABLE"));
        CHECK(at("CREATE TABLE") < at("orders_account_fk"));
        CHECK(at("orders_account_fk") < at("DROP TABLE"));
    }
}

TEST_CASE("MySQL adds a column where TO has it", "[schema][diff]") {
    auto from = shop(Dialect::mysql);
    auto to = from;
    Table& orders = const_cast<Table&>(*to.table("orders"));
    orders.columns.insert(orders.columns.begin() + 1, col("b", "int"));
    orders.columns.insert(orders.columns.begin() + 1, col("a", "int"));
    orders.columns.push_back(col("z", "int"));
    std::vector<std::string> s;  // the view on orders is remade around them too
    for (const auto& st : diff(from, to).script) {
        if (st.find("ADD COLUMN") != std::string::npos) s.push_back(st);
    }
    REQUIRE(s.size() == 3);
    CHECK(s[0] == "ALTER TABLE `orders` ADD COLUMN `a` int AFTER `customer_id`");
    CHECK(s[1] == "ALTER TABLE `orders` ADD COLUMN `b` int AFTER `a`");
    CHECK(s[2] == "ALTER TABLE `orders` ADD COLUMN `z` int");
}

TEST_CASE("SQLite: a rebuild says where the table's triggers go", "[schema][diff]") {
    auto from = shop(Dialect::sqlite);
    from.not_covered = {{"trigger", "orders_touch", "orders"}, {"trigger", "other", "customers"}};
    auto to = from;
    const_cast<Table&>(*to.table("orders")).columns[1].type = "bigint";
    auto s = diff(from, to).script;
    auto it = std::find(s.begin(), s.end(), "ALTER TABLE \"_sg_new_orders\" RENAME TO \"orders\"");
    REQUIRE(it != s.end());
    bool noted = std::any_of(it, s.end(), [](const std::string& st) {
        return st.rfind("-- trigger orders_touch on orders", 0) == 0;
    });
    CHECK(noted);
    CHECK(std::none_of(s.begin(), s.end(), [](const std::string& st) {
        return st.find("trigger other") != std::string::npos;
    }));
}
