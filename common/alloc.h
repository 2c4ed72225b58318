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

/* An arena: many small allocations freed at once.  A NULL wire_arena *
 * is an empty arena; wire_arena_free() releases every block. */
typedef struct wire_arena wire_arena;
/* N bytes (aligned for any type) from the arena *A, which grows a block
 * of at least 8 KB at a time; they live until wire_arena_free(*A).  NULL
 * when out of memory (the arena stays as it was). */
void *wire_arena_alloc(wire_arena **a, size_t n);
/* Copy of the first N bytes of S plus a NUL, in the arena *A; NULL when
 * out of memory. */
char *wire_arena_strndup(wire_arena **a, const char *s, size_t n);
/* Free every block of the arena A; NULL is a no-op. */
void wire_arena_free(wire_arena *a);

/* Test hook: make the N-th allocation from now fail (N >= 1), and every
 * later one too when PERSIST.  N == 0 turns failures off.  Returns the
 * number of allocations made since the last call. */
unsigned long wire_alloc_fail_at(unsigned long n, int persist);

#endif
