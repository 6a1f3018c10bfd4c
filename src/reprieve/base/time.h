// Time types and their wire formats. Reprieve keeps time as UTC milliseconds
// (`Timestamp`); ISO-8601 text exists only at the wire.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace reprieve {

using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::sys_time<Duration>;

// "2026-11-23T10:00:00.123Z" style (RFC 3339, UTC, millisecond precision, always with
// fraction; ARM clients parse any number of fractional digits).
std::string FormatRfc3339(Timestamp t);

// Parses RFC 3339 / ISO-8601 date-times: "2026-11-23T10:00:00Z", with optional fraction
// (digits beyond milliseconds are truncated) and "Z" or "+hh:mm" offset. nullopt if malformed
// or out of the years 1970..9999.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

// RFC 1123 HTTP date: "Mon, 23 Nov 2026 10:00:00 GMT".
std::string FormatHttpDate(Timestamp t);

// Parses an ISO-8601 duration of days, weeks, hours, minutes and (fractional) seconds:
// "PT49H", "P2D", "P1W", "P1DT2H30M", "PT0.5S". Years and months are refused (their length
// is ambiguous). nullopt if malformed, negative or beyond 100 years.
std::optional<Duration> ParseIsoDuration(std::string_view text);

// The shortest ISO-8601 text of a non-negative duration in days, hours, minutes and seconds:
// "PT0S", "PT2M", "P1DT0.5S". ParseIsoDuration reads it back exactly.
std::string FormatIsoDuration(Duration d);

}  // namespace reprieve
