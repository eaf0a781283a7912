// Shaped like the Modules/clinic/*.c.h files Argument Clinic writes for
// CPython's core modules: the keyword tuple of each function is a static
// immortal tuple whose only use is its address in the parser.

#define KWTUPLE_BLOCK(NAME, N, ...)                                            \
  static struct {                                                              \
    PyGC_Head _this_is_not_used;                                               \
    PyObject_VAR_HEAD PyObject *ob_item[N];                                    \
  } NAME = {                                                                   \
      .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, N).ob_item = {           \
          __VA_ARGS__},                                                        \
  };

static PyObject *header_parse(PyObject *module, PyObject *kwnames) {
  static struct {
    PyGC_Head _this_is_not_used;
    PyObject_VAR_HEAD PyObject *ob_item[1];
  } _kwtuple = {
      .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, 1).ob_item = {Py_None},
  };
#define KWTUPLE (&_kwtuple.ob_base.ob_base)
  static const char *const _keywords[] = {"x", NULL};
  static _PyArg_Parser _parser = {
      .keywords = _keywords,
      .fname = "header_parse",
      .kwtuple = KWTUPLE,
  };
#undef KWTUPLE
  return _parser.kwtuple == kwnames ? module : NULL;
}
