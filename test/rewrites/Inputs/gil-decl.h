// Included by gil-decl-multi.c: a slots array in a header.
static int header_exec(PyObject *module) { return 0; }

static PyModuleDef_Slot header_slots[] = {
    {Py_mod_exec, header_exec},
    {0, NULL},
};
