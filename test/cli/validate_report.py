"""Validates gilport's JSON and SARIF reports against the documented shape.

Usage: validate_report.py json|sarif REPORT
Prints one line per finding ("check file:line:col") so FileCheck can follow.
"""
import json
import os
import re
import sys

CHECKS = {"gilport-borrowed-ref", "gilport-free-threaded-abi", "gilport-global-state",
          "gilport-missing-gil-decl", "gilport-object-allocator",
          "gilport-unlocked-container-access",
          "gilport-unlocked-object-state"}


def expect(condition, message):
    if not condition:
        sys.exit("invalid report: " + message)


def validate_json(report):
    keys = {"version", "findings", "files_analyzed", "errors"}
    expect(keys <= set(report) <= keys | {"baseline"}, f"top-level keys {sorted(report)}")
    expect(report["version"] == 1, "version")
    expect(isinstance(report["files_analyzed"], int), "files_analyzed")
    for error in report["errors"]:
        expect(set(error) == {"file", "message"}, f"error keys {sorted(error)}")
    previous = None
    for finding in report["findings"]:
        required = {"check", "severity", "file", "line", "column", "message", "function", "fix_available", "notes"}
        expect(required <= set(finding), f"finding keys {sorted(finding)}")
        expect(set(finding) - required <= {"no_fix_reason"}, f"unexpected keys {sorted(finding)}")
        expect(finding["check"] in CHECKS, finding["check"])
        expect(finding["severity"] in ("warning", "error"), finding["severity"])
        expect(os.path.isabs(finding["file"]), "file paths are absolute")
        expect(isinstance(finding["fix_available"], bool), "fix_available")
        expect(isinstance(finding["function"], str), "function")
        for note in finding["notes"]:
            expect(set(note) == {"file", "line", "column", "message"}, f"note keys {sorted(note)}")
        position = (finding["file"], finding["line"], finding["column"])
        expect(previous is None or previous <= position, "findings are sorted")
        previous = position
        function = f' in {finding["function"]}' if finding["function"] else ""
        print(f'{finding["check"]} {os.path.basename(finding["file"])}:{finding["line"]}:{finding["column"]}{function}')
    if "baseline" in report:
        baseline = report["baseline"]
        expect(set(baseline) == {"matched", "stale"}, f"baseline keys {sorted(baseline)}")
        print(f'baseline matched={baseline["matched"]} stale={baseline["stale"]}')
    print(f'files_analyzed={report["files_analyzed"]} errors={len(report["errors"])}')


def validate_sarif(report):
    expect(report["version"] == "2.1.0", "version")
    expect("sarif-2.1.0" in report["$schema"], "$schema")
    expect(len(report["runs"]) == 1, "one run")
    run = report["runs"][0]
    driver = run["tool"]["driver"]
    expect(driver["name"] == "gilport", "driver name")
    rules = driver["rules"]
    expect({rule["id"] for rule in rules} == CHECKS, "one rule per check")
    for rule in rules:
        expect(rule["shortDescription"]["text"], "rule summary")
        expect(rule["help"]["text"].startswith("# " + rule["id"]), "rule help is the check's page")
        expect(rule["helpUri"].endswith(rule["id"] + ".md"), "rule helpUri links the page")
    for result in run["results"]:
        expect(rules[result["ruleIndex"]]["id"] == result["ruleId"], "ruleIndex matches ruleId")
        expect(result["level"] in ("warning", "error"), "level")
        expect(result["message"]["text"], "message")
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        expect(location["artifactLocation"].get("uriBaseId") == "%SRCROOT%" or uri.startswith("file://"), "uri base")
        region = location["region"]
        expect(region["startLine"] >= 1 and region["startColumn"] >= 1, "region")
        # The finding's identity, hashed, and its occurrence among equal ones.
        fingerprint = result["partialFingerprints"]["gilport/v1"]
        expect(re.fullmatch(r"[0-9a-f]{64}:[1-9][0-9]*", fingerprint), f"fingerprint {fingerprint}")
        function = ""
        for logical in result["locations"][0].get("logicalLocations", []):
            expect(logical["kind"] == "function" and logical["fullyQualifiedName"], "logical location")
            function = " in " + logical["fullyQualifiedName"]
        suppressed = ""
        if "suppressions" in result:
            expect(result["suppressions"] == [{"kind": "inSource"}], "suppressions")
            suppressed = " suppressed"
        print(f'{result["ruleId"]} {os.path.basename(uri)}:{region["startLine"]}:{region["startColumn"]}{function}{suppressed}')
    print(f'results={len(run["results"])}')


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    {"json": validate_json, "sarif": validate_sarif}[kind](report)


if __name__ == "__main__":
    main()
