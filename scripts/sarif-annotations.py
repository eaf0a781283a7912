#!/usr/bin/env python3
"""Turns gilport's SARIF report into GitHub Actions workflow annotations.

Usage: sarif-annotations.py REPORT.sarif

Prints one workflow command a result,
  ::warning file=PATH,line=N,col=N,title=gilport-CHECK::MESSAGE
(::error for results at level error), which GitHub shows on the lines of the
pull request. Results that a NOLINT comment suppresses are left out. PATH is
relative to the current directory (the checkout, $GITHUB_WORKSPACE, in a
workflow). Standard library only: it runs on any runner with python3.

Exit status: 0 (whatever was found: the verdict is gilport's), 2 when the
report cannot be read.
"""
import json
import os
import sys
import urllib.parse


def escape_data(text):
    """A workflow command's message: '%', CR and LF are encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text):
    """A property value (file=, title=): ':' and ',' end it, so they are encoded too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def result_path(location, base_ids):
    """The result's file as a path, relative to the current directory when under it."""
    artifact = location["artifactLocation"]
    uri = artifact["uri"]
    base = base_ids.get(artifact.get("uriBaseId"), {}).get("uri", "")
    if base and not urllib.parse.urlsplit(uri).scheme:
        uri = urllib.parse.urljoin(base, uri)
    parts = urllib.parse.urlsplit(uri)
    path = urllib.parse.unquote(parts.path) if parts.scheme == "file" else urllib.parse.unquote(uri)
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir + os.sep) and relative != os.pardir:
            path = relative
    return path


def annotations(report):
    for run in report["runs"]:
        base_ids = run.get("originalUriBaseIds", {})
        for result in run.get("results", []):
            if result.get("suppressions"):
                continue
            locations = result.get("locations") or [{}]
            physical = locations[0].get("physicalLocation")
            properties = []
            if physical is not None:
                properties.append("file=" + escape_property(result_path(physical, base_ids)))
                region = physical.get("region", {})
                for key, name in (("startLine", "line"), ("startColumn", "col")):
                    if key in region:
                        properties.append(f"{name}={int(region[key])}")
            properties.append("title=" + escape_property(result["ruleId"]))
            command = "error" if result.get("level") == "error" else "warning"
            message = escape_data(result["message"]["text"])
            yield f"::{command} {','.join(properties)}::{message}"


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            report = json.load(f)
        lines = list(annotations(report))
    except KeyError as error:
        print(f"sarif-annotations: error: cannot read '{sys.argv[1]}': the field {error} is missing", file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError, AttributeError) as error:
        print(f"sarif-annotations: error: cannot read '{sys.argv[1]}': {error}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
