// Writers serialize across Store instances and processes: a second writer
// waits for the lock timeout, then fails with a message saying to retry. On
// SQLite and on PostgreSQL (catalog_internal::TestCatalog says which).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog/internal/test_catalog.h"
#include "catalog/internal/testing.h"

namespace weft::catalog {
namespace {

using catalog_internal::SampleDomain;
using catalog_internal::ScratchDir;
using catalog_internal::TestCatalog;
using ::testing::HasSubstr;

constexpr int kShortTimeoutMs = 100;

Result<std::unique_ptr<Store>> Open(const std::string& location) {
  return TestCatalog::OpenWithLockTimeout(location, kShortTimeoutMs);
}

class LockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(path_, catalog_.Create(dir_));
  }

  ScratchDir dir_;
  TestCatalog catalog_;
  std::string path_;
};

TEST_F(LockingTest, SecondWriterFailsAfterTheTimeout) {
  // Two Store instances on one catalog behave like two processes: separate
  // connections, the store's lock between them.
  ASSERT_OK_AND_ASSIGN(auto first, Open(path_));
  ASSERT_OK_AND_ASSIGN(auto second, Open(path_));
  ASSERT_OK_AND_ASSIGN(auto txn, first->BeginWrite());
  ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));

  auto blocked = second->BeginWrite();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(blocked.status().message(),
              HasSubstr("the catalog is locked by another weft process (apply in progress?); retry"));

  // Opening and reading go on meanwhile, and see the last commit.
  ASSERT_OK_AND_ASSIGN(auto domains, second->ListDomains());
  EXPECT_TRUE(domains.empty());
  ASSERT_OK_AND_ASSIGN(auto third, Open(path_));
  ASSERT_OK_AND_ASSIGN(int64_t before, third->Generation());
  EXPECT_EQ(before, 0);

  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(auto next, second->BeginWrite());
  ASSERT_OK_AND_ASSIGN(int64_t generation, next->Generation());
  EXPECT_EQ(generation, 1);
  ASSERT_OK_AND_ASSIGN(domains, second->ListDomains());
  EXPECT_EQ(domains.size(), 1u);
}

TEST_F(LockingTest, SecondTransactionOfOneStoreAlsoWaits) {
  ASSERT_OK_AND_ASSIGN(auto store, Open(path_));
  ASSERT_OK_AND_ASSIGN(auto txn, store->BeginWrite());
  EXPECT_EQ(store->BeginWrite().status().code(), StatusCode::kFailedPrecondition);
  txn.reset();  // rolled back: the lock is free again
  EXPECT_OK(store->BeginWrite().status());
}

// Waits for one byte on `fd`; false on EOF or error.
bool Await(int fd) {
  char byte = 0;
  return read(fd, &byte, 1) == 1;
}

bool Signal(int fd) {
  const char byte = 'x';
  return write(fd, &byte, 1) == 1;
}

TEST_F(LockingTest, WritersInTwoProcessesSerialize) {
  { ASSERT_OK(Open(path_).status()); }
  // No connection is open across fork(): the child must not inherit the
  // parent's (SQLite lock state, a PostgreSQL socket), so each process opens
  // its own store.
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(pipe(to_parent), 0);
  ASSERT_EQ(pipe(to_child), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child takes the write lock, tells the parent, waits for its go,
    // then commits. Exit codes say which step failed (no gtest in the child).
    close(to_parent[0]);
    close(to_child[1]);
    auto store = Open(path_);
    if (!store.ok()) _exit(10);
    auto txn = (*store)->BeginWrite();
    if (!txn.ok()) _exit(11);
    if (!(*txn)->UpsertDomain(SampleDomain("from_child")).ok()) _exit(12);
    if (!Signal(to_parent[1])) _exit(13);
    if (!Await(to_child[0])) _exit(14);
    if (!(*txn)->Commit().ok()) _exit(15);
    _exit(0);
  }
  close(to_parent[1]);
  close(to_child[0]);
  ASSERT_TRUE(Await(to_parent[0])) << "the child failed before taking the lock";

  ASSERT_OK_AND_ASSIGN(auto store, Open(path_));
  auto blocked = store->BeginWrite();
  EXPECT_EQ(blocked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(blocked.status().message(), HasSubstr("locked by another weft process"));

  ASSERT_TRUE(Signal(to_child[1]));
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  close(to_parent[0]);
  close(to_child[1]);

  ASSERT_OK_AND_ASSIGN(auto domains, store->ListDomains());
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_EQ(domains[0].name, "from_child");
  ASSERT_OK_AND_ASSIGN(auto txn, store->BeginWrite());
  ASSERT_OK_AND_ASSIGN(int64_t generation, txn->Generation());
  EXPECT_EQ(generation, 1);
}

}  // namespace
}  // namespace weft::catalog
