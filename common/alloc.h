/*
 * alloc.h - every allocation of our C code goes through these wrappers, so
 * a test can make the N-th one fail (tests/unit/test_alloc_failure.c) and
 * check that each failure gives a clean error.
 *
 * They behave like the libc functions they are named after: NULL on
 * failure, the caller frees the result with free().
 */
#ifndef WIRE_ALLOC_H
#define WIRE_ALLOC_H

#include <stddef.h>

void *wire_malloc(size_t n);
void *wire_calloc(size_t count, size_t size);
void *wire_realloc(void *p, size_t n);
/* Grow an array of *CAP items of SIZE bytes to hold at least NEED items,
 * doubling; returns 0, or -1 (leaving *P and *CAP alone) on failure or
 * overflow. */
int wire_grow(void **p, size_t *cap, size_t need, size_t size);
char *wire_strdup(const char *s);
/* Copy of the first N bytes of S (which need not be NUL-terminated). */
char *wire_strndup(const char *s, size_t n);

/* Test hook: make the N-th allocation from now fail (N >= 1), and every
 * later one too when PERSIST.  N == 0 turns failures off.  Returns the
 * number of allocations made since the last call. */
unsigned long wire_alloc_fail_at(unsigned long n, int persist);

#endif
