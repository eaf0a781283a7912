#include "tool/StressSpec.h"

#include "gtest/gtest.h"

using namespace gilport;

namespace {

std::string spec(const std::string &Yaml) {
  return stressSpecJson(Yaml, "/s/spec.yaml");
}

} // namespace

TEST(StressSpec, PlainScalarsAreTypedAsTheHarnessAlwaysTypedThem) {
  EXPECT_EQ(spec("a: true\nb: True\nc: false\nd: False\n"),
            "{\"spec\": {\"a\": true, \"b\": true, \"c\": false, \"d\": "
            "false}}\n");
  EXPECT_EQ(spec("a: TRUE\nb: yes\nc: off\n"),
            "{\"spec\": {\"a\": \"TRUE\", \"b\": \"yes\", \"c\": \"off\"}}\n");
  EXPECT_EQ(spec("a: null\nb: ~\nc:\nd: Null\ne: NULL\n"),
            "{\"spec\": {\"a\": null, \"b\": null, \"c\": null, \"d\": "
            "\"Null\", \"e\": \"NULL\"}}\n");
  EXPECT_EQ(spec("[42, -7, +007, -0, 0x10, 1_000, 12345678901234567890]"),
            "{\"spec\": [42, -7, 7, 0, \"0x10\", \"1_000\", "
            "12345678901234567890]}\n");
  EXPECT_EQ(spec("[1.5, 1., .5, -.5e3, 5e3, +1.5E-2, 007.50, -0.0]"),
            "{\"spec\": [1.5, 1.0, 0.5, -0.5e3, 5.0e3, 1.5E-2, 7.50, "
            "-0.0]}\n");
  EXPECT_EQ(spec("[inf, .nan, 1e, 1.2.3]"),
            "{\"spec\": [\"inf\", \".nan\", \"1e\", \"1.2.3\"]}\n");
}

TEST(StressSpec, QuotedAndBlockScalarsAreStrings) {
  EXPECT_EQ(spec("a: \"true\"\nb: '42'\nc: \"x \\\" y\"\nd: 'it''s'\n"),
            "{\"spec\": {\"a\": \"true\", \"b\": \"42\", \"c\": \"x \\\" "
            "y\", \"d\": \"it's\"}}\n");
  EXPECT_EQ(spec("a: |\n  x\n  1\n\nb: |-\n  y\nc: |+\n  z\n\n\n"),
            "{\"spec\": {\"a\": \"x\\n1\\n\", \"b\": \"y\", \"c\": "
            "\"z\\n\"}}\n");
}

TEST(StressSpec, KeysOfFlowMappingsAreWhatPythonsStrMakesOfThem) {
  EXPECT_EQ(spec("{1: a, true: b, null: c, 1.5: d, 1e20: e, 1e-5: f, 007: g}"),
            "{\"spec\": {\"1\": \"a\", \"True\": \"b\", \"None\": \"c\", "
            "\"1.5\": \"d\", \"1e+20\": \"e\", \"1e-05\": \"f\", \"7\": "
            "\"g\"}}\n");
  // Block mapping keys are their text.
  EXPECT_EQ(spec("1: a\ntrue: b\nNull: c\n"),
            "{\"spec\": {\"1\": \"a\", \"true\": \"b\", \"Null\": \"c\"}}\n");
}

TEST(StressSpec, EmptyAndCommentOnlySpecsAreNull) {
  EXPECT_EQ(spec(""), "{\"spec\": null}\n");
  EXPECT_EQ(spec("# nothing\n"), "{\"spec\": null}\n");
}

TEST(StressSpec, ErrorsNameTheFileLineAndColumn) {
  EXPECT_EQ(spec("a: 1\nb: 2\na: 3\n"),
            "{\"error\": \"/s/spec.yaml:3:1: duplicate key 'a'\"}\n");
  EXPECT_EQ(spec("operations:\n  - call: [pair\n"),
            "{\"error\": \"/s/spec.yaml:3:1: end of sequence flow not "
            "found\"}\n");
  EXPECT_EQ(spec("a: 1\n---\nb: 2\n"),
            "{\"error\": \"/s/spec.yaml:3:1: a spec is one YAML document, not "
            "several\"}\n");
}

TEST(StressSpec, JsonSpecsAreLeftToTheHarness) {
  EXPECT_TRUE(isJsonSpec("  {\"operations\": []}"));
  EXPECT_TRUE(isJsonSpec("\n[1]"));
  EXPECT_FALSE(isJsonSpec("operations: []"));
  EXPECT_FALSE(isJsonSpec(""));
}
