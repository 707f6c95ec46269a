#include "tools/replay/http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ebb::replay {
namespace {

constexpr std::string_view kEndOfHeaders = "\r\n\r\n";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// True when the comma-separated header value holds `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    if (EqualsNoCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void HttpResponseParser::Reset() {
  phase_ = Phase::kHeaders;
  state_ = State::kIncomplete;
  header_.clear();
  line_.clear();
  remaining_ = 0;
  status_ = 0;
  keep_alive_ = true;
  error_.clear();
}

HttpResponseParser::State HttpResponseParser::Fail(std::string what) {
  error_ = std::move(what);
  state_ = State::kError;
  return state_;
}

bool HttpResponseParser::ParseHeaders(std::string_view block) {
  const std::size_t eol = block.find("\r\n");
  const std::string_view status_line = block.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    Fail("malformed status line");
    return false;
  }
  const bool http10 = status_line[7] == '0';
  int code = 0;
  const auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, code);
  if (ec != std::errc() || end != status_line.data() + 12 || code < 100 || code > 999) {
    Fail("malformed status code");
    return false;
  }
  status_ = code;
  keep_alive_ = !http10;
  bool has_length = false;
  bool chunked = false;
  std::uint64_t length = 0;
  std::string_view rest =
      eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
  while (!rest.empty()) {
    const std::size_t next = rest.find("\r\n");
    const std::string_view line = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      Fail("header line without a colon");
      return false;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsNoCase(name, "content-length")) {
      const auto [vend, vec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || vec != std::errc() || vend != value.data() + value.size()) {
        Fail("bad Content-Length");
        return false;
      }
      has_length = true;
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      chunked = HasToken(value, "chunked");
    } else if (EqualsNoCase(name, "connection")) {
      if (HasToken(value, "close")) keep_alive_ = false;
      if (HasToken(value, "keep-alive")) keep_alive_ = keep_alive_ || http10;
    }
  }
  if ((code >= 100 && code < 200) || code == 204 || code == 304) {
    phase_ = Phase::kBody;
    remaining_ = 0;
  } else if (chunked) {
    phase_ = Phase::kChunkSize;
  } else if (has_length) {
    phase_ = Phase::kBody;
    remaining_ = length;
  } else {
    phase_ = Phase::kToClose;
    keep_alive_ = false;
  }
  return true;
}

bool HttpResponseParser::TakeLine(std::string_view data, std::size_t& pos) {
  const std::size_t eol = data.find('\n', pos);
  if (eol == std::string_view::npos) {
    line_.append(data.substr(pos));
    pos = data.size();
    if (line_.size() > kMaxHeaderBytes) Fail("chunk line too long");
    return false;
  }
  line_.append(data.substr(pos, eol - pos));
  pos = eol + 1;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

HttpResponseParser::Progress HttpResponseParser::Feed(std::string_view data) {
  std::size_t pos = 0;
  while (state_ == State::kIncomplete) {
    switch (phase_) {
      case Phase::kHeaders: {
        std::string_view block;
        std::size_t used = 0;
        if (header_.empty()) {
          // Fast path: the whole header block is in this read; no copy.
          const std::size_t end = data.find(kEndOfHeaders, pos);
          if (end == std::string_view::npos) {
            header_.assign(data.substr(pos));
            pos = data.size();
          } else {
            block = data.substr(pos, end - pos);
            used = end + kEndOfHeaders.size() - pos;
          }
        } else {
          const std::size_t old = header_.size();
          header_.append(data.substr(pos));
          const std::size_t end = header_.find(kEndOfHeaders, old >= 3 ? old - 3 : 0);
          if (end == std::string::npos) {
            pos = data.size();
          } else {
            header_.resize(end);
            block = header_;
            used = end + kEndOfHeaders.size() - old;
          }
        }
        if (block.empty() && used == 0) {
          if (header_.size() > kMaxHeaderBytes) Fail("header block over 64 KiB");
          return {pos, state_};
        }
        pos += used;
        if (!ParseHeaders(block)) return {pos, state_};
        header_.clear();
        if (status_ < 200) {  // 1xx: an interim response; the real one follows
          phase_ = Phase::kHeaders;
          continue;
        }
        break;
      }
      case Phase::kBody: {
        const std::uint64_t take = std::min<std::uint64_t>(remaining_, data.size() - pos);
        remaining_ -= take;
        pos += take;
        if (remaining_ == 0) {
          state_ = State::kComplete;
        } else {
          return {pos, state_};
        }
        break;
      }
      case Phase::kToClose:
        return {data.size(), state_};
      case Phase::kChunkSize: {
        if (!TakeLine(data, pos)) return {pos, state_};
        std::string_view size_text = line_;
        size_text = Trim(size_text.substr(0, size_text.find(';')));
        std::uint64_t size = 0;
        const auto [end, ec] =
            std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size()) {
          Fail("bad chunk size");
          return {pos, state_};
        }
        line_.clear();
        remaining_ = size;
        phase_ = size == 0 ? Phase::kTrailer : Phase::kChunkData;
        break;
      }
      case Phase::kChunkData: {
        const std::uint64_t take = std::min<std::uint64_t>(remaining_, data.size() - pos);
        remaining_ -= take;
        pos += take;
        if (remaining_ > 0) return {pos, state_};
        phase_ = Phase::kChunkCrlf;
        break;
      }
      case Phase::kChunkCrlf: {
        if (!TakeLine(data, pos)) return {pos, state_};
        if (!line_.empty()) {
          Fail("chunk data longer than its size");
          return {pos, state_};
        }
        phase_ = Phase::kChunkSize;
        break;
      }
      case Phase::kTrailer: {
        if (!TakeLine(data, pos)) return {pos, state_};
        const bool blank = line_.empty();
        line_.clear();
        if (blank) state_ = State::kComplete;
        break;
      }
    }
  }
  return {pos, state_};
}

HttpResponseParser::State HttpResponseParser::FinishOnClose() {
  if (state_ == State::kIncomplete && phase_ == Phase::kToClose) {
    state_ = State::kComplete;
    keep_alive_ = false;
    return state_;
  }
  if (state_ == State::kIncomplete) return Fail("connection closed before the response ended");
  return state_;
}

}  // namespace ebb::replay
