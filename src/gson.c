/* gson.c - placeholder: being written */
