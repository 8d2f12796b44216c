// Drives the real `weft` binary from end-to-end tests, as a user would: one
// process per command, stdout and stderr captured, the exit code checked.
//
//   TempDir tmp;
//   RunResult r = Run({"lint", RepoPath("examples/mesh")});
//   EXPECT_EQ(r.exit_code, 0) << r;
//
// The binary is $WEFT_BINARY (set by ctest), else the build tree's weft.
// Children inherit this process's environment except WEFT_HOME and WEFT_USER,
// which are cleared so that tests do not depend on the developer's shell;
// RunOptions::env sets (or, with std::nullopt, removes) variables.
//
// Thread safety: Run and Process may be used from one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace weft::e2e {

using Env = std::map<std::string, std::optional<std::string>>;

struct RunOptions {
  Env env;                        // overrides; nullopt removes the variable
  std::filesystem::path cwd;      // empty: this process's working directory
  std::chrono::seconds timeout{120};  // the child is killed (SIGKILL) after this
};

struct RunResult {
  int exit_code = -1;    // the exit status, or 128 + signal when killed by a signal
  bool signaled = false;  // terminated by a signal (a crash, or the timeout)
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string command;  // for failure messages
};

// Prints the command, exit code, stdout and stderr (for EXPECT_... << r).
std::ostream& operator<<(std::ostream& os, const RunResult& r);

// The weft binary under test.
std::string WeftBinary();

// An absolute path inside the source tree (examples/, tests/fixtures/).
std::filesystem::path RepoPath(const std::string& relative);

// Runs `weft args...` and waits for it.
RunResult Run(const std::vector<std::string>& args, const RunOptions& options = {});
RunResult Run(const std::vector<std::string>& args, const Env& env);

// A started `weft` process, for running several at once.
class Process {
 public:
  Process(const std::vector<std::string>& args, const RunOptions& options = {});
  ~Process();  // kills the child if Wait was never called
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Waits (up to the timeout) and collects the output; idempotent.
  const RunResult& Wait();
  // Sends a signal (e.g. SIGTERM to a server) unless it was already waited for.
  void Signal(int sig);
  // What the process has written to stdout so far.
  std::string OutputSoFar() const;
  // Its process id (a soak samples the server's memory in /proc).
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path capture_dir_;
  std::chrono::steady_clock::time_point deadline_;
  bool waited_ = false;
  RunResult result_;
};

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// unless $WEFT_E2E_KEEP is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Whole-file helpers for test trees (fail the calling test via exceptions
// only on I/O errors, which never happen in a healthy temp dir).
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& content);
// Replaces the settings (weft.yaml) of workspace `ws` with `settings`,
// keeping the catalog `weft init` wrote there: in the PostgreSQL run, a
// database of the test cluster (postgres_catalogs.h).
void WriteSettings(const std::filesystem::path& ws, const std::string& settings);
// Replaces exactly one occurrence of `from`; returns false (and leaves the
// file alone) when `from` occurs zero or several times.
bool ReplaceOnce(const std::filesystem::path& path, const std::string& from, const std::string& to);
// Copies a directory tree.
void CopyTree(const std::filesystem::path& from, const std::filesystem::path& to);
// Every regular file under `root` (relative path -> bytes).
std::map<std::string, std::string> SnapshotFiles(const std::filesystem::path& root);

// A loopback port nothing listens on right now (the kernel's pick, released),
// for `weft serve --listen`.
int FreePort();
// The last non-empty line of a command's output (a token `weft token create` printed).
std::string LastLine(const std::string& text);

}  // namespace weft::e2e
