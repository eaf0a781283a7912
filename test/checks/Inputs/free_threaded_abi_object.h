/* A static object defined in a header. */
extern PyTypeObject NoDefault_Type_In_Header;
static PyObject Header_Object = {_PyObject_EXTRA_INIT 1,
                                 &NoDefault_Type_In_Header};
