// Pattern parsing and validation; see pattern_parser.h.
//
// The pattern JSON is read into a JsonValue tree, then walked once: objects
// descend (joining keys with '.'), arrays are leaves whose items are exact values
// or operator objects, and every `$or` multiplies the conjunctions found so far
// by its branches. Errors name the dotted path of the offending field.
#include "matcher/pattern_parser.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
#include "matcher/json_value.h"
#include "matcher/text.h"
#include "matcher/wildcard.h"
#include "re2/re2.h"

namespace busbar::matcher::internal {
namespace {

using Type = JsonValue::Type;

constexpr char kPrefix[] = "Event pattern is not valid. Reason: ";

absl::Status Fail(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat(kPrefix, path.empty() ? std::string("pattern") : path, ": ", what));
}

std::string Quote(const std::string& s) {
  std::string out;
  base::AppendJsonString(s, &out);
  return out;
}

class PatternParser {
 public:
  explicit PatternParser(const Options& options) : options_(options) {}

  absl::StatusOr<std::vector<Conjunction>> ParseObject(const JsonValue& obj,
                                                       const std::string& prefix) {
    if (obj.members.empty()) return Fail(prefix, "must contain at least one field");
    std::vector<Conjunction> result(1);
    std::set<std::string> keys;
    for (const auto& [key, value] : obj.members) {
      if (!keys.insert(key).second) return Fail(prefix, absl::StrCat("duplicate key ", Quote(key)));
      std::vector<Conjunction> branches;
      if (key == "$or") {
        auto b = ParseOr(value, prefix);
        if (!b.ok()) return b.status();
        branches = std::move(*b);
      } else {
        std::string path = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
        if (value.type == Type::kObject) {
          auto b = ParseObject(value, path);
          if (!b.ok()) return b.status();
          branches = std::move(*b);
        } else if (value.type == Type::kArray) {
          auto f = ParseLeaf(value, path);
          if (!f.ok()) return f.status();
          branches.push_back(Conjunction{std::move(*f)});
        } else {
          return Fail(path, absl::StrCat("must be an object or an array, not ", value.TypeName()));
        }
      }
      if (result.size() * branches.size() > static_cast<size_t>(options_.max_or_combinations)) {
        return Fail(prefix, absl::StrCat("$or expands to more than ", options_.max_or_combinations,
                                         " combinations"));
      }
      std::vector<Conjunction> product;
      product.reserve(result.size() * branches.size());
      for (const Conjunction& left : result) {
        for (const Conjunction& right : branches) {
          Conjunction c = left;
          c.insert(c.end(), right.begin(), right.end());
          if (c.size() > kMaxFieldsPerConjunction) {
            return Fail(prefix, absl::StrCat("more than ", kMaxFieldsPerConjunction,
                                             " fields in one pattern"));
          }
          product.push_back(std::move(c));
        }
      }
      result = std::move(product);
    }
    return result;
  }

 private:
  absl::StatusOr<std::vector<Conjunction>> ParseOr(const JsonValue& v, const std::string& prefix) {
    std::string where = prefix.empty() ? "$or" : absl::StrCat(prefix, ".$or");
    if (v.type != Type::kArray) return Fail(where, "must be an array of objects");
    if (v.items.size() < 2) return Fail(where, "must contain at least two objects");
    std::vector<Conjunction> out;
    for (const JsonValue& item : v.items) {
      if (item.type != Type::kObject) {
        return Fail(where, absl::StrCat("items must be objects, not ", item.TypeName()));
      }
      auto sub = ParseObject(item, prefix);
      if (!sub.ok()) return sub.status();
      for (auto& c : *sub) out.push_back(std::move(c));
    }
    return out;
  }

  absl::StatusOr<FieldTest> ParseLeaf(const JsonValue& arr, const std::string& path) {
    if (arr.items.empty()) return Fail(path, "must not be an empty array");
    FieldTest ft;
    ft.path = path;
    for (const JsonValue& item : arr.items) {
      switch (item.type) {
        case Type::kString: {
          Condition c;
          c.kind = CondKind::kString;
          c.text = item.text;
          ft.alternatives.push_back(std::move(c));
          break;
        }
        case Type::kNumber: {
          auto c = NumberCondition(item, path);
          if (!c.ok()) return c.status();
          ft.alternatives.push_back(std::move(*c));
          break;
        }
        case Type::kBool:
        case Type::kNull: {
          Condition c;
          c.kind = item.type == Type::kNull ? CondKind::kNull
                   : item.boolean           ? CondKind::kTrue
                                            : CondKind::kFalse;
          ft.alternatives.push_back(std::move(c));
          break;
        }
        case Type::kArray:
          return Fail(path, "arrays inside a value list are not allowed");
        case Type::kObject: {
          auto s = ParseOperator(item, path, &ft);
          if (!s.ok()) return s;
          break;
        }
      }
    }
    return ft;
  }

  absl::StatusOr<Condition> NumberCondition(const JsonValue& v, const std::string& path) {
    Condition c;
    c.kind = CondKind::kNumber;
    c.text = v.text;
    if (!ParseDouble(v.text, &c.number)) {
      return Fail(path, absl::StrCat("invalid number ", v.text));
    }
    // A number beyond the double range is matched by its text, like any other
    // number that does not round-trip.
    c.round_trips = RoundTrips(v.text, c.number);
    return c;
  }

  absl::Status ParseOperator(const JsonValue& obj, const std::string& path, FieldTest* ft) {
    if (obj.members.size() != 1) {
      return Fail(path, obj.members.empty() ? "an operator object must not be empty"
                                            : "an operator object must have exactly one operator");
    }
    const std::string& op = obj.members[0].first;
    const JsonValue& arg = obj.members[0].second;
    Condition c;
    if (op == "prefix" || op == "suffix") {
      bool prefix = op == "prefix";
      if (arg.type == Type::kString) {
        c.kind = prefix ? CondKind::kPrefix : CondKind::kSuffix;
        c.text = arg.text;
      } else if (arg.type == Type::kObject && arg.members.size() == 1 &&
                 arg.members[0].first == "equals-ignore-case") {
        const JsonValue& s = arg.members[0].second;
        if (s.type != Type::kString) {
          return Fail(path,
                      absl::StrCat(op, " equals-ignore-case must be a string, not ", s.TypeName()));
        }
        c.kind = prefix ? CondKind::kPrefixCI : CondKind::kSuffixCI;
        FoldCase(s.text, &c.text);
      } else {
        return Fail(path,
                    absl::StrCat(op, " must be a string or {\"equals-ignore-case\": string}, not ",
                                 arg.TypeName()));
      }
    } else if (op == "equals-ignore-case") {
      if (arg.type != Type::kString) {
        return Fail(path,
                    absl::StrCat("equals-ignore-case must be a string, not ", arg.TypeName()));
      }
      c.kind = CondKind::kEqualsCI;
      FoldCase(arg.text, &c.text);
    } else if (op == "wildcard") {
      if (arg.type != Type::kString) {
        return Fail(path, absl::StrCat("wildcard must be a string, not ", arg.TypeName()));
      }
      auto w = Wildcard::Parse(arg.text, options_.max_wildcard_complexity);
      if (!w.ok()) return Fail(path, std::string(w.status().message()));
      c.kind = CondKind::kWildcard;
      c.text = arg.text;
    } else if (op == "regexp") {
      if (!options_.allow_regexp) {
        return Fail(path, "regexp is a Busbar extension, disabled by --strict-eventbridge");
      }
      if (arg.type != Type::kString) {
        return Fail(path, absl::StrCat("regexp must be a string, not ", arg.TypeName()));
      }
      RE2::Options o;
      o.set_log_errors(false);
      RE2 re(arg.text, o);
      if (!re.ok()) return Fail(path, absl::StrCat("invalid regexp: ", re.error()));
      c.kind = CondKind::kRegexp;
      c.text = arg.text;
    } else if (op == "numeric") {
      auto s = ParseNumeric(arg, path, &c);
      if (!s.ok()) return s;
    } else if (op == "cidr") {
      if (arg.type != Type::kString) {
        return Fail(path, absl::StrCat("cidr must be a string, not ", arg.TypeName()));
      }
      IpAddress base;
      int len;
      if (!ParseCidr(arg.text, &base, &len)) {
        return Fail(path, absl::StrCat("malformed CIDR block ", Quote(arg.text)));
      }
      c.kind = CondKind::kCidr;
      c.text = arg.text;
    } else if (op == "exists") {
      if (arg.type != Type::kBool) {
        return Fail(path, absl::StrCat("exists must be true or false, not ", arg.TypeName()));
      }
      if (!arg.boolean) {
        ft->absent_ok = true;
        return absl::OkStatus();
      }
      c.kind = CondKind::kExists;
    } else if (op == "anything-but") {
      auto s = ParseAnythingBut(arg, path, &c);
      if (!s.ok()) return s;
    } else {
      return Fail(path, absl::StrCat("unknown operator ", Quote(op)));
    }
    ft->alternatives.push_back(std::move(c));
    return absl::OkStatus();
  }

  absl::Status ParseNumeric(const JsonValue& arg, const std::string& path, Condition* c) {
    c->kind = CondKind::kNumeric;
    if (arg.type != Type::kArray) {
      return Fail(path,
                  absl::StrCat("numeric must be an array like [\">\", 0], not ", arg.TypeName()));
    }
    const auto& it = arg.items;
    if (it.empty()) return Fail(path, "numeric must not be empty");
    if (it.size() % 2 != 0) return Fail(path, "numeric has an operator without a value");
    if (it.size() > 4) return Fail(path, "numeric takes at most two comparisons");
    for (size_t i = 0; i < it.size(); i += 2) {
      if (it[i].type != Type::kString) {
        return Fail(path,
                    absl::StrCat("numeric operator must be a string, not ", it[i].TypeName()));
      }
      const std::string& op = it[i].text;
      if (it[i + 1].type != Type::kNumber) {
        return Fail(path, absl::StrCat("numeric value after ", Quote(op), " must be a number, not ",
                                       it[i + 1].TypeName()));
      }
      double v;
      if (!ParseDouble(it[i + 1].text, &v) || !std::isfinite(v)) {
        return Fail(path, absl::StrCat("numeric value ", it[i + 1].text, " is out of range"));
      }
      if (op == "=") {
        if (it.size() != 2) return Fail(path, "numeric \"=\" cannot be combined with a range");
        c->has_lo = c->has_hi = c->lo_inclusive = c->hi_inclusive = true;
        c->lo = c->hi = v;
      } else if (op == ">" || op == ">=") {
        if (c->has_lo) return Fail(path, "numeric has two lower bounds");
        if (i != 0) return Fail(path, "numeric range must give the lower bound first");
        c->has_lo = true;
        c->lo_inclusive = op == ">=";
        c->lo = v;
      } else if (op == "<" || op == "<=") {
        if (c->has_hi) return Fail(path, "numeric has two upper bounds");
        c->has_hi = true;
        c->hi_inclusive = op == "<=";
        c->hi = v;
      } else {
        return Fail(path, absl::StrCat("unknown numeric operator ", Quote(op)));
      }
    }
    if (it.size() == 4) {
      if (!c->has_lo || !c->has_hi)
        return Fail(path, "numeric range needs a lower and an upper bound");
      if (!(c->lo < c->hi))
        return Fail(path, "numeric range is empty (lower bound not below upper)");
    }
    return absl::OkStatus();
  }

  // Reads the strings of `v` (a string or a non-empty list of strings) into `out`.
  absl::Status StringsOf(const JsonValue& v, const std::string& path, const std::string& what,
                         bool allow_empty, std::vector<std::string>* out) {
    std::vector<const JsonValue*> items;
    if (v.type == Type::kArray) {
      if (v.items.empty()) return Fail(path, absl::StrCat(what, " must not be an empty list"));
      for (const auto& i : v.items) items.push_back(&i);
    } else {
      items.push_back(&v);
    }
    for (const JsonValue* i : items) {
      if (i->type != Type::kString) {
        return Fail(path, absl::StrCat(what, " must be a string or a list of strings, not ",
                                       i->TypeName()));
      }
      if (!allow_empty && i->text.empty()) {
        return Fail(path, absl::StrCat(what, " must not be an empty string"));
      }
      out->push_back(i->text);
    }
    return absl::OkStatus();
  }

  absl::Status ParseAnythingBut(const JsonValue& arg, const std::string& path, Condition* c) {
    c->kind = CondKind::kAnythingBut;
    auto add = [&](CondKind kind, std::string text) {
      Condition e;
      e.kind = kind;
      e.text = std::move(text);
      c->excluded.push_back(std::move(e));
    };
    switch (arg.type) {
      case Type::kString:
        add(CondKind::kString, arg.text);
        return absl::OkStatus();
      case Type::kNumber: {
        auto n = NumberCondition(arg, path);
        if (!n.ok()) return n.status();
        c->excluded.push_back(std::move(*n));
        return absl::OkStatus();
      }
      case Type::kNull:
        return Fail(path, "anything-but cannot be null");
      case Type::kBool:
        return Fail(path,
                    "anything-but must be a string, a number, a list of either, or an object");
      case Type::kArray: {
        if (arg.items.empty()) return Fail(path, "anything-but must not be an empty list");
        Type first = arg.items[0].type;
        for (const JsonValue& i : arg.items) {
          if (i.type == Type::kNull) return Fail(path, "anything-but list cannot contain null");
          if (i.type != Type::kString && i.type != Type::kNumber) {
            return Fail(path,
                        absl::StrCat("anything-but list items must be strings or numbers, not ",
                                     i.TypeName()));
          }
          if (i.type != first) {
            return Fail(path, "anything-but list must hold only strings or only numbers");
          }
          if (i.type == Type::kString) {
            add(CondKind::kString, i.text);
          } else {
            auto n = NumberCondition(i, path);
            if (!n.ok()) return n.status();
            c->excluded.push_back(std::move(*n));
          }
        }
        return absl::OkStatus();
      }
      case Type::kObject:
        break;
    }
    if (arg.members.size() != 1) {
      return Fail(path, "anything-but object must have exactly one operator");
    }
    const std::string& op = arg.members[0].first;
    const JsonValue& v = arg.members[0].second;
    std::vector<std::string> values;
    std::string what = absl::StrCat("anything-but ", op);
    if (op == "prefix" || op == "suffix") {
      if (v.type == Type::kObject) {
        return Fail(path,
                    absl::StrCat("anything-but ", op,
                                 " cannot nest another operator (such as equals-ignore-case)"));
      }
      auto s = StringsOf(v, path, what, /*allow_empty=*/false, &values);
      if (!s.ok()) return s;
      for (auto& t : values) add(op == "prefix" ? CondKind::kPrefix : CondKind::kSuffix, t);
    } else if (op == "equals-ignore-case") {
      auto s = StringsOf(v, path, what, /*allow_empty=*/true, &values);
      if (!s.ok()) return s;
      for (auto& t : values) {
        std::string folded;
        FoldCase(t, &folded);
        add(CondKind::kEqualsCI, std::move(folded));
      }
    } else if (op == "wildcard") {
      auto s = StringsOf(v, path, what, /*allow_empty=*/true, &values);
      if (!s.ok()) return s;
      for (auto& t : values) {
        auto w = Wildcard::Parse(t, options_.max_wildcard_complexity);
        if (!w.ok()) return Fail(path, std::string(w.status().message()));
        add(CondKind::kWildcard, t);
      }
    } else {
      return Fail(path, absl::StrCat("unknown anything-but operator ", Quote(op)));
    }
    return absl::OkStatus();
  }

  const Options& options_;
};

}  // namespace

std::string Condition::Canonical() const {
  std::string out = absl::StrCat(static_cast<int>(kind), ":");
  switch (kind) {
    case CondKind::kNumber:
      if (round_trips) {
        absl::StrAppend(&out, "n", NumberKey(number));
      } else {
        absl::StrAppend(&out, "t", text);
      }
      break;
    case CondKind::kNumeric:
      absl::StrAppend(&out, has_lo, lo_inclusive, NumberKey(lo), ",", has_hi, hi_inclusive,
                      NumberKey(hi));
      break;
    case CondKind::kAnythingBut:
      for (const Condition& e : excluded) absl::StrAppend(&out, "[", e.Canonical(), "]");
      break;
    default:
      base::AppendJsonString(text, &out);
  }
  return out;
}

std::string FieldTest::Canonical() const {
  std::set<std::string> alts;
  for (const Condition& c : alternatives) alts.insert(c.Canonical());
  std::string out;
  base::AppendJsonString(path, &out);
  absl::StrAppend(&out, absent_ok ? "?" : "!");
  for (const auto& a : alts) absl::StrAppend(&out, "|", a);
  return out;
}

absl::StatusOr<ParsedPattern> ParsePattern(std::string_view json, const Options& options) {
  auto doc = ParseJson(json);
  if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat(kPrefix, doc.status().message()));
  if (doc->type != Type::kObject) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPrefix, "pattern must be a JSON object, not ", doc->TypeName()));
  }
  PatternParser parser(options);
  auto conj = parser.ParseObject(*doc, "");
  if (!conj.ok()) return conj.status();
  ParsedPattern p;
  p.conjunctions = std::move(*conj);
  return p;
}

}  // namespace busbar::matcher::internal
