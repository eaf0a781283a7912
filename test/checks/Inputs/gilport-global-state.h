// Included by gilport-global-state.c: state defined in a header is reported
// in the header.
static PyObject *header_cache;
extern long header_counter;
static inline void bump_header_counter(void) { header_counter++; }
