/* acl.c - placeholder: being written */
