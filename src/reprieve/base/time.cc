#include "reprieve/base/time.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace reprieve {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

bool ParseDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// Writes `value` as exactly `width` decimal digits (value < 10^width).
char* PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
  return out + width;
}

}  // namespace

std::string FormatRfc3339(Timestamp t) {
  const sys_days day = std::chrono::floor<days>(t);
  const year_month_day ymd(day);
  const auto in_day = t - day;
  const auto h = std::chrono::duration_cast<std::chrono::hours>(in_day);
  const auto m = std::chrono::duration_cast<std::chrono::minutes>(in_day - h);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(in_day - h - m);
  const auto ms = in_day - h - m - s;
  char buf[64];
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
                  unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                  int(s.count()), int(ms.count()));
    return buf;
  }
  // Without printf: this runs for every date of every resource rendered.
  char* p = PutDigits(buf, unsigned(year), 4);
  *p++ = '-';
  p = PutDigits(p, unsigned(ymd.month()), 2);
  *p++ = '-';
  p = PutDigits(p, unsigned(ymd.day()), 2);
  *p++ = 'T';
  p = PutDigits(p, unsigned(h.count()), 2);
  *p++ = ':';
  p = PutDigits(p, unsigned(m.count()), 2);
  *p++ = ':';
  p = PutDigits(p, unsigned(s.count()), 2);
  *p++ = '.';
  p = PutDigits(p, unsigned(ms.count()), 3);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::optional<Timestamp> ParseRfc3339(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ParseDigits(text, 0, 4, year) || text[4] != '-' ||
      !ParseDigits(text, 5, 2, month) || text[7] != '-' || !ParseDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !ParseDigits(text, 11, 2, hour) ||
      text[13] != ':' || !ParseDigits(text, 14, 2, minute) || text[16] != ':' ||
      !ParseDigits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(unsigned(month)),
                           std::chrono::day(unsigned(day))};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!ParseDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ParseDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  Timestamp t = std::chrono::time_point_cast<Duration>(sys_days(ymd)) +
                std::chrono::hours(hour) + std::chrono::minutes(minute) +
                std::chrono::seconds(second) + Duration(millis) -
                std::chrono::minutes(offset_minutes);
  return t;
}

std::string FormatHttpDate(Timestamp t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days day = std::chrono::floor<days>(t);
  const year_month_day ymd(day);
  const std::chrono::weekday wd(day);
  const auto in_day = std::chrono::floor<std::chrono::seconds>(t - day);
  const auto secs = in_day.count();
  char buf[64];
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02lld:%02lld:%02lld GMT",
                  kDays[wd.c_encoding()], unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1],
                  year, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60));
    return buf;
  }
  // Without printf: every response carries a Date.
  char* p = buf;
  for (const char* c = kDays[wd.c_encoding()]; *c != '\0'; ++c) *p++ = *c;
  *p++ = ',';
  *p++ = ' ';
  p = PutDigits(p, unsigned(ymd.day()), 2);
  *p++ = ' ';
  for (const char* c = kMonths[unsigned(ymd.month()) - 1]; *c != '\0'; ++c) *p++ = *c;
  *p++ = ' ';
  p = PutDigits(p, unsigned(year), 4);
  *p++ = ' ';
  p = PutDigits(p, unsigned(secs / 3600), 2);
  *p++ = ':';
  p = PutDigits(p, unsigned(secs / 60 % 60), 2);
  *p++ = ':';
  p = PutDigits(p, unsigned(secs % 60), 2);
  for (const char* c = " GMT"; *c != '\0'; ++c) *p++ = *c;
  return std::string(buf, p);
}

std::optional<Duration> ParseIsoDuration(std::string_view text) {
  constexpr int64_t kMaxMillis = int64_t{100} * 366 * 24 * 3600 * 1000;
  if (text.size() < 3 || (text[0] != 'P' && text[0] != 'p')) return std::nullopt;
  size_t pos = 1;
  bool in_time = false;
  bool any_component = false;
  bool seconds_seen = false;
  int64_t total = 0;
  char last_unit = 0;
  while (pos < text.size()) {
    if (text[pos] == 'T' || text[pos] == 't') {
      if (in_time) return std::nullopt;
      in_time = true;
      last_unit = 0;
      ++pos;
      if (pos == text.size()) return std::nullopt;
      continue;
    }
    int64_t whole = 0;
    int int_digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      whole = whole * 10 + (text[pos] - '0');
      if (++int_digits > 12) return std::nullopt;
      ++pos;
    }
    int64_t frac_millis = 0;
    bool has_fraction = false;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      has_fraction = true;
      ++pos;
      int frac_digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (frac_digits < 3) frac_millis = frac_millis * 10 + (text[pos] - '0');
        ++frac_digits;
        ++pos;
      }
      if (frac_digits == 0) return std::nullopt;
      for (int i = frac_digits; i < 3; ++i) frac_millis *= 10;
    }
    if (int_digits == 0 || pos == text.size()) return std::nullopt;
    const char unit = static_cast<char>(text[pos] & ~0x20);  // upper-case
    ++pos;
    int64_t unit_millis = 0;
    int order = 0;  // components must appear in descending order
    if (!in_time && unit == 'W') {
      unit_millis = int64_t{7} * 24 * 3600 * 1000, order = 1;
    } else if (!in_time && unit == 'D') {
      unit_millis = int64_t{24} * 3600 * 1000, order = 2;
    } else if (in_time && unit == 'H') {
      unit_millis = int64_t{3600} * 1000, order = 3;
    } else if (in_time && unit == 'M') {
      unit_millis = int64_t{60} * 1000, order = 4;
    } else if (in_time && unit == 'S') {
      unit_millis = 1000, order = 5;
      seconds_seen = true;
    } else {
      return std::nullopt;
    }
    if (has_fraction && unit != 'S') return std::nullopt;
    const int last_order = last_unit == 0 ? 0 : last_unit;
    if (order <= last_order) return std::nullopt;
    last_unit = static_cast<char>(order);
    if (whole > kMaxMillis / unit_millis) return std::nullopt;
    total += whole * unit_millis + (unit == 'S' ? frac_millis : 0);
    if (total > kMaxMillis) return std::nullopt;
    any_component = true;
  }
  (void)seconds_seen;
  if (!any_component) return std::nullopt;
  return Duration(total);
}

}  // namespace reprieve

namespace reprieve {

std::string FormatIsoDuration(Duration d) {
  int64_t ms = std::max<int64_t>(d.count(), 0);
  const int64_t days = ms / (int64_t{24} * 3600 * 1000);
  ms -= days * 24 * 3600 * 1000;
  const int64_t hours = ms / (3600 * 1000);
  ms -= hours * 3600 * 1000;
  const int64_t minutes = ms / (60 * 1000);
  ms -= minutes * 60 * 1000;
  std::string out = "P";
  if (days > 0) out += std::to_string(days) + "D";
  if (hours > 0 || minutes > 0 || ms > 0 || days == 0) out += "T";
  if (hours > 0) out += std::to_string(hours) + "H";
  if (minutes > 0) out += std::to_string(minutes) + "M";
  if (ms > 0 || (days == 0 && hours == 0 && minutes == 0)) {
    out += std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
      std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
      while (fraction.back() == '0') fraction.pop_back();
      out += "." + fraction;
    }
    out += "S";
  }
  return out;
}

}  // namespace reprieve
