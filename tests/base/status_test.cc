#include "reprieve/base/status.h"

#include <gtest/gtest.h>

#include "reprieve/base/status_macros.h"
#include "testutil/testutil.h"

namespace reprieve {
namespace {

TEST(StatusTest, DefaultIsOkAndCarriesNothing) {
  const Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(StatusTest, CarriesArmCodeAndTarget) {
  const Status status = NotFoundError("gone").WithArmCode("ResourceNotFound").WithTarget("name");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "gone");
  EXPECT_EQ(status.arm_code(), "ResourceNotFound");
  EXPECT_EQ(status.target(), "name");
}

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgumentError("odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  REPRIEVE_ASSIGN_OR_RETURN(const int half, Half(value));
  return Half(half);
}

TEST(ResultTest, AssignOrReturnPropagatesTheFirstFailure) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_THAT(Quarter(6), testutil::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Quarter(3), testutil::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace reprieve
