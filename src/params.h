/* params.h - placeholder: being written */
