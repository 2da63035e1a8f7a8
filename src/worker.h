/* worker.h - placeholder: being written */
