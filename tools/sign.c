/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sign.c - bmsub-sign, the vendor's CLI (being written). */
#include <stdio.h>
#include "bmsub.h"
int main(void) { fputs("bmsub-sign: not implemented yet\n", stderr); return 2; }
