/* cond.c - placeholder: being written */
