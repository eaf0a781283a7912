/* Shared by the sources of the 'flagged' extension. */
#include <stdio.h>

extern int flagged_debug;
extern int flagged_spare;

#define flagged_log(message)                                                   \
  do {                                                                         \
    if (flagged_debug)                                                         \
      fputs(message, stderr);                                                  \
  } while (0)
