// Whole small text files in and out, with errors as values naming the path.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"

namespace ebb::compare {

// Creates the parent folders; `extra` permissions are added to the file's (an executable script).
core::Status WriteTextFile(const std::filesystem::path& path, const std::string& text,
                           std::filesystem::perms extra = std::filesystem::perms::none);

core::Result<std::string> ReadTextFile(const std::filesystem::path& path);

}  // namespace ebb::compare
