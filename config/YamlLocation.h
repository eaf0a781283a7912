//===--- YamlLocation.h - Where in a YAML file a problem is ------*- C++ -*-===//
//
// For the readers built with exceptions that report yaml-cpp's errors (the
// configuration file, the stress spec): `PATH:LINE:COLUMN`, or `PATH` when
// yaml-cpp knows no position.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CONFIG_YAMLLOCATION_H
#define GILPORT_CONFIG_YAMLLOCATION_H

#include <yaml-cpp/yaml.h>

#include <string>

namespace gilport {

inline std::string yamlLocation(const std::string &Path,
                                const YAML::Mark &Mark) {
  if (Mark.line < 0)
    return Path;
  return Path + ":" + std::to_string(Mark.line + 1) + ":" +
         std::to_string(Mark.column + 1);
}

} // namespace gilport

#endif
