#include "family.h"

FAMILY_MODULE(clean_member)
