// An extension object's struct declared in a header, and a helper in the
// header that changes it: the struct's methods in the .c file are reported;
// the header's own code is not looked at (only the analysed file's is).
typedef struct {
  PyObject_HEAD
  Py_ssize_t hits;
} HeaderObject;

static inline void header_touch(HeaderObject *self) { self->hits++; }
