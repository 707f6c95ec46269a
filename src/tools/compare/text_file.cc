#include "tools/compare/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ebb::compare {

namespace fs = std::filesystem;

core::Status WriteTextFile(const fs::path& path, const std::string& text, fs::perms extra) {
  std::error_code error;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
  if (error) {
    return core::InvalidArgumentError(path.parent_path().string() +
                                      ": cannot create: " + error.message());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return core::InvalidArgumentError(path.string() + ": cannot write: " + std::strerror(errno));
  if (extra != fs::perms::none) {
    fs::permissions(path, extra, fs::perm_options::add, error);
    if (error) return core::InvalidArgumentError(path.string() + ": " + error.message());
  }
  return core::Status::Ok();
}

core::Result<std::string> ReadTextFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError(path.string() + ": cannot open: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ebb::compare
