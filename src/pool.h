/* pool.h - placeholder: being written */
