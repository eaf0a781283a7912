/* Uses a type of the file that includes it. */
static inline int is_shown(PyObject *o) { return PyObject_TypeCheck(o, &Shown_Type); }
