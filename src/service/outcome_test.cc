#include "service/outcome.h"

#include <gtest/gtest.h>

namespace weft::service {
namespace {

constexpr StatusCode kEvery[] = {StatusCode::kOk,           StatusCode::kInvalidArgument,  StatusCode::kNotFound,
                                 StatusCode::kAlreadyExists, StatusCode::kFailedPrecondition, StatusCode::kPermissionDenied,
                                 StatusCode::kIoError,       StatusCode::kInternal,         StatusCode::kResourceExhausted,
                                 StatusCode::kDeadlineExceeded, StatusCode::kCancelled,     StatusCode::kRejected,
                                 StatusCode::kUnauthenticated};

TEST(OutcomeTest, ARemoteAnswerExitsAsTheLocalOneWould) {
  // The CLI's --server mode maps the HTTP status back to a code; the exit
  // code must be the one the local call would have given.
  for (StatusCode c : kEvery)
    EXPECT_EQ(ExitCodeOf(StatusCodeOfHttp(HttpStatusOf(c))), ExitCodeOf(c)) << StatusCodeName(c);
}

TEST(OutcomeTest, RefusalsAreNotPermittedAndTyposAreUsage) {
  EXPECT_EQ(ExitCodeOf(StatusCode::kPermissionDenied), kExitDenied);
  EXPECT_EQ(ExitCodeOf(StatusCode::kUnauthenticated), kExitDenied);
  EXPECT_EQ(ExitCodeOf(StatusCode::kNotFound), kExitUsage);
  EXPECT_EQ(ExitCodeOf(StatusCode::kInvalidArgument), kExitUsage);
  EXPECT_EQ(ExitCodeOf(StatusCode::kRejected), kExitFindings);
  EXPECT_EQ(HttpStatusOf(StatusCode::kRejected), 422);
  EXPECT_EQ(HttpStatusOf(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(StatusCode::kOk), 200);
  for (StatusCode c : kEvery) EXPECT_STRNE(ProblemSlugOf(c), "") << StatusCodeName(c);
}

}  // namespace
}  // namespace weft::service
