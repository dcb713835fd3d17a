// What the credentials integration tests share on top of the test stack
// (tests/support/test_stack.h): their stack (credentials only) with its
// principals, and request builders.
//
// Principals (bearer tokens) of every credentials stack:
//   acme-admin     integrations.read/write, audit.read   tenant acme
//   globex-admin   integrations.read/write, audit.read   tenant globex
//   acme-reader    integrations.read                     tenant acme
//   resolver       integrations.read, secrets.resolve    every tenant
//   verifier       suppliers.verify                      every tenant
//   acme-verifier  suppliers.verify                      tenant acme
//   super          every scope                           every tenant
#ifndef IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_TEST_UTIL_H_
#define IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_TEST_UTIL_H_

#include <memory>
#include <string>

#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "tests/support/test_stack.h"

namespace iob::credentials::testing {

namespace pb = ::iob::credentials::v1;
using ::iob::testing::HealthStatus;
using ::iob::testing::Service;
using ::iob::testing::TestStack;

// The one service of these tests' stacks.
inline constexpr Service kCredentials = Service::kCredentials;

// A stack with iob-credentials (not started) and the principals above.
// nullptr when IOB_TEST_PG_URL is unset (callers GTEST_SKIP).
std::unique_ptr<TestStack> NewCredentialsStack();

// A valid CreateIntegrationRequest for Amazon Business (production, hosts
// on amazon.com) in `tenant` with id `id` (may be empty) and `secret`.
pb::CreateIntegrationRequest AmazonCreate(const std::string& tenant, const std::string& id,
                                          const std::string& secret,
                                          const std::string& from_identity = "buyer-1");

// A unique printable secret with `prefix`.
std::string RandomSecret(const std::string& prefix);

}  // namespace iob::credentials::testing

#endif  // IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_TEST_UTIL_H_
