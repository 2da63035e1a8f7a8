#!/bin/bash
# placeholder: being written
exit 77
