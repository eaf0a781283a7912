#ifndef MYPYC_LIBRT_INTERNAL_H
#define MYPYC_LIBRT_INTERNAL_H
#include "__native.h"
#endif
