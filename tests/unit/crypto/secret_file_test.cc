// Unit tests for libs/crypto/secret_file: secret files readable by others
// are refused (issue 8 finding 8), owner-only ones are read.
#include "libs/crypto/secret_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/crypto/key_ring.h"

namespace iob::crypto {
namespace {

using ::testing::HasSubstr;

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/iob_secret_file_test_" + std::to_string(getpid());
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& content, mode_t mode) {
    std::remove(path_.c_str());
    {
      std::ofstream out(path_);
      out << content;
    }
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
  }
  std::string path_;
};

TEST_F(SecretFileTest, OwnerOnlyFilesAreRead) {
  for (mode_t mode : {0600, 0400}) {
    Write("the content", mode);
    auto text = ReadSecretFile(path_, "key ring file");
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_EQ(*text, "the content");
  }
}

TEST_F(SecretFileTest, Finding8_GroupOrWorldReadableFilesAreRefused) {
  // This process owns the file, so group and others get nothing.
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602, 0620}) {
    Write("secret", mode);
    auto text = ReadSecretFile(path_, "key ring file");
    ASSERT_FALSE(text.ok()) << std::oct << mode;
    EXPECT_EQ(text.status().code(), absl::StatusCode::kFailedPrecondition);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    EXPECT_THAT(text.status().message(), HasSubstr(path_));
    EXPECT_THAT(text.status().message(), HasSubstr(octal));
    EXPECT_THAT(text.status().message(), HasSubstr("key ring file"));
    EXPECT_THAT(text.status().message(), ::testing::Not(HasSubstr("secret\"")));
  }
}

TEST_F(SecretFileTest, Finding8_KeyRingLoadFileRefusesWorldReadableRing) {
  Write(KeyRing::GenerateJson("k1"), 0644);
  auto ring = KeyRing::LoadFile(path_);
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ring.status().message(), HasSubstr("0644"));
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  EXPECT_TRUE(KeyRing::LoadFile(path_).ok());
}

TEST_F(SecretFileTest, MissingFileAndDirectory) {
  EXPECT_EQ(ReadSecretFile(path_ + ".missing", "tokens file").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadSecretFile(::testing::TempDir(), "tokens file").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace iob::crypto
