/* tcp.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_tcp[1];
const size_t lab_tcp_count = 0;
