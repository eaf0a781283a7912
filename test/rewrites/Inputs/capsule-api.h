/* The C API of another module, used through a pointer its capsule holds, as
   pymongo's _cbsonmodule.h does: one static copy per file that includes it. */
static void **shared_API;

#define shared_twice(x) (((int (*)(int))shared_API[0])(x))
