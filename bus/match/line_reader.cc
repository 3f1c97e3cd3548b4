// Block reading for `busbar match`. The buffer holds, from its front, the
// block returned last, then the start of the next (partial) line, then free
// space. Next() slides the partial line to the front, fills the free space and
// returns everything up to the last newline; a line longer than the buffer
// doubles it.
#include "bus/match/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace busbar::cli {
namespace {

// Plain files and stdin.
class FdSource : public ByteSource {
 public:
  FdSource(int fd, std::string name, bool owned) : fd_(fd), name_(std::move(name)), owned_(owned) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }

  absl::StatusOr<size_t> Read(char* dst, size_t size) override {
    while (true) {
      const ssize_t n = ::read(fd_, dst, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", name_));
    }
  }

 private:
  const int fd_;
  const std::string name_;
  const bool owned_;
};

// Gzip files, decompressed by zlib as they are read.
class GzSource : public ByteSource {
 public:
  GzSource(gzFile file, std::string name) : file_(file), name_(std::move(name)) {}
  ~GzSource() override { gzclose(file_); }

  absl::StatusOr<size_t> Read(char* dst, size_t size) override {
    const int n = gzread(file_, dst, static_cast<unsigned>(std::min<size_t>(size, INT_MAX)));
    int error = Z_OK;
    const char* message = gzerror(file_, &error);
    if (n > 0) return static_cast<size_t>(n);
    if (error == Z_OK) return 0;
    if (error == Z_ERRNO) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", name_));
    if (error == Z_BUF_ERROR) message = "unexpected end of compressed data";
    return absl::DataLossError(absl::StrCat("cannot decompress ", name_, ": ", message));
  }

 private:
  const gzFile file_;
  const std::string name_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LineBlockReader>> LineBlockReader::Open(const std::string& path,
                                                                       size_t block_size,
                                                                       size_t padding) {
  std::unique_ptr<ByteSource> source;
  if (path.empty() || path == "-") {
    source = std::make_unique<FdSource>(STDIN_FILENO, "stdin", /*owned=*/false);
  } else if (absl::EndsWith(path, ".gz")) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr)
      return absl::ErrnoToStatus(errno, absl::StrCat("cannot open '", path, "'"));
    gzbuffer(file, 1 << 18);
    source = std::make_unique<GzSource>(file, absl::StrCat("'", path, "'"));
  } else {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open '", path, "'"));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    source = std::make_unique<FdSource>(fd, absl::StrCat("'", path, "'"), /*owned=*/true);
  }
  return std::make_unique<LineBlockReader>(std::move(source), block_size, padding);
}

LineBlockReader::LineBlockReader(std::unique_ptr<ByteSource> source, size_t block_size,
                                 size_t padding)
    : source_(std::move(source)),
      padding_(padding),
      capacity_(std::max<size_t>(block_size, 1)),
      buffer_(std::make_unique<char[]>(capacity_ + padding_)) {}

absl::StatusOr<std::string_view> LineBlockReader::Next() {
  // Slide the partial line after the last block to the front. It holds no
  // newline, so the search for one starts after it.
  std::memmove(buffer_.get(), buffer_.get() + returned_, filled_ - returned_);
  filled_ -= returned_;
  returned_ = 0;
  size_t scan_from = filled_;
  while (true) {
    if (!at_end_ && filled_ < capacity_) {
      if (absl::Status status = Fill(scan_from); !status.ok()) return status;
    }
    const void* last_newline = memrchr(buffer_.get() + scan_from, '\n', filled_ - scan_from);
    if (last_newline != nullptr) {
      returned_ = static_cast<const char*>(last_newline) - buffer_.get() + 1;
    } else if (at_end_) {
      returned_ = filled_;  // the last line has no newline, or the input is over
    } else {
      scan_from = filled_;  // the buffer is full of one line
      Grow();
      continue;
    }
    return std::string_view(buffer_.get(), returned_);
  }
}

absl::Status LineBlockReader::Fill(size_t scan_from) {
  while (filled_ < capacity_) {
    const size_t wanted = capacity_ - filled_;
    absl::StatusOr<size_t> n = source_->Read(buffer_.get() + filled_, wanted);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      at_end_ = true;
      break;
    }
    filled_ += *n;
    if (*n < wanted) {
      if (std::memchr(buffer_.get() + scan_from, '\n', filled_ - scan_from) != nullptr) break;
      scan_from = filled_;
    }
  }
  return absl::OkStatus();
}

void LineBlockReader::Grow() {
  auto bigger = std::make_unique<char[]>(2 * capacity_ + padding_);
  std::memcpy(bigger.get(), buffer_.get(), filled_);
  buffer_ = std::move(bigger);
  capacity_ *= 2;
}

}  // namespace busbar::cli
