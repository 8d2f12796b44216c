#include "quality/profile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "common/strings.h"
#include "common/testing/status_matchers.h"
#include "engine/database.h"

namespace weft::quality {
namespace {

namespace fs = std::filesystem;

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_OK(db);
    db_.emplace(std::move(*db));
    auto conn = engine::Connection::Open(*db_);
    ASSERT_OK(conn);
    conn_.emplace(std::move(*conn));
    dir_ = fs::temp_directory_path() / ("weft-profile-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }
  fs::path Write(const std::string& name, const std::string& select) {
    fs::path f = dir_ / name;
    EXPECT_OK(conn_->Execute("COPY (" + select + ") TO " + SqlQuote(f.string()) + " (FORMAT parquet)"));
    return f;
  }
  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
  fs::path dir_;
};

TEST_F(ProfileTest, CountsNullsDistinctsBoundsAndTopValuesOverEveryFile) {
  fs::path a = Write("a.parquet", "SELECT * FROM (VALUES (1, 'x'), (2, 'x'), (3, NULL)) v(n, s)");
  fs::path b = Write("b.parquet", "SELECT * FROM (VALUES (10, 'x'), (NULL, 'y')) v(n, s)");
  ASSERT_OK_AND_ASSIGN(nlohmann::json columns, ProfileFiles(*conn_, {a, b}));
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0]["name"], "n");
  EXPECT_EQ(columns[0]["rows"], 5);
  EXPECT_EQ(columns[0]["nulls"], 1);
  EXPECT_EQ(columns[0]["distinct"], 4);
  EXPECT_EQ(columns[0]["min"], "1");
  EXPECT_EQ(columns[0]["max"], "10");
  EXPECT_EQ(columns[1]["nulls"], 1);
  ASSERT_FALSE(columns[1]["top"].empty());
  EXPECT_EQ(columns[1]["top"][0], "x");  // three of the four values
}

TEST_F(ProfileTest, LongValuesAreCutAndNestedColumnsHaveNoValueStats) {
  fs::path f = Write("c.parquet", "SELECT repeat('a', 500) AS long_text, [1, 2] AS list");
  ASSERT_OK_AND_ASSIGN(nlohmann::json columns, ProfileFiles(*conn_, {f}));
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0]["max"].get<std::string>().size(), static_cast<size_t>(kProfileValueChars));
  EXPECT_TRUE(columns[1]["min"].is_null());
  EXPECT_TRUE(columns[1]["top"].empty());
  EXPECT_EQ(columns[1]["distinct"], 1);
}

TEST_F(ProfileTest, ALargeSnapshotCountsEveryRowAndTakesTopValuesFromASample) {
  fs::path f = Write("big.parquet", "SELECT i % 3 AS k, i AS id FROM range(" + std::to_string(kProfileSampleAbove * 3) + ") t(i)");
  ASSERT_OK_AND_ASSIGN(nlohmann::json columns, ProfileFiles(*conn_, {f}));
  EXPECT_EQ(columns[0]["rows"], kProfileSampleAbove * 3);
  EXPECT_EQ(columns[1]["max"], std::to_string(kProfileSampleAbove * 3 - 1));  // bounds are exact
  ASSERT_EQ(columns[0]["top"].size(), 3u);  // a sample still has every frequent value
}

}  // namespace
}  // namespace weft::quality
