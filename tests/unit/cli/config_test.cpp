// Pure configuration helpers: durations, env names, DATABASE_* and *_FILE.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "cli/config.hpp"
#include "core/error.hpp"

using namespace sg;
using namespace sg::cli;
using std::chrono::milliseconds;

namespace {

ExitCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return ExitCode::ok;
}

// A fake secret-file reader: known paths only.
FileReader files(std::map<std::string, std::string> contents) {
    return [contents](const std::string& path) {
        auto it = contents.find(path);
        if (it == contents.end()) throw Error(ExitCode::usage, "cannot read secret file " + path);
        return it->second;
    };
}

const FileReader no_files = files({});

}  // namespace

TEST_CASE("durations accept ms, bare seconds, s, m, h") {
    CHECK(parse_duration("500ms") == milliseconds(500));
    CHECK(parse_duration("90") == milliseconds(90000));
    CHECK(parse_duration("90s") == milliseconds(90000));
    CHECK(parse_duration("5m") == milliseconds(300000));
    CHECK(parse_duration("1h") == milliseconds(3600000));
    CHECK(parse_duration("0") == milliseconds(0));
    CHECK(parse_duration("1m30s") == milliseconds(90000));
    CHECK(parse_duration("1h2m3s4ms") == milliseconds(3723004));
}

TEST_CASE("bad durations are usage errors naming the option") {
    for (const char* bad : {"", "abc", "5x", "-5s", "1.5s", "s", "1m30", "5 s", "ms5",
                            "99999999999999999999s", "9999999999999999h"}) {
        INFO(bad);
        CHECK(code_of([&] { parse_duration(bad, "--wait-timeout"); }) == ExitCode::usage);
    }
    try {
        parse_duration("soon", "--wait-timeout");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("--wait-timeout") != std::string::npos);
        CHECK(std::string(e.what()).find("soon") != std::string::npos);
    }
}

TEST_CASE("booleans and counts") {
    CHECK(parse_bool("true"));
    CHECK(parse_bool("YES"));
    CHECK(parse_bool("1"));
    CHECK_FALSE(parse_bool("off"));
    CHECK_FALSE(parse_bool("False"));
    CHECK(code_of([] { parse_bool("maybe"); }) == ExitCode::usage);
    CHECK(parse_count("0") == 0);
    CHECK(parse_count("12") == 12);
    CHECK(code_of([] { parse_count("-1"); }) == ExitCode::usage);
    CHECK(code_of([] { parse_count("3x"); }) == ExitCode::usage);
    CHECK(code_of([] { parse_count("99999999999"); }) == ExitCode::usage);
}

TEST_CASE("env var names: SCHEMAGATE_ + upper case, dashes to underscores") {
    CHECK(env_name("wait-timeout") == "SCHEMAGATE_WAIT_TIMEOUT");
    CHECK(env_name("migrations") == "SCHEMAGATE_MIGRATIONS");
    CHECK(env_name("version-table") == "SCHEMAGATE_VERSION_TABLE");
    CHECK(env_name("log-format") == "SCHEMAGATE_LOG_FORMAT");
    CHECK(env_name("backup-keep") == "SCHEMAGATE_BACKUP_KEEP");
}

TEST_CASE("percent-encoding of URL parts") {
    CHECK(percent_encode("plain-user_1.x~") == "plain-user_1.x~");
    CHECK(percent_encode("p@ss:w/rd?#%") == "p%40ss%3Aw%2Frd%3F%23%25");
    CHECK(percent_encode("a b") == "a%20b");
}

TEST_CASE("the URL is built from DATABASE_* parts") {
    Env env{{"DATABASE_HOST", "db"},
            {"DATABASE_PORT", "5433"},
            {"DATABASE_USER", "app user"},
            {"DATABASE_NAME", "clinic"},
            {"DATABASE_DIALECT", "postgres"}};
    CHECK(url_from_parts(env, std::string("p@ss:word")) ==
          "postgresql://app%20user:p%40ss%3Aword@db:5433/clinic");
    CHECK(url_from_parts(env, std::nullopt) == "postgresql://app%20user@db:5433/clinic");

    SECTION("the dialect defaults by port: 3306 is MySQL, else PostgreSQL") {
        CHECK(url_from_parts({{"DATABASE_HOST", "h"}, {"DATABASE_PORT", "3306"}}, std::nullopt) ==
              "mysql://h:3306");
        CHECK(url_from_parts({{"DATABASE_HOST", "h"}}, std::nullopt) == "postgresql://h");
    }
    SECTION("mariadb and IPv6 hosts") {
        CHECK(
            url_from_parts(
                {{"DATABASE_HOST", "::1"}, {"DATABASE_DIALECT", "mariadb"}, {"DATABASE_NAME", "x"}},
                std::nullopt) == "mariadb://[::1]/x");
    }
    SECTION("sqlite takes DATABASE_NAME as the file") {
        CHECK(url_from_parts({{"DATABASE_DIALECT", "sqlite"}, {"DATABASE_NAME", "app.db"}},
                             std::nullopt) == "sqlite:///app.db");
        CHECK(url_from_parts({{"DATABASE_DIALECT", "sqlite"}, {"DATABASE_NAME", "/data/a.db"}},
                             std::nullopt) == "sqlite:////data/a.db");
    }
    SECTION("nothing set: no URL") { CHECK(url_from_parts({}, std::nullopt).empty()); }
    SECTION("bad parts are usage errors") {
        CHECK(code_of([] {
                  url_from_parts({{"DATABASE_HOST", "h"}, {"DATABASE_DIALECT", "oracle"}},
                                 std::nullopt);
              }) == ExitCode::usage);
        CHECK(code_of([] {
                  url_from_parts({{"DATABASE_HOST", "h"}, {"DATABASE_PORT", "http"}}, std::nullopt);
              }) == ExitCode::usage);
    }
}

TEST_CASE("URL precedence: --url > SCHEMAGATE_URL > DATABASE_URL > DATABASE_* parts") {
    Env env{{"SCHEMAGATE_URL", "sqlite:///sg.db"},
            {"DATABASE_URL", "sqlite:///db.db"},
            {"DATABASE_HOST", "h"}};
    CHECK(choose_url(std::string("sqlite:///flag.db"), env, no_files).url == "sqlite:///flag.db");
    CHECK(choose_url(std::nullopt, env, no_files).url == "sqlite:///sg.db");
    env.erase("SCHEMAGATE_URL");
    CHECK(choose_url(std::nullopt, env, no_files).url == "sqlite:///db.db");
    CHECK(choose_url(std::nullopt, env, no_files).source == "DATABASE_URL");
    env.erase("DATABASE_URL");
    CHECK(choose_url(std::nullopt, env, no_files).url == "postgresql://h");
    CHECK(choose_url(std::nullopt, {}, no_files).url.empty());
}

TEST_CASE("a URL source that is set but empty or blank is a usage error, never a fallback") {
    // In a pod, DATABASE_URL="" is a secret with an empty key; `--url
    // "$DATABASE_URL"` with the variable unset gives --url "".
    CHECK(code_of([] { choose_url(std::string(""), {}, no_files); }) == ExitCode::usage);
    CHECK(code_of([] { choose_url(std::string("  "), {}, no_files); }) == ExitCode::usage);
    for (const char* var : {"DATABASE_URL", "SCHEMAGATE_URL", "DATABASE_URL_FILE"}) {
        CAPTURE(var);
        CHECK(code_of([&] { choose_url(std::nullopt, {{var, ""}}, no_files); }) == ExitCode::usage);
        CHECK(code_of([&] {
                  choose_url(std::nullopt, {{var, " \n"}}, no_files);
              }) == ExitCode::usage);
    }
    // Even when a later source would give a URL.
    CHECK(code_of([] {
              choose_url(std::nullopt, {{"DATABASE_URL", ""}, {"DATABASE_HOST", "h"}}, no_files);
          }) == ExitCode::usage);
    // The DATABASE_* parts: blank and nothing else set is no fallback either.
    CHECK(code_of([] {
              choose_url(std::nullopt, {{"DATABASE_HOST", ""}}, no_files);
          }) == ExitCode::usage);
    // The flag wins over an empty variable it makes irrelevant.
    CHECK(choose_url(std::string("sqlite:///a.db"), {{"DATABASE_URL", ""}}, no_files).url ==
          "sqlite:///a.db");
    // Other variables still count as unset when empty.
    CHECK(choose_url(std::nullopt, {{"DATABASE_PASSWORD", ""}, {"DATABASE_HOST", "h"}}, no_files)
              .url == "postgresql://h");
    CHECK(choose_url(std::nullopt, {}, no_files).url.empty());
}

TEST_CASE("*_FILE variables read secrets from files, trailing newline trimmed by the reader") {
    auto reader =
        files({{"/run/secrets/url", "postgresql://u:pw@h/db"}, {"/run/secrets/pw", "s3cr3t"}});
    auto c = choose_url(std::nullopt, {{"DATABASE_URL_FILE", "/run/secrets/url"}}, reader);
    CHECK(c.url == "postgresql://u:pw@h/db");
    CHECK(c.source == "DATABASE_URL_FILE");

    c = choose_url(std::nullopt,
                   {{"DATABASE_HOST", "h"},
                    {"DATABASE_USER", "u"},
                    {"DATABASE_PASSWORD_FILE", "/run/secrets/pw"}},
                   reader);
    CHECK(c.url == "postgresql://u:s3cr3t@h");
    REQUIRE(c.secrets.size() == 1);
    CHECK(c.secrets[0] == "s3cr3t");

    SECTION("both X and X_FILE: usage error") {
        CHECK(code_of([&] {
                  choose_url(std::nullopt,
                             {{"DATABASE_URL", "sqlite:///a.db"},
                              {"DATABASE_URL_FILE", "/run/secrets/url"}},
                             reader);
              }) == ExitCode::usage);
        CHECK(code_of([&] {
                  choose_url(
                      std::nullopt,
                      {{"DATABASE_PASSWORD", "x"}, {"DATABASE_PASSWORD_FILE", "/run/secrets/pw"}},
                      reader);
              }) == ExitCode::usage);
    }
    SECTION("a missing file: usage error") {
        CHECK(code_of([&] {
                  choose_url(std::nullopt, {{"DATABASE_URL_FILE", "/nope"}}, reader);
              }) == ExitCode::usage);
    }
}

TEST_CASE("read_secret_file trims the trailing newline") {
    std::string path = "/tmp/sg_unit_cli_secret_" + std::to_string(::getpid());
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs("pa ss\r\n\n", f);
        std::fclose(f);
    }
    CHECK(read_secret_file(path) == "pa ss");
    std::remove(path.c_str());
    CHECK(code_of([&] { read_secret_file(path); }) == ExitCode::usage);
}

TEST_CASE("a *_FILE that yields nothing is a usage error naming the variable, never a fallback") {
    std::string dir = "/tmp/sg_unit_cli_secret_dir_" + std::to_string(::getpid());
    std::string empty = dir + "/empty", newline = dir + "/newline";
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
    for (const auto& [path, text] : {std::pair{empty, ""}, std::pair{newline, "\n"}}) {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs(text, f);
        std::fclose(f);
    }
    for (std::string var : {"DATABASE_URL_FILE", "DATABASE_PASSWORD_FILE"}) {
        for (const std::string& path : {dir, empty, newline, dir + "/missing"}) {
            INFO(var << "=" << path);
            try {
                choose_url(std::nullopt, {{"DATABASE_HOST", "h"}, {var, path}}, read_secret_file);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.code() == ExitCode::usage);
                CHECK(std::string(e.what()).find(var) != std::string::npos);
            }
        }
    }
    std::remove(empty.c_str());
    std::remove(newline.c_str());
    ::rmdir(dir.c_str());
}
