"""A small C source reader for the accuracy rig: comments, literals, functions, file-scope data.

It is deliberately independent of gilport (no Clang, no gilport code): the ground truth must
not inherit gilport's blind spots. It works on the text:

  * comments, string and character literals are blanked (newlines kept, so line numbers hold);
  * preprocessor lines (with their continuations) are blanked too; both branches of an #if stay,
    and `active_lines` (from `clang -E`) tells which lines a real build compiles;
  * at brace depth 0, a `{` whose preceding text ends in `NAME(...)` opens a function body;
    any other `{` (struct, enum, initializer) is skipped as a whole;
  * file-scope declarations are the depth-0 statements between functions.

Standard library only.
"""

import bisect
import os
import re
import subprocess

_IDENT = r"[A-Za-z_]\w*"


def blank_comments_and_literals(text):
    """Returns text with comments and string/char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            # Keep the quotes so that `"x" "y"` stays two tokens.
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c if j - i >= 2 else text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_preprocessor(text):
    """Blanks preprocessor directives, including backslash-continued lines."""
    lines = text.split("\n")
    in_directive = False
    for k, line in enumerate(lines):
        if in_directive or line.lstrip().startswith("#"):
            in_directive = line.rstrip().endswith("\\")
            lines[k] = " " * len(line)
    return "\n".join(lines)


def clean(text):
    return blank_preprocessor(blank_comments_and_literals(text))


def _function_name_at(header):
    """(start, end) of NAME in a header ending `NAME(params)`, or None.

    Scans backwards from the closing parenthesis; no regex, so a long initializer cannot make
    the search backtrack.
    """
    j = len(header.rstrip())
    if j == 0 or header[j - 1] != ")":
        return None
    depth = 0
    k = j - 1
    while k >= 0:
        if header[k] == ")":
            depth += 1
        elif header[k] == "(":
            depth -= 1
            if depth == 0:
                break
        k -= 1
    if k < 0:
        return None
    end = len(header[:k].rstrip())
    start = end
    while start > 0 and (header[start - 1].isalnum() or header[start - 1] == "_"):
        start -= 1
    name = header[start:end]
    if not name or name[0].isdigit() or name in ("if", "while", "for", "switch", "return", "sizeof"):
        return None
    return start, end


def matching_close(text, open_at, opening="{", closing="}"):
    """The offset of the `closing` that balances the `opening` at text[open_at]; the last offset
    of text when none does. Literals and comments must be blanked first (clean())."""
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == opening:
            depth += 1
        elif text[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


class Source:
    """One C file: cleaned text, line lookup, functions and file-scope statements."""

    def __init__(self, path, text=None):
        self.path = path
        if text is None:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        self.raw = text
        self.text = clean(text)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.functions = []      # (name, start_line, end_line, body_start, body_end)
        self.statements = []     # (start_line, text) of depth-0 statements outside functions
        self._parse()

    def line_of(self, offset):
        return bisect.bisect_right(self._line_starts, offset)

    def _parse(self):
        text = self.text
        depth = 0
        stmt_start = 0
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c == "{":
                header = text[stmt_start:i]
                at = _function_name_at(header)
                # A function definition: `... name(params) {`, and no `=` (an initializer).
                if at is not None and "=" not in header:
                    end = self._match_brace(i)
                    name = header[at[0]:at[1]]
                    start_line = self.line_of(stmt_start + at[0])
                    self.functions.append((name, start_line, self.line_of(end), i, end))
                    i = end + 1
                    stmt_start = i
                    continue
                # A struct/enum/initializer at file scope: skip it, keep the statement going.
                end = self._match_brace(i)
                i = end + 1
                continue
            if c == ";" and depth == 0:
                stmt = text[stmt_start:i]
                if stmt.strip():
                    first = stmt_start + (len(stmt) - len(stmt.lstrip()))
                    self.statements.append((self.line_of(first), stmt.strip(), first))
                stmt_start = i + 1
            elif c == "}":
                # An unbalanced `}` (e.g. `extern "C" {` closed): restart the statement.
                stmt_start = i + 1
            i += 1

    def _match_brace(self, open_at):
        return matching_close(self.text, open_at)

    def function_at(self, line):
        """The name of the function whose definition spans `line`, or None."""
        for name, start, end, _, _ in self.functions:
            if start <= line <= end:
                return name
        return None

    def function_bodies(self):
        """{name: [(body_text, body_offset), ...]}; a name defined in several #if branches keeps each."""
        bodies = {}
        for name, _, _, start, end in self.functions:
            bodies.setdefault(name, []).append((self.text[start:end + 1], start))
        return bodies

    def calls(self, names, body, offset):
        """[(api, line)] for each call `api(` of one of `names` in body."""
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\s*\(")
        return [(m.group(1), self.line_of(offset + m.start(1))) for m in pattern.finditer(body)]


# File-scope object declarations.
_OBJECT_POINTER = re.compile(r"^(?:(?:static|extern|Py_LOCAL\w*|_Py_thread_local|thread_local|volatile)\s+)*"
                             r"(?:struct\s+)?(Py\w*Object|_?Py\w*Object|PyObject)\s*\*(.*)$", re.S)
_STATIC_TYPE = re.compile(r"^(?:static\s+|extern\s+)*PyTypeObject\s+(" + _IDENT + r")\s*=", re.S)
_DECLARATOR = re.compile(r"^\s*\*?\s*(" + _IDENT + r")\s*(\[[^\]]*\])?\s*(=.*)?$", re.S)


def file_scope_objects(source):
    """[(kind, name, line)] for file-scope definitions of Python object pointers and static types.

    kind is "static-type" for `PyTypeObject NAME = {...}` and "object-pointer" for
    `PyObject *NAME` (also arrays, several declarators, `PyTypeObject *NAME` and other
    `Py...Object *` pointers). `extern` declarations, `const` pointers and prototypes are left out.
    """
    found = []
    for line, stmt, _ in source.statements:
        flat = " ".join(stmt.split())
        if flat.startswith("extern ") or flat.startswith("typedef "):
            continue
        m = _STATIC_TYPE.match(flat)
        if m:
            found.append(("static-type", m.group(1), line))
            continue
        m = _OBJECT_POINTER.match(flat)
        if not m:
            continue
        rest = m.group(2)
        if "(" in rest.split("=")[0]:
            continue  # a prototype or function pointer
        # `PyObject *a, *b = NULL;` -> one name per declarator; a `*const` pointer is not state.
        for part in _split_declarators(rest):
            part = part.strip()
            if part.startswith("const") or re.match(r"^\*?\s*const\b", part):
                continue
            d = _DECLARATOR.match(part)
            if d:
                found.append(("object-pointer", d.group(1), line))
    return found


def _split_declarators(rest):
    parts, depth, cur = [], 0, []
    for ch in rest:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def file_scope_names(source):
    """Names defined or declared at file scope that look like variables (any type)."""
    names = set()
    for _, stmt, _ in source.statements:
        flat = " ".join(stmt.split())
        if flat.startswith("typedef "):
            continue
        m = re.match(r"^[^=(]*?\b(" + _IDENT + r")\s*(\[[^\]]*\])?\s*(=|$)", flat, re.S)
        if m:
            names.add(m.group(1))
    return names


def active_lines(command, directory, main_file):
    """Line numbers of main_file that the preprocessor keeps under `command` (clang -E).

    command is the compile command's argument list; the compiler is replaced by clang-19,
    -c/-o dropped. Returns None when preprocessing fails.
    """
    args = ["clang-19"]
    skip = False
    for a in command[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c" or a.startswith("-W"):
            continue
        args.append(a)
    args += ["-E", "-w"]
    proc = subprocess.run(args, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, errors="replace")
    if proc.returncode != 0:
        return None
    lines = set()
    current, line = None, 0
    marker = re.compile(r'^# (\d+) "([^"]*)"')
    wanted = os.path.realpath(os.path.join(directory, main_file))
    same = {}
    for out in proc.stdout.split("\n"):
        m = marker.match(out)
        if m:
            line = int(m.group(1))
            name = m.group(2)
            if name not in same:
                same[name] = os.path.realpath(os.path.join(directory, name)) == wanted
            current = same[name]
            continue
        if current:
            if out.strip():
                lines.add(line)
        line += 1
    return lines
