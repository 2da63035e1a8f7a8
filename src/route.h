/* route.h - placeholder: being written */
