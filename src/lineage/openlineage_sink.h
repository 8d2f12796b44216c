// Where OpenLineage events (openlineage.h) go: weft.yaml's
// lineage.openlineage names an HTTP endpoint (each event POSTed as JSON, as
// OpenLineage's HTTP transport does; Marquez: http://HOST:5000/api/v1/lineage)
// and/or a file (each event appended as one line of JSON, as its file
// transport does).
//
//   OpenLineageSink sink = OpenLineageSink::ForWorkspace(ws.settings, ws.root);
//   if (Status s = sink.Emit(event); !s.ok()) log a warning: s.message()
//
// Emitting is best effort: a publish has happened whether or not its events
// could be sent, so the caller logs a failed Emit and carries on. Nothing is
// queued or retried; a consumer that was down misses the events it was sent
// (the file target keeps them all).
//
// Thread safety: Emit is safe to call concurrently, also from several
// processes: each call opens its own connection, and a line is appended with
// one write to a file opened with O_APPEND, so lines never interleave.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "spec/model.h"

namespace weft::lineage {

struct OpenLineageSinkOptions {
  std::string url;             // http(s)://host[:port]/path; empty: no POST
  std::filesystem::path file;  // empty: no file
  double timeout_seconds = 5;  // to connect, and then to send or read, each
};

class OpenLineageSink {
 public:
  explicit OpenLineageSink(OpenLineageSinkOptions options) : options_(std::move(options)) {}

  // lineage.openlineage of the workspace settings; a relative file is under
  // `root` (the directory of weft.yaml).
  static OpenLineageSink ForWorkspace(const spec::WorkspaceSpec& settings, const std::filesystem::path& root);

  // Whether any target is configured; Emit is a no-op otherwise.
  bool enabled() const { return !options_.url.empty() || !options_.file.empty(); }

  // Sends `event` to every target, each tried even when another failed.
  // IoError naming each target that failed and why (an HTTP status other
  // than 2xx, a connection refused or timed out, a file not writable).
  Status Emit(const nlohmann::json& event) const;

 private:
  Status Post(const std::string& body) const;
  Status Append(const std::string& line) const;

  OpenLineageSinkOptions options_;
};

}  // namespace weft::lineage
