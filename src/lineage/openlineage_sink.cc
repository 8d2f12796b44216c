#include "lineage/openlineage_sink.h"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/strings.h"

namespace weft::lineage {

OpenLineageSink OpenLineageSink::ForWorkspace(const spec::WorkspaceSpec& settings, const std::filesystem::path& root) {
  OpenLineageSinkOptions o{.url = settings.openlineage_url, .file = {}, .timeout_seconds = 5};
  if (!settings.openlineage_file.empty()) o.file = root / settings.openlineage_file;
  if (settings.openlineage_timeout_seconds) o.timeout_seconds = *settings.openlineage_timeout_seconds;
  return OpenLineageSink(std::move(o));
}

Status OpenLineageSink::Emit(const nlohmann::json& event) const {
  // error_handler_t::replace: a non-UTF-8 byte in a column description must
  // not make the whole event unsendable.
  const std::string body = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::vector<std::string> failures;
  if (!options_.url.empty())
    if (Status s = Post(body); !s.ok()) failures.push_back(s.message());
  if (!options_.file.empty())
    if (Status s = Append(body + "\n"); !s.ok()) failures.push_back(s.message());
  if (failures.empty()) return Status::Ok();
  return Status::IoError("OpenLineage event not delivered: " + Join(failures, "; "));
}

Status OpenLineageSink::Post(const std::string& body) const {
  // httplib's client takes scheme://host[:port]; the path goes with the request.
  const std::string& url = options_.url;
  size_t host = url.find("://");
  size_t slash = url.find('/', host == std::string::npos ? 0 : host + 3);
  std::string origin = url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  httplib::Client client(origin);
  auto timeout = std::chrono::duration<double>(options_.timeout_seconds);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Result res = client.Post(path, body, "application/json");
  if (!res) return Status::IoError("POST " + url + ": " + httplib::to_string(res.error()));
  if (res->status < 200 || res->status >= 300)
    return Status::IoError("POST " + url + ": HTTP " + std::to_string(res->status) +
                           (res->body.empty() ? "" : ": " + res->body.substr(0, 200)));
  return Status::Ok();
}

Status OpenLineageSink::Append(const std::string& line) const {
  std::error_code ec;
  if (options_.file.has_parent_path()) std::filesystem::create_directories(options_.file.parent_path(), ec);
  int fd = ::open(options_.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot open " + options_.file.string() + ": " + std::strerror(errno));
  // One write per line: with O_APPEND, lines of concurrent writers do not interleave.
  ssize_t n = ::write(fd, line.data(), line.size());
  int write_errno = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size()))
    return Status::IoError("cannot append to " + options_.file.string() + ": " +
                           (n < 0 ? std::strerror(write_errno) : "short write"));
  return Status::Ok();
}

}  // namespace weft::lineage
