#include "lb/haproxy/runtime_api_errors.h"

#include <string>

namespace ebb::lb::haproxy {
namespace {

std::string_view TrimWhitespace(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// The reply's first line, bounded: help texts after "Unknown command" are long.
std::string FirstLine(std::string_view reply) {
  std::string_view line = TrimWhitespace(reply);
  line = line.substr(0, line.find('\n'));
  if (line.size() > 200) return std::string(line.substr(0, 200)) + "...";
  return std::string(line);
}

std::string Context(std::string_view address, std::string_view command, std::string_view subject) {
  std::string context = "HAProxy at " + std::string(address) + ": '" + std::string(command) + "'";
  if (!subject.empty()) context += " (" + std::string(subject) + ")";
  return context;
}

core::Status ProblemStatus(ReplyProblem problem, std::string_view address, std::string_view command,
                           std::string_view subject, std::string_view reply) {
  const std::string context = Context(address, command, subject);
  switch (problem) {
    case ReplyProblem::kNone:
      return core::Status::Ok();
    case ReplyProblem::kNoSuchServer:
      return core::NotFoundError(context + ": no such server");
    case ReplyProblem::kNoSuchBackend:
      return core::NotFoundError(context + ": no such backend");
    case ReplyProblem::kPermissionDenied:
      return core::FailedPreconditionError(
          context + ": permission denied (the stats socket needs 'level admin')");
    case ReplyProblem::kUnknownCommand:
      return core::InvalidArgumentError(context + ": unknown command for this HAProxy version");
    case ReplyProblem::kEmpty:
      return core::UnavailableError(context + ": empty reply");
    case ReplyProblem::kUnexpected:
      return core::InternalError(context + ": unexpected reply: " + FirstLine(reply));
  }
  return core::InternalError(context + ": unexpected reply");
}

}  // namespace

ReplyProblem ClassifyReply(std::string_view reply) {
  const std::string_view text = TrimWhitespace(reply);
  if (text.empty()) return ReplyProblem::kEmpty;
  if (text.starts_with("No such server")) return ReplyProblem::kNoSuchServer;
  if (text.starts_with("No such backend") || text.starts_with("No such proxy")) {
    return ReplyProblem::kNoSuchBackend;
  }
  if (text.starts_with("Permission denied")) return ReplyProblem::kPermissionDenied;
  if (text.starts_with("Unknown command")) return ReplyProblem::kUnknownCommand;
  return ReplyProblem::kNone;
}

core::Status CheckEmptyReply(std::string_view address, std::string_view command,
                             std::string_view subject, std::string_view reply) {
  ReplyProblem problem = ClassifyReply(reply);
  if (problem == ReplyProblem::kEmpty) return core::Status::Ok();
  if (problem == ReplyProblem::kNone) problem = ReplyProblem::kUnexpected;
  return ProblemStatus(problem, address, command, subject, reply);
}

core::Status CheckDataReply(std::string_view address, std::string_view command,
                            std::string_view subject, std::string_view reply,
                            std::string_view expected_prefix) {
  ReplyProblem problem = ClassifyReply(reply);
  if (problem == ReplyProblem::kNone &&
      !TrimWhitespace(reply).starts_with(TrimWhitespace(expected_prefix))) {
    problem = ReplyProblem::kUnexpected;
  }
  return ProblemStatus(problem, address, command, subject, reply);
}

}  // namespace ebb::lb::haproxy
