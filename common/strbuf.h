/*
 * strbuf.h - a growable byte buffer, always NUL-terminated.
 *
 * A strbuf on the stack starts as STRBUF_INIT (or strbuf_init()) and ends
 * with strbuf_release().  Appends return 0, or -1 when out of memory; after
 * a failed append the buffer keeps its earlier contents.
 */
#ifndef WIRE_STRBUF_H
#define WIRE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *buf;   /* NUL-terminated; never NULL after a successful append */
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(strbuf *sb);
/* Free the contents; the buffer is empty and usable again. */
void strbuf_release(strbuf *sb);
/* Make room for N more bytes plus the NUL. */
int strbuf_grow(strbuf *sb, size_t n);
int strbuf_add(strbuf *sb, const void *data, size_t n);
int strbuf_addstr(strbuf *sb, const char *s);
int strbuf_addch(strbuf *sb, int c);
int strbuf_addf(strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Empty the buffer, keeping its memory. */
void strbuf_reset(strbuf *sb);
/* Shorten the buffer to its first LEN bytes (LEN at most its length),
 * keeping its memory: how an append that failed halfway is undone. */
void strbuf_truncate(strbuf *sb, size_t len);
/* The contents ("" when nothing was ever added).  Borrowed. */
const char *strbuf_str(const strbuf *sb);
/* Hand the contents to the caller (malloc'd, never NULL unless out of
 * memory) and leave the buffer empty. */
char *strbuf_detach(strbuf *sb, size_t *len);

#endif
