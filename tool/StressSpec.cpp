//===--- StressSpec.cpp - `gilport stress --spec` files -------------------===//
//
// Built with exceptions (yaml-cpp throws); converted to an error at the API.
//
//===----------------------------------------------------------------------===//

#include "tool/StressSpec.h"

#include "config/YamlLocation.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

namespace gilport {
namespace {

/// Thrown inside this file only.
struct SpecProblem {
  YAML::Mark Mark;
  std::string Message;
};

bool isDigit(char C) { return C >= '0' && C <= '9'; }

/// Skips an optional sign and then digits from \p I; returns how many digits.
size_t digits(const std::string &T, size_t &I) {
  size_t Start = I;
  while (I < T.size() && isDigit(T[I]))
    ++I;
  return I - Start;
}

/// `[-+]?\d+`
bool isInteger(const std::string &T) {
  size_t I = T.size() && (T[0] == '-' || T[0] == '+') ? 1 : 0;
  return digits(T, I) > 0 && I == T.size();
}

/// `[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?`
bool isFloat(const std::string &T) {
  size_t I = T.size() && (T[0] == '-' || T[0] == '+') ? 1 : 0;
  size_t Whole = digits(T, I);
  size_t Fraction = 0;
  if (I < T.size() && T[I] == '.') {
    ++I;
    Fraction = digits(T, I);
  }
  if (Whole == 0 && Fraction == 0)
    return false;
  if (I < T.size() && (T[I] == 'e' || T[I] == 'E')) {
    ++I;
    if (I < T.size() && (T[I] == '-' || T[I] == '+'))
      ++I;
    if (digits(T, I) == 0)
      return false;
  }
  return I == T.size();
}

/// What Python's int() makes of an isInteger() text, as JSON.
std::string integerJson(const std::string &T) {
  bool Negative = T[0] == '-';
  size_t I = T[0] == '-' || T[0] == '+' ? 1 : 0;
  while (I + 1 < T.size() && T[I] == '0')
    ++I;
  std::string Digits = T.substr(I);
  return Negative && Digits != "0" ? "-" + Digits : Digits;
}

/// The same decimal as an isFloat() text, in JSON's number syntax (which
/// Python reads as the same float, and as a float).
std::string floatJson(const std::string &T) {
  size_t I = T[0] == '-' || T[0] == '+' ? 1 : 0;
  std::string Out = T[0] == '-' ? "-" : "";
  size_t Start = I;
  digits(T, I);
  std::string Whole = T.substr(Start, I - Start);
  while (Whole.size() > 1 && Whole[0] == '0')
    Whole.erase(0, 1);
  std::string Fraction;
  if (I < T.size() && T[I] == '.') {
    Start = ++I;
    digits(T, I);
    Fraction = T.substr(Start, I - Start);
  }
  Out +=
      (Whole.empty() ? "0" : Whole) + "." + (Fraction.empty() ? "0" : Fraction);
  return Out + T.substr(I); // the exponent, if any
}

/// Python's repr() of \p D (the shortest text that reads back as \p D).
std::string pythonFloatRepr(double D) {
  if (std::isinf(D))
    return D > 0 ? "inf" : "-inf";
  if (D == 0)
    return std::signbit(D) ? "-0.0" : "0.0";
  char Buf[40];
  for (int Precision = 1; Precision <= 17; ++Precision) {
    std::snprintf(Buf, sizeof Buf, "%.*e", Precision - 1, D);
    if (std::strtod(Buf, nullptr) == D)
      break;
  }
  std::string Text = Buf;
  std::string Sign = Text[0] == '-' ? "-" : "";
  if (!Sign.empty())
    Text.erase(0, 1);
  size_t E = Text.find('e');
  int Exponent = std::atoi(Text.c_str() + E + 1);
  std::string Digits = Text.substr(0, E);
  Digits.erase(std::remove(Digits.begin(), Digits.end(), '.'), Digits.end());
  while (Digits.size() > 1 && Digits.back() == '0')
    Digits.pop_back();
  if (Exponent < -4 || Exponent >= 16) {
    std::string Mantissa = Digits.substr(0, 1);
    if (Digits.size() > 1)
      Mantissa += "." + Digits.substr(1);
    std::snprintf(Buf, sizeof Buf, "e%c%02d", Exponent < 0 ? '-' : '+',
                  std::abs(Exponent));
    return Sign + Mantissa + Buf;
  }
  if (Exponent < 0)
    return Sign + "0." + std::string(-Exponent - 1, '0') + Digits;
  if (Digits.size() <= static_cast<size_t>(Exponent) + 1)
    return Sign + Digits + std::string(Exponent + 1 - Digits.size(), '0') +
           ".0";
  return Sign + Digits.substr(0, Exponent + 1) + "." +
         Digits.substr(Exponent + 1);
}

void writeString(std::string &Out, const std::string &S) {
  Out += '"';
  for (unsigned char C : S) {
    if (C == '"' || C == '\\') {
      Out += '\\';
      Out += static_cast<char>(C);
    } else if (C == '\n') {
      Out += "\\n";
    } else if (C < 0x20) {
      char Buf[8];
      std::snprintf(Buf, sizeof Buf, "\\u%04x", C);
      Out += Buf;
    } else {
      Out += static_cast<char>(C);
    }
  }
  Out += '"';
}

class Converter {
public:
  explicit Converter(const std::string &Text) : Text(Text) {}

  void value(const YAML::Node &Node, std::string &Out) {
    switch (Node.Type()) {
    case YAML::NodeType::Undefined:
      Out += "null";
      return;
    case YAML::NodeType::Null: {
      std::string Word = nullWord(Node, /*AsKey=*/false);
      if (Word == "Null" || Word == "NULL")
        writeString(Out, Word);
      else
        Out += "null";
      return;
    }
    case YAML::NodeType::Scalar:
      if (Node.Tag() == "?")
        Out += plainJson(Node.Scalar());
      else
        writeString(Out, quotedText(Node));
      return;
    case YAML::NodeType::Sequence: {
      Out += '[';
      bool First = true;
      for (const YAML::Node &Item : Node) {
        if (!First)
          Out += ", ";
        First = false;
        value(Item, Out);
      }
      Out += ']';
      return;
    }
    case YAML::NodeType::Map: {
      bool Flow = Node.Style() == YAML::EmitterStyle::Flow;
      std::set<std::string> Seen;
      Out += '{';
      bool First = true;
      for (const auto &Entry : Node) {
        std::string Key = key(Entry.first, Flow);
        if (!Flow && !Seen.insert(Key).second)
          throw SpecProblem{Entry.first.Mark(), "duplicate key '" + Key + "'"};
        if (!First)
          Out += ", ";
        First = false;
        writeString(Out, Key);
        Out += ": ";
        value(Entry.second, Out);
      }
      Out += '}';
      return;
    }
    }
  }

private:
  const std::string &Text;

  /// A plain scalar, typed.
  static std::string plainJson(const std::string &T) {
    if (T.empty() || T == "null" || T == "~")
      return "null";
    if (T == "true" || T == "True")
      return "true";
    if (T == "false" || T == "False")
      return "false";
    if (isInteger(T))
      return integerJson(T);
    if (isFloat(T))
      return floatJson(T);
    std::string Out;
    writeString(Out, T);
    return Out;
  }

  /// What Python's str() makes of the typed plain scalar \p T.
  static std::string pythonStr(const std::string &T) {
    std::string Json = plainJson(T);
    if (Json == "null")
      return "None";
    if (Json == "true" || Json == "false")
      return Json == "true" ? "True" : "False";
    if (isInteger(T))
      return Json;
    if (isFloat(T))
      return pythonFloatRepr(std::strtod(Json.c_str(), nullptr));
    return T;
  }

  std::string key(const YAML::Node &Node, bool Flow) {
    if (Node.IsNull()) {
      std::string Word = nullWord(Node, /*AsKey=*/true);
      return Flow && Word != "Null" && Word != "NULL" ? "None" : Word;
    }
    if (!Node.IsScalar())
      throw SpecProblem{Node.Mark(), "complex keys are not supported"};
    return Flow && Node.Tag() == "?" ? pythonStr(Node.Scalar()) : Node.Scalar();
  }

  /// yaml-cpp reads the plain scalars null, Null, NULL, ~ and nothing as
  /// one null node; the harness types only null, ~ and nothing as null, so
  /// this reads which one was written at the node's position.
  std::string nullWord(const YAML::Node &Node, bool AsKey) const {
    YAML::Mark Mark = Node.Mark();
    if (Mark.pos < 0 || static_cast<size_t>(Mark.pos) >= Text.size())
      return "";
    for (const char *Word : {"null", "Null", "NULL", "~"}) {
      size_t Length = std::strlen(Word);
      if (Text.compare(Mark.pos, Length, Word) != 0)
        continue;
      size_t End = Mark.pos + Length;
      while (End < Text.size() && (Text[End] == ' ' || Text[End] == '\t'))
        ++End;
      char Next = End < Text.size() ? Text[End] : '\n';
      bool Ends =
          AsKey ? Next == ':' : std::strchr("\r\n#,]}", Next) != nullptr;
      return Ends ? Word : "";
    }
    return "";
  }

  /// A quoted or block scalar's text. A `|+` block keeps one final newline,
  /// as `|` does (the harness always read it so).
  std::string quotedText(const YAML::Node &Node) const {
    std::string Value = Node.Scalar();
    YAML::Mark Mark = Node.Mark();
    if (Mark.pos >= 0 && Text.compare(Mark.pos, 2, "|+") == 0) {
      while (!Value.empty() && Value.back() == '\n')
        Value.pop_back();
      Value += '\n';
    }
    return Value;
  }
};

} // namespace

bool isJsonSpec(const std::string &Text) {
  size_t First = Text.find_first_not_of(" \t\r\n\f\v");
  return First != std::string::npos &&
         (Text[First] == '{' || Text[First] == '[');
}

std::string stressSpecJson(const std::string &Text, const std::string &Path) {
  std::string Out;
  try {
    std::vector<YAML::Node> Documents = YAML::LoadAll(Text);
    if (Documents.size() > 1)
      throw SpecProblem{Documents[1].Mark(),
                        "a spec is one YAML document, not several"};
    Out = "{\"spec\": ";
    if (Documents.empty())
      Out += "null";
    else
      Converter(Text).value(Documents.front(), Out);
    return Out + "}\n";
  } catch (const SpecProblem &Problem) {
    Out = yamlLocation(Path, Problem.Mark) + ": " + Problem.Message;
  } catch (const YAML::Exception &E) {
    Out = yamlLocation(Path, E.mark) + ": " + E.msg;
  }
  std::string Error = "{\"error\": ";
  writeString(Error, Out);
  return Error + "}\n";
}

} // namespace gilport
