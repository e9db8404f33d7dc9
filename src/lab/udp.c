/* udp.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_udp[1];
const size_t lab_udp_count = 0;
