#include "cli/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <streambuf>

namespace sg::cli {
namespace {

class CheckedStdout : public std::streambuf {
  public:
    CheckedStdout() { setp(m_buf, m_buf + sizeof m_buf); }
    void set_error(int err) {
        if (m_error == 0) m_error = err;
    }
    int error() const { return m_error; }
    void mark_closed() { m_closed = true; }

  protected:
    int_type overflow(int_type c) override {
        if (drain() != 0) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain(); }

  private:
    // Writes the buffer to fd 1; after the first error nothing more is
    // written (the output is already incomplete) and every call fails.
    int drain() {
        const char* p = pbase();
        size_t n = static_cast<size_t>(pptr() - pbase());
        if (m_closed && n > 0) set_error(EBADF);  // fd 1 is /dev/null in its place
        while (m_error == 0 && n > 0) {
            ssize_t w = ::write(1, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                set_error(w < 0 ? errno : EIO);
                break;
            }
            p += w;
            n -= static_cast<size_t>(w);
        }
        setp(m_buf, m_buf + sizeof m_buf);
        return m_error == 0 ? 0 : -1;
    }

    char m_buf[64 * 1024];
    int m_error = 0;
    bool m_closed = false;
};

// Never destroyed: std::cout is flushed at exit, after static destructors.
CheckedStdout& checked() {
    static CheckedStdout* buf = new CheckedStdout;
    return *buf;
}

}  // namespace

void install_checked_stdout() {
    bool stdout_closed = false;
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        if (fd == 1) stdout_closed = true;
        int null = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null >= 0 && null != fd) {
            ::dup2(null, fd);
            ::close(null);
        }
    }
    if (stdout_closed) checked().mark_closed();
    std::cout.rdbuf(&checked());
}

std::string finish_output() {
    std::cout.flush();
    CheckedStdout& buf = checked();
    if (buf.error() == 0 && std::cout.fail()) buf.set_error(EIO);
    if (buf.error() == 0) return "";
    return buf.error() == EBADF ? "stdout is closed" : std::strerror(buf.error());
}

}  // namespace sg::cli
