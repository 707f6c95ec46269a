// Log readers: hand the text of a log file to a sink in chunks that end at line ends (only the
// very last chunk of an input may end without '\n'). A regular file is memory-mapped and given
// in one chunk, so the caller parses it in place; a pipe (stdin as "-") is read in 1 MiB blocks.
// Input starting with the gzip magic bytes (1f 8b) is inflated with zlib, concatenated members
// included. Errors: a file that cannot be opened is NotFound, a read error Unavailable, corrupt
// gzip InvalidArgument; each names the file. Runs on the caller's thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::logstat {

using ChunkSink = std::function<void(std::string_view text)>;

// `path` "-" reads standard input.
core::Status ReadLogFile(const std::string& path, const ChunkSink& sink);

// Reads an open descriptor (not closed here); `name` is used in error messages.
core::Status ReadLogFd(int fd, const std::string& name, const ChunkSink& sink);

}  // namespace ebb::logstat
