//===--- ConfigFile.cpp - .gilport.yaml reader ----------------------------===//

#include "config/ConfigFile.h"

#include "config/YamlLocation.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace gilport {
namespace {

/// Thrown inside this file only; converted to an error string at the API.
struct ConfigProblem {
  YAML::Mark Mark;
  std::string Message;
};

[[noreturn]] void fail(const YAML::Node &Node, std::string Message) {
  throw ConfigProblem{Node.Mark(), std::move(Message)};
}

ConfigValue scalar(const YAML::Node &Node, const std::string &Key) {
  if (!Node.IsScalar())
    fail(Node, "value of '" + Key + "' must be a scalar");
  return ConfigValue{Node.Scalar(), static_cast<unsigned>(Node.Mark().line + 1)};
}

std::vector<ConfigValue> scalarList(const YAML::Node &Node,
                                    const std::string &Key) {
  std::vector<ConfigValue> Values;
  if (Node.IsScalar()) {
    Values.push_back(scalar(Node, Key));
    return Values;
  }
  if (!Node.IsSequence())
    fail(Node, "value of '" + Key + "' must be a list of strings");
  for (const YAML::Node &Item : Node)
    Values.push_back(scalar(Item, Key));
  return Values;
}

ConfigValue joinedGlobs(const YAML::Node &Node, const std::string &Key) {
  std::vector<ConfigValue> Items = scalarList(Node, Key);
  ConfigValue Joined{"", static_cast<unsigned>(Node.Mark().line + 1)};
  for (const ConfigValue &Item : Items) {
    if (!Joined.Value.empty())
      Joined.Value += ",";
    Joined.Value += Item.Value;
  }
  return Joined;
}

void parseRoot(const YAML::Node &Root, FileConfig &Out) {
  if (Root.IsNull())
    return;
  if (!Root.IsMap())
    fail(Root, "expected a mapping of configuration keys");
  for (const auto &Entry : Root) {
    const YAML::Node &KeyNode = Entry.first;
    const YAML::Node &Value = Entry.second;
    std::string Key = KeyNode.Scalar();
    if (Key == "Checks") {
      Out.Checks = joinedGlobs(Value, Key);
    } else if (Key == "WarningsAsErrors") {
      Out.WarningsAsErrors = joinedGlobs(Value, Key);
    } else if (Key == "ExcludePaths") {
      Out.ExcludePaths = scalarList(Value, Key);
    } else if (Key == "ExtraArgs") {
      Out.ExtraArgs = scalarList(Value, Key);
    } else if (Key == "Python") {
      Out.Python = scalar(Value, Key);
    } else if (Key == "MinimumPython") {
      Out.MinimumPython = scalar(Value, Key);
    } else if (Key == "Targets") {
      Out.Targets = scalarList(Value, Key);
      if (Out.Targets->empty())
        fail(Value, "'Targets' is empty; leave it out to follow what each "
                    "module declares");
    } else if (Key == "CheckOptions") {
      if (Value.IsNull())
        continue;
      if (!Value.IsMap())
        fail(Value, "value of 'CheckOptions' must be a mapping of "
                    "'check-name.Option: value'");
      for (const auto &Option : Value) {
        std::string OptionKey = Option.first.Scalar();
        ConfigValue OptionValue = scalar(Option.second, OptionKey);
        OptionValue.Line = static_cast<unsigned>(Option.first.Mark().line + 1);
        Out.CheckOptions[OptionKey] = OptionValue;
      }
    } else {
      fail(KeyNode, "unknown key '" + Key +
                        "' (expected Checks, CheckOptions, WarningsAsErrors, "
                        "ExcludePaths, Python, ExtraArgs, MinimumPython or "
                        "Targets)");
    }
  }
}

} // namespace

bool parseConfig(const std::string &Text, const std::string &Path,
                 FileConfig &Out, std::string &Error) {
  Out = FileConfig();
  Out.Path = Path;
  try {
    parseRoot(YAML::Load(Text), Out);
  } catch (const ConfigProblem &Problem) {
    Error = yamlLocation(Path, Problem.Mark) + ": " + Problem.Message;
    return false;
  } catch (const YAML::Exception &E) {
    Error = yamlLocation(Path, E.mark) + ": " + E.msg;
    return false;
  }
  return true;
}

bool readConfigFile(const std::string &Path, FileConfig &Out,
                    std::string &Error) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Error = Path + ": cannot read configuration file";
    return false;
  }
  std::ostringstream Text;
  Text << In.rdbuf();
  return parseConfig(Text.str(), Path, Out, Error);
}

} // namespace gilport
