// Log lines as an operator's log shipper reads them: JSON lines are one valid JSON object
// (RFC 8259) whatever bytes a field holds; text lines keep a field with spaces or quotes
// in one quoted token.
#include "reprieve/base/log.h"

#include <gtest/gtest.h>

namespace reprieve {
namespace {

TEST(LogTest, JsonLinesCarryEveryFieldTypedAndEscaped) {
  const std::string line =
      FormatLogLine(LogFormat::kJson, LogLevel::kWarning, "2026-01-01T00:00:00Z", "request",
                    {{"path", "/a \"b\"\\c\n\t\x01"}, Number("status", 404),
                     {"latencyMs", "1.5", true}});
  EXPECT_EQ(line,
            "{\"time\":\"2026-01-01T00:00:00Z\",\"level\":\"warning\",\"msg\":\"request\","
            "\"path\":\"/a \\\"b\\\"\\\\c\\n\\t\\u0001\",\"status\":404,\"latencyMs\":1.5}\n");
}

TEST(LogTest, JsonLinesKeepUtf8AndReplaceBytesThatAreNot) {
  // "é" (C3 A9) and "€" (E2 82 AC) stay; a lone continuation byte, a truncated sequence, an
  // overlong "/" (C0 AF) and an encoded surrogate (ED A0 80) become U+FFFD each byte.
  const std::string line = FormatLogLine(LogFormat::kJson, LogLevel::kInfo, "t", "m",
                                         {{"v", "\xc3\xa9\xe2\x82\xac|\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80"}});
  const std::string r = "\xef\xbf\xbd";  // U+FFFD in UTF-8
  EXPECT_EQ(line, "{\"time\":\"t\",\"level\":\"info\",\"msg\":\"m\",\"v\":\"\xc3\xa9\xe2\x82\xac|" + r +
                      "|" + r + r + "|" + r + r + "|" + r + r + r + "\"}\n");
}

TEST(LogTest, TextLinesQuoteValuesThatWouldSplit) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kInfo, "t", "request",
                          {{"method", "GET"}, {"error", ""}, {"cause", "a b"}, {"x", "1\n2"}}),
            "t INFO request method=GET error=\"\" cause=\"a b\" x=\"1\\n2\"\n");
}

}  // namespace
}  // namespace reprieve
