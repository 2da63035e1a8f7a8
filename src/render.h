/* render.h - placeholder: being written */
