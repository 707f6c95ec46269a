// ConfigFile: a TOML configuration as read from disk with `--set key.path=value` overrides applied
// (the value in TOML syntax, or a bare word standing for a string). A file that cannot be read is
// NotFound; a syntax error is InvalidArgument with file:line. `effective` is the document after the
// overrides, to keep beside results or to reload.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/status.h"

namespace ebb::config {

core::Result<toml::table> ReadConfigFile(const std::string& path,
                                         const std::vector<std::string>& overrides = {});

// Applies one "key.path=value" override to `root`.
core::Status ApplyOverride(toml::table& root, const std::string& override_text);

// Every collected error, one per line, as one InvalidArgument status (OK when there are none).
core::Status ErrorsToStatus(const std::vector<std::string>& errors);

// A path named in the file is relative to the file's folder; one from --set (or from no file)
// is relative to the working folder. Returns the absolute, normalised path.
std::string ResolvePath(const toml::node& node, const std::string& value,
                        const std::string& config_path);

}  // namespace ebb::config
