/* The project's header, which brings the vendored one in. */
#include "pythoncapi_compat.h"
