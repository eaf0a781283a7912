/* Shared by the files of the 'hdr' module. */
static long header_ticks;
