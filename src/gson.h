/* gson.h - placeholder: being written */
