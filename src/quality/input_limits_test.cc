// The bounds on reading a publish input: a gzip bomb, an oversized file and a
// runaway CSV field or JSON string each fail with the file, the place, the
// limit and the setting; inputs within the limits pass. Bombs are made here,
// small (a few MB of zeros), against lowered limits.
#include "quality/input_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

#include "common/files.h"
#include "common/testing/status_matchers.h"

namespace weft::quality {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

class InputLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("weft-limits-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Plain(const std::string& name, const std::string& content) {
    EXPECT_OK(WriteStringToFile(dir_ / name, content, /*overwrite=*/true));
    return dir_ / name;
  }

  // `head` then `zeros` zero bytes, gzip-compressed (about 1000 to 1).
  fs::path Gzip(const std::string& name, const std::string& head, size_t zeros) {
    const fs::path f = dir_ / name;
    gzFile out = gzopen(f.c_str(), "wb9");
    EXPECT_NE(out, nullptr);
    gzwrite(out, head.data(), static_cast<unsigned>(head.size()));
    const std::string block(1 << 16, '\0');
    for (size_t left = zeros; left > 0;) {
      const size_t n = std::min(left, block.size());
      gzwrite(out, block.data(), static_cast<unsigned>(n));
      left -= n;
    }
    gzclose(out);
    return f;
  }

  Status Check(const fs::path& f, const std::string& format, const InputLimits& limits = {}) {
    return CheckInputLimits({f}, format, ',', limits);
  }

  fs::path dir_;
};

TEST_F(InputLimitsTest, AGzipBombStopsAtItsExpansionLimitNamingTheSetting) {
  // 8 MB of zeros in a few KB: far beyond 100 times.
  const fs::path bomb = Gzip("bomb.csv.gz", "a,b\n1,", 8'000'000);
  ASSERT_LT(fs::file_size(bomb), 80'000u);
  Status s = Check(bomb, "csv");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr(bomb.string()), HasSubstr("expands to more than"),
                    HasSubstr("publish.maxExpansion: 100 times its compressed"),
                    HasSubstr("raise publish.maxExpansion in weft.yaml"), HasSubstr("nothing was published")));
  // Raised, the same file passes the expansion bound (its zeros are one field, bounded apart).
  EXPECT_OK(Check(bomb, "csv", {.max_expansion = 10'000, .max_field_bytes = 10'000'000}));
}

TEST_F(InputLimitsTest, TheAbsoluteCapAppliesWhenItIsTheSmallerBound) {
  const fs::path bomb = Gzip("bomb.ndjson.gz", "", 4'000'000);
  Status s = Check(bomb, "json", {.max_input_bytes = 1'000'000, .max_expansion = 10'000});
  EXPECT_THAT(s.message(), AllOf(HasSubstr("expands to more than 1 MB"), HasSubstr("(publish.maxInputBytes)"),
                                 HasSubstr("raise publish.maxInputBytes")));
}

TEST_F(InputLimitsTest, AGzipWithinItsBoundsPasses) {
  std::string csv = "id,name\n";
  for (int i = 0; i < 1000; ++i) csv += std::to_string(i) + ",name " + std::to_string(i * 7919) + "\n";
  EXPECT_OK(Check(Gzip("ok.csv.gz", csv, 0), "csv"));
}

TEST_F(InputLimitsTest, APlainFileOverTheCapIsRefusedWithoutReadingIt) {
  const fs::path f = Plain("big.csv", std::string(5000, 'x'));
  Status s = Check(f, "csv", {.max_input_bytes = 4000});
  EXPECT_THAT(s.message(), AllOf(HasSubstr(f.string()), HasSubstr("is 5 KB, more than publish.maxInputBytes (4 KB)")));
}

TEST_F(InputLimitsTest, ALongCsvFieldNamesItsColumnAndLine) {
  const fs::path f = Plain("long.csv", "id,notes,day\n1,short,x\n2,\"" + std::string(3000, 'n') + "\",y\n");
  Status s = Check(f, "csv", {.max_field_bytes = 2000});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr(f.string() + ": field 2 ('notes') of the record starting at line 3"),
                    HasSubstr("longer than publish.maxFieldBytes (2 KB)"), HasSubstr("raise publish.maxFieldBytes")));
  // The message quotes none of the field.
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("nnnnnnnnnn")));
}

TEST_F(InputLimitsTest, QuotedDelimitersAndNewlinesStayInsideTheirField) {
  // One field of 1,500 bytes made of commas and newlines, under 2,000; the
  // next record's field is then counted from its own start.
  std::string value;
  for (int i = 0; i < 500; ++i) value += "a,\n";
  const std::string first = "id,notes\n1,\"" + value + "\"\n";
  EXPECT_OK(Check(Plain("quoted.csv", first), "csv", {.max_field_bytes = 2000}));
  const fs::path f = Plain("then_long.csv", first + "2,\"" + std::string(2500, 'z') + "\"\n");
  Status s = Check(f, "csv", {.max_field_bytes = 2000});
  EXPECT_THAT(s.message(), HasSubstr("field 2 ('notes') of the record starting at line 503"));
}

TEST_F(InputLimitsTest, ALongJsonStringNamesItsLine) {
  const fs::path f = Plain("long.ndjson", "{\"id\": 1, \"notes\": \"ok\"}\n{\"id\": 2, \"notes\": \"" +
                                              std::string(3000, 'q') + "\\\"\"}\n");
  Status s = Check(f, "json", {.max_field_bytes = 2000});
  EXPECT_THAT(s.message(), AllOf(HasSubstr(f.string() + ": a string starting at line 2"),
                                 HasSubstr("publish.maxFieldBytes (2 KB)")));
  EXPECT_OK(Check(f, "json", {.max_field_bytes = 4000}));
}

TEST_F(InputLimitsTest, InvalidUtf8NamesItsLineAndColumnAndSaysUtf8) {
  // Latin-1 "café" on line 3; a UTF-8 byte order mark and "é" before it are fine.
  const fs::path f = Plain("latin1.csv", "\xEF\xBB\xBFid,name\n1,caf\xC3\xA9\n2,caf\xE9\n3,ok\n");
  Status s = Check(f, "csv");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr(f.string() + ": line 3, column 6 is not valid UTF-8 (the byte 0xe9)"),
                                 HasSubstr("convert the file")));
  // Overlong forms, surrogates and a character cut off at the end are no UTF-8 either.
  for (const std::string& bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xE2\x82")}) {
    EXPECT_THAT(Check(Plain("bad.ndjson", "{\"a\": \"" + bad), "json").message(), HasSubstr("is not valid UTF-8"));
  }
  EXPECT_OK(Check(Plain("good.ndjson", "{\"a\": \"\xF0\x9F\x98\x80 \xE2\x82\xAC\"}\n"), "json"));
}

TEST_F(InputLimitsTest, ZstdAndBrokenGzipAreRefusedClearly) {
  Status zstd = Check(Plain("data.csv.zst", std::string("\x28\xb5\x2f\xfd", 4) + "rest"), "csv");
  EXPECT_THAT(zstd.message(), HasSubstr("is zstd-compressed"));
  std::string csv = "id\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i * 7919 % 100003) + "\n";
  const fs::path good = Gzip("cut.csv.gz", csv, 0);
  fs::resize_file(good, fs::file_size(good) / 2);
  Status cut = Check(good, "csv");
  EXPECT_EQ(cut.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(cut.message(), AllOf(HasSubstr(good.string()), HasSubstr("is not valid gzip")));
}

TEST_F(InputLimitsTest, ParquetIsBoundedByItsFileSizeOnly) {
  // Not Parquet at all, but the field scan does not read it.
  EXPECT_OK(Check(Plain("x.parquet", std::string(5000, '"')), "parquet", {.max_field_bytes = 10}));
  EXPECT_FALSE(Check(Plain("y.parquet", std::string(5000, 'p')), "parquet", {.max_input_bytes = 10}).ok());
}

}  // namespace
}  // namespace weft::quality
