/* A header's helper that hands memory from the object allocator to its
   callers: reported in the header, without a fix (the memory leaves it). */
static inline char *copy_text(const char *text, size_t length) {
  char *copy = (char *)PyObject_Malloc(length + 1);
  if (copy != NULL) {
    memcpy(copy, text, length);
    copy[length] = '\0';
  }
  return copy;
}
