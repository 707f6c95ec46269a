// HtmlPage: the frame shared by ebb's self-contained HTML pages: the head with the one inline
// style sheet (text, tables, charts), and HTML escaping. No scripts, no external files.
#pragma once

#include <string>
#include <string_view>

namespace ebb::report {

// `text` with &, <, > and " escaped, for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

// From <!DOCTYPE html> to the page's <h1>, which is `title`.
std::string HtmlPageStart(std::string_view title);

// Closes what HtmlPageStart opened.
std::string_view HtmlPageEnd();

}  // namespace ebb::report
