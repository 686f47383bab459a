// The revision writer of `revision` and `merge`: a new file with the header
// of docs/reference.md §1 and empty sections.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "core/util.hpp"
#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg {
namespace {

[[noreturn]] void usage(const std::string& message) { throw Error(ExitCode::usage, message); }

// "YYYY-MM-DD HH:MM..." -> "YYYYMMDD_HHMM".
std::string file_stamp(const std::string& created) {
    static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15};
    bool ok = created.size() >= 16 && created[4] == '-' && created[7] == '-' &&
              created[10] == ' ' && created[13] == ':';
    for (int i : digits) ok = ok && text::is_digit(created[i]);
    if (!ok) usage("bad creation date '" + created + "': use YYYY-MM-DD HH:MM:SS");
    return created.substr(0, 4) + created.substr(5, 2) + created.substr(8, 2) + "_" +
           created.substr(11, 2) + created.substr(14, 2);
}

// Lower-case message, runs of anything else than [a-z0-9] as one '_', at
// most 40 characters, no '_' at either end.
std::string slug(const std::string& message) {
    std::string out;
    for (char c : message) {
        c = text::to_lower(c);
        if (text::is_alpha(c) || text::is_digit(c))
            out += c;
        else if (!out.empty() && out.back() != '_')
            out += '_';
        if (out.size() >= 40) break;
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

// The message is one header line: line breaks become spaces.
std::string one_line(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return std::string(text::trim(out));
}

void validate(const NewRevision& r) {
    if (!r.rev_id.empty() && !valid_revision_id(r.rev_id))
        usage("bad revision id '" + r.rev_id + "': use 1-32 characters of [0-9A-Za-z_]");
    for (const auto& id : r.down_revisions)
        if (!valid_revision_id(id)) usage("bad revision id '" + id + "'");
    for (const auto& l : r.branch_labels)
        if (!text::valid_label(l))
            usage("bad branch label '" + l + "': use letters, digits, _ - and .");
    for (const auto& d : r.depends_on)
        if (!text::valid_label(d)) usage("bad depends_on '" + d + "'");
}

std::string render(const std::string& id, const NewRevision& r, const std::string& created) {
    std::string out = "-- revision: " + id + "\n";
    out += "-- down_revision: " + join(r.down_revisions) + "\n";
    if (std::string m = one_line(r.message); !m.empty()) out += "-- message: " + m + "\n";
    out += "-- create_date: " + one_line(created) + "\n";
    if (!r.branch_labels.empty()) out += "-- branch_labels: " + join(r.branch_labels) + "\n";
    if (!r.depends_on.empty()) out += "-- depends_on: " + join(r.depends_on) + "\n";
    if (!r.transactional) out += "-- transaction: false\n";
    out += r.body.empty() ? "\n-- +upgrade\n\n-- +downgrade\n" : "\n" + r.body;
    return out;
}

// Creates `path` exclusively (never overwrites) and writes `content`.
void write_new(const std::string& path, const std::string& content) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST) usage("refusing to overwrite " + path + ": the file exists");
        usage("cannot create " + path + ": " + std::strerror(errno));
    }
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            ::unlink(path.c_str());
            usage("cannot write " + path + ": " + std::strerror(err));
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) usage("cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string write_revision(const std::string& dir, const NewRevision& r) {
    validate(r);
    std::string id = r.rev_id.empty() ? generate_rev_id() : r.rev_id;
    std::string created = r.created.empty() ? utc_now(kSqlTime) : r.created;
    std::string name = r.file_name;
    if (name.empty()) {
        name = file_stamp(created) + "_" + id;
        if (std::string s = slug(r.message); !s.empty()) name += "_" + s;
        name += ".sql";
    } else if (name.find('/') != std::string::npos || name[0] == '.') {
        usage("bad file name '" + name + "'");
    }

    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) usage("cannot create the migrations directory " + dir + ": " + ec.message());
    std::string path = (std::filesystem::path(dir) / name).string();
    write_new(path, render(id, r, created));
    return path;
}

}  // namespace sg
