#include "alloc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned long alloc_count;
static unsigned long alloc_fail_at;
static int alloc_persist;

/* Whether this allocation is one a test asked to fail. */
static int alloc_should_fail(void)
{
	alloc_count++;
	if (!alloc_fail_at)
		return 0;
	if (alloc_count == alloc_fail_at)
		return 1;
	return alloc_persist && alloc_count > alloc_fail_at;
}

unsigned long wire_alloc_fail_at(unsigned long n, int persist)
{
	unsigned long made = alloc_count;

	alloc_count = 0;
	alloc_fail_at = n;
	alloc_persist = persist;
	return made;
}

void *wire_malloc(size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *wire_calloc(size_t count, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *wire_realloc(void *p, size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

int wire_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return -1;
	q = wire_realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

char *wire_strndup(const char *s, size_t n)
{
	char *d = wire_malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *wire_strdup(const char *s)
{
	return wire_strndup(s, strlen(s));
}

struct wire_arena {
	struct wire_arena *next;
	size_t used, cap;
	max_align_t data[];
};

void *wire_arena_alloc(wire_arena **head, size_t n)
{
	const size_t align = alignof(max_align_t);
	wire_arena *b = *head;
	size_t need;
	void *p;

	if (n > SIZE_MAX / 4)
		return NULL;
	need = n ? (n + align - 1) / align * align : align;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > 8192 ? need : 8192;

		b = wire_malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = *head;
		b->used = 0;
		b->cap = cap;
		*head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	return p;
}

char *wire_arena_strndup(wire_arena **a, const char *s, size_t n)
{
	char *d = wire_arena_alloc(a, n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void wire_arena_free(wire_arena *b)
{
	while (b) {
		wire_arena *next = b->next;

		free(b);
		b = next;
	}
}
