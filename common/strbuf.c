#include "strbuf.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void strbuf_release(strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb);
}

int strbuf_grow(strbuf *sb, size_t n)
{
	void *p = sb->buf;

	if (n > (size_t)-1 - sb->len - 1)
		return -1;
	if (wire_grow(&p, &sb->cap, sb->len + n + 1, 1))
		return -1;
	sb->buf = p;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_add(strbuf *sb, const void *data, size_t n)
{
	if (strbuf_grow(sb, n))
		return -1;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || strbuf_grow(sb, (size_t)n))
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

void strbuf_reset(strbuf *sb)
{
	strbuf_truncate(sb, 0);
}

void strbuf_truncate(strbuf *sb, size_t len)
{
	if (len > sb->len)
		return;
	sb->len = len;
	if (sb->buf)
		sb->buf[len] = '\0';
}

const char *strbuf_str(const strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
	char *s = sb->buf;

	if (!s)
		s = wire_strdup("");
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return s;
}
