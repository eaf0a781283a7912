// Tables in a header the module includes.

typedef struct {
  const char *name;
  PyObject *type;
} HeaderEntry;

// Not reported: constant, and only read in the file.
static HeaderEntry header_template[] = {{"a", NULL}, {NULL, NULL}};

// Reported: the file writes it.
static HeaderEntry header_written[] = {{"b", NULL}, {NULL, NULL}};
