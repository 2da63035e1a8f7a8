/* auth.c - placeholder: being written */
