// Included by gil-decl-single.c: module creation in a header helper.
static struct PyModuleDef header_module = {
    PyModuleDef_HEAD_INIT, "header", NULL, -1, NULL,
};

static PyObject *create_header_module(void) {
  PyObject *module = PyModule_Create(&header_module);
  if (module == NULL)
    return NULL;
  return module;
}
