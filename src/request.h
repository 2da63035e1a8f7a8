/* request.h - placeholder: being written */
