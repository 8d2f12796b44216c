// libFuzzer target: input files through the real publish path
// (quality::Publish: input limits, staging in DuckDB, the contract's checks,
// quarantine, the guards, the snapshot commit) into a scratch workspace with
// tests/fixtures/publish applied, shop.orders the target (row rules, a
// pattern, a foreign key to customer.customers, a dataset SQL rule).
//
// The first byte of the input picks how the rest is published:
//   bits 0-1  0: orders.csv, 1: orders.ndjson, 2: orders.parquet,
//             3: orders.csv.gz (the rest gzip-compressed here, so the
//             decompressing reader sees valid gzip around fuzzed CSV)
//   bit 2     append instead of replace
//   bit 3     tight input limits (input_limits.h: 4 KB a file, 16 bytes a
//             field, 4 times expansion), so small inputs reach their refusals
//
// Oracle: no crash, no hang, no sanitizer report, and
//   - a refusal (an error, "rejected", "duplicate") leaves the current
//     snapshot as it was;
//   - "published": rows_valid + rows_quarantined == rows_in; the new current
//     snapshot holds the parent's rows (append) plus rows_valid, in its
//     catalog record and in its Parquet files; the quarantine file holds
//     rows_quarantined rows;
//   - for a CSV whose records are countable without parsing (no quotes, no
//     CR, no blank line, every line as many fields as the header), rows_in
//     is that count.
// The workspace is built again every kExecsPerWorkspace inputs so the disk
// does not fill with snapshots and archives.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/store.h"
#include "common/files.h"
#include "common/strings.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/publisher.h"
#include "spec/loader.h"
#include "storage/file_system.h"

namespace {

namespace fs = std::filesystem;
using namespace weft;

constexpr int kExecsPerWorkspace = 256;
constexpr const char* kProduct = "shop.orders";

[[noreturn]] void Fail(const std::string& what) {
  fprintf(stderr, "fuzz_ingest: %s\n", what.c_str());
  std::abort();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) Fail(std::string(what) + ": " + s.message());
}

struct World {
  fs::path root;  // this process's scratch directory
  fs::path ws;    // the current workspace under it
  std::unique_ptr<catalog::Store> store;
  int execs = 0;
  int generation = 0;
  std::optional<engine::Database> db;  // reads the snapshot files back
  std::optional<engine::Connection> conn;
};

quality::PublishRequest Request(const World& w, std::vector<fs::path> files, std::string mode, bool tight = false) {
  return {.target = kProduct,
          .files = std::move(files),
          .mode = std::move(mode),
          .actor = "fuzz",
          .threads = 1,
          .temp_dir = w.ws / "tmp",
          // The fixtures' few rows would trip the quarantined-share guard at
          // once; with the guards off more inputs reach the snapshot commit.
          .guards = quality::GuardSettings::Off(),
          .limits = tight ? quality::InputLimits{.max_input_bytes = 4096, .max_expansion = 4, .max_field_bytes = 16}
                          : quality::InputLimits{}};
}

// A fresh workspace: the fixture tree applied, customers published (the
// orders' foreign key reads them).
void NewWorkspace(World& w) {
  const fs::path fixtures = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/publish";
  w.store.reset();
  if (!w.ws.empty()) fs::remove_all(w.ws);
  w.ws = w.root / ("ws" + std::to_string(++w.generation));
  Check(control::InitWorkspace(w.ws, "fuzz").status(), "init");
  Check(WriteStringToFile(w.ws / "weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: fuzz\npolicyPacks: []\n", true),
        "settings");
  auto ws = control::LoadWorkspace(w.ws);
  Check(ws.status(), "workspace");
  auto store = catalog::OpenStore(ws->CatalogLocation());
  Check(store.status(), "catalog");
  w.store = std::move(*store);
  std::vector<spec::Diagnostic> diags;
  std::vector<spec::Document> docs;
  for (const auto& f : spec::FindSpecFiles({fixtures / "tree"}, diags))
    for (auto& d : spec::LoadFile(f).documents) docs.push_back(std::move(d));
  auto plan = control::MakePlan(*ws, *w.store, docs, diags, {.actor = "fuzz"});
  Check(plan.status(), "plan");
  Check(control::Apply(*ws, *w.store, storage::DefaultFileSystem(), *plan).status(), "apply");
  auto customers = quality::Publish(*w.store, [&] {
    auto r = Request(w, {fixtures / "data/customers.csv"}, "replace");
    r.target = "customer.customers";
    return r;
  }());
  Check(customers.status(), "publish customers");
}

World& Setup() {
  static World* w = [] {
    auto* world = new World;
    world->root = fs::temp_directory_path() / ("weft-fuzz-ingest-" + std::to_string(::getpid()));
    fs::remove_all(world->root);
    auto db = engine::Database::Open({.threads = 1});
    Check(db.status(), "database");
    world->db.emplace(std::move(*db));
    auto conn = engine::Connection::Open(*world->db);
    Check(conn.status(), "connection");
    world->conn.emplace(std::move(*conn));
    NewWorkspace(*world);
    return world;
  }();
  return *w;
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16 /* gzip header */, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    Fail("deflateInit2");
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) Fail("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The data records of a CSV when counting them needs no parser; else none.
std::optional<int64_t> CountableCsvRecords(std::string_view text) {
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.empty() || text.find_first_of(std::string_view("\"\r\0", 3)) != std::string_view::npos) return std::nullopt;
  if (text.back() == '\n') text.remove_suffix(1);
  std::vector<std::string_view> lines;
  for (size_t at = 0;;) {
    size_t nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  const auto fields = [](std::string_view line) { return std::count(line.begin(), line.end(), ',') + 1; };
  for (const auto& line : lines)
    if (line.empty() || fields(line) != fields(lines[0])) return std::nullopt;
  return static_cast<int64_t>(lines.size()) - 1;
}

int64_t ParquetRows(World& w, const std::string& glob) {
  auto r = w.conn->Query("SELECT count(*) FROM read_parquet(" + SqlQuote(glob) + ")");
  Check(r.status(), "read back");
  auto n = r->ScalarInt64();
  Check(n.status(), "count");
  return *n;
}

// The current snapshot: the newest of the product's (its one major).
std::optional<catalog::SnapshotRecord> Current(World& w) {
  auto snaps = w.store->ListSnapshots(kProduct);
  Check(snaps.status(), "snapshots");
  if (snaps->empty()) return std::nullopt;
  return snaps->front();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  World& w = Setup();
  if (++w.execs % kExecsPerWorkspace == 0) NewWorkspace(w);

  static const char* kNames[] = {"orders.csv", "orders.ndjson", "orders.parquet", "orders.csv.gz"};
  const int kind = data[0] & 3;
  const bool append = data[0] & 4;
  const bool tight = data[0] & 8;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const fs::path dir = w.root / "in";
  const fs::path file = dir / kNames[kind];
  fs::remove_all(dir);
  Check(WriteStringToFile(file, kind == 3 ? Gzip(body) : std::string(body), true), "write input");

  const auto before = Current(w);
  auto report = quality::Publish(*w.store, Request(w, {file}, append ? "append" : "replace", tight));
  const auto after = Current(w);
  const auto id = [](const std::optional<catalog::SnapshotRecord>& s) { return s ? s->id : std::string("(none)"); };

  if (!report.ok() || report->outcome != "published") {
    if (id(before) != id(after))
      Fail("a publish that was not published (" + (report.ok() ? report->outcome : report.status().message()) +
           ") changed the current snapshot from " + id(before) + " to " + id(after));
    return 0;
  }
  const quality::CheckOutcome& c = report->checks;
  if (c.rows_valid + c.rows_quarantined != c.rows_in)
    Fail("valid " + std::to_string(c.rows_valid) + " + quarantined " + std::to_string(c.rows_quarantined) +
         " != input rows " + std::to_string(c.rows_in));
  const int64_t expected = (append && before ? before->rows : 0) + c.rows_valid;
  if (!after || after->id != report->snapshot_id) Fail("the published snapshot is not current");
  if (report->snapshot_rows != expected || after->rows != expected)
    Fail("the snapshot has " + std::to_string(after->rows) + " rows (report: " + std::to_string(report->snapshot_rows) +
         "), expected " + std::to_string(expected));
  if (const int64_t files = ParquetRows(w, after->path + "/*.parquet"); files != expected)
    Fail("the snapshot's files hold " + std::to_string(files) + " rows, its record " + std::to_string(expected));
  if (c.rows_quarantined > 0 && ParquetRows(w, report->quarantine_path) != c.rows_quarantined)
    Fail("the quarantine file does not hold the " + std::to_string(c.rows_quarantined) + " quarantined rows");
  if (kind == 0 || kind == 3)
    if (auto n = CountableCsvRecords(body); n && *n != c.rows_in)
      Fail("the CSV has " + std::to_string(*n) + " records, the publish read " + std::to_string(c.rows_in));
  return 0;
}
