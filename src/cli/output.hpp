#pragma once
// The command output (stdout), checked: every command's output goes through
// std::cout, whose buffer here writes to file descriptor 1 and keeps the
// first error (a full disk, a closed or broken stdout). The program checks
// it when it flushes at the end: a failed write is exit 2, "cannot write
// output: ..." (docs/reference.md §4), never a truncated file and exit 0.
#include <string>

namespace sg::cli {

/// Makes sure file descriptors 0-2 are open (a closed one gets /dev/null, so
/// a database file or lock opened later never becomes "stdout") and puts the
/// checked buffer under std::cout. A stdout that was closed is remembered:
/// the first write to it fails with EBADF (a command that prints nothing
/// does not fail). Call once, first thing in main.
void install_checked_stdout();

/// Flushes std::cout. Returns "" when everything written reached file
/// descriptor 1, else the reason of the first failure (strerror text).
std::string finish_output();

}  // namespace sg::cli
