// HAProxy answers Runtime API commands in free text, and failures are text too. These functions
// turn a reply into a typed core::Status at the adapter's boundary, naming the instance (its
// address), the command and the server:
//   "No such server."    -> NotFound             (the backend has no server by that name)
//   "No such backend." / "No such proxy."
//                        -> NotFound             (no backend by that name)
//   "Permission denied"  -> FailedPrecondition   (the socket's level is below what the command
//   needs) "Unknown command..." -> InvalidArgument      (this HAProxy does not know the command)
//   empty reply          -> Unavailable          (where data was expected: HAProxy closed early)
//   anything else        -> Internal             (an answer this adapter does not understand)
// Pure functions; no I/O.
#pragma once

#include <string_view>

#include "core/status.h"

namespace ebb::lb::haproxy {

enum class ReplyProblem {
  kNone,
  kNoSuchServer,
  kNoSuchBackend,
  kPermissionDenied,
  kUnknownCommand,
  kEmpty,
  kUnexpected,
};

// Recognises HAProxy's error replies. kNone for any other non-empty text (it may be data).
ReplyProblem ClassifyReply(std::string_view reply);

// For commands whose success is an empty reply (`set server` on 2.x prints nothing but the
// terminating newline). `subject` is what the command acted on ("web/web7").
core::Status CheckEmptyReply(std::string_view address, std::string_view command,
                             std::string_view subject, std::string_view reply);

// For commands that return data starting with `expected_prefix` ("# pxname" for `show stat`).
core::Status CheckDataReply(std::string_view address, std::string_view command,
                            std::string_view subject, std::string_view reply,
                            std::string_view expected_prefix);

}  // namespace ebb::lb::haproxy
