"""A restricted YAML reader for `gilport stress --spec` files (no PyPI here).

Supported: block mappings (`key: value`), block sequences (`- item`), flow
sequences (`[a, b]`) and flow mappings (`{a: 1}`) of scalars, quoted scalars
('single' and "double" with backslash escapes), plain scalars (int, float,
true/false, null/~, strings), literal block scalars (`|`), and `#` comments.
Not supported: anchors, aliases, tags, multi-document streams, folded scalars
(`>`), complex keys.  A file that starts with `{` or `[` is read as JSON.
"""

import json
import re


class SpecError(Exception):
    pass


def loads(text, name="<spec>"):
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SpecError("%s: invalid JSON: %s" % (name, exc))
    lines = []
    raw = text.splitlines()
    for number, line in enumerate(raw, 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise SpecError("%s:%d: tabs are not allowed for indentation"
                            % (name, number))
        lines.append((number, line))
    parser = _Parser(lines, name)
    value = parser.block(0)
    parser.skip_blank()
    if parser.pos < len(parser.lines):
        number, line = parser.lines[parser.pos]
        raise SpecError("%s:%d: unexpected content: %s"
                        % (name, number, line.strip()))
    return value


def _strip_comment(text):
    out, quote = [], None
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"' and i + 1 < len(text):
                out.append(text[i:i + 2])
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            break
        out.append(c)
        i += 1
    return "".join(out).rstrip()


def _indent(line):
    return len(line) - len(line.lstrip(" "))


class _Parser:
    def __init__(self, lines, name):
        self.lines = lines
        self.name = name
        self.pos = 0

    def error(self, number, message):
        raise SpecError("%s:%d: %s" % (self.name, number, message))

    def skip_blank(self):
        while self.pos < len(self.lines):
            content = _strip_comment(self.lines[self.pos][1])
            if content.strip():
                return
            self.pos += 1

    def block(self, min_indent):
        self.skip_blank()
        if self.pos >= len(self.lines):
            return None
        number, line = self.lines[self.pos]
        indent = _indent(line)
        if indent < min_indent:
            return None
        content = _strip_comment(line).strip()
        if content.startswith("- ") or content == "-":
            return self.sequence(indent)
        return self.mapping(indent)

    def line_at(self, indent):
        """(number, content) of the next non-blank line when it is at `indent`; None when the
        input ends or the line is less indented (the block ends). Deeper is an error."""
        self.skip_blank()
        if self.pos >= len(self.lines):
            return None
        number, line = self.lines[self.pos]
        if _indent(line) != indent:
            if _indent(line) > indent:
                self.error(number, "bad indentation")
            return None
        return number, _strip_comment(line).strip()

    def sequence(self, indent):
        items = []
        while True:
            entry = self.line_at(indent)
            if entry is None:
                break
            number, content = entry
            if not (content.startswith("- ") or content == "-"):
                break
            rest = content[1:].strip()
            if not rest:
                self.pos += 1
                items.append(self.block(indent + 1))
            elif _is_mapping_entry(rest):
                # "- key: value" starts a mapping indented past the dash.
                inner = indent + 2
                self.lines[self.pos] = (number, " " * inner + rest)
                items.append(self.mapping(inner))
            else:
                self.pos += 1
                items.append(self.scalar_or_block(rest, number, indent))
        return items

    def mapping(self, indent):
        result = {}
        while True:
            entry = self.line_at(indent)
            if entry is None:
                break
            number, content = entry
            if content.startswith("- "):
                break
            match = re.match(r"""^("[^"]*"|'[^']*'|[^:]+?)\s*:(\s+(.*))?$""",
                             content)
            if not match:
                self.error(number, "expected 'key: value': %s" % content)
            key = match.group(1)
            if key[:1] in "\"'":
                key = key[1:-1]
            rest = (match.group(3) or "").strip()
            self.pos += 1
            if key in result:
                self.error(number, "duplicate key %r" % key)
            if not rest:
                value = self.block(indent + 1)
                result[key] = value
            else:
                result[key] = self.scalar_or_block(rest, number, indent)
        return result

    def scalar_or_block(self, text, number, indent):
        if text in ("|", "|-", "|+"):
            body = []
            block_indent = None
            while self.pos < len(self.lines):
                n, line = self.lines[self.pos]
                if line.strip() == "":
                    body.append("")
                    self.pos += 1
                    continue
                if _indent(line) <= indent:
                    break
                if block_indent is None:
                    block_indent = _indent(line)
                body.append(line[block_indent:])
                self.pos += 1
            while body and body[-1] == "":
                body.pop()
            value = "\n".join(body)
            return value if text == "|-" else value + "\n"
        if text.startswith(">"):
            self.error(number, "folded scalars ('>') are not supported")
        if text[:1] in "&*!":
            self.error(number, "anchors, aliases and tags are not supported")
        return _flow(text, number, self)


def _is_mapping_entry(text):
    if text[:1] in "[{\"'":
        return bool(re.match(r"""^("[^"]*"|'[^']*')\s*:(\s|$)""", text))
    return bool(re.match(r"^[^:\s][^:]*?:(\s|$)", text))


def _flow(text, number, parser):
    value, rest = _flow_value(text, 0, number, parser)
    if text[rest:].strip():
        parser.error(number, "unexpected text after value: %s" % text[rest:])
    return value


def _flow_value(text, i, number, parser, in_flow=False):
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return None, i
    c = text[i]
    if c == "[":
        items, i = [], i + 1
        while True:
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == "]":
                return items, i + 1
            item, i = _flow_value(text, i, number, parser, True)
            items.append(item)
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == ",":
                i += 1
            elif i < len(text) and text[i] == "]":
                return items, i + 1
            else:
                parser.error(number, "unterminated flow sequence")
    if c == "{":
        result, i = {}, i + 1
        while True:
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == "}":
                return result, i + 1
            key, i = _flow_value(text, i, number, parser, True)
            while i < len(text) and text[i] == " ":
                i += 1
            if i >= len(text) or text[i] != ":":
                parser.error(number, "expected ':' in flow mapping")
            value, i = _flow_value(text, i + 1, number, parser, True)
            result[str(key)] = value
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == ",":
                i += 1
            elif i < len(text) and text[i] == "}":
                return result, i + 1
            else:
                parser.error(number, "unterminated flow mapping")
    if c == '"':
        j, out = i + 1, []
        while j < len(text) and text[j] != '"':
            if text[j] == "\\" and j + 1 < len(text):
                out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
                           .get(text[j + 1], "\\" + text[j + 1]))
                j += 2
            else:
                out.append(text[j])
                j += 1
        if j >= len(text):
            parser.error(number, "unterminated string")
        return "".join(out), j + 1
    if c == "'":
        j, out = i + 1, []
        while j < len(text):
            if text[j] == "'":
                if text[j + 1:j + 2] == "'":
                    out.append("'")
                    j += 2
                    continue
                break
            out.append(text[j])
            j += 1
        if j >= len(text):
            parser.error(number, "unterminated string")
        return "".join(out), j + 1
    stop = ",]}:" if in_flow else ""
    j = i
    while j < len(text) and text[j] not in stop:
        if in_flow and text[j] == ":" and j + 1 < len(text) and text[j + 1] != " ":
            j += 1
            continue
        j += 1
    return _plain(text[i:j].strip()), j


def _plain(token):
    if token in ("null", "~", ""):
        return None
    if token in ("true", "True"):
        return True
    if token in ("false", "False"):
        return False
    if re.match(r"^[-+]?\d+$", token):
        return int(token)
    if re.match(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$", token):
        return float(token)
    return token
