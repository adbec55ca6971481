/* args.h — argument parsing shared by the demo programs.
 * Every program exits 2 with its usage on bad arguments, 1 on a runtime failure, 0 on success.
 * See strtoull(3). */
#ifndef DEMO_ARGS_H
#define DEMO_ARGS_H

#include <stdbool.h>

/* Parses a decimal count in [min, max]; false on junk, overflow or out of range. */
bool parse_count(const char *text, unsigned long long min, unsigned long long max, unsigned long long *out);

/* Parses a byte size with an optional k/m/g suffix (powers of 1024), e.g. "16m"; zero is rejected. */
bool parse_size(const char *text, unsigned long long *out);

/* Prints "PROGRAM: MESSAGE" and the usage text to stderr, then exits 2. */
_Noreturn void usage_error(const char *program, const char *message, const char *usage);

#endif
