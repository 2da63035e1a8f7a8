/* auth.h - placeholder: being written */
