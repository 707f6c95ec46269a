#include "tools/logstat/log_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace ebb::logstat {
namespace {

constexpr std::size_t kBlock = std::size_t{1} << 20;

bool IsGzip(const unsigned char* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

// Collects bytes and hands complete lines to the sink; keeps the partial last line.
class LineChunker {
 public:
  explicit LineChunker(const ChunkSink& sink) : sink_(sink), buffer_(kBlock) {}

  // Room to write at least `min` bytes after the pending data.
  char* WritableTail(std::size_t min, std::size_t& room) {
    if (buffer_.size() - size_ < min) buffer_.resize(std::max(buffer_.size() * 2, size_ + min));
    room = buffer_.size() - size_;
    return buffer_.data() + size_;
  }
  // `n` bytes were written at WritableTail(); emits every complete line.
  void Commit(std::size_t n) {
    const std::size_t old = size_;
    size_ += n;
    const char* data = buffer_.data();
    std::size_t last = size_;
    while (last > old && data[last - 1] != '\n') --last;
    if (last == old) return;  // no line end in the new bytes
    sink_(std::string_view(data, last));
    std::memmove(buffer_.data(), data + last, size_ - last);
    size_ -= last;
  }
  void Finish() {
    if (size_ > 0) sink_(std::string_view(buffer_.data(), size_));
    size_ = 0;
  }

 private:
  const ChunkSink& sink_;
  std::vector<char> buffer_;
  std::size_t size_ = 0;
};

// Streaming inflate of gzip input fed in pieces; output goes to the chunker.
class GzipInflater {
 public:
  GzipInflater() {
    std::memset(&stream_, 0, sizeof stream_);
    ok_ = inflateInit2(&stream_, 15 + 16) == Z_OK;
  }
  ~GzipInflater() {
    if (ok_) inflateEnd(&stream_);
  }
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  core::Status Feed(const unsigned char* data, std::size_t size, LineChunker& out,
                    const std::string& name) {
    if (!ok_) return core::InternalError(name + ": zlib initialisation failed");
    while (size > 0) {
      if (member_ended_) {
        // Another member may follow (concatenated gzip); anything else is trailing garbage.
        if (data[0] != 0x1f) {
          return core::InvalidArgumentError(name + ": trailing data after gzip stream");
        }
        inflateReset(&stream_);
        member_ended_ = false;
      }
      const std::size_t piece = std::min<std::size_t>(size, 1u << 30);
      stream_.next_in = const_cast<unsigned char*>(data);
      stream_.avail_in = static_cast<uInt>(piece);
      while (stream_.avail_in > 0 && !member_ended_) {
        std::size_t room = 0;
        char* tail = out.WritableTail(kBlock / 4, room);
        room = std::min<std::size_t>(room, 1u << 30);
        stream_.next_out = reinterpret_cast<unsigned char*>(tail);
        stream_.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&stream_, Z_NO_FLUSH);
        out.Commit(room - stream_.avail_out);
        if (rc == Z_STREAM_END) {
          member_ended_ = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
          return core::InvalidArgumentError(fmt::format(
              "{}: corrupt gzip data: {}", name, stream_.msg != nullptr ? stream_.msg : "error"));
        }
      }
      const std::size_t used = piece - stream_.avail_in;
      data += used;
      size -= used;
    }
    started_ = true;
    return core::Status::Ok();
  }

  core::Status Finish(const std::string& name) const {
    if (started_ && !member_ended_) {
      return core::InvalidArgumentError(name + ": truncated gzip data");
    }
    return core::Status::Ok();
  }

 private:
  z_stream stream_;
  bool ok_ = false;
  bool started_ = false;
  bool member_ended_ = false;
};

core::Status ReadMapped(int fd, std::size_t size, const std::string& name, const ChunkSink& sink) {
  if (size == 0) return core::Status::Ok();
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (map == MAP_FAILED) {
    return core::UnavailableError(fmt::format("{}: mmap: {}", name, std::strerror(errno)));
  }
  madvise(map, size, MADV_SEQUENTIAL);
  const auto* data = static_cast<const unsigned char*>(map);
  core::Status status;
  if (IsGzip(data, size)) {
    GzipInflater inflater;
    LineChunker chunker(sink);
    status = inflater.Feed(data, size, chunker, name);
    if (status.ok()) status = inflater.Finish(name);
    if (status.ok()) chunker.Finish();
  } else {
    sink(std::string_view(static_cast<const char*>(map), size));
  }
  munmap(map, size);
  return status;
}

core::Status ReadStream(int fd, const std::string& name, const ChunkSink& sink) {
  LineChunker chunker(sink);
  GzipInflater inflater;
  std::vector<unsigned char> input(kBlock);
  bool first = true;
  bool gzip = false;
  for (;;) {
    const ssize_t n = read(fd, input.data(), input.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::UnavailableError(fmt::format("{}: read: {}", name, std::strerror(errno)));
    }
    if (n == 0) break;
    const auto size = static_cast<std::size_t>(n);
    if (first) {
      // A pipe's first read holds at least the two magic bytes unless the input is tiny.
      gzip = IsGzip(input.data(), size);
      first = false;
    }
    if (gzip) {
      EBB_RETURN_IF_ERROR(inflater.Feed(input.data(), size, chunker, name));
    } else {
      std::size_t room = 0;
      char* tail = chunker.WritableTail(size, room);
      std::memcpy(tail, input.data(), size);
      chunker.Commit(size);
    }
  }
  if (gzip) EBB_RETURN_IF_ERROR(inflater.Finish(name));
  chunker.Finish();
  return core::Status::Ok();
}

}  // namespace

core::Status ReadLogFd(int fd, const std::string& name, const ChunkSink& sink) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    return core::UnavailableError(fmt::format("{}: {}", name, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return core::InvalidArgumentError(name + ": is a directory");
  if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
    return ReadMapped(fd, static_cast<std::size_t>(st.st_size), name, sink);
  }
  return ReadStream(fd, name, sink);
}

core::Status ReadLogFile(const std::string& path, const ChunkSink& sink) {
  if (path == "-") return ReadLogFd(STDIN_FILENO, "-", sink);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return core::NotFoundError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  core::Status status = ReadLogFd(fd, path, sink);
  close(fd);
  return status;
}

}  // namespace ebb::logstat
