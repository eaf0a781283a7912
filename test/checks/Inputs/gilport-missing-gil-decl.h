// Included by gilport-missing-gil-decl-multi.c: slots arrays in a header.
static int header_exec(PyObject *module) { return 0; }

static PyModuleDef_Slot header_slots[] = {
    {Py_mod_exec, header_exec},
    {0, NULL},
};

static PyModuleDef_Slot header_guarded_slots[] = {
    {Py_mod_exec, header_exec},
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};
