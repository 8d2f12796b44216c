// Streaming products through the service: micro-batches checked like any
// publish, offsets that make a resent stream commit nothing twice, a bad
// line refused with its number, back-pressure, and the change feed under a
// reader's row filter (shop.orders: weft.stream maxRows 3; readers see
// amount < 1000).
#include "service/stream.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "service/publish.h"
#include "service/testing.h"

namespace weft::service {
namespace {

class StreamTest : public testing::MeshFixture {
 protected:
  static std::string Order(int i, const std::string& amount = "") {
    return fmt::format(R"({{"order_id":"S{}","customer_id":"C1","amount":{},"region":"EU"}})", i,
                       amount.empty() ? std::to_string(i) + ".50" : amount);
  }

  Result<StreamSummary> Stream(const std::vector<std::string>& lines, StreamOptions options = {}) {
    if (options.product.empty()) options.product = "shop.orders";
    if (options.producer.empty()) options.producer = "till-1";
    ASSIGN_OR_RETURN(auto session, StreamSession::Open(*mesh_, As("sam@example.com"), options));
    for (const auto& l : lines) RETURN_IF_ERROR(session->Add(l));
    return session->Finish();
  }

  int64_t Count(const std::string& principal, const std::string& where = "true") {
    auto a = Query(principal, "SELECT count(*) FROM shop.orders WHERE " + where);
    EXPECT_OK(a);
    return a.ok() ? std::stoll(a->rows.at(0).at(0).value()) : -1;
  }
};

TEST_F(StreamTest, RowsAreCommittedInCheckedBatchesWithAnAckEach) {
  const int64_t before = Count("sam@example.com");
  std::vector<std::string> lines;
  for (int i = 1; i <= 7; ++i) lines.push_back(Order(i));
  lines[4] = R"({"order_id":"S5","customer_id":"C1","region":"EU"})";  // no amount: quarantined
  lines.insert(lines.begin() + 2, "   ");                                 // blank: no record
  ASSERT_OK_AND_ASSIGN(StreamSummary s, Stream(lines));
  EXPECT_EQ(s.offset, 7);
  EXPECT_EQ(s.lines, 7);
  ASSERT_EQ(s.acks.size(), 3u);  // 3 + 3 + 1
  EXPECT_EQ(s.acks[0].from, 0);
  EXPECT_EQ(s.acks[0].to, 3);
  EXPECT_EQ(s.acks[2].to, 7);
  for (const auto& a : s.acks) {
    EXPECT_EQ(a.outcome, "published") << a.message;
    EXPECT_FALSE(a.snapshot_id.empty());
  }
  EXPECT_EQ(s.rows_valid, 6);
  EXPECT_EQ(s.rows_quarantined, 1);
  EXPECT_EQ(Count("sam@example.com"), before + 6);
  ASSERT_OK_AND_ASSIGN(auto offsets, StreamOffsets(*mesh_, As("sam@example.com"), "shop.orders"));
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0].producer, "till-1");
  EXPECT_EQ(offsets[0].offset, 7);
  EXPECT_EQ(offsets[0].snapshot_id, s.acks.back().snapshot_id);
  ASSERT_OK_AND_ASSIGN(QuarantineView q, PublishService(*mesh_).Quarantine(As("sam@example.com"), "shop.orders", "", 10));
  ASSERT_EQ(q.rows.size(), 1u);
}

TEST_F(StreamTest, ABatchAGuardRefusesIsAcknowledgedAsRejectedAndItsLinesCountAsReceived) {
  // Two of three rows fail: over the product's weft.maxQuarantinedShare of 0.5.
  ASSERT_OK_AND_ASSIGN(StreamSummary s,
                       Stream({Order(1), R"({"order_id":"S2","region":"EU"})", R"({"order_id":"S3","region":"EU"})"}));
  ASSERT_EQ(s.acks.size(), 1u);
  EXPECT_EQ(s.acks[0].outcome, "rejected");
  EXPECT_NE(s.acks[0].message.find("quarantinedShare"), std::string::npos) << s.acks[0].message;
  EXPECT_EQ(s.rows_valid, 0);
  EXPECT_EQ(s.offset, 3);  // the lines are recorded, archived and quarantined: not sent again
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 0);
}

TEST_F(StreamTest, ABatchWithoutARequiredColumnFailsTheSessionAndSaysWhereTheStreamStands) {
  ASSERT_OK(Stream({Order(1)}).status());
  // No line of the batch has "region", which the contract requires: the
  // publish records it as failed (its input archived); the session stops.
  auto s = Stream({R"({"order_id":"S2","customer_id":"C1","amount":1})", R"({"order_id":"S3","customer_id":"C1","amount":2})"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("region"), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("committed up to line 3: resume there"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 1);
}

TEST_F(StreamTest, AResentStreamCommitsOnlyWhatWasNotCommitted) {
  std::vector<std::string> lines;
  for (int i = 1; i <= 8; ++i) lines.push_back(Order(i));
  // A producer killed after two batches: lines 0-5 are committed.
  ASSERT_OK(Stream({lines.begin(), lines.begin() + 6}).status());
  const int64_t after_first = Count("sam@example.com");
  // It restarts from its own beginning: the committed prefix is skipped.
  ASSERT_OK_AND_ASSIGN(StreamSummary again, Stream(lines, {.from = 0}));
  EXPECT_EQ(again.skipped, 6);
  EXPECT_EQ(again.offset, 8);
  EXPECT_EQ(Count("sam@example.com"), after_first + 2);
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 8);
  // Starting past the committed offset would lose lines.
  auto gap = Stream({Order(20)}, {.from = 12});
  EXPECT_EQ(gap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.status().message().find("resend from line 8"), std::string::npos) << gap.status().ToString();
  // Another producer has its own offsets.
  ASSERT_OK_AND_ASSIGN(StreamSummary other, Stream({Order(30)}, {.producer = "till-2"}));
  EXPECT_EQ(other.offset, 1);
}

TEST_F(StreamTest, ABatchCommitsOnlyFromTheOffsetItStartedAt) {
  ASSERT_OK(Stream({Order(1), Order(2)}).status());
  // A second connection of the producer that read the offset before the
  // first committed: its batch is refused, nothing is doubled.
  std::filesystem::create_directories(root_ / "in");
  ASSERT_OK(WriteStringToFile(root_ / "in/b.ndjson", Order(1) + "\n" + Order(2) + "\n", true));
  quality::PublishRequest req{.target = "shop.orders", .files = {root_ / "in/b.ndjson"}, .mode = "append", .format = "json"};
  req.stream = quality::StreamBatch{.producer = "till-1", .from = 0, .to = 2};
  auto r = PublishService(*mesh_).Publish(As("sam@example.com"), req);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("committed up to line 2"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 2);
}

TEST_F(StreamTest, AMalformedLineIsRefusedWithItsNumberAfterTheLinesBeforeItCommit) {
  auto s = Stream({Order(1), Order(2), Order(3), Order(4), R"({"order_id": "S5", )", Order(6)});
  ASSERT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("line 4 of producer till-1 is not a JSON object"), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("resume from line 4"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 4);
  // A string over the publish input limit (publish.maxFieldBytes, 8 MB) is
  // refused as it is parsed: the publish does not scan the batch again.
  auto huge = Stream({R"({"order_id":")" + std::string(9'000'000, 'x') + R"("})"}, {.from = 4});
  ASSERT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("over publish.maxFieldBytes"), std::string::npos) << huge.status().ToString();
  auto array = Stream({"[1, 2]"});
  ASSERT_EQ(array.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(array.status().message().find("it is a JSON array"), std::string::npos) << array.status().ToString();
}

TEST_F(StreamTest, OnlyOwnersStreamAndOnlyIntoStreamingProducts) {
  auto eve = StreamSession::Open(*mesh_, As("eve"), {.product = "shop.orders"});
  EXPECT_EQ(eve.status().code(), StatusCode::kPermissionDenied);
  auto batch = StreamSession::Open(*mesh_, As("olga@example.com"), {.product = "crm.customers"});
  EXPECT_EQ(batch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(batch.status().message().find("weft.stream"), std::string::npos) << batch.status().ToString();
  auto bad_name = StreamSession::Open(*mesh_, As("sam@example.com"), {.product = "shop.orders", .producer = "a b"});
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StreamTest, AProducerFasterThanTheCommitsWaits) {
  // Four batches of three: each commit takes milliseconds, each Add
  // microseconds, so the third cut waits for a slot.
  std::vector<std::string> lines;
  for (int i = 1; i <= 12; ++i) lines.push_back(Order(i));
  ASSERT_OK_AND_ASSIGN(StreamSummary s, Stream(lines));
  EXPECT_EQ(s.batches, 4);
  EXPECT_GT(s.waited_seconds, 0);
  EXPECT_EQ(Count("sam@example.com", "order_id LIKE 'S%'"), 12);
}

TEST_F(StreamTest, TheChangeFeedReturnsTheRowsAppendedSinceASnapshotUnderTheReadersFilter) {
  ASSERT_OK_AND_ASSIGN(StreamSummary first, Stream({Order(1), Order(2), Order(3)}));
  const std::string since = first.acks.back().snapshot_id;
  ASSERT_OK_AND_ASSIGN(StreamSummary second, Stream({Order(4), Order(5, "5000.00"), Order(6)}));
  // bob reads shop.orders under its row filter (amount < 1000).
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer feed,
                       Query("bob", query::QueryRequest{.sql = "SELECT order_id FROM shop.orders ORDER BY 1", .since = since}));
  ASSERT_EQ(feed.rows.size(), 2u);
  EXPECT_EQ(feed.rows[0][0], "S4");
  EXPECT_EQ(feed.rows[1][0], "S6");
  ASSERT_EQ(feed.relations.size(), 1u);
  EXPECT_EQ(feed.relations[0].snapshot_id, second.acks.back().snapshot_id);  // where to follow on from
  // The owner sees the row the filter hides.
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer owner,
                       Query("sam@example.com", query::QueryRequest{.sql = "SELECT count(*) FROM shop.orders", .since = since}));
  EXPECT_EQ(owner.rows[0][0], "3");
  // Nothing appended since the newest: no row, the columns all the same.
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer none, Query("bob", query::QueryRequest{.sql = "SELECT * FROM shop.orders",
                                                                                   .since = second.acks.back().snapshot_id}));
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(none.columns.size(), 4u);
  // A replace ends the feed: reset.
  Publish("shop.orders", Fixtures() / "data/orders.csv");
  auto reset = Query("bob", query::QueryRequest{.sql = "SELECT * FROM shop.orders", .since = since});
  EXPECT_EQ(reset.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reset.status().message().find("reset"), std::string::npos) << reset.status().ToString();
  // Not a snapshot of what the query reads.
  auto other = Query("bob", query::QueryRequest{.sql = "SELECT * FROM shop.orders", .since = "20200101T000000000Z-0000"});
  EXPECT_FALSE(other.ok());
}

TEST_F(StreamTest, CompactionKeepsEverySnapshotsRowsAndTheChangeFeedFollowsThroughIt) {
  // Twelve batches of three: the fixture's first file and twelve more.
  std::vector<std::string> acks;
  for (int b = 0; b < 12; ++b) {
    ASSERT_OK_AND_ASSIGN(StreamSummary s, Stream({Order(3 * b + 1), Order(3 * b + 2), Order(3 * b + 3)}));
    acks.push_back(s.acks.back().snapshot_id);
  }
  const std::string all = "SELECT order_id, amount FROM shop.orders ORDER BY order_id";
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer before, Query("sam@example.com", all));
  // Too few files for the default: nothing happens.
  ASSERT_OK_AND_ASSIGN(quality::CompactReport none, CompactProduct(*mesh_, As("sam@example.com"), "shop.orders"));
  EXPECT_FALSE(none.compacted);
  EXPECT_EQ(none.files_before, 13);
  EXPECT_EQ(CompactProduct(*mesh_, As("eve"), "shop.orders", 4).status().code(), StatusCode::kPermissionDenied);

  ASSERT_OK_AND_ASSIGN(quality::CompactReport r, CompactProduct(*mesh_, As("sam@example.com"), "shop.orders", 4));
  ASSERT_TRUE(r.compacted);
  EXPECT_EQ(r.parent_snapshot_id, acks.back());
  EXPECT_EQ(r.files_before, 13);
  EXPECT_EQ(r.files_after, 9);  // the five oldest merged, the eight newest kept
  // The same rows now, and at the snapshot it compacted (time travel).
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer after, Query("sam@example.com", all));
  EXPECT_EQ(after.rows, before.rows);
  EXPECT_EQ(after.relations[0].snapshot_id, r.snapshot_id);
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer then, Query("sam@example.com", all, acks[5]));
  EXPECT_EQ(then.rows.size(), 4u + 18u);

  // A consumer at batch 2 (its files end inside the merged one) and a
  // consumer at batch 9 (after it) both get exactly what came after.
  auto feed = [&](const std::string& principal, const std::string& since) {
    auto a = Query(principal, query::QueryRequest{.sql = "SELECT order_id FROM shop.orders ORDER BY 1", .since = since});
    EXPECT_OK(a);
    std::vector<std::string> ids;
    if (a.ok())
      for (const auto& row : a->rows) ids.push_back(*row[0]);
    return ids;
  };
  auto ids_of = [](int from_batch, int to_batch) {
    std::vector<std::string> ids;
    for (int i = 3 * from_batch + 1; i <= 3 * to_batch; ++i) ids.push_back("S" + std::to_string(i));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(feed("sam@example.com", acks[1]), ids_of(2, 12));
  EXPECT_EQ(feed("sam@example.com", acks[8]), ids_of(9, 12));
  EXPECT_EQ(feed("bob", acks[1]), ids_of(2, 12));  // every amount is under bob's filter's 1000
  // Appends after the compaction carry its record along: still followed.
  ASSERT_OK(Stream({Order(37), Order(38, "2000.00"), Order(39)}).status());
  EXPECT_EQ(feed("sam@example.com", acks[1]), ids_of(2, 13));
  std::vector<std::string> filtered = ids_of(2, 13);
  filtered.erase(std::find(filtered.begin(), filtered.end(), "S38"));
  EXPECT_EQ(feed("bob", acks[1]), filtered);
  EXPECT_EQ(feed("bob", r.snapshot_id), (std::vector<std::string>{"S37", "S39"}));
}

}  // namespace
}  // namespace weft::service
