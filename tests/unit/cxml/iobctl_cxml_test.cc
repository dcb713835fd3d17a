// `iobctl cxml decode|validate|example`.
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/iobctl/cxml_command.h"

namespace iob::iobctl {
namespace {
TEST(IobctlCxmlTest, Placeholder) { SUCCEED(); }
}  // namespace
}  // namespace iob::iobctl
