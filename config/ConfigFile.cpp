//===--- ConfigFile.cpp - .gilport.yaml reader ----------------------------===//

#include "config/ConfigFile.h"

#include "config/YamlLocation.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

/// yaml-cpp keeps both entries of a repeated key and the later silently
/// wins; a repeated key is almost always a merge mistake, so it is an error.
class KeySet {
public:
  void add(const YAML::Node &KeyNode, const std::string &Key) {
    auto [It, Inserted] =
        Lines.try_emplace(Key, static_cast<unsigned>(KeyNode.Mark().line + 1));
    if (!Inserted)
      fail(KeyNode, "duplicate key '" + Key + "' (first given on line " +
                        std::to_string(It->second) + ")");
  }

private:
  std::map<std::string, unsigned> Lines;
};

void parseRoot(const YAML::Node &Root, FileConfig &Out) {
  if (Root.IsNull())
    return;
  if (!Root.IsMap())
    fail(Root, "expected a mapping of configuration keys");
  KeySet Seen;
  for (const auto &Entry : Root) {
    const YAML::Node &KeyNode = Entry.first;
    const YAML::Node &Value = Entry.second;
    std::string Key = KeyNode.Scalar();
    Seen.add(KeyNode, Key);
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
    } else if (Key == "CheckGenerated") {
      Out.CheckGenerated = scalar(Value, Key);
    } else if (Key == "TargetPython") {
      Out.TargetPython = scalar(Value, Key);
    } else if (Key == "ThreadUnsafeTests") {
      Out.ThreadUnsafeTests = scalarList(Value, Key);
    } else if (Key == "CheckOptions") {
      if (Value.IsNull())
        continue;
      if (!Value.IsMap())
        fail(Value, "value of 'CheckOptions' must be a mapping of "
                    "'check-name.Option: value'");
      KeySet SeenOptions;
      for (const auto &Option : Value) {
        std::string OptionKey = Option.first.Scalar();
        SeenOptions.add(Option.first, OptionKey);
        ConfigValue OptionValue = scalar(Option.second, OptionKey);
        OptionValue.Line = static_cast<unsigned>(Option.first.Mark().line + 1);
        Out.CheckOptions[OptionKey] = OptionValue;
      }
    } else {
      fail(KeyNode, "unknown key '" + Key +
                        "' (expected Checks, CheckOptions, WarningsAsErrors, "
                        "ExcludePaths, Python, ExtraArgs, MinimumPython, "
                        "Targets, TargetPython, CheckGenerated or "
                        "ThreadUnsafeTests)");
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

namespace {

const char *fileKind(mode_t Mode) {
  if (S_ISDIR(Mode))
    return "a directory";
  if (S_ISFIFO(Mode))
    return "a FIFO";
  if (S_ISCHR(Mode))
    return "a character device";
  if (S_ISBLK(Mode))
    return "a block device";
  if (S_ISSOCK(Mode))
    return "a socket";
  return "not a regular file";
}

} // namespace

bool readConfigFile(const std::string &Path, FileConfig &Out,
                    std::string &Error) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever.
  int FD = ::open(Path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (FD < 0) {
    int Errno = errno;
    struct stat Link;
    if (Errno == ENOENT && ::lstat(Path.c_str(), &Link) == 0 &&
        S_ISLNK(Link.st_mode))
      Error = Path + ": configuration file is a symbolic link to a file "
                     "that does not exist";
    else
      Error =
          Path + ": cannot read configuration file: " + std::strerror(Errno);
    return false;
  }
  std::string Text;
  struct stat Status;
  if (::fstat(FD, &Status) != 0) {
    Error = Path + ": cannot read configuration file: " + std::strerror(errno);
  } else if (!S_ISREG(Status.st_mode)) {
    Error = Path + ": configuration file is " + fileKind(Status.st_mode) +
            ", not a regular file";
  } else {
    // Bounded: a file that grows while it is read, or a huge one, is not a
    // configuration anyone wrote by hand.
    char Chunk[1 << 14];
    while (Error.empty()) {
      ssize_t Got = ::read(FD, Chunk, sizeof(Chunk));
      if (Got < 0 && errno == EINTR)
        continue;
      if (Got < 0)
        Error =
            Path + ": cannot read configuration file: " + std::strerror(errno);
      else if (Got == 0)
        break;
      else if (Text.size() + Got > MaxConfigFileSize)
        Error = Path + ": configuration file is larger than " +
                std::to_string(MaxConfigFileSize >> 20) + " MiB";
      else
        Text.append(Chunk, Got);
    }
  }
  ::close(FD);
  if (!Error.empty())
    return false;
  return parseConfig(Text, Path, Out, Error);
}

} // namespace gilport
