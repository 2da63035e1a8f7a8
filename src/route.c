/* route.c - placeholder: being written */
