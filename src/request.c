/* request.c - placeholder: being written */
