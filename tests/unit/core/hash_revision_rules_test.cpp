// The helpers every layer shares from core: FNV-1a (lock keys, backup names)
// and the revision id and branch label rules.
#include <catch2/catch.hpp>

#include "core/hash.hpp"
#include "core/revision.hpp"

using namespace sg;

TEST_CASE("fnv1a64 is FNV-1a 64-bit (its published test vectors)", "[hash]") {
    CHECK(fnv1a64("") == 14695981039346656037ull);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(fnv1a64("foobar") == 0x85944171f73967e8ull);
    // Lock keys depend on these values: a change would let two releases take
    // different locks for one database.
    CHECK(fnv1a64(std::string("schemagate:db:public:alembic_version")) ==
          fnv1a64("schemagate:db:public:alembic_version"));
}

TEST_CASE("revision ids: 1-32 characters of [0-9A-Za-z_]", "[revision][rules]") {
    CHECK(valid_revision_id("a"));
    CHECK(valid_revision_id("Ab_09"));
    CHECK(valid_revision_id(std::string(32, 'x')));
    CHECK_FALSE(valid_revision_id(""));
    CHECK_FALSE(valid_revision_id(std::string(33, 'x')));
    CHECK_FALSE(valid_revision_id("a-b"));
    CHECK_FALSE(valid_revision_id("a.b"));
    CHECK_FALSE(valid_revision_id("a b"));
    CHECK_FALSE(valid_revision_id("abc\n"));
    CHECK_FALSE(valid_revision_id("caf\xc3\xa9"));
}

TEST_CASE("branch labels: [0-9A-Za-z_.-], not a symbolic name", "[revision][rules]") {
    CHECK(valid_branch_label("billing"));
    CHECK(valid_branch_label("v1.2-x_y"));
    CHECK(valid_branch_label("headless"));
    for (const char* reserved : {"", "head", "heads", "base", "current"})
        CHECK_FALSE(valid_branch_label(reserved));
    CHECK_FALSE(valid_branch_label("a@b"));
    CHECK_FALSE(valid_branch_label("a+1"));
    CHECK_FALSE(valid_branch_label("a:b"));
    CHECK_FALSE(valid_branch_label("a b"));
}
