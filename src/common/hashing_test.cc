#include "common/hashing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace weft {
namespace {

TEST(HashingTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Files hash as their bytes one after another, across the 1 MiB reads.
TEST(HashingTest, Sha256OfFilesIsTheirConcatenation) {
  const auto dir = std::filesystem::temp_directory_path() / ("weft-hashing-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string big((1 << 20) + 7, 'x');
  std::ofstream(dir / "a") << big;
  std::ofstream(dir / "b") << "abc";
  auto both = Sha256HexOfFiles({dir / "a", dir / "b"});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(*both, Sha256Hex(big + "abc"));
  auto missing = Sha256HexOfFiles({dir / "a", dir / "nope"});
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

TEST(HashingTest, Base64RoundTripsAndRefusesGarbage) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  std::string binary("\0\xff\x10par1", 7);
  EXPECT_EQ(Base64Decode(Base64Encode(binary)), binary);
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_FALSE(Base64Decode("Zm8").has_value());
  EXPECT_FALSE(Base64Decode("Zm!=").has_value());
}

}  // namespace
}  // namespace weft
