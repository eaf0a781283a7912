// Included by gilport-global-state-targets.c: a cache defined in a header
// and filled at run time is a data race, reported in the header.
static PyObject *header_lazy;
static inline PyObject *header_lookup(void) {
  if (header_lazy == NULL)
    header_lazy = PyUnicode_InternFromString("header");
  return header_lazy;
}
