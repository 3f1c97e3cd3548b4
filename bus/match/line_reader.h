// Internal to bus/: reads newline-separated input (a file, a gzip file or
// stdin) in large blocks of whole lines, for `busbar match`.
//
// Reading in blocks keeps the hot loop free of per-line system calls and
// copies: callers find line ends in the block with memchr and hand the lines
// to the matcher as views. A LineBlockReader is thread-compatible (one thread at
// a time); the block it returns stays valid until the next call to Next().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace busbar::cli {

// Where the bytes come from: a file descriptor or a zlib stream. Behind an
// interface so that tests can feed the reader from memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `dst`. Returns how many were read, 0 only at
  // the end of the input. May return fewer than asked before the end (pipes).
  // Errors: DataLoss for a corrupt gzip stream, others from the system.
  virtual absl::StatusOr<size_t> Read(char* dst, size_t size) = 0;
};

class LineBlockReader {
 public:
  // Opens `path` for reading: "" or "-" is stdin, a name ending in ".gz" is
  // decompressed with zlib, any other name is read as it is. Errors: the
  // system's, with the path.
  static absl::StatusOr<std::unique_ptr<LineBlockReader>> Open(const std::string& path,
                                                               size_t block_size, size_t padding);

  // Blocks hold up to `block_size` bytes, more if one line is longer. At least
  // `padding` readable bytes follow every block returned (for simdjson).
  LineBlockReader(std::unique_ptr<ByteSource> source, size_t block_size, size_t padding);
  LineBlockReader(const LineBlockReader&) = delete;
  LineBlockReader& operator=(const LineBlockReader&) = delete;

  // The next block of whole lines, each ending in '\n' except perhaps the
  // input's last one. Empty at the end of the input. Returns as soon as a read
  // fell short and the buffer holds a whole line, so that a slow pipe sees its
  // lines matched as they arrive. Errors: those of the source.
  absl::StatusOr<std::string_view> Next();

 private:
  // Reads into the free buffer space until it is full, the input ends, or a
  // read fell short after `scan_from` (bytes before it hold no '\n') and the
  // buffer now holds a newline.
  absl::Status Fill(size_t scan_from);
  void Grow();

  std::unique_ptr<ByteSource> source_;
  const size_t padding_;
  size_t capacity_;                 // usable bytes of buffer_ (padding excluded)
  std::unique_ptr<char[]> buffer_;  // capacity_ + padding_ bytes
  size_t filled_ = 0;               // bytes of input in buffer_
  size_t returned_ = 0;             // bytes at the front returned by the last Next()
  bool at_end_ = false;             // the source has no more bytes
};

}  // namespace busbar::cli
