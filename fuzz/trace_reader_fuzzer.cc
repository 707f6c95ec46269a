// Fuzzes the simulator's trace reader. The first input byte picks the format (auto, per-second,
// per-minute, per-request); the rest is the trace file. It is written to one memfd, reused between
// inputs, that TraceReader opens by its /proc/self/fd path like any file, and read to the end or
// the first error. Records must be finite, non-negative counts in non-decreasing time.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "workload/trace_reader.h"

namespace {

using ebb::workload::TraceFormat;

int TraceFd() {
  static const int fd = memfd_create("trace", 0);
  FUZZ_CHECK(fd >= 0);
  return fd;
}

void WriteAll(int fd, const std::uint8_t* data, std::size_t size) {
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr TraceFormat kFormats[] = {
      ebb::workload::TraceFormat::kAuto, ebb::workload::TraceFormat::kPerSecond,
      ebb::workload::TraceFormat::kPerMinute, ebb::workload::TraceFormat::kPerRequest};
  const TraceFormat format = kFormats[data[0] % 4];
  const int fd = TraceFd();
  WriteAll(fd, data + 1, size - 1);

  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ebb::core::Result<std::unique_ptr<ebb::workload::TraceReader>> reader =
      ebb::workload::TraceReader::Open(path, format);
  if (!reader.ok()) {
    FUZZ_CHECK(!reader.status().message().empty());
    return 0;
  }
  FUZZ_CHECK((*reader)->format() != ebb::workload::TraceFormat::kAuto);
  ebb::workload::TraceRecord record;
  bool first = true;
  double last_start = 0;
  while (true) {
    ebb::core::Result<bool> more = (*reader)->Next(record);
    if (!more.ok()) {
      FUZZ_CHECK(!more.status().message().empty());
      break;
    }
    if (!*more) break;
    FUZZ_CHECK(std::isfinite(record.start));
    FUZZ_CHECK(std::isfinite(record.length) && record.length >= 0);
    FUZZ_CHECK(std::isfinite(record.count) && record.count >= 0);
    FUZZ_CHECK(first || record.start >= last_start);
    first = false;
    last_start = record.start;
  }
  return 0;
}
