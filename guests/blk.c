#include "rt.h"
void guest_main(void) {}
