#pragma once

namespace sg::cli {

/// Parses the command line and environment, runs the command, and maps every
/// error to its exit code (the one catch of the program).
int main(int argc, char** argv);

}  // namespace sg::cli
