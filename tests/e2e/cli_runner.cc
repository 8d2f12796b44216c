#include "e2e/cli_runner.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/files.h"
#include "common/strings.h"
#include "e2e/postgres_catalogs.h"

extern char** environ;

namespace weft::e2e {

namespace fs = std::filesystem;

namespace {

std::string Quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\n'\"\\$*?()|&;<>`!#") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The child's environment: ours, without WEFT_HOME/WEFT_USER, with overrides.
std::vector<std::string> ChildEnvironment(const Env& overrides) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars.erase("WEFT_HOME");
  vars.erase("WEFT_USER");
  for (const auto& [k, v] : overrides) {
    if (v) vars[k] = *v;
    else vars.erase(k);
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

fs::path MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = (base && *base ? std::string(base) : std::string("/tmp")) + "/" + prefix + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
  return fs::path(buf.data());
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  os << "\n$ " << r.command << "\nexit code: " << r.exit_code << (r.signaled ? " (killed by a signal)" : "")
     << (r.timed_out ? " (timed out)" : "") << "\n--- stdout ---\n"
     << r.out << "--- stderr ---\n"
     << r.err << "--------------\n";
  return os;
}

std::string WeftBinary() {
  if (const char* b = std::getenv("WEFT_BINARY"); b && *b) return b;
  return WEFT_DEFAULT_BINARY;
}

fs::path RepoPath(const std::string& relative) { return fs::path(WEFT_SOURCE_DIR) / relative; }

namespace {

// `args`, with a new PostgreSQL catalog for an init that names none in the
// PostgreSQL run (postgres_catalogs.h).
std::vector<std::string> WithCatalog(const std::vector<std::string>& args) {
  if (!OnPostgres() || args.empty() || args[0] != "init") return args;
  for (const std::string& a : args) {
    if (a == "--catalog" || a.rfind("--catalog=", 0) == 0) return args;
  }
  std::vector<std::string> out = args;
  out.push_back("--catalog");
  out.push_back(NewPostgresCatalog());
  return out;
}

}  // namespace

Process::Process(const std::vector<std::string>& given_args, const RunOptions& options) {
  const std::vector<std::string> args = WithCatalog(given_args);
  capture_dir_ = MakeTempDir("weft-e2e-run-");
  result_.command = Quote(WeftBinary());
  for (const auto& a : args) result_.command += " " + Quote(a);
  if (!options.cwd.empty()) result_.command = "(cd " + Quote(options.cwd.string()) + " && " + result_.command + ")";

  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_s = {WeftBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = ChildEnvironment(options.env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string out_path = (capture_dir_ / "stdout").string();
  std::string err_path = (capture_dir_ / "stderr").string();
  std::string cwd = options.cwd.string();

  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) throw std::runtime_error("cannot open capture files");
  deadline_ = std::chrono::steady_clock::now() + options.timeout;
  pid_ = fork();
  if (pid_ == 0) {
    if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
}

Process::~Process() {
  if (!waited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  fs::remove_all(capture_dir_, ec);
}

const RunResult& Process::Wait() {
  if (waited_) return result_;
  waited_ = true;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      result_.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) {
    result_.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result_.signaled = true;
    result_.exit_code = 128 + WTERMSIG(status);
  }
  result_.out = ReadFile(capture_dir_ / "stdout");
  result_.err = ReadFile(capture_dir_ / "stderr");
  return result_;
}

void Process::Signal(int sig) {
  if (!waited_ && pid_ > 0) kill(pid_, sig);
}

std::string Process::OutputSoFar() const { return ReadFile(capture_dir_ / "stdout"); }

RunResult Run(const std::vector<std::string>& args, const RunOptions& options) {
  Process p(args, options);
  return p.Wait();
}

RunResult Run(const std::vector<std::string>& args, const Env& env) {
  RunOptions options;
  options.env = env;
  return Run(args, options);
}

TempDir::TempDir() { path_ = fs::canonical(MakeTempDir("weft-e2e-")); }

TempDir::~TempDir() {
  if (const char* keep = std::getenv("WEFT_E2E_KEEP"); keep && *keep) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ReadFile(const fs::path& path) {
  auto content = ReadFileToString(path);
  if (!content.ok()) throw std::runtime_error("read " + path.string() + ": " + content.status().message());
  return *content;
}

void WriteFile(const fs::path& path, const std::string& content) {
  Status s = WriteStringToFile(path, content, /*overwrite=*/true);
  if (!s.ok()) throw std::runtime_error("write " + path.string() + ": " + s.message());
}

void WriteSettings(const fs::path& ws, const std::string& settings) {
  std::string catalog;
  for (const std::string& line : Split(ReadFile(ws / "weft.yaml"), '\n')) {
    if (line.rfind("catalog:", 0) == 0) catalog = line + "\n";
  }
  WriteFile(ws / "weft.yaml", settings + catalog);
}

bool ReplaceOnce(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = ReadFile(path);
  auto pos = text.find(from);
  if (pos == std::string::npos || text.find(from, pos + 1) != std::string::npos) return false;
  text.replace(pos, from.size(), to);
  WriteFile(path, text);
  return true;
}

void CopyTree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::map<std::string, std::string> SnapshotFiles(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = ReadFile(entry.path());
  return files;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

}  // namespace weft::e2e
