// Test-only: ASSERT_OK / EXPECT_OK / ASSERT_OK_AND_ASSIGN that print the
// Status message on failure (RocksDB's habit), for Status and Result<T>.
// Shared by every module's tests.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

namespace weft::testing_internal {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// A gtest predicate formatter: evaluates `value` once and keeps the macros
// streamable (EXPECT_OK(x) << "context").
template <typename T>
::testing::AssertionResult IsOk(const char* expr, const T& value) {
  const Status& status = StatusOf(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << " failed: " << status.ToString();
}

}  // namespace weft::testing_internal

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::weft::testing_internal::IsOk, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::weft::testing_internal::IsOk, expr)

#define WEFT_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();    \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  WEFT_ASSERT_OK_AND_ASSIGN_IMPL(WEFT_CONCAT(weft_test_result_, __LINE__), lhs, expr)
