#include "pgwire/messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace weft::pgwire {
namespace {

using ::testing::HasSubstr;

std::string Int32(int32_t v) {
  std::string s;
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff));
  return s;
}
std::string Int16(int16_t v) {
  return {static_cast<char>((static_cast<uint16_t>(v) >> 8) & 0xff),
          static_cast<char>(static_cast<uint16_t>(v) & 0xff)};
}
std::string Str(const std::string& s) {
  return s + std::string(1, '\0');
}

TEST(MessagesTest, AStartupMessageCarriesItsParameters) {
  ASSERT_OK_AND_ASSIGN(StartupPacket p, DecodeStartup(Int32(kProtocol30) + Str("user") + Str("bob") + Str("database") +
                                                      Str("weft") + Str("")));
  EXPECT_EQ(p.kind, StartupPacket::Kind::kStartup);
  EXPECT_EQ(p.parameters.at("user"), "bob");
  EXPECT_EQ(p.parameters.at("database"), "weft");
}

TEST(MessagesTest, SslGssAndCancelRequestsAreRecognized) {
  ASSERT_OK_AND_ASSIGN(StartupPacket ssl, DecodeStartup(Int32(kSslRequestCode)));
  EXPECT_EQ(ssl.kind, StartupPacket::Kind::kSslRequest);
  ASSERT_OK_AND_ASSIGN(StartupPacket gss, DecodeStartup(Int32(kGssEncRequestCode)));
  EXPECT_EQ(gss.kind, StartupPacket::Kind::kGssEncRequest);
  ASSERT_OK_AND_ASSIGN(StartupPacket cancel, DecodeStartup(Int32(kCancelRequestCode) + Int32(1234) + Int32(-5)));
  EXPECT_EQ(cancel.kind, StartupPacket::Kind::kCancel);
  EXPECT_EQ(cancel.cancel_pid, 1234);
  EXPECT_EQ(cancel.cancel_secret, -5);
}

TEST(MessagesTest, BadStartupPacketsAreRefused) {
  EXPECT_THAT(DecodeStartup(Int32(0x00020000)).status().message(), HasSubstr("unsupported frontend protocol 2.0"));
  EXPECT_THAT(DecodeStartup("\x00\x03").status().message(), HasSubstr("truncated"));
  // A parameter with no value, no final NUL, bytes after the end.
  EXPECT_FALSE(DecodeStartup(Int32(kProtocol30) + Str("user")).ok());
  EXPECT_FALSE(DecodeStartup(Int32(kProtocol30) + Str("user") + Str("bob")).ok());
  EXPECT_FALSE(DecodeStartup(Int32(kSslRequestCode) + "x").ok());
  EXPECT_FALSE(DecodeStartup(Int32(kCancelRequestCode) + Int32(1)).ok());
}

TEST(MessagesTest, BindReadsFormatsNullsAndValues) {
  std::string body = Str("portal") + Str("stmt") + Int16(2) + Int16(0) + Int16(1) + Int16(2) + Int32(3) + "abc" +
                     Int32(-1) + Int16(1) + Int16(1);
  ASSERT_OK_AND_ASSIGN(BindMessage b, DecodeBind(body));
  EXPECT_EQ(b.portal, "portal");
  EXPECT_EQ(b.statement, "stmt");
  EXPECT_THAT(b.parameter_formats, ::testing::ElementsAre(0, 1));
  ASSERT_EQ(b.parameters.size(), 2u);
  EXPECT_EQ(*b.parameters[0], "abc");
  EXPECT_FALSE(b.parameters[1].has_value());
  EXPECT_EQ(FormatAt(b.result_formats, 7), 1);  // one code applies to every column
  EXPECT_EQ(FormatAt({}, 0), 0);
}

TEST(MessagesTest, ImpossibleCountsAndLengthsAreRefusedBeforeAllocating) {
  // 30000 parameters announced in a body of a few bytes.
  EXPECT_THAT(DecodeBind(Str("") + Str("") + Int16(0) + Int16(30000)).status().message(),
              HasSubstr("impossible count"));
  EXPECT_THAT(DecodeBind(Str("") + Str("") + Int16(-1)).status().message(), HasSubstr("impossible count"));
  // A value longer than the body, a negative length other than -1.
  EXPECT_THAT(DecodeBind(Str("") + Str("") + Int16(0) + Int16(1) + Int32(1000) + "ab").status().message(),
              HasSubstr("truncated"));
  EXPECT_FALSE(DecodeBind(Str("") + Str("") + Int16(0) + Int16(1) + Int32(-7) + Int16(0)).ok());
  // Format codes other than 0 and 1; a count of codes that does not match.
  EXPECT_FALSE(DecodeBind(Str("") + Str("") + Int16(1) + Int16(2) + Int16(0) + Int16(0)).ok());
  EXPECT_FALSE(DecodeBind(Str("") + Str("") + Int16(2) + Int16(0) + Int16(0) + Int16(1) + Int32(-1) + Int16(0)).ok());
  EXPECT_FALSE(DecodeParse(Str("s") + Str("SELECT 1") + Int16(5) + Int32(23)).ok());
}

TEST(MessagesTest, OtherFrontendMessagesDecode) {
  ASSERT_OK_AND_ASSIGN(ParseMessage p, DecodeParse(Str("s1") + Str("SELECT $1") + Int16(1) + Int32(23)));
  EXPECT_EQ(p.statement, "s1");
  EXPECT_EQ(p.query, "SELECT $1");
  EXPECT_THAT(p.parameter_types, ::testing::ElementsAre(23));
  ASSERT_OK_AND_ASSIGN(DescribeMessage d, DecodeDescribe("P" + Str("p1")));
  EXPECT_EQ(d.kind, 'P');
  EXPECT_EQ(d.name, "p1");
  EXPECT_FALSE(DecodeDescribe("X" + Str("p1")).ok());
  ASSERT_OK_AND_ASSIGN(ExecuteMessage e, DecodeExecute(Str("") + Int32(50)));
  EXPECT_EQ(e.max_rows, 50);
  ASSERT_OK_AND_ASSIGN(std::string q, DecodeQuery(Str("SELECT 1")));
  EXPECT_EQ(q, "SELECT 1");
  EXPECT_THAT(DecodeQuery("SELECT 1").status().message(), HasSubstr("truncated"));  // no NUL
  EXPECT_THAT(DecodeQuery(Str("SELECT 1") + "x").status().message(), HasSubstr("after its end"));
}

TEST(MessagesTest, TheEncoderWritesPostgresFraming) {
  Encoder e;
  e.ReadyForQuery('I');
  EXPECT_EQ(e.buffer(), std::string("Z") + Int32(5) + "I");
  e.Clear();
  e.DataRow({std::string("ab"), std::nullopt});
  EXPECT_EQ(e.buffer(), std::string("D") + Int32(4 + 2 + 4 + 2 + 4) + Int16(2) + Int32(2) + "ab" + Int32(-1));
  e.Clear();
  e.Error({.sqlstate = "42501", .message = "no"});
  EXPECT_EQ(e.buffer(), std::string("E") + Int32(4 + 7 * 3 + 4 + 1) + "SERROR" + std::string(1, '\0') + "VERROR" +
                            std::string(1, '\0') + "C42501" + std::string(1, '\0') + "Mno" + std::string(1, '\0') +
                            std::string(1, '\0'));
  e.Clear();
  e.CommandComplete(std::string("SEL\0ECT 1", 9));  // a NUL cannot end a C string early
  EXPECT_EQ(e.buffer(), std::string("C") + Int32(4 + 9) + "SELECT 1" + std::string(1, '\0'));
}

}  // namespace
}  // namespace weft::pgwire
