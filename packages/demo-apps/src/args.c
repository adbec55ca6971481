/* args.c — argument parsing shared by the demo programs. See strtoull(3). */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

bool parse_count(const char *text, unsigned long long min, unsigned long long max, unsigned long long *out) {
  /* strtoull accepts leading spaces and a minus sign (it negates modulo 2^64); only plain digits are a count. */
  if (text == NULL || !isdigit((unsigned char)text[0])) return false;
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max) return false;
  *out = value;
  return true;
}

bool parse_size(const char *text, unsigned long long *out) {
  if (text == NULL || !isdigit((unsigned char)text[0])) return false;
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0) return false;
  unsigned shift = 0;
  switch (tolower((unsigned char)*end)) {
    case '\0': break;
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    default: return false;
  }
  if (*end != '\0' && end[1] != '\0') return false;
  if (value == 0 || value > (~0ULL >> shift)) return false;
  *out = value << shift;
  return true;
}

void usage_error(const char *program, const char *message, const char *usage) {
  fprintf(stderr, "%s: %s\n%s", program, message, usage);
  exit(2);
}
