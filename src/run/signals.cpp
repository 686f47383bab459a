#include "run/signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "log/log.hpp"

namespace sg {
namespace {

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};
struct sigaction g_old_term, g_old_int;

extern "C" void on_signal(int sig) {
    int expected = 0;
    if (!g_signal.compare_exchange_strong(expected, sig)) {
        // A second signal: the person or the orchestrator insists.
        _exit(sig == SIGINT ? 130 : 143);
    }
    int saved = errno;
    if (g_pipe[1] >= 0) {
        char c = 's';
        ssize_t rc = write(g_pipe[1], &c, 1);
        (void)rc;
    }
    errno = saved;
}

}  // namespace

bool sleep_unless_interrupted(std::chrono::milliseconds d, const std::atomic<int>* interrupted) {
    auto end = std::chrono::steady_clock::now() + d;
    for (;;) {
        if (interrupted && interrupted->load() != 0) return false;
        auto now = std::chrono::steady_clock::now();
        if (now >= end) return true;
        auto slice =
            std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(50));
        std::this_thread::sleep_for(slice);
    }
}

void throw_if_interrupted(const std::atomic<int>* interrupted, const char* during) {
    if (!interrupted) return;
    int sig = interrupted->load();
    if (sig == 0) return;
    throw Error(exit_for_signal(sig), std::string("interrupted by ") +
                                          (sig == SIGINT ? "SIGINT" : "SIGTERM") + " " + during);
}

SignalWatch::SignalWatch(std::chrono::milliseconds grace) : m_grace(grace) {
    g_signal.store(0);
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, &g_old_term);
    sigaction(SIGINT, &sa, &g_old_int);
    m_thread = std::thread([this] { loop(); });
}

SignalWatch::~SignalWatch() {
    m_stop.store(true);
    if (g_pipe[1] >= 0) {
        char c = 'q';
        ssize_t rc = ::write(g_pipe[1], &c, 1);
        (void)rc;
    }
    if (m_thread.joinable()) m_thread.join();
    sigaction(SIGTERM, &g_old_term, nullptr);
    sigaction(SIGINT, &g_old_int, nullptr);
    for (int& fd : g_pipe) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
}

const std::atomic<int>* SignalWatch::flag() const { return &g_signal; }

void SignalWatch::watch(Connection* conn) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_conn = conn;
    m_cancelled = false;
    if (conn && g_signal.load() != 0) {
        conn->cancel();
        m_cancelled = true;
    }
}

void SignalWatch::on_stuck(std::function<void(int)> fn) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_on_stuck = std::move(fn);
}

void SignalWatch::loop() {
    std::chrono::steady_clock::time_point signalled{};
    while (!m_stop.load()) {
        pollfd pfd{g_pipe[0], POLLIN, 0};
        ::poll(&pfd, g_pipe[0] >= 0 ? 1 : 0, 200);
        char buf[16];
        while (g_pipe[0] >= 0 && ::read(g_pipe[0], buf, sizeof buf) > 0) {
        }
        int sig = g_signal.load();
        if (sig == 0 || m_stop.load()) continue;
        std::lock_guard<std::mutex> lock(m_mutex);
        if (signalled == std::chrono::steady_clock::time_point{}) {
            signalled = std::chrono::steady_clock::now();
            log::warn(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                      ": stopping (cancelling the running statement, rolling back)");
        }
        // Cancel once: a second cancel could hit the rollback or the
        // history row that records the interruption.
        if (m_conn && !m_cancelled) {
            m_conn->cancel();
            m_cancelled = true;
        }
        if (std::chrono::steady_clock::now() - signalled > m_grace) {
            log::error("did not stop within the grace period; exiting now");
            if (m_on_stuck) m_on_stuck(sig);
            _exit(to_int(exit_for_signal(sig)));
        }
    }
}

}  // namespace sg
