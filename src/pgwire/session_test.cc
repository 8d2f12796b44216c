// The session's state machine over a real Mesh (tests/fixtures/query) and
// bytes in memory: what a client is answered, message by message.
#include "pgwire/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "access/masks.h"
#include "pgwire/testing.h"
#include "service/query.h"
#include "service/testing.h"

namespace weft::pgwire {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace testing;  // NOLINT(google-build-using-namespace): the seams of pgwire/testing.h

class SessionTest : public service::testing::MeshFixture {
 protected:
  void SetUp() override {
    MeshFixture::SetUp();
    if (HasFatalFailure()) return;
    Grant({.grantee = "bob", .row_filter = "region = $principal.region"});
    mesh_->CatalogChanged();
  }

  // A session as `who`, started; its greeting is cleared from the output.
  std::unique_ptr<Session> Open(const std::string& who, std::map<std::string, std::string> params = {}) {
    params["user"] = who;
    if (!introspection_) introspection_ = std::make_unique<Introspection>(*mesh_);
    auto s = std::make_unique<Session>(*mesh_, *introspection_, As(who), transport_,
                                       SessionOptions{.parameters = params, .cancel = cancel_});
    EXPECT_OK(s->Start(1, 2));
    greeting_ = BackendMessages(transport_.output());
    transport_.output().clear();
    return s;
  }

  // Feeds `frames` and returns what the session answered (flushed).
  std::vector<Frame> Send(Session& s, const std::vector<Frame>& frames) {
    for (const auto& f : frames) {
      auto more = s.Handle(f);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
    }
    EXPECT_OK(s.Flush());
    auto out = BackendMessages(transport_.output());
    transport_.output().clear();
    return out;
  }

  std::unique_ptr<Introspection> introspection_;
  MemoryTransport transport_;
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<Frame> greeting_;
};

TEST_F(SessionTest, TheGreetingReportsParametersAndTheBackendKey) {
  auto s = Open("bob", {{"application_name", "psql"}});
  EXPECT_EQ(Types(greeting_).front(), 'R');
  EXPECT_EQ(Types(greeting_).substr(Types(greeting_).size() - 2), "KZ");
  std::map<std::string, std::string> reported;
  for (const auto& m : greeting_)
    if (m.type == 'S') {
      std::string name = m.body.substr(0, m.body.find('\0'));
      reported[name] = m.body.substr(name.size() + 1, m.body.size() - name.size() - 2);
    }
  EXPECT_EQ(reported["server_version"], "16.0 (weft 0.1.0)");
  EXPECT_EQ(reported["client_encoding"], "UTF8");
  EXPECT_EQ(reported["DateStyle"], "ISO, MDY");
  EXPECT_EQ(reported["integer_datetimes"], "on");
  EXPECT_EQ(reported["standard_conforming_strings"], "on");
  EXPECT_EQ(reported["application_name"], "psql");
  EXPECT_EQ(reported["session_authorization"], "bob");
  EXPECT_EQ(reported["is_superuser"], "off");
}

TEST_F(SessionTest, ASimpleQueryIsGovernedLikeWeftQuery) {
  auto s = Open("bob");
  auto out = Send(*s, {QueryFrame("SELECT customer_id, email FROM crm.customers ORDER BY 1")});
  ASSERT_EQ(Types(out), "TDDCZ") << "bob's row filter keeps his region's customers, C1 and C3";
  EXPECT_THAT(ColumnNames(out[0]), ElementsAre("customer_id", "email"));
  // Exactly what the same service answers the same caller.
  ASSERT_OK_AND_ASSIGN(
      query::QueryAnswer direct,
      service::QueryService(*mesh_).Run(As("bob"), {.sql = "SELECT customer_id, email FROM crm.customers ORDER BY 1"}));
  ASSERT_EQ(direct.rows.size(), 2u);
  EXPECT_EQ(DataRowValues(out[1]), direct.rows[0]);
  EXPECT_EQ(DataRowValues(out[2]), direct.rows[1]);
  EXPECT_EQ(*DataRowValues(out[1])[1], access::HmacSha256Hex(Key(), "ada@example.com"));
  EXPECT_EQ(out[3].body, CStr("SELECT 2"));
  EXPECT_EQ(out[4].body, "I");
}

TEST_F(SessionTest, RefusalsCarryTheirSqlstate) {
  auto s = Open("eve");
  auto out = Send(*s, {QueryFrame("SELECT * FROM crm.customers")});
  ASSERT_EQ(Types(out), "EZ");
  EXPECT_EQ(ErrorField(out[0], 'C'), "42501");
  out = Send(*s, {QueryFrame("SELECT * FROM read_csv('/etc/passwd')")});
  ASSERT_EQ(Types(out), "EZ");
  EXPECT_EQ(ErrorField(out[0], 'C'), "42501");
  out = Send(*s, {QueryFrame("SELEC 1")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "42601");
  out = Send(*s, {QueryFrame("SELECT * FROM nope.nothing")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "42P01");
  EXPECT_NE(ErrorField(out[0], 'M'), "");
  out = Send(*s, {QueryFrame("SELECT nocol FROM shop.orders")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "42703");
  out = Send(*s, {QueryFrame("SELECT 'x'::INTEGER")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "22000");
}

TEST_F(SessionTest, SeveralStatementsRunInTurnAndTheFirstErrorEndsThem) {
  auto s = Open("sam@example.com");
  auto out = Send(*s, {QueryFrame("SELECT 1 AS a; SELECT 2 AS b")});
  EXPECT_EQ(Types(out), "TDCTDCZ");
  out = Send(*s, {QueryFrame("SELECT 1 AS a; SELECT * FROM crm.customers; SELECT 3")});
  EXPECT_EQ(Types(out), "TDCEZ");
  out = Send(*s, {QueryFrame(""), QueryFrame(" -- nothing\n;")});
  EXPECT_EQ(Types(out), "IZIZ");
}

TEST_F(SessionTest, SetShowAndResetStayInTheSession) {
  auto s = Open("bob");
  auto out = Send(*s, {QueryFrame("SET application_name = 'dbeaver'; SHOW application_name")});
  ASSERT_EQ(Types(out), "SCTDCZ");  // ParameterStatus reports the change
  EXPECT_EQ(*DataRowValues(out[3])[0], "dbeaver");
  out = Send(*s, {QueryFrame("RESET application_name; SHOW application_name")});
  EXPECT_EQ(*DataRowValues(out[3])[0], "");
  out = Send(*s, {QueryFrame("SHOW transaction isolation level")});
  EXPECT_EQ(*DataRowValues(out[1])[0], "read committed");
  out = Send(*s, {QueryFrame("SHOW ALL")});
  EXPECT_THAT(ColumnNames(out[0]), ElementsAre("name", "setting", "description"));
  EXPECT_GT(out.size(), 10u);
  out = Send(*s, {QueryFrame("SHOW no_such_thing")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "42704");
  out = Send(*s, {QueryFrame("SET server_version = '1'")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "55P02");
  out = Send(*s, {QueryFrame("SET client_encoding = 'LATIN1'")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "22023");
  out = Send(*s, {QueryFrame("SET transaction_read_only = off")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "25006");
}

TEST_F(SessionTest, TransactionBlocksAreTrackedAndAnErrorFailsThem) {
  auto s = Open("bob");
  auto out = Send(*s, {QueryFrame("BEGIN")});
  EXPECT_EQ(out.back().body, "T");
  out = Send(*s, {QueryFrame("SELECT * FROM nope.nothing")});
  EXPECT_EQ(out.back().body, "E");
  out = Send(*s, {QueryFrame("SELECT 1")});
  EXPECT_EQ(ErrorField(out[0], 'C'), "25P02");
  EXPECT_EQ(out.back().body, "E");
  out = Send(*s, {QueryFrame("COMMIT")});
  EXPECT_EQ(out[0].body, CStr("ROLLBACK"));  // a failed block rolls back
  EXPECT_EQ(out.back().body, "I");
}

TEST_F(SessionTest, TheExtendedProtocolParsesBindsDescribesAndExecutes) {
  auto s = Open("bob");
  auto out = Send(*s, {ParseFrame("s1", "SELECT customer_id, region FROM crm.customers WHERE region = $1 ORDER BY 1"),
                       DescribeFrame('S', "s1"), BindFrame("", "s1", {std::string("EU")}), DescribeFrame('P', ""),
                       ExecuteFrame(""), SyncFrame()});
  ASSERT_EQ(Types(out), "1tT2TDDCZ");  // ParseComplete, ParameterDescription, RowDescription, BindComplete, ...
  EXPECT_THAT(ColumnNames(out[2]), ElementsAre("customer_id", "region"));
  EXPECT_EQ(*DataRowValues(out[5])[0], "C1");
  EXPECT_EQ(*DataRowValues(out[6])[0], "C3");
  EXPECT_EQ(out[7].body, CStr("SELECT 2"));
  // The named statement stays; a second portal reads it again with another value.
  out = Send(*s, {BindFrame("", "s1", {std::string("US")}), ExecuteFrame(""), SyncFrame()});
  EXPECT_EQ(Types(out), "2CZ") << "C2 is filtered out of bob's view";
}

TEST_F(SessionTest, APortalWithARowLimitSuspendsAndResumes) {
  auto s = Open("sam@example.com");
  auto out = Send(*s, {ParseFrame("", "SELECT order_id FROM shop.orders ORDER BY 1"), BindFrame("p", "", {}),
                       ExecuteFrame("p", 2), Frame{'H', ""}});
  ASSERT_EQ(Types(out), "12DDs");  // PortalSuspended after two rows
  out = Send(*s, {ExecuteFrame("p", 2), Frame{'H', ""}});
  ASSERT_EQ(Types(out), "DDs");
  EXPECT_EQ(*DataRowValues(out[1])[0], "O4");  // the owner sees every row
  out = Send(*s, {ExecuteFrame("p", 2), SyncFrame()});
  EXPECT_EQ(Types(out), "CZ");
  EXPECT_EQ(out[0].body, CStr("SELECT 0"));
  // Sync ended the implicit transaction, and the portal with it.
  out = Send(*s, {ExecuteFrame("p", 2), SyncFrame()});
  ASSERT_EQ(Types(out), "EZ");
  EXPECT_EQ(ErrorField(out[0], 'C'), "34000");
  // A portal closed while suspended stops its query.
  out = Send(*s, {BindFrame("q", "", {}), ExecuteFrame("q", 1), CloseFrame('P', "q"), SyncFrame()});
  EXPECT_EQ(Types(out), "2Ds3Z");
}

TEST_F(SessionTest, AfterAnErrorMessagesAreSkippedUntilSync) {
  auto s = Open("eve");
  auto out = Send(*s, {ParseFrame("", "SELECT * FROM crm.customers"), BindFrame("", "", {}), ExecuteFrame(""),
                       ParseFrame("", "SELECT 1"), BindFrame("", "", {}), ExecuteFrame(""), SyncFrame()});
  ASSERT_EQ(Types(out), "12EZ");
  EXPECT_EQ(ErrorField(out[2], 'C'), "42501");
  out = Send(*s, {BindFrame("", "nope", {}), SyncFrame()});
  ASSERT_EQ(Types(out), "EZ");
  EXPECT_EQ(ErrorField(out[0], 'C'), "26000");
  out = Send(*s, {ParseFrame("x", "SELECT 1; SELECT 2"), SyncFrame()});
  EXPECT_EQ(ErrorField(out[0], 'C'), "42601");
  out = Send(*s, {ParseFrame("x", "SELECT 1"), ParseFrame("x", "SELECT 2"), SyncFrame()});
  ASSERT_EQ(Types(out), "1EZ");
  EXPECT_EQ(ErrorField(out[1], 'C'), "42P05");
}

TEST_F(SessionTest, SessionStatementsWorkThroughTheExtendedProtocolToo) {
  auto s = Open("bob");
  auto out = Send(*s, {ParseFrame("", "SHOW DateStyle"), DescribeFrame('S', ""), BindFrame("", "", {}),
                       ExecuteFrame(""), SyncFrame()});
  ASSERT_EQ(Types(out), "1tT2DCZ");
  EXPECT_EQ(*DataRowValues(out[4])[0], "ISO, MDY");
  out = Send(*s, {ParseFrame("", "BEGIN"), BindFrame("", "", {}), ExecuteFrame(""), SyncFrame()});
  EXPECT_EQ(out.back().body, "T");
}

TEST_F(SessionTest, BinaryResultsNeedABinaryForm) {
  auto s = Open("sam@example.com");
  auto out = Send(*s, {ParseFrame("", "SELECT count(*) AS n, ['a'] AS l FROM shop.orders"),
                       BindFrame("", "", {}, {}, {1}), ExecuteFrame(""), SyncFrame()});
  ASSERT_EQ(Types(out), "12EZ");
  EXPECT_EQ(ErrorField(out[2], 'C'), "0A000");
  out = Send(*s, {ParseFrame("", "SELECT count(*) AS n FROM shop.orders"), BindFrame("", "", {}, {}, {1}),
                  ExecuteFrame(""), SyncFrame()});
  ASSERT_EQ(Types(out), "12DCZ");
  EXPECT_EQ(*DataRowValues(out[2])[0], std::string("\0\0\0\0\0\0\0\x04", 8));  // int8, big-endian
}

TEST_F(SessionTest, UnknownMessagesAndMalformedOnesEndTheConnection) {
  auto s = Open("bob");
  auto r = s->Handle(FrameOf('?', ""));
  EXPECT_FALSE(r.ok());
  ASSERT_OK(s->Flush());
  auto out = BackendMessages(transport_.output());
  ASSERT_EQ(Types(out), "E");
  EXPECT_EQ(ErrorField(out[0], 'C'), "08P01");
  EXPECT_EQ(ErrorField(out[0], 'S'), "FATAL");
  transport_.output().clear();
  EXPECT_FALSE(s->Handle(FrameOf('Q', "no terminating NUL")).ok());
  auto terminate = s->Handle(FrameOf('X', ""));
  ASSERT_OK(terminate.status());
  EXPECT_FALSE(*terminate);
}

}  // namespace
}  // namespace weft::pgwire
