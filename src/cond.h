/* cond.h - placeholder: being written */
