#include "service/file_signer.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace weft::service {
namespace {

constexpr int64_t kNow = 1'800'000'000;

TEST(FileSignerTest, ASignedPathVerifiesForExactlyItsFields) {
  FileSigner signer("secret");
  const std::string tag = signer.CallerTag("bob");
  const int64_t expires = FileSigner::ExpiryFor(kNow);
  const std::string path = signer.Path("sales.orders_v1", tag, "snapshots/01/part-0.parquet", expires);
  ASSERT_OK_AND_ASSIGN(SignedFile f, FileSigner::Parse(path));
  EXPECT_EQ(f.table, "sales.orders_v1");
  EXPECT_EQ(f.caller, tag);
  EXPECT_EQ(f.path, "snapshots/01/part-0.parquet");
  EXPECT_OK(signer.Verify(f, kNow));

  // Each field changed is another file, table, caller or expiry: refused.
  for (auto change : std::vector<void (*)(SignedFile&)>{
           [](SignedFile& x) { x.table = "sales.orders_v2"; },
           [](SignedFile& x) { x.path = "snapshots/01/part-1.parquet"; },
           [](SignedFile& x) { x.caller = std::string(16, 'a'); },
           [](SignedFile& x) { x.expires = "9999999999"; },
           [](SignedFile& x) { x.signature[0] = x.signature[0] == 'a' ? 'b' : 'a'; }}) {
    SignedFile tampered = f;
    change(tampered);
    EXPECT_EQ(signer.Verify(tampered, kNow).code(), StatusCode::kPermissionDenied);
  }
  // Another workspace's key signs other URLs.
  EXPECT_EQ(FileSigner("other").Verify(f, kNow).code(), StatusCode::kPermissionDenied);
  // Expired.
  EXPECT_EQ(signer.Verify(f, expires).code(), StatusCode::kPermissionDenied);
}

TEST(FileSignerTest, ExpiriesAreBucketedAndFieldsHaveConstantWidth) {
  const int64_t e = FileSigner::ExpiryFor(kNow);
  EXPECT_GE(e - kNow, FileSigner::kLifetimeSeconds);
  EXPECT_EQ(e % FileSigner::kBucketSeconds, 0);
  EXPECT_EQ(FileSigner::ExpiryFor(kNow + 1), FileSigner::ExpiryFor(kNow + 299));  // the same URLs for a while
  FileSigner signer("secret");
  EXPECT_EQ(signer.Path("t.p_v1", signer.CallerTag("a"), "x", e).size(),
            signer.Path("t.p_v1", signer.CallerTag("somebody-with-a-long-name@example.com"), "x", e + 300).size());
  EXPECT_NE(signer.CallerTag("a"), signer.CallerTag("b"));
}

TEST(FileSignerTest, ParseRefusesTraversalAndMalformedFields) {
  FileSigner signer("secret");
  const std::string good = signer.Path("sales.orders_v1", signer.CallerTag("bob"), "metadata/v1.metadata.json",
                                       FileSigner::ExpiryFor(kNow));
  const std::string head = good.substr(0, good.size() - std::string("metadata/v1.metadata.json").size());
  for (const std::string& rest : std::vector<std::string>{"../../../etc/passwd", "metadata/../../x", "./metadata/x", "metadata//x",
                                  "metadata/x\\..\\y", std::string("metadata/a\0b", 12), "/etc/passwd", "metadata/%2e%2e",
                                  "metadata/.."})
    EXPECT_EQ(FileSigner::Parse(head + rest).status().code(), StatusCode::kInvalidArgument) << rest;
  EXPECT_FALSE(FileSigner::Parse("/iceberg/files/t/123/abc/def/x").ok());
  EXPECT_FALSE(FileSigner::Parse("/api/v1/me").ok());
  EXPECT_FALSE(FileSigner::Parse("/iceberg/files/sales.orders_v1").ok());
}

TEST(FileSignerTest, LogsSeeNoSignature) {
  FileSigner signer("secret");
  const std::string path = signer.Path("sales.orders_v1", signer.CallerTag("bob"), "metadata/v1.metadata.json", 1800000000);
  ASSERT_OK_AND_ASSIGN(SignedFile f, FileSigner::Parse(path));
  const std::string logged = FileSigner::Redacted(path);
  EXPECT_EQ(logged.find(f.signature), std::string::npos);
  EXPECT_EQ(logged, "/iceberg/files/sales.orders_v1/1800000000/" + f.caller + "/-/metadata/v1.metadata.json");
  EXPECT_EQ(FileSigner::Redacted("/api/v1/me"), "/api/v1/me");
  EXPECT_EQ(FileSigner::Redacted("/iceberg/files/x/1"), "/iceberg/files/x/1");
}

TEST(FileSignerTest, TokensMacs) {
  FileSigner signer("secret");
  const std::string mac = signer.Mac("plan\nx");
  EXPECT_TRUE(signer.Matches("plan\nx", mac));
  EXPECT_FALSE(signer.Matches("plan\ny", mac));
  EXPECT_FALSE(signer.Matches("plan\nx", mac.substr(1)));
}

}  // namespace
}  // namespace weft::service
