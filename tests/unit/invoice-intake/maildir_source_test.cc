// services/invoice-intake MaildirSource on a temporary directory: the
// Maildir++ layout it creates, what Fetch hands over (unseen only, oldest
// first, nothing changed), where MarkProcessed and Quarantine put a message,
// a crash between Fetch and MarkProcessed, and the size bound.
#include "services/invoice-intake/maildir_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::invoice {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Message(const std::string& id) {
  return absl::StrCat("From: billing@supplier.example\r\nTo: invoices@iob.example\r\n",
                      "Message-ID: <", id, "@supplier.example>\r\nSubject: Invoice ", id,
                      "\r\n\r\nInvoice ", id, " attached.\r\n");
}

std::vector<std::string> Keys(const std::vector<FetchedMessage>& messages) {
  std::vector<std::string> keys;
  for (const FetchedMessage& m : messages) keys.push_back(m.key);
  return keys;
}

class MaildirSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "iob-maildir-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    options_.path = (root_ / "Maildir").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<MailSource> Open() {
    auto source = OpenMaildir(options_);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? *std::move(source) : nullptr;
  }

  // Drops a message into <maildir>/<sub>/<file> the way an MTA does (tmp/,
  // then rename), with its modification time `age` seconds in the past.
  void Deliver(const std::string& sub, const std::string& file, const std::string& raw, int age) {
    const fs::path tmp = fs::path(options_.path) / "tmp" / file;
    std::ofstream(tmp, std::ios::binary) << raw;
    fs::last_write_time(tmp, fs::file_time_type::clock::now() - std::chrono::seconds(age));
    fs::rename(tmp, fs::path(options_.path) / sub / file);
  }

  fs::path Path(const std::string& relative) const { return fs::path(options_.path) / relative; }

  fs::path root_;
  MaildirOptions options_;
};

TEST_F(MaildirSourceTest, OpenCreatesTheMaildirAndItsFolders) {
  ASSERT_NE(Open(), nullptr);
  for (const char* dir : {"", ".Processed/", ".Quarantine/"}) {
    for (const char* sub : {"cur", "new", "tmp"}) {
      EXPECT_TRUE(fs::is_directory(Path(absl::StrCat(dir, sub)))) << dir << sub;
    }
  }
  EXPECT_TRUE(fs::is_regular_file(Path(".Processed/maildirfolder")));
  EXPECT_TRUE(fs::is_regular_file(Path(".Quarantine/maildirfolder")));
  EXPECT_EQ(Open()->Name(), "maildir:" + options_.path);  // opening again is fine
}

TEST_F(MaildirSourceTest, FetchHandsOverUnseenMessagesOldestFirstAndChangesNothing) {
  auto source = Open();
  ASSERT_NE(source, nullptr);
  Deliver("new", "1700000002.M1P1.host", Message("a"), 20);
  Deliver("new", "1700000001.M1P1.host", Message("b"), 30);
  Deliver("cur", "1700000003.M1P1.host:2,F", Message("d"), 10);  // flagged, not seen
  Deliver("cur", "1700000000.M1P1.host:2,S", Message("c"), 40);  // seen by a person
  Deliver("cur", "1700000000.M2P1.host:2,T", Message("e"), 40);  // trashed
  Deliver("new", ".hidden", Message("f"), 50);
  fs::create_directory(Path("new/subdir"));
  fs::create_symlink("/etc/passwd", Path("new/1700000000.M3P1.host"));

  auto all = source->Fetch(10);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(Keys(*all),
              ElementsAre("1700000001.M1P1.host", "1700000002.M1P1.host", "1700000003.M1P1.host"));
  EXPECT_EQ((*all)[0].raw, Message("b"));
  EXPECT_EQ((*all)[2].raw, Message("d"));

  auto two = source->Fetch(2);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_THAT(Keys(*two), ElementsAre("1700000001.M1P1.host", "1700000002.M1P1.host"));
  auto none = source->Fetch(0);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
  // Nothing moved or renamed.
  EXPECT_TRUE(fs::exists(Path("new/1700000002.M1P1.host")));
  EXPECT_TRUE(fs::exists(Path("cur/1700000003.M1P1.host:2,F")));
}

TEST_F(MaildirSourceTest, MarkProcessedMovesTheMessageSeenIntoTheProcessedFolder) {
  auto source = Open();
  ASSERT_NE(source, nullptr);
  Deliver("new", "m1", Message("1"), 20);
  Deliver("cur", "m2:2,F", Message("2"), 10);
  Deliver("new", "m3", Message("3"), 5);

  ASSERT_TRUE(source->MarkProcessed("m1").ok());
  ASSERT_TRUE(source->MarkProcessed("m2").ok());
  EXPECT_FALSE(fs::exists(Path("new/m1")));
  EXPECT_EQ(ReadFile(Path(".Processed/cur/m1:2,S")), Message("1"));
  EXPECT_EQ(ReadFile(Path(".Processed/cur/m2:2,FS")), Message("2"));  // flags kept, in order

  auto left = source->Fetch(10);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_THAT(Keys(*left), ElementsAre("m3"));

  // Acknowledging again (a retry after a lost answer) is fine; strangers are not.
  EXPECT_TRUE(source->MarkProcessed("m1").ok());
  EXPECT_EQ(source->MarkProcessed("nope").code(), absl::StatusCode::kNotFound);
  for (const char* bad : {"", "..", "../m3", "new/m3", "m3:2,S", ".hidden"}) {
    EXPECT_EQ(source->MarkProcessed(bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(fs::exists(Path("new/m3")));
}

TEST_F(MaildirSourceTest, QuarantineLeavesTheMessageUnseenInTheQuarantineFolder) {
  options_.quarantine_folder = ".Held";
  auto source = Open();
  ASSERT_NE(source, nullptr);
  Deliver("new", "m1", Message("1"), 20);
  ASSERT_TRUE(source->Quarantine("m1").ok());
  EXPECT_EQ(ReadFile(Path(".Held/cur/m1:2,")), Message("1"));
  auto left = source->Fetch(10);
  ASSERT_TRUE(left.ok());
  EXPECT_THAT(*left, IsEmpty());
}

TEST_F(MaildirSourceTest, ACrashBetweenFetchAndMarkProcessedFetchesTheMessageAgain) {
  {
    auto first = Open();
    ASSERT_NE(first, nullptr);
    Deliver("new", "m1", Message("1"), 20);
    auto fetched = first->Fetch(10);
    ASSERT_TRUE(fetched.ok());
    ASSERT_THAT(Keys(*fetched), ElementsAre("m1"));
  }  // gone without MarkProcessed
  auto second = Open();
  ASSERT_NE(second, nullptr);
  auto again = second->Fetch(10);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_THAT(Keys(*again), ElementsAre("m1"));
  EXPECT_EQ((*again)[0].raw, Message("1"));
  EXPECT_TRUE(second->MarkProcessed("m1").ok());
}

TEST_F(MaildirSourceTest, AMessageAMailClientMovedToCurIsStillAcknowledged) {
  auto source = Open();
  ASSERT_NE(source, nullptr);
  Deliver("new", "m1", Message("1"), 20);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok());
  ASSERT_THAT(Keys(*fetched), ElementsAre("m1"));
  fs::rename(Path("new/m1"), Path("cur/m1:2,F"));  // a client flagged it meanwhile
  ASSERT_TRUE(source->MarkProcessed("m1").ok());
  EXPECT_TRUE(fs::exists(Path(".Processed/cur/m1:2,FS")));
}

TEST_F(MaildirSourceTest, AMessageOverTheBoundIsQuarantinedNotRead) {
  options_.max_message_bytes = 200;
  auto source = Open();
  ASSERT_NE(source, nullptr);
  Deliver("new", "big", Message("big") + std::string(500, 'x'), 20);
  Deliver("new", "small", Message("small"), 10);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_THAT(Keys(*fetched), ElementsAre("small"));
  EXPECT_TRUE(fs::exists(Path(".Quarantine/cur/big:2,")));
  EXPECT_FALSE(fs::exists(Path("new/big")));
}

TEST_F(MaildirSourceTest, FetchIsUnavailableWhenTheMaildirIsGone) {
  auto source = Open();
  ASSERT_NE(source, nullptr);
  fs::remove_all(options_.path);
  EXPECT_EQ(source->Fetch(10).status().code(), absl::StatusCode::kUnavailable);
}

TEST(MaildirOptionsTest, CheckNamesTheBadField) {
  const auto field_of = [](MaildirOptions o) { return std::string(o.Check().message()); };
  MaildirOptions ok;
  ok.path = "/var/mail/invoices";
  EXPECT_TRUE(ok.Check().ok());

  MaildirOptions o = ok;
  o.path = "";
  EXPECT_THAT(field_of(o), HasSubstr("maildir.path"));
  for (const char* bad : {"Processed", ".", "..", ".a/b", ""}) {
    o = ok;
    o.processed_folder = bad;
    EXPECT_THAT(field_of(o), HasSubstr("maildir.processed_folder")) << bad;
  }
  o = ok;
  o.quarantine_folder = ".Processed";
  EXPECT_THAT(field_of(o), HasSubstr("maildir.quarantine_folder"));
  o = ok;
  o.max_message_bytes = 0;
  EXPECT_THAT(field_of(o), HasSubstr("maildir.max_message_bytes"));
  EXPECT_EQ(OpenMaildir(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace iob::invoice
