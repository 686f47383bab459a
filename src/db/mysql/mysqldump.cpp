// MySQL/MariaDB: mysqldump, its stdout compressed through zlib into .sql.gz.
// The password travels in a 0600 --defaults-extra-file held in memory
// (memfd_create) and passed as /dev/fd/N: never on argv, never on disk.
#include "db/mysql/mysqldump.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/util.hpp"
#include "process/process.hpp"

namespace sg {
namespace {

[[noreturn]] void fail(const std::string& message, const std::string& hint = {}) {
    throw Error(ExitCode::backup_failed, message, hint);
}

// An option-file value: double-quoted, with the escapes the MySQL/MariaDB
// option parser undoes (so '#', quotes and spaces in passwords survive).
std::string option_value(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        const char* esc = backslash_escape(c);
        if (*esc)
            out += esc;
        else
            out += c;
    }
    return out + "\"";
}

// The option file lives in memory (memfd) and reaches mysqldump as
// /dev/fd/N: no file holding the password is ever written to a directory, so
// none survives a SIGKILL, and a read-only container needs no writable place.
class DefaultsFile {
  public:
    explicit DefaultsFile(const std::string& content) {
        m_fd = ::memfd_create("schemagate-mysql-defaults", MFD_CLOEXEC);
        if (m_fd < 0)
            fail(std::string("cannot create the mysqldump option file: ") + std::strerror(errno));
        // MariaDB ignores a world-writable option file; a memfd starts 0777.
        bool ok = ::fchmod(m_fd, 0600) == 0 && ::write(m_fd, content.data(), content.size()) ==
                                                   static_cast<ssize_t>(content.size());
        if (!ok) {
            int err = errno;
            ::close(m_fd);
            fail(std::string("cannot write the mysqldump option file: ") + std::strerror(err));
        }
    }
    ~DefaultsFile() { ::close(m_fd); }
    DefaultsFile(const DefaultsFile&) = delete;
    DefaultsFile& operator=(const DefaultsFile&) = delete;
    int fd() const { return m_fd; }
    std::string path() const { return "/dev/fd/" + std::to_string(m_fd); }

  private:
    int m_fd = -1;
};

// Writes the child's stdout compressed; the first error is kept for the message.
class GzipSink {
  public:
    explicit GzipSink(const std::string& path) {
        int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || !(m_gz = gzdopen(fd, "wb6"))) {
            if (fd >= 0) ::close(fd);
            fail("cannot open " + path + ": " + std::strerror(errno));
        }
    }
    ~GzipSink() {
        if (m_gz) gzclose(m_gz);
    }
    void write(const char* data, size_t size) {
        if (size == 0 || !m_error.empty()) return;
        if (gzwrite(m_gz, data, static_cast<unsigned>(size)) == 0) m_error = error_text();
    }
    // Flushes; returns "" or the error (e.g. "No space left on device").
    std::string close() {
        int rc = gzclose(m_gz);
        m_gz = nullptr;
        if (m_error.empty() && rc != Z_OK)
            m_error = rc == Z_ERRNO ? std::strerror(errno) : "zlib error";
        return m_error;
    }

  private:
    std::string error_text() {
        int code = 0;
        const char* msg = gzerror(m_gz, &code);
        return code == Z_ERRNO ? std::strerror(errno) : (msg ? msg : "zlib error");
    }
    gzFile m_gz = nullptr;
    std::string m_error;
};

// The file decompresses completely and ends with mysqldump's completion line.
void verify_gzip(const std::string& path) {
    gzFile gz = gzopen(path.c_str(), "rb");
    if (!gz) fail("cannot read back the backup " + path);
    std::string tail;
    char buf[65536];
    int n = 0;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) {
        tail.append(buf, static_cast<size_t>(n));
        if (tail.size() > 4096) tail.erase(0, tail.size() - 4096);
    }
    int code = 0;
    std::string err = n < 0 ? gzerror(gz, &code) : "";
    gzclose(gz);
    if (n < 0) fail("the backup failed verification: " + path + ": " + err);
    if (tail.find("-- Dump completed") == std::string::npos) {
        fail("the backup failed verification: " + path +
             " does not end with mysqldump's "
             "\"-- Dump completed\" line (truncated output?)");
    }
}

}  // namespace

std::string mysql_defaults_file(const DbUrl& url) {
    std::string out = "[client]\n";
    auto add = [&](const std::string& key, const std::string& value) {
        if (!value.empty()) out += key + "=" + option_value(value) + "\n";
    };
    add("user", url.user);
    add("password", url.password);
    add("host", url.host);
    if (url.port != 0) add("port", std::to_string(url.port));
    for (const char* key : {"socket", "unix_socket"}) {
        auto it = url.query.find(key);
        if (it != url.query.end()) add("socket", it->second);
    }
    for (const char* key : {"ssl-ca", "ssl-cert", "ssl-key", "ssl_ca", "ssl_cert", "ssl_key"}) {
        auto it = url.query.find(key);
        std::string name = key;
        for (char& c : name) c = c == '_' ? '-' : c;
        if (it != url.query.end()) add(name, it->second);
    }
    return out;
}

void dump_mysql(const DbUrl& url, const std::string& temp_path, const DumpOptions& opts) {
    DefaultsFile defaults(mysql_defaults_file(url));
    GzipSink sink(temp_path);
    process::ChildSpec dump;
    // --defaults-extra-file must come first; --no-tablespaces spares MySQL 8
    // users the PROCESS privilege (tablespaces are not part of a schema).
    dump.argv = {opts.mysqldump,
                 "--defaults-extra-file=" + defaults.path(),
                 "--single-transaction",
                 "--routines",
                 "--triggers",
                 "--events",
                 "--hex-blob",
                 "--no-tablespaces",
                 url.database};
    dump.inherit_fds = {defaults.fd()};
    dump.on_stdout = [&](const char* data, size_t size) { sink.write(data, size); };
    process::ChildResult r = process::run_child(dump, "--mysqldump", opts.interrupted);
    std::string write_error = sink.close();
    if (!r.ok()) {
        throw Error(ExitCode::backup_failed,
                    tool_failure(opts.mysqldump, r.describe(), r.stderr_text),
                    "check that mysqldump reaches the database and the user may dump it; or use "
                    "--backup=never");
    }
    if (!write_error.empty()) {
        fail("cannot write the backup " + temp_path + ": " + write_error,
             "free space in --backup-dir or use --backup=never");
    }
    verify_gzip(temp_path);
}

}  // namespace sg
