#include "query/usage_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "common/testing/status_matchers.h"

namespace weft::query {
namespace {

TEST(UsageLogTest, EveryRowAddedIsWrittenByFlushWithoutANewGeneration) {
  const auto dir = std::filesystem::temp_directory_path() / ("weft-usage-log-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(auto store, catalog::OpenStore((dir / "catalog.db").string()));
  ASSERT_OK_AND_ASSIGN(int64_t generation, store->Generation());
  {
    UsageLog log;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) log.Add(*store, {.principal = "p" + std::to_string(t), .kind = "query", .cost = 0.5});
      });
    for (auto& t : threads) t.join();
    log.Flush();
    ASSERT_OK_AND_ASSIGN(auto rows, store->ListUsage({}));
    EXPECT_EQ(rows.size(), 200u);
    ASSERT_OK_AND_ASSIGN(double cost, store->SumUsageCost({}));
    EXPECT_DOUBLE_EQ(cost, 100.0);
    log.Add(*store, {.principal = "last", .kind = "query"});
  }  // the destructor flushes
  ASSERT_OK_AND_ASSIGN(auto rows, store->ListUsage({}));
  EXPECT_EQ(rows.size(), 201u);
  ASSERT_OK_AND_ASSIGN(int64_t after, store->Generation());
  EXPECT_EQ(after, generation);
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace weft::query
