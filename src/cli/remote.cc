// `weft --server URL ...` (or $WEFT_SERVER, with $WEFT_TOKEN): the command
// runs on the server as the token's principal (server/remote_cli.h). Files
// the command reads are uploaded; the server's answer is printed as if the
// command had run here.
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "common/hashing.h"
#include "server/remote_cli.h"

namespace weft::cli {

namespace {

using nlohmann::json;

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot read " + path.string());
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Adds `local` (a file, or a directory's files) to the upload; returns the
// placeholder the server will put its own path in for.
Result<std::string> Upload(const std::filesystem::path& local, const std::string& name, json& files) {
  std::error_code ec;
  if (std::filesystem::is_directory(local, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(local, ec); !ec && it != std::filesystem::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string rel = std::filesystem::relative(it->path(), local).generic_string();
      ASSIGN_OR_RETURN(std::string data, ReadFile(it->path()));
      files[name + "/" + rel] = Base64Encode(data);
    }
    if (ec) return Status::IoError("cannot read " + local.string() + ": " + ec.message());
    return std::string(server::kUploadPrefix) + name;
  }
  ASSIGN_OR_RETURN(std::string data, ReadFile(local));
  std::string rel = name + "/" + local.filename().string();
  files[rel] = Base64Encode(data);
  return std::string(server::kUploadPrefix) + rel;
}

Status BuildRequest(std::vector<std::string>& args, json& files) {
  // query -f FILE: the SQL travels as the argument itself.
  if (!args.empty() && args[0] == "query") {
    for (size_t i = 1; i < args.size(); ++i) {
      std::string a = args[i];
      std::string path;
      if ((a == "-f" || a == "--file") && i + 1 < args.size()) {
        path = args[i + 1];
        args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      } else if (a.rfind("--file=", 0) == 0) {
        path = a.substr(7);
        args.erase(args.begin() + static_cast<long>(i));
      } else {
        continue;
      }
      ASSIGN_OR_RETURN(std::string sql, ReadFile(path));
      args.push_back("--");
      args.push_back(sql);
      break;
    }
  }
  ASSIGN_OR_RETURN(server::CliArgs walk, server::WalkCliArgs(args));
  int n = 0;
  for (size_t i : walk.files) {
    std::string& a = args[i];
    size_t eq = a.rfind("-", 0) == 0 ? a.find('=') : std::string::npos;
    std::string local = eq == std::string::npos ? a : a.substr(eq + 1);
    ASSIGN_OR_RETURN(std::string placeholder, Upload(local, "f" + std::to_string(n++), files));
    a = eq == std::string::npos ? placeholder : a.substr(0, eq + 1) + placeholder;
  }
  return Status::Ok();
}

}  // namespace

int RunRemote(const std::string& url, const std::string& token, std::vector<std::string> args, std::ostream& out,
              std::ostream& err) {
  if (token.empty()) {
    err << "weft: talking to " << url << " needs a token in $WEFT_TOKEN (weft token create)\n";
    return kExitUsage;
  }
  json files = json::object();
  if (Status s = BuildRequest(args, files); !s.ok()) {
    err << "weft: " << s.message() << "\n";
    return kExitUsage;
  }
  httplib::Client client(url);
  client.set_read_timeout(3600, 0);  // a publish of a large file takes minutes
  client.set_write_timeout(600, 0);
  auto res = client.Post("/api/v1/cli", {{"Authorization", "Bearer " + token}},
                         json{{"args", args}, {"files", files}}.dump(), "application/json");
  if (!res) {
    err << "weft: cannot reach " << url << ": " << httplib::to_string(res.error()) << "\n";
    return kExitFindings;
  }
  json body = json::parse(res->body, nullptr, false);
  if (res->status != 200 || !body.is_object()) {
    std::string detail = body.is_object() ? body.value("detail", res->body) : res->body;
    err << "weft: " << url << " answered " << res->status << ": " << detail << "\n";
    return res->status == 400 ? kExitUsage : kExitFindings;
  }
  out << body.value("stdout", "");
  err << body.value("stderr", "");
  return body.value("exitCode", kExitFindings);
}

}  // namespace weft::cli
