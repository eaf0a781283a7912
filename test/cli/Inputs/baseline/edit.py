"""Edits the baseline tests' module the way a developer would.

Usage: edit.py FILE ACTION...
  shift      insert lines at the top, reindent a finding's line and edit
             another line
  add        add a function with a new borrowed reference
  again      a third identical lookup in 'twice' (a second finding with an
             identity the baseline holds twice already)
  drop       remove the function 'first' (its baseline entry goes stale)
"""
import sys

path, actions = sys.argv[1], sys.argv[2:]
with open(path, encoding="utf-8") as f:
    text = f.read()
for action in actions:
    if action == "shift":
        text = "/* Inserted above everything. */\n" * 7 + text
        text = text.replace("  PyObject *item = PyList_GetItem(list, 0);",
                            "  PyObject  *item  =  PyList_GetItem(list,\t0);")
        text = text.replace('"key"); // NOLINT', '"key");  // NOLINT')
        text = text.replace("  if (item == NULL)\n", "  if (!item)\n")
    elif action == "add":
        text = text.replace("static PyMethodDef methods[]",
                            "static PyObject *last(PyObject *self, PyObject *list) {\n"
                            "  PyObject *item = PyList_GetItem(list, PyList_GET_SIZE(list) - 1);\n"
                            "  return Py_XNewRef(item);\n"
                            "}\n\n"
                            "static PyMethodDef methods[]")
    elif action == "again":
        text = text.replace("  item = PyList_GetItem(list, 0);\n  return Py_XNewRef(item);",
                            "  item = PyList_GetItem(list, 0);\n  item = PyList_GetItem(list, 0);\n"
                            "  return Py_XNewRef(item);")
    elif action == "drop":
        start = text.index("static PyObject *first(")
        end = text.index("static PyObject *twice(")
        text = text[:start] + text[end:]
        text = text.replace('    {"first", first, METH_O, NULL},\n', "")
    else:
        sys.exit(f"unknown action {action}")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
