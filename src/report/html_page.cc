#include "report/html_page.h"

#include <fmt/format.h>

namespace ebb::report {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string HtmlPageStart(std::string_view title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{0}</title>\n"
      "<style>body{{font:14px sans-serif;margin:24px;color:#222}}"
      "table{{border-collapse:collapse}}th,td{{padding:2px 12px 2px 0;text-align:left}}"
      "th{{border-bottom:1px solid #ccc}}td.number{{text-align:right}}"
      "table.summary td:first-child{{color:#666}}.title{{font-weight:bold;font-size:13px}}"
      ".tick{{font-size:11px;fill:#555}}.grid{{stroke:#e5e5e5}}svg.chart{{display:block;"
      "margin:12px 0}}</style>\n</head><body>\n<h1>{0}</h1>\n",
      EscapeHtml(title));
}

std::string_view HtmlPageEnd() { return "</body></html>\n"; }

}  // namespace ebb::report
