// Wildcard parsing, complexity measurement and matching; see wildcard.h.
//
// Matching: the first piece must be a prefix and the last a suffix; the middle
// pieces are found left to right, each at its leftmost occurrence. Leftmost
// placement is optimal for `*`-only globs, so no backtracking is needed.
#include "matcher/wildcard.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"

namespace busbar::matcher::internal {

absl::StatusOr<Wildcard> Wildcard::Parse(std::string_view pattern, int max_complexity) {
  Wildcard w;
  w.pieces_.emplace_back();
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
        w.pieces_.back().push_back(pattern[++i]);
        continue;
      }
      return absl::InvalidArgumentError(absl::StrCat("invalid escape at character ", i,
                                                     " of wildcard \"", std::string(pattern),
                                                     "\" (only \\* and \\\\ are allowed)"));
    }
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        return absl::InvalidArgumentError(
            absl::StrCat("consecutive wildcard characters at character ", i, " of \"",
                         std::string(pattern), "\""));
      }
      w.has_star_ = true;
      w.pieces_.emplace_back();
      continue;
    }
    w.pieces_.back().push_back(c);
  }
  if (w.has_star_) {
    std::vector<std::string> middle(w.pieces_.begin(), w.pieces_.end());
    int complexity = Complexity(middle, true, true, max_complexity);
    if (complexity > max_complexity) {
      return absl::InvalidArgumentError(absl::StrCat(
          "wildcard \"", std::string(pattern), "\" is too complex (more than ", max_complexity,
          " partial matches can be alive at once; limit ", max_complexity, ")"));
    }
  }
  return w;
}

int Wildcard::Complexity(const std::vector<std::string>& pieces, bool, bool, int cap) {
  // Tokens: literal bytes, and -1 for a star between pieces.
  std::vector<int> tok;
  for (size_t p = 0; p < pieces.size(); ++p) {
    if (p > 0) tok.push_back(-1);
    for (char c : pieces[p]) tok.push_back(static_cast<unsigned char>(c));
  }
  const int n = static_cast<int>(tok.size());
  // Alphabet: every literal byte plus one byte that appears nowhere.
  std::vector<int> alphabet;
  for (int t : tok) {
    if (t >= 0) alphabet.push_back(t);
  }
  std::sort(alphabet.begin(), alphabet.end());
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  alphabet.push_back(-2);

  auto closure = [&](std::vector<int> s) {
    std::vector<int> out;
    for (size_t i = 0; i < s.size(); ++i) {
      int st = s[i];
      out.push_back(st);
      if (st < n && tok[st] == -1) s.push_back(st + 1);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  // Alive partial matches: states that are not yet the accepting end.
  auto alive = [&](const std::vector<int>& s) {
    return static_cast<int>(std::count_if(s.begin(), s.end(), [&](int st) { return st < n; }));
  };
  std::set<std::vector<int>> seen;
  std::vector<std::vector<int>> work{closure({0})};
  int worst = 0;
  const size_t kMaxExplored = 20000;
  while (!work.empty()) {
    std::vector<int> s = std::move(work.back());
    work.pop_back();
    if (!seen.insert(s).second) continue;
    worst = std::max(worst, alive(s));
    if (worst > cap || seen.size() > kMaxExplored) return cap + 1;
    for (int c : alphabet) {
      std::vector<int> next;
      for (int st : s) {
        if (st >= n) continue;
        if (tok[st] == -1) {
          next.push_back(st);
        } else if (tok[st] == c) {
          next.push_back(st + 1);
        }
      }
      if (next.empty()) continue;
      next = closure(std::move(next));
      if (!seen.count(next)) work.push_back(std::move(next));
    }
  }
  return worst;
}

bool Wildcard::Matches(std::string_view v) const {
  if (!has_star_) return v == pieces_[0];
  const std::string& first = pieces_.front();
  const std::string& last = pieces_.back();
  if (v.size() < first.size() + last.size()) return false;
  if (v.compare(0, first.size(), first) != 0) return false;
  if (v.compare(v.size() - last.size(), last.size(), last) != 0) return false;
  size_t pos = first.size();
  const size_t end = v.size() - last.size();
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    const std::string& p = pieces_[i];
    if (p.empty()) continue;
    size_t at = v.substr(0, end).find(p, pos);
    if (at == std::string_view::npos) return false;
    pos = at + p.size();
  }
  return true;
}

}  // namespace busbar::matcher::internal
