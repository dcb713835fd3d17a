// The fixture of every integration suite that shares one started TestStack
// across its tests: `Suite::StartStack(&error)` builds and starts it once per
// suite. A test fails with the reason when a service could not start, and
// skips only when IOB_TEST_PG_URL is unset.
//
//   class OrderFlowTest : public SharedStackTest<OrderFlowTest> {
//    public:
//     static std::unique_ptr<TestStack> StartStack(std::string* error) { ... }
//   };
#ifndef IOB_TESTS_SUPPORT_SHARED_STACK_TEST_H_
#define IOB_TESTS_SUPPORT_SHARED_STACK_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/test_stack.h"

namespace iob::testing {

template <typename Suite>
class SharedStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    stack_ = Suite::StartStack(&error).release();
    if (stack_ == nullptr) error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    if (stack_ == nullptr) {
      if (error_ != nullptr && !error_->empty()) FAIL() << *error_;
      GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    }
  }
  TestStack& stack() { return *stack_; }

  static inline TestStack* stack_ = nullptr;
  static inline std::string* error_ = nullptr;
};

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_SHARED_STACK_TEST_H_
