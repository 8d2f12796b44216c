// `weft compact DOMAIN.PRODUCT [--min-files N]` merges a product's small
// data files (quality/compactor.h); a stream does it by itself.
// `weft stream DOMAIN.PRODUCT [FILE|-] [--producer NAME] [--from N] [-o text|json]`:
// sends NDJSON rows — from a file or, with - or no file, from stdin as they
// come — into a streaming product (service/stream.h). Each committed
// micro-batch prints an ack with its snapshot; the last line says how far
// the producer's stream is committed. Run again after a kill with the same
// --producer and --from 0 (the start of the same input): the committed
// lines are skipped, nothing is doubled. With --server the input is sent
// as one request (its acks come when it ends).
// Exit 0 when every line is committed; 2 for a malformed line (its number
// is named) or usage, and another code of service/outcome.h when a batch
// could not commit; what committed before stays committed either way.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/call.h"
#include "cli/commands.h"
#include "common/files.h"
#include "service/stream.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct StreamArgs {
  std::string product;
  std::string file = "-";
  std::string producer;
  int64_t from = -1;  // -1: where the producer's stream is committed
  std::string output = "text";
};

void PrintAck(std::ostream& out, const std::string& output, const json& ack) {
  if (output == "json") {
    out << ack.dump() << "\n" << std::flush;
    return;
  }
  out << "batch " << ack.value("batch", 0) << ": lines " << ack.value("from", 0) << "-" << ack.value("to", 0) - 1 << " "
      << ack.value("outcome", "") << ", snapshot " << ack.value("snapshot", "") << " (" << ack.value("rowsValid", 0)
      << " rows, " << ack.value("rowsQuarantined", 0) << " quarantined, committed in " << ack.value("commitSeconds", 0.0)
      << " s)";
  if (ack.contains("message")) out << ": " << ack.value("message", "");
  out << "\n" << std::flush;
}

void PrintSummary(std::ostream& out, const std::string& output, const json& s) {
  if (output == "json") {
    out << s.dump() << "\n";
    return;
  }
  out << "Streamed " << s.value("lines", 0) << " line(s) into " << s.value("product", "") << " as producer "
      << s.value("producer", "") << ": " << s.value("batches", 0) << " batch(es), " << s.value("rowsValid", 0)
      << " rows published, " << s.value("rowsQuarantined", 0) << " quarantined";
  if (s.value("skipped", 0) > 0) out << ", " << s.value("skipped", 0) << " already committed before (skipped)";
  out << "; committed up to line " << s.value("offset", 0) << "\n";
}

void RunRemote(const StreamArgs& args, CommandContext& ctx) {
  std::string body;
  if (args.file == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto data = ReadFileToString(args.file);
    if (!Report(ctx, "stream", data.status())) return;
    body = std::move(*data);
  }
  Rest rest{.method = "POST", .path = "/api/v1/products/" + args.product + "/stream",
            .query = {{"producer", args.producer}, {"from", args.from >= 0 ? std::to_string(args.from) : ""}},
            .body = std::move(body), .content_type = "application/x-ndjson"};
  Status status = CallStreaming(ctx, rest, [&](std::string_view line) -> Status {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) return Status::Ok();
    if (j.contains("batch")) PrintAck(ctx.out, args.output, j);
    else PrintSummary(ctx.out, args.output, j);
    return Status::Ok();
  });
  Report(ctx, "stream", status);
}

void RunStream(const StreamArgs& args, CommandContext& ctx) {
  if (!ctx.server.empty()) return RunRemote(args, ctx);
  std::ifstream file;
  if (args.file != "-") {
    file.open(args.file, std::ios::binary);
    if (!file) return (void)Report(ctx, "stream", Status::InvalidArgument("cannot read " + args.file));
  }
  std::istream& in = args.file == "-" ? std::cin : file;
  auto mesh = service::Mesh::Open(ctx.workspace);
  if (!Report(ctx, "stream", mesh.status())) return;
  service::StreamOptions options{.product = args.product, .producer = args.producer};
  if (args.from >= 0) options.from = args.from;
  const std::string output = args.output;
  std::ostream& out = ctx.out;
  auto session = service::StreamSession::Open(**mesh, LocalCaller(**mesh, ctx), options,
                                              [&out, output](const service::StreamAck& a) { PrintAck(out, output, service::ToJson(a)); });
  if (!Report(ctx, "stream", session.status())) return;
  Status status;
  for (std::string line; status.ok() && std::getline(in, line);) status = (*session)->Add(line);
  auto summary = (*session)->Finish();
  if (!Report(ctx, "stream", status)) return;
  if (!Report(ctx, "stream", summary.status())) return;
  json s = service::ToJson(*summary);
  s.erase("acks");
  PrintSummary(ctx.out, args.output, s);
  (*mesh)->Close();
}

void RunCompact(CommandContext& ctx, const std::string& product, int64_t min_files, const std::string& output) {
  Answer a = Call(ctx, {.method = "POST", .path = "/api/v1/products/" + product + "/compact",
                        .query = {{"minFiles", std::to_string(min_files)}}},
                  [&](service::Mesh& m, const service::Caller& c) {
                    auto r = service::CompactProduct(m, c, product, static_cast<size_t>(min_files));
                    return r.ok() ? Answer{Status::Ok(), service::ToJson(*r)} : Answer{r.status(), nullptr};
                  });
  if (!Report(ctx, "compact", a.status)) return;
  if (output == "json") {
    ctx.out << a.body.dump(2) << "\n";
    return;
  }
  if (!a.body.value("compacted", false)) {
    ctx.out << product << ": nothing to compact (" << a.body.value("note", "") << ")\n";
    return;
  }
  ctx.out << product << ": compacted " << a.body.value("filesBefore", 0) << " data files into "
          << a.body.value("filesAfter", 0) << " (" << a.body.value("rows", 0) << " rows), snapshot "
          << a.body.value("snapshot", "") << " of " << a.body.value("parent", "") << "\n";
  for (const auto& w : a.body.value("warnings", json::array())) ctx.err << "weft compact: warning: " << w.get<std::string>() << "\n";
}

}  // namespace

void AddStreamCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<StreamArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stream", "Stream NDJSON rows into a streaming product: contract-checked micro-batches, an ack per batch");
  cmd->add_option("product", args->product, "DOMAIN.PRODUCT (declared streaming: customProperties weft.stream)")->required();
  cmd->add_option("file", args->file, "NDJSON input; - or none: stdin, read as it comes");
  cmd->add_option("--producer", args->producer, "This producer's name for its stream (default: the acting principal)");
  cmd->add_option("--from", args->from,
                  "The offset of the input's first line in the producer's stream (0: the input starts the stream; "
                  "committed lines are skipped). Default: where the stream is committed")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--output", args->output, "text, or json (one ack object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([args, &ctx] { RunStream(*args, ctx); });

  auto product = std::make_shared<std::string>();
  auto min_files = std::make_shared<int64_t>(quality::CompactRequest{}.min_files);
  auto output = std::make_shared<std::string>("text");
  CLI::App* compact = app.add_subcommand(
      "compact", "Merge a product's small data files into larger ones: the same rows, in order, as a new snapshot");
  compact->add_option("product", *product, "DOMAIN.PRODUCT")->required();
  compact->add_option("--min-files", *min_files, "Compact only a snapshot of more data files than this")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  compact->add_option("-o,--output", *output, "text or json")->check(CLI::IsMember({"text", "json"}));
  compact->callback([&ctx, product, min_files, output] { RunCompact(ctx, *product, *min_files, *output); });
}

}  // namespace weft::cli
