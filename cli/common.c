/* Shared CLI plumbing; the argument walking, errors and usage are in cli/args.c. */
#include "cli/cli.h"
