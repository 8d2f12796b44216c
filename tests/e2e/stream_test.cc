// The streaming product of the demo mesh (inventory.stock_levels, weft.stream)
// as a producer and a consumer meet it: `weft demo stream` commits batches
// with acks, a producer killed with SIGKILL resumes from its committed
// offset with nothing lost or doubled (so does a server killed mid-stream),
// a consumer follows the change feed
// with `weft query --since`, and a stalled stream breaks the latency SLA
// (60 s) and opens an incident.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "common/time.h"
#include "e2e_util.h"
#include "raw_http.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;

class StreamTest : public DemoDataTest {
 protected:
  void SetUp() override {
    DemoDataTest::SetUp();
    if (HasFatalFailure()) return;
    for (const char* p : {"inventory.warehouses", "inventory.stock_levels"}) {
      RunResult r = Weft({"publish", p, File(p), "--as", kOwner});
      ASSERT_EQ(r.exit_code, 0) << r;
    }
    first_rows_ = Count();
  }

  int64_t Count() {
    RunResult r = Weft({"query", "SELECT count(*) AS n FROM inventory.stock_levels", "-o", "json", "--as", kOwner});
    EXPECT_EQ(r.exit_code, 0) << r;
    return N(r);
  }

  // The one value of `weft query ... AS n -o json`: {"columns": [...], "rows": [{"n": "12"}], ...}.
  static int64_t N(const RunResult& r) {
    auto j = ParseJson(r);
    if (!j.is_object() || !j["rows"].is_array() || j["rows"].empty()) return -1;
    return std::stoll(j["rows"][0]["n"].get<std::string>());
  }

  int64_t Offset() {
    RunResult r = Weft({"stream", "inventory.stock_levels", "--as", kOwner, "--producer", "demo-stream", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r;  // no input: commits nothing, says where the stream stands
    auto j = ParseJson(r);
    return j.is_object() ? j.value("offset", int64_t{-1}) : -1;
  }

  static constexpr const char* kOwner = "heidi@retail.example";
  int64_t first_rows_ = 0;
};

TEST_F(StreamTest, AKilledProducerResumesFromItsCommittedOffsetWithNothingLostOrDoubled) {
  Process producer({"demo", "stream", "--rate", "2000", "--seconds", "60", "--as", kOwner, "--workspace", ws_.string()});
  // Killed (SIGKILL) once it has had a few batches acknowledged.
  for (int i = 0; i < 600; ++i) {
    const std::string out = producer.OutputSoFar();
    if (std::count(out.begin(), out.end(), '\n') >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  producer.Signal(SIGKILL);
  const RunResult& killed = producer.Wait();
  ASSERT_THAT(killed.out, HasSubstr("batch 2: ")) << killed;
  const int64_t offset = Offset();
  ASSERT_GT(offset, 0);
  // Every committed line is in the product once; what was in flight is not.
  EXPECT_EQ(Count(), first_rows_ + offset);

  // The producer restarts: it continues at the committed offset.
  RunResult again = Weft({"demo", "stream", "--rate", "500", "--seconds", "1.5", "--as", kOwner});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("from line " + std::to_string(offset))) << again;
  const int64_t resumed = Offset();
  EXPECT_GT(resumed, offset);
  EXPECT_EQ(Count(), first_rows_ + resumed);
}

TEST_F(StreamTest, AStreamOfAFileIsAcknowledgedPerBatchAndAConsumerFollowsTheChangeFeed) {
  auto level = [](int i, int on_hand) {
    char sku[16];
    std::snprintf(sku, sizeof sku, "SKU-%06d", i);
    return std::string("{\"warehouse_id\":\"WH-BER1\",\"sku\":\"") + sku + "\",\"on_hand\":" + std::to_string(on_hand) +
           ",\"reserved\":0,\"reorder_point\":10,\"updated_at\":\"2026-12-07T10:00:00\"}\n";
  };
  // The first five lines: the snapshot of their ack is where the consumer is.
  const std::filesystem::path input = tmp_ / "levels.ndjson";
  std::string lines;
  for (int i = 0; i < 5; ++i) lines += level(i, i);
  WriteFile(input, lines);
  RunResult first = Weft({"stream", "inventory.stock_levels", input.string(), "--producer", "wms", "-o", "json", "--as", kOwner});
  ASSERT_EQ(first.exit_code, 0) << first;
  const nlohmann::json ack = nlohmann::json::parse(first.out.substr(0, first.out.find('\n')), nullptr, false);
  ASSERT_TRUE(ack.is_object()) << first;
  const std::string since = ack.value("snapshot", "");
  ASSERT_FALSE(since.empty()) << first;

  // The whole file, from its start: the first five are skipped, one of the
  // next twenty (on_hand -3) is quarantined.
  for (int i = 5; i < 25; ++i) lines += level(i, i == 7 ? -3 : i);
  WriteFile(input, lines);
  RunResult streamed = Weft({"stream", "inventory.stock_levels", input.string(), "--producer", "wms", "--from", "0", "--as", kOwner});
  ASSERT_EQ(streamed.exit_code, 0) << streamed;
  EXPECT_THAT(streamed.out, HasSubstr("batch 1: lines 5-24 published")) << streamed;
  EXPECT_THAT(streamed.out, HasSubstr("19 rows published, 1 quarantined")) << streamed;
  EXPECT_THAT(streamed.out, HasSubstr("5 already committed before (skipped)")) << streamed;
  EXPECT_THAT(streamed.out, HasSubstr("committed up to line 25")) << streamed;
  EXPECT_EQ(Count(), first_rows_ + 24);

  RunResult feed = Weft({"query", "SELECT count(*) AS n FROM inventory.stock_levels", "--since", since, "-o", "json",
                         "--as", kOwner});
  ASSERT_EQ(feed.exit_code, 0) << feed;
  EXPECT_EQ(N(feed), 19) << feed;
  EXPECT_THAT(feed.err, HasSubstr("follow on with --since ")) << feed;
  RunResult not_an_id = Weft({"query", "SELECT count(*) FROM inventory.stock_levels", "--since", "x", "--as", kOwner});
  EXPECT_NE(not_an_id.exit_code, 0) << not_an_id;

  // A malformed line is refused with its number.
  WriteFile(input, lines + "{\"warehouse_id\": \n");
  RunResult bad = Weft({"stream", "inventory.stock_levels", input.string(), "--producer", "wms", "--from", "0", "--as", kOwner});
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("line 25 of producer wms is not a JSON object")) << bad;
}

// A producer streaming over HTTP (chunked, a few lines at a time) when the
// server is killed with SIGKILL: what was committed stays, the workspace
// checks clean, and the producer's resent stream (from its start) commits
// each line exactly once against a restarted server.
TEST_F(StreamTest, AServerKilledMidStreamLosesAndDoublesNothing) {
  RunResult token = Weft({"token", "create", "--for", kOwner});
  ASSERT_EQ(token.exit_code, 0) << token;
  const std::string heidi = LastLine(token.out);
  std::string lines;
  for (int i = 0; i < 400; ++i) {
    char sku[16];
    std::snprintf(sku, sizeof sku, "SKU-%06d", 100 + i);
    lines += std::string("{\"warehouse_id\":\"WH-HAM1\",\"sku\":\"") + sku + "\",\"on_hand\":" + std::to_string(i) +
             ",\"reserved\":0,\"reorder_point\":10,\"updated_at\":\"2026-12-07T11:00:00\"}\n";
  }
  const std::filesystem::path input = tmp_ / "wms.ndjson";
  WriteFile(input, lines);
  auto serve = [&](int port) {
    return std::make_unique<Process>(std::vector<std::string>{"serve", "--listen", "127.0.0.1:" + std::to_string(port),
                                                              "--workspace", ws_.string(), "--access-log", "off"},
                                     RunOptions{.timeout = std::chrono::seconds(120)});
  };
  auto remote = [&](const std::string& url, const std::vector<std::string>& args) {
    return e2e::Run(args, Env{{"WEFT_SERVER", url}, {"WEFT_TOKEN", heidi}});
  };
  auto wait_ready = [&](const std::string& url) {
    for (int i = 0; i < 200; ++i) {
      if (remote(url, {"stream", "inventory.stock_levels", "--producer", "wms", "-o", "json"}).exit_code == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  const int port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  auto server = serve(port);
  ASSERT_TRUE(wait_ready(url)) << server->OutputSoFar();

  // The producer: a chunked POST, ten lines every 50 ms (a batch a second).
  int fd = ConnectFrom("127.0.0.1", port);
  ASSERT_GE(fd, 0);
  const std::string head = "POST /api/v1/products/inventory.stock_levels/stream?producer=wms HTTP/1.1\r\nHost: x\r\n"
                           "Authorization: Bearer " + heidi + "\r\nContent-Type: application/x-ndjson\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  size_t at = 0;
  int64_t committed = 0;
  for (int round = 0; at < lines.size() && committed == 0 && round < 400; ++round) {
    size_t end = at;
    for (int n = 0; n < 10 && end < lines.size(); ++n) end = lines.find('\n', end) + 1;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", end - at);
    const std::string chunk = size + lines.substr(at, end - at) + "\r\n";
    if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(chunk.size())) break;
    at = end;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (round % 10 == 9) {
      RunResult where = remote(url, {"stream", "inventory.stock_levels", "--producer", "wms", "-o", "json"});
      auto j = ParseJson(where);
      committed = j.is_object() ? j.value("offset", int64_t{0}) : 0;
    }
  }
  ASSERT_GT(committed, 0) << "no batch committed while streaming";
  ASSERT_LT(at, lines.size()) << "the stream ended before the kill";
  server->Signal(SIGKILL);
  server->Wait();
  ::close(fd);

  RunResult check = Weft({"check"});
  EXPECT_EQ(check.exit_code, 0) << check;
  const int64_t after_kill = Count();
  EXPECT_GE(after_kill, first_rows_ + committed);
  EXPECT_LE(after_kill, first_rows_ + static_cast<int64_t>(std::count(lines.begin(), lines.begin() + at, '\n')));

  // The producer reconnects to the restarted server and sends its stream
  // again from the start: the committed lines are skipped.
  const int port2 = FreePort();
  const std::string url2 = "http://127.0.0.1:" + std::to_string(port2);
  server = serve(port2);
  ASSERT_TRUE(wait_ready(url2)) << server->OutputSoFar();
  RunResult resent = remote(url2, {"stream", "inventory.stock_levels", input.string(), "--producer", "wms", "--from", "0"});
  ASSERT_EQ(resent.exit_code, 0) << resent;
  EXPECT_THAT(resent.out, HasSubstr("committed up to line 400")) << resent;
  EXPECT_EQ(Count(), first_rows_ + 400);
  server->Signal(SIGTERM);
  server->Wait();
}

TEST_F(StreamTest, AStalledStreamBreaksItsLatencySlaAndOpensAnIncident) {
  RunResult fed = Weft({"demo", "stream", "--rate", "100", "--seconds", "1.2", "--as", kOwner});
  ASSERT_EQ(fed.exit_code, 0) << fed;
  RunResult fresh = Weft({"monitor", "--once"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh;
  EXPECT_THAT(fresh.out, ::testing::Not(HasSubstr("inventory.stock_levels: latency SLA breached"))) << fresh;
  // Ninety seconds without a batch: the 60-second promise is broken.
  RunResult stalled = Weft({"monitor", "--once", "--now", IsoOfMillis(SystemClock().NowMillis() + 90 * 1000)});
  ASSERT_EQ(stalled.exit_code, 0) << stalled;
  EXPECT_THAT(stalled.out, HasSubstr("inventory.stock_levels: latency SLA breached")) << stalled;
  RunResult open = Weft({"incidents", "list", "--product", "inventory.stock_levels", "--status", "open", "-o", "json"});
  ASSERT_EQ(open.exit_code, 0) << open;
  EXPECT_THAT(open.out, HasSubstr("sla:latency")) << open;
}

}  // namespace
}  // namespace weft::e2e
