// Status code classification and failure Responses.
#include "libs/cxml/status.h"

#include "gtest/gtest.h"

namespace iob::cxml {
namespace {

TEST(StatusTest, ClassifiesEveryTableCode) {
  for (int c : {200, 201, 204, 280, 281})
    EXPECT_EQ(ClassifyStatusCode(c), StatusClass::kSuccess) << c;
  for (int c : {400, 401, 402, 403, 406, 409, 412, 417, 450, 475, 476, 477}) {
    EXPECT_EQ(ClassifyStatusCode(c), StatusClass::kPermanent) << c;
  }
  for (int c : {500, 550, 551, 560}) EXPECT_EQ(ClassifyStatusCode(c), StatusClass::kTransient) << c;
  EXPECT_EQ(StatusCodeTable().size(), 21u);
  for (const StatusCodeInfo& row : StatusCodeTable()) EXPECT_FALSE(row.text.empty()) << row.code;
}

TEST(StatusTest, UnknownCodesByRange) {
  EXPECT_EQ(FindStatusCode(299), nullptr);
  EXPECT_EQ(ClassifyStatusCode(299), StatusClass::kSuccess);
  EXPECT_EQ(ClassifyStatusCode(503), StatusClass::kTransient);
  EXPECT_EQ(ClassifyStatusCode(499), StatusClass::kPermanent);
  EXPECT_EQ(ClassifyStatusCode(0), StatusClass::kPermanent);
}

TEST(StatusTest, FailureResponses) {
  Response r = MakeFailureResponse(InboundFailure::kUnauthenticated, "bad secret");
  EXPECT_EQ(r.status.code, 401);
  EXPECT_EQ(r.status.text, "Unauthorized");
  EXPECT_EQ(r.status.message, "bad secret");
  EXPECT_EQ(ResponseForStatus(absl::InvalidArgumentError("x")).status.code, 400);
  EXPECT_EQ(ResponseForStatus(absl::ResourceExhaustedError("x")).status.code, 417);
  EXPECT_EQ(ResponseForStatus(absl::UnimplementedError("x")).status.code, 450);
  EXPECT_EQ(ResponseForStatus(absl::AlreadyExistsError("x")).status.code, 409);
  EXPECT_EQ(ResponseForStatus(absl::NotFoundError("x")).status.code, 412);
  EXPECT_EQ(ResponseForStatus(absl::UnavailableError("x")).status.code, 560);
  EXPECT_EQ(ResponseForStatus(absl::InternalError("x")).status.code, 500);
  EXPECT_EQ(ResponseForStatus(absl::PermissionDeniedError("x")).status.code, 403);
  EXPECT_EQ(MakeSuccessResponse().status.code, 200);
  EXPECT_EQ(MakeSuccessResponse(true).status.code, 201);
  for (InboundFailure f : {InboundFailure::kMalformed, InboundFailure::kTooLarge,
                           InboundFailure::kInternal, InboundFailure::kUnavailable}) {
    Response fr = MakeFailureResponse(f, "");
    EXPECT_EQ(ClassifyStatusCode(fr.status.code) == StatusClass::kTransient,
              f == InboundFailure::kInternal || f == InboundFailure::kUnavailable);
  }
}

}  // namespace
}  // namespace iob::cxml
