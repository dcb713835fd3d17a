// Status code classification and failure Responses.
#include "libs/cxml/status.h"

#include <optional>

#include "absl/strings/cord.h"
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

TEST(StatusTest, ANotAcceptableResponse) {
  Response r = MakeFailureResponse(InboundFailure::kNotAcceptable, "missing cXML@payloadID");
  EXPECT_EQ(r.status.code, 406);
  EXPECT_EQ(r.status.text, "Not Acceptable");
  EXPECT_EQ(r.status.message, "missing cXML@payloadID");
}

TEST(StatusTest, AnAttachedCxmlCodeIsAnswered) {
  const absl::Status st =
      WithCxmlCode(absl::FailedPreconditionError("order PO-9 is not ours"), 409);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "order PO-9 is not ours");
  EXPECT_EQ(CxmlCodeOf(st), 409);
  EXPECT_EQ(FailureFromStatus(st), InboundFailure::kDuplicate);
  const Response r = ResponseForStatus(st);
  EXPECT_EQ(r.status.code, 409);
  EXPECT_EQ(r.status.text, "Conflict");
  EXPECT_EQ(r.status.message, "order PO-9 is not ours");

  // Without the payload, the absl code decides.
  EXPECT_EQ(CxmlCodeOf(absl::FailedPreconditionError("x")), std::nullopt);
  EXPECT_EQ(ResponseForStatus(absl::FailedPreconditionError("x")).status.code, 412);

  // 406 has a failure kind; a table code without one is answered as well.
  EXPECT_EQ(FailureFromStatus(WithCxmlCode(absl::InvalidArgumentError("x"), 406)),
            InboundFailure::kNotAcceptable);
  const Response payment = ResponseForStatus(WithCxmlCode(absl::InternalError("pay"), 402));
  EXPECT_EQ(payment.status.code, 402);
  EXPECT_EQ(payment.status.text, "Payment Required");
  EXPECT_EQ(FailureFromStatus(WithCxmlCode(absl::InternalError("pay"), 402)),
            InboundFailure::kInternal);

  // A second call replaces the code.
  EXPECT_EQ(CxmlCodeOf(WithCxmlCode(WithCxmlCode(absl::AbortedError("x"), 409), 560)), 560);
}

TEST(StatusTest, OnlyFailureCodesOfTheTableAreAttached) {
  for (int code : {200, 201, 299, 399, 499, 503, 0, -1}) {
    const absl::Status st = WithCxmlCode(absl::FailedPreconditionError("x"), code);
    EXPECT_EQ(CxmlCodeOf(st), std::nullopt) << code;
    EXPECT_EQ(ResponseForStatus(st).status.code, 412) << code;
  }
  EXPECT_TRUE(WithCxmlCode(absl::OkStatus(), 409).ok());
  EXPECT_EQ(CxmlCodeOf(WithCxmlCode(absl::OkStatus(), 409)), std::nullopt);
  // A payload someone else wrote under our type URL is ignored unless valid.
  absl::Status forged = absl::FailedPreconditionError("x");
  forged.SetPayload(kCxmlCodePayload, absl::Cord("4o9"));
  EXPECT_EQ(CxmlCodeOf(forged), std::nullopt);
  EXPECT_EQ(ResponseForStatus(forged).status.code, 412);
}

}  // namespace
}  // namespace iob::cxml
