/*
 * input.h - a file read line by line, gzip-compressed or not.
 *
 * Compression is detected by the gzip magic bytes, not by the name; a file
 * named .gz that holds plain text is read as plain text.  zlib reports a
 * truncated or corrupt stream late, so input_close() (and input_error()
 * after the last line) must be checked: the lines read before the damage
 * are good, but the file as a whole is not.
 */
#ifndef WIRE_INPUT_H
#define WIRE_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct input input;

/* Longest line input_getline() returns whole; longer lines are cut into
 * pieces of this size, each counted in input_long_lines(). */
#define INPUT_MAX_LINE (16u << 20)

/* Open PATH ("-" for standard input).  Returns NULL with errno set when it
 * cannot be opened or out of memory. */
input *input_open(const char *path);
/* The next line, without its "\n" (and "\r\n"), in *LINE (borrowed until
 * the next call) and *LEN.  May contain NUL bytes.  Returns 1 for a line,
 * 0 at the end, -1 on a read or decompression error (see input_error()). */
int input_getline(input *in, const char **line, size_t *len);
/* Read the rest of the input, at most MAX bytes, into *DATA (malloc'd,
 * NUL-terminated, caller frees).  Returns 1 when it was all read, 0 when
 * it is longer than MAX (the first MAX bytes are returned), -1 on error. */
int input_slurp(input *in, size_t max, char **data, size_t *len);
/* Line number of the last line returned (1-based). */
unsigned long input_lineno(const input *in);
/* Whether the file is gzip-compressed. */
int input_is_gzip(const input *in);
/* Bytes of the file read so far (compressed bytes for gzip). */
uint64_t input_bytes_read(const input *in);
/* Lines longer than INPUT_MAX_LINE met so far. */
unsigned long input_long_lines(const input *in);
/* Description of the error, or NULL when there was none. */
const char *input_error(const input *in);
/* Close; returns 0, or -1 when the file was damaged or could not be read
 * to its end (message in *ERR, a static or borrowed string, may be NULL). */
int input_close(input *in, const char **err);

#endif
