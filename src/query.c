/* query.c - placeholder: being written */
