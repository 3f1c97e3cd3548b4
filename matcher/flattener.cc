// The event flattener; see flattener.h.
//
// A recursive-descent walk over the bytes. At each object key the path trie says
// whether any rule reads below it; if not, the value is skipped. Skipping a
// container uses 64-byte blocks: quote positions turn into an "inside a string"
// mask by a prefix XOR, and the brackets outside strings are counted with
// popcounts, so a block that cannot close the container costs a handful of
// instructions. Blocks with backslashes are crossed byte by byte.
#include "matcher/flattener.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "matcher/text.h"

#if defined(__SSE2__)
#include <immintrin.h>
// The AVX2/AVX-512 paths live in target("...") functions chosen at run time;
// their vector types never cross a function boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace busbar::matcher::internal {
namespace {

struct Masks {
  uint64_t quote = 0, backslash = 0, open = 0, close = 0;
};

// Classifies 64 bytes: quotes, backslashes, '{' or '[', '}' or ']'. ORing 0x20
// maps '[' to '{' and ']' to '}', so two compares find all four brackets.
inline Masks ClassifyBaseline(const char* s) {
  Masks m;
#if defined(__SSE2__)
  const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
  const __m128i o = _mm_set1_epi8('{'), c = _mm_set1_epi8('}'), x20 = _mm_set1_epi8(0x20);
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * i));
    __m128i v20 = _mm_or_si128(v, x20);
    int shift = 16 * i;
    m.quote |= uint64_t(uint16_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)))) << shift;
    m.backslash |= uint64_t(uint16_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, b)))) << shift;
    m.open |= uint64_t(uint16_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v20, o)))) << shift;
    m.close |= uint64_t(uint16_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v20, c)))) << shift;
  }
#else
  for (int i = 0; i < 64; ++i) {
    char ch = s[i];
    uint64_t bit = uint64_t{1} << i;
    if (ch == '"') m.quote |= bit;
    if (ch == '\\') m.backslash |= bit;
    if (ch == '{' || ch == '[') m.open |= bit;
    if (ch == '}' || ch == ']') m.close |= bit;
  }
#endif
  return m;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) inline Masks ClassifyAvx2(const char* s) {
  Masks m;
  for (int i = 0; i < 2; ++i) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 32 * i));
    const __m256i v20 = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    int shift = 32 * i;
    m.quote |= uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')))))
               << shift;
    m.backslash |=
        uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')))))
        << shift;
    m.open |=
        uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v20, _mm256_set1_epi8('{')))))
        << shift;
    m.close |=
        uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v20, _mm256_set1_epi8('}')))))
        << shift;
  }
  return m;
}

__attribute__((target("avx512f,avx512bw"))) inline Masks ClassifyAvx512(const char* s) {
  Masks m;
  const __m512i v = _mm512_loadu_si512(s);
  const __m512i v20 = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
  m.quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
  m.backslash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
  m.open = _mm512_cmpeq_epi8_mask(v20, _mm512_set1_epi8('{'));
  m.close = _mm512_cmpeq_epi8_mask(v20, _mm512_set1_epi8('}'));
  return m;
}
#endif

inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

#if defined(__x86_64__) && !defined(__POPCNT__)
// Baseline x86-64 has no POPCNT instruction and the compiler would call libgcc;
// use the instruction (through asm, so no target flags are needed) when the CPU
// has it.
const bool kHasPopcnt = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt") != 0;
}();
#endif

inline int Popcount(uint64_t x) {
#if defined(__x86_64__) && !defined(__POPCNT__)
  if (kHasPopcnt) {
    uint64_t r;
    asm("popcnt %1, %0" : "=r"(r) : "r"(x));
    return static_cast<int>(r);
  }
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
#else
  return __builtin_popcountll(x);
#endif
}

inline bool IsWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

struct SkipResult {
  enum Outcome { kOk, kEnd, kTooDeep } outcome;
  const char* at;  // kOk: just past the closing bracket; kTooDeep: the bracket
};

// Three copies of the skip loop, one per instruction set (see skip_loop.inc).
#define BUSBAR_SKIP_NAME SkipBaseline
#define BUSBAR_SKIP_TARGET
#define BUSBAR_CLASSIFY ClassifyBaseline
#include "matcher/skip_loop.inc"
#if defined(__x86_64__)
#define BUSBAR_SKIP_NAME SkipAvx2
#define BUSBAR_SKIP_TARGET __attribute__((target("avx2")))
#define BUSBAR_CLASSIFY ClassifyAvx2
#include "matcher/skip_loop.inc"
#define BUSBAR_SKIP_NAME SkipAvx512
#define BUSBAR_SKIP_TARGET __attribute__((target("avx512f,avx512bw")))
#define BUSBAR_CLASSIFY ClassifyAvx512
#include "matcher/skip_loop.inc"
#endif

using SkipFn = SkipResult (*)(const char*, const char*, int, int);

// The widest implementation this CPU runs, chosen once at start-up.
const SkipFn kSkip = [] {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bw")) return &SkipAvx512;
  if (__builtin_cpu_supports("avx2")) return &SkipAvx2;
#endif
  return &SkipBaseline;
}();

class Walker {
 public:
  Walker(const Automaton& a, std::string_view event, int max_depth, MatchState& st)
      : begin_(event.data()),
        p_(event.data()),
        end_(event.data() + event.size()),
        a_(a),
        st_(st),
        max_depth_(max_depth) {}

  absl::Status Run() {
    SkipWs();
    if (p_ >= end_) return Error("empty event");
    if (*p_ != '{') {
      if (*p_ == '[' || *p_ == '"' || *p_ == '-' || (*p_ >= '0' && *p_ <= '9') || *p_ == 't' ||
          *p_ == 'f' || *p_ == 'n') {
        return absl::InvalidArgumentError(absl::StrCat("event must be a JSON object (found ",
                                                       *p_ == '[' ? "an array" : "a scalar",
                                                       " at byte ", p_ - begin_, ")"));
      }
      return Error("expected '{'");
    }
    if (!ParseObject(0, 1)) return Status();
    SkipWs();
    if (p_ != end_) return Error("unexpected text after the event object");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(const char* why) {
    err_ = why;
    err_at_ = p_;
    return Status();
  }
  absl::Status Status() const {
    if (deep_) {
      return absl::InvalidArgumentError(absl::StrCat("event nesting is deeper than ", max_depth_,
                                                     " levels (at byte ", err_at_ - begin_, ")"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSON at byte ", err_at_ - begin_, ": ", err_));
  }
  bool Fail(const char* why, const char* at) {
    err_ = why;
    err_at_ = at;
    return false;
  }
  bool TooDeep(const char* at) {
    deep_ = true;
    return Fail("too deep", at);
  }

  void SkipWs() {
    while (p_ < end_ && IsWs(*p_)) ++p_;
  }

  // p_ at the opening quote. On success p_ is past the closing quote.
  bool ScanString(std::string_view* body, bool* escaped) {
    const char* s = p_ + 1;
    *escaped = false;
    while (true) {
#if defined(__SSE2__)
      if (end_ - s >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
        int mask = _mm_movemask_epi8(hit);
        if (mask == 0) {
          s += 16;
          continue;
        }
        s += __builtin_ctz(static_cast<unsigned>(mask));
      } else
#endif
      {
        while (s < end_ && *s != '"' && *s != '\\' && static_cast<unsigned char>(*s) >= 0x20) ++s;
        if (s >= end_) return Fail("unterminated string", p_);
      }
      if (*s == '"') {
        *body = std::string_view(p_ + 1, s - p_ - 1);
        p_ = s + 1;
        return true;
      }
      if (*s == '\\') {
        *escaped = true;
        if (s + 1 >= end_) return Fail("unterminated string", p_);
        s += 2;
        continue;
      }
      return Fail("control character in string", s);
    }
  }

  // p_ at the first byte of a number or literal; on success p_ is past it.
  bool ScanScalar(std::string_view* raw, LeafValue::Kind* kind) {
    const char* s = p_;
    while (s < end_ && *s != ',' && *s != '}' && *s != ']' && !IsWs(*s)) ++s;
    std::string_view t(p_, s - p_);
    if (t == "true") {
      *kind = LeafValue::Kind::kTrue;
    } else if (t == "false") {
      *kind = LeafValue::Kind::kFalse;
    } else if (t == "null") {
      *kind = LeafValue::Kind::kNull;
    } else if (IsJsonNumber(t)) {
      *kind = LeafValue::Kind::kNumber;
    } else {
      return Fail(t.empty()                                     ? "expected a value"
                  : (t[0] == 't' || t[0] == 'f' || t[0] == 'n') ? "invalid literal"
                                                                : "invalid value",
                  p_);
    }
    *raw = t;
    p_ = s;
    return true;
  }

  // p_ at '{' or '[' opening a container at nesting `depth`; skips past its end.
  bool SkipContainer(int depth) {
    SkipResult r = kSkip(p_ + 1, end_, depth, max_depth_);
    if (r.outcome == SkipResult::kOk) {
      p_ = r.at;
      return true;
    }
    if (r.outcome == SkipResult::kTooDeep) return TooDeep(r.at);
    return Fail("unexpected end of input", p_);
  }

  bool SkipValue(int depth) {
    if (p_ >= end_) return Fail("unexpected end of input", p_);
    char c = *p_;
    if (c == '{' || c == '[') {
      if (depth + 1 > max_depth_) return TooDeep(p_);
      return SkipContainer(depth + 1);
    }
    if (c == '"') {
      std::string_view body;
      bool escaped;
      return ScanString(&body, &escaped);
    }
    std::string_view raw;
    LeafValue::Kind kind;
    return ScanScalar(&raw, &kind);
  }

  bool Leaf(uint32_t field, LeafValue::Kind kind, std::string_view text, bool transient = false) {
    LeafValue v;
    v.kind = kind;
    v.text = text;
    st_.OnLeaf(field, v, transient);
    return true;
  }

  // Reads the value at p_ for path node `node` (kNone: no rule reads it).
  bool ParseValue(uint32_t node, int depth) {
    if (node == kNone) return SkipValue(depth);
    if (p_ >= end_) return Fail("unexpected end of input", p_);
    const PathNode& n = a_.nodes[node];
    char c = *p_;
    if (c == '{') {
      if (n.small.empty() && n.large.empty()) return SkipValue(depth);
      if (depth + 1 > max_depth_) return TooDeep(p_);
      return ParseObject(node, depth + 1);
    }
    if (c == '[') {
      if (depth + 1 > max_depth_) return TooDeep(p_);
      return ParseArray(node, depth + 1);
    }
    if (n.field == kNone) return SkipValue(depth);
    if (c == '"') {
      std::string_view body;
      bool escaped;
      const char* start = p_;
      if (!ScanString(&body, &escaped)) return false;
      if (escaped) {
        std::string& buf = st_.unescape_buffer();
        buf.clear();
        const char* why = nullptr;
        if (!UnescapeJsonString(body, &buf, &why)) return Fail(why, start);
        body = buf;
      }
      return Leaf(n.field, LeafValue::Kind::kString, body, /*transient=*/escaped);
    }
    std::string_view raw;
    LeafValue::Kind kind;
    if (!ScanScalar(&raw, &kind)) return false;
    return Leaf(n.field, kind, raw);
  }

  bool ParseArray(uint32_t node, int depth) {
    ++p_;
    SkipWs();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    st_.EnterArray();
    while (true) {
      SkipWs();
      if (!ParseValue(node, depth)) return false;
      SkipWs();
      if (p_ >= end_) return Fail("unexpected end of input", p_);
      if (*p_ == ',') {
        ++p_;
        st_.NextElement();
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        st_.LeaveArray();
        return true;
      }
      return Fail("expected ',' or ']'", p_);
    }
  }

  bool ParseObject(uint32_t node, int depth) {
    ++p_;
    SkipWs();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      SkipWs();
      if (p_ >= end_ || *p_ != '"') return Fail("expected a string key", p_);
      std::string_view key;
      bool escaped;
      const char* start = p_;
      if (!ScanString(&key, &escaped)) return false;
      if (escaped) {
        std::string& buf = st_.key_buffer();
        buf.clear();
        const char* why = nullptr;
        if (!UnescapeJsonString(key, &buf, &why)) return Fail(why, start);
        key = buf;
      }
      uint32_t child = Descend(a_.nodes, node, key);
      SkipWs();
      if (p_ >= end_ || *p_ != ':') return Fail("expected ':' after key", p_);
      ++p_;
      SkipWs();
      if (!ParseValue(child, depth)) return false;
      SkipWs();
      if (p_ >= end_) return Fail("unexpected end of input", p_);
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      return Fail("expected ',' or '}'", p_);
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const Automaton& a_;
  MatchState& st_;
  const int max_depth_;
  const char* err_ = "";
  const char* err_at_ = nullptr;
  bool deep_ = false;
};

}  // namespace

absl::Status FlattenEvent(const Automaton& a, std::string_view event, int max_depth,
                          MatchState& state) {
  return Walker(a, event, max_depth, state).Run();
}

}  // namespace busbar::matcher::internal
